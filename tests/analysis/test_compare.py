"""Comparing strategies: normal intervals, paired differences and common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from twofront.analysis.compare import (
    Z95,
    Outcome,
    compare,
    mean_interval,
    paired_difference,
    standard_outcomes,
    stock_at_war_start_outcomes,
)
from twofront.errors import ExperimentError
from twofront.simulation import run

# --- mean_interval -------------------------------------------------------------------------


def test_mean_interval_by_hand():
    # mean 2.5; s = sqrt(((1.5^2 + 0.5^2) * 2) / 3) = sqrt(5/3) = 1.290994;
    # half = 1.959964 * 1.290994 / sqrt(4) = 1.265151
    est = mean_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert est.n == 4
    assert est.mean == pytest.approx(2.5)
    assert est.low == pytest.approx(2.5 - 1.265151, abs=1e-6)
    assert est.high == pytest.approx(2.5 + 1.265151, abs=1e-6)


def test_z95_is_the_normal_quantile():
    assert stats.norm.ppf(0.975) == pytest.approx(Z95, rel=1e-15)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6).map(lambda x: round(x, 3)), min_size=2, max_size=60),
    st.integers(0, 5),
)
def test_mean_interval_matches_scipy_and_ignores_nans(values, nans):
    data = np.array(values + [np.nan] * nans)
    est = mean_interval(data)
    finite = np.array(values)
    half = stats.norm.ppf(0.975) * stats.sem(finite)  # s / sqrt(n), ddof = 1
    assert est.n == len(values)
    assert est.mean == pytest.approx(finite.mean(), rel=1e-9, abs=1e-9)
    assert est.low == pytest.approx(finite.mean() - half, rel=1e-9, abs=1e-6)
    assert est.high == pytest.approx(finite.mean() + half, rel=1e-9, abs=1e-6)
    assert est.low <= est.mean <= est.high


def test_nans_and_infinities_are_left_out():
    est = mean_interval(np.array([1.0, np.nan, 3.0, np.inf, -np.inf]))
    # [1, 3]: mean 2, s = sqrt(2), half = 1.959964 * sqrt(2) / sqrt(2) = 1.959964
    assert (est.mean, est.n) == (2.0, 2)
    assert est.high - est.mean == pytest.approx(Z95)


def test_one_value_has_a_mean_but_no_interval():
    est = mean_interval(np.array([np.nan, 7.0]))
    assert (est.mean, est.n) == (7.0, 1)
    assert math.isnan(est.low) and math.isnan(est.high)


def test_no_values_give_no_estimate():
    est = mean_interval(np.array([np.nan, np.nan]))
    assert est.n == 0 and all(math.isnan(v) for v in (est.mean, est.low, est.high))


def test_constant_values_have_a_zero_width_interval():
    est = mean_interval(np.full(5, 3.0))
    assert (est.mean, est.low, est.high, est.n) == (3.0, 3.0, 3.0, 5)


# --- paired_difference ----------------------------------------------------------------------


def test_paired_difference_pairs_runs_and_skips_runs_missing_either_side():
    values = np.array([1.0, 2.0, np.nan, 4.0, 10.0])
    baseline = np.array([0.0, np.nan, 1.0, 1.0, 7.0])
    # Pairs: run 0 (1 - 0 = 1), run 3 (4 - 1 = 3), run 4 (10 - 7 = 3):
    # mean 7/3; s = sqrt(((4/3)^2 + 2 (2/3)^2) / 2) = sqrt(4/3); half = Z95 * s / sqrt(3)
    est = paired_difference(values, baseline)
    assert est.n == 3
    assert est.mean == pytest.approx(7 / 3)
    assert est.high - est.mean == pytest.approx(Z95 * math.sqrt(4 / 3) / math.sqrt(3))


def test_pairing_removes_the_between_run_variance():
    # Worlds differ a lot, the strategy adds exactly 1 in each: the difference is certain.
    world = np.array([10.0, 500.0, 3.0, 80.0])
    est = paired_difference(world + 1.0, world)
    assert (est.mean, est.low, est.high) == (1.0, 1.0, 1.0)
    unpaired = mean_interval(world + 1.0)
    assert unpaired.high - unpaired.low > 100


# --- compare ---------------------------------------------------------------------------------


def _fake(runs, value):
    return xr.Dataset({"y": ("run", np.asarray(value, dtype=float))}, coords={"run": runs})


Y = (Outcome("y", "units", lambda d: d["y"].values),)


def test_compare_rejects_results_with_other_runs():
    results = {"a": _fake([0, 1, 2], [1, 2, 3]), "b": _fake([0, 1, 3], [1, 2, 3])}
    with pytest.raises(ExperimentError, match="strategy 'b' has other runs than 'a'"):
        compare(results, Y, baseline="a")


def test_compare_rejects_results_with_a_different_number_of_runs(toy):
    results = {"steady": run(toy, 3, seed=0), "surge": run(toy, 4, seed=0, strategy="surge")}
    with pytest.raises(ExperimentError, match="other runs"):
        compare(results, standard_outcomes(results["steady"]), baseline="steady")


def test_compare_rejects_an_unknown_baseline():
    with pytest.raises(ExperimentError, match="baseline 'c' is not among"):
        compare({"a": _fake([0], [1.0])}, Y, baseline="c")


def test_compare_estimates_and_differences_by_hand():
    results = {"base": _fake([0, 1, 2], [1.0, 2.0, 3.0]), "alt": _fake([0, 1, 2], [2.0, 4.0, 3.0])}
    comparison = compare(results, Y, baseline="base")
    assert comparison.strategies == ("base", "alt")
    assert comparison.estimates["alt", "y"].mean == pytest.approx(3.0)
    # Differences 1, 2, 0: mean 1, s = 1, half = Z95 / sqrt(3)
    diff = comparison.differences["alt", "y"]
    assert diff.mean == pytest.approx(1.0)
    assert diff.high - diff.mean == pytest.approx(Z95 / math.sqrt(3))
    base = comparison.differences["base", "y"]
    assert (base.mean, base.low, base.high) == (0.0, 0.0, 0.0)


# --- common random numbers on the toy scenario --------------------------------------------------


@pytest.fixture(scope="module")
def toy_results(toy):
    return {
        "steady": run(toy, 20, seed=11),
        "steady again": run(toy, 20, seed=11),
        "surge": run(toy, 20, seed=11, strategy="surge"),
    }


def test_every_strategy_faces_the_same_sampled_world(toy_results):
    steady, surge = toy_results["steady"], toy_results["surge"]
    month0 = ["stockpile", "will", "personnel", "occupied_km2", "reserves_personnel"]
    for name in month0:
        xr.testing.assert_identical(steady[name].sel(month=0), surge[name].sel(month=0))
    xr.testing.assert_identical(steady["area_km2"], surge["area_km2"])
    # ...and the worlds differ between runs (blue's stock is uniform(100k, 300k)).
    assert np.unique(steady["stockpile"].sel(month=0, actor="blue").values).size == 20


def test_a_strategy_compared_with_itself_differs_by_exactly_zero(toy_results):
    outcomes = standard_outcomes(toy_results["steady"])
    comparison = compare(
        {k: toy_results[k] for k in ("steady", "steady again")}, outcomes, "steady"
    )
    informative = 0
    for outcome in outcomes:
        diff = comparison.differences["steady again", outcome.name]
        if diff.n == 0:
            continue
        informative += 1
        assert (diff.mean, diff.low, diff.high) == (0.0, 0.0, 0.0), outcome.name
    assert informative >= 5


def test_surge_differs_from_steady_in_donor_spending(toy_results):
    outcomes = standard_outcomes(toy_results["steady"])
    comparison = compare(toy_results, outcomes, "steady")
    diff = comparison.differences["surge", "production spending donor"]
    # Surge mobilises the donor's industry: it spends more in every paired run.
    assert diff.n == 20 and diff.low > 0


def test_stock_at_war_start_outcomes_read_the_stock_of_wars_that_began(toy_results):
    (outcome,) = stock_at_war_start_outcomes(toy_results["steady"], [("east", "blue", "shell")])
    values = outcome.read(toy_results["steady"])
    # East is at war from the start: its record is blue's month-0 stock.
    # (trajectories are stored as float32, outcomes as float64)
    np.testing.assert_allclose(
        values,
        toy_results["steady"]["stockpile"].sel(month=0, actor="blue", munition="shell"),
        rtol=1e-6,
    )
