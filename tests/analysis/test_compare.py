"""Comparing strategies: normal intervals, paired differences and common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tests.hand_world import hand_world, ladder, load_world
from twofront.analysis.compare import (
    Z95,
    Outcome,
    compare,
    mean_interval,
    paired_difference,
    paired_proportion_difference,
    proportion_interval,
    standard_outcomes,
    stock_at_war_start_outcomes,
    war_event_outcomes,
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


def _fake(runs, value, status=None):
    status = np.zeros(len(runs), dtype=np.int8) if status is None else np.asarray(status, np.int8)
    return xr.Dataset(
        {"y": ("run", np.asarray(value, dtype=float)), "run_status": ("run", status)},
        coords={"run": runs},
    )


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


# --- probabilities: Wilson and Newcombe ----------------------------------------------------


def test_wilson_interval_by_hand():
    # k = 3 of n = 10, z = 1.959964: centre (0.3 + z^2/20) / (1 + z^2/10) = 0.3489,
    # half z sqrt(0.3 * 0.7 / 10 + z^2 / 400) / (1 + z^2/10) = 0.2569 -> [0.1078, 0.6032]
    est = proportion_interval(np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=float))
    assert (est.mean, est.n) == (0.3, 10)
    assert est.low == pytest.approx(0.10779, abs=1e-4)
    assert est.high == pytest.approx(0.60323, abs=1e-4)


def test_no_run_with_the_event_still_has_an_upper_limit():
    # Wilson at k = 0: [0, z^2 / (n + z^2)] = [0, 3.8415 / 103.8415] = [0, 0.0370]
    est = proportion_interval(np.zeros(100))
    assert est.mean == 0.0 and est.low == pytest.approx(0.0, abs=1e-12)
    assert est.high == pytest.approx(0.036994, abs=1e-5)


def test_newcombe_paired_difference_by_hand():
    # a=0, b=5, c=0, d=5 (n=10): p1 = 0.5, p2 = 0, phi = 0 (a margin is empty).
    # Wilson 5/10 = [0.23659, 0.76341], 0/10 = [0, 0.27753]:
    # lower 0.5 - sqrt(0.26341^2 + 0.27753^2) = 0.11736; upper 0.5 + 0.26341 = 0.76341
    x = np.array([1] * 5 + [0] * 5, dtype=float)
    est = paired_proportion_difference(x, np.zeros(10))
    assert (est.mean, est.n) == (0.5, 10)
    assert est.low == pytest.approx(0.11736, abs=1e-4)
    assert est.high == pytest.approx(0.76341, abs=1e-4)


def test_newcombe_interval_narrows_with_positive_correlation_of_the_pairs():
    # Same margins (p1 = 0.6, p2 = 0.4, n = 20); concordant pairs (phi > 0) pin the
    # difference more tightly than discordant ones.
    concordant_x = np.array([1] * 8 + [1] * 4 + [0] * 0 + [0] * 8, dtype=float)
    concordant_y = np.array([1] * 8 + [0] * 4 + [1] * 0 + [0] * 8, dtype=float)
    discordant_x = np.array([1] * 12 + [0] * 8, dtype=float)
    discordant_y = np.array([0] * 12 + [1] * 8, dtype=float)
    tight = paired_proportion_difference(concordant_x, concordant_y)
    loose = paired_proportion_difference(discordant_x, discordant_y)
    assert tight.mean == pytest.approx(0.2) and loose.mean == pytest.approx(0.2)
    assert tight.high - tight.low < loose.high - loose.low


def test_probabilities_use_score_intervals_and_never_leave_zero_one():
    share = (Outcome("p", "share of runs", lambda d: d["y"].values),)
    results = {"base": _fake(range(50), np.zeros(50)), "alt": _fake(range(50), np.ones(50))}
    comparison = compare(results, share, baseline="base")
    base, alt = comparison.estimates["base", "p"], comparison.estimates["alt", "p"]
    assert base.low == pytest.approx(0.0, abs=1e-12) and 0.0 < base.high < 0.1
    assert alt.high == pytest.approx(1.0) and 0.9 < alt.low < 1.0
    diff = comparison.differences["alt", "p"]
    assert diff.mean == 1.0 and diff.high <= 1.0 and 0.85 < diff.low < 1.0


def test_paired_shares_count_the_worlds_above_and_below_the_baseline():
    results = {
        "base": _fake(range(5), [1.0, 2.0, 3.0, 4.0, np.nan]),
        "alt": _fake(range(5), [2.0, 2.0, 1.0, 5.0, 9.0]),
    }
    comparison = compare(results, Y, baseline="base")
    # paired finite runs 0-3: above in runs 0 and 3, below in run 2, equal in run 1
    assert comparison.higher["alt", "y"] == 0.5
    assert comparison.lower["alt", "y"] == 0.25
    assert comparison.higher["base", "y"] == comparison.lower["base", "y"] == 0.0


def test_runs_whose_status_is_not_ok_are_left_out_and_counted():
    results = {
        "base": _fake([0, 1, 2, 3], [1.0, 2.0, 3.0, 1000.0], status=[0, 0, 0, 1]),
        "alt": _fake([0, 1, 2, 3], [2.0, 4.0, 1000.0, 2.0], status=[0, 0, 1, 0]),
    }
    comparison = compare(results, Y, baseline="base")
    assert comparison.dropped == {"base": 1, "alt": 1}
    assert comparison.estimates["base", "y"].mean == pytest.approx(2.0)  # runs 0-2
    assert comparison.estimates["alt", "y"].mean == pytest.approx(8.0 / 3)  # runs 0, 1, 3
    diff = comparison.differences["alt", "y"]  # OK in both: runs 0 and 1 -> 1, 2
    assert (diff.mean, diff.n) == (1.5, 2)


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
        assert diff.mean == 0.0, outcome.name
        if outcome.units == "share of runs":
            # No discordant pair in 20 runs still leaves a score interval around 0.
            assert -0.2 < diff.low < 0.0 < diff.high < 0.2, outcome.name
        else:
            assert (diff.low, diff.high) == (0.0, 0.0), outcome.name
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


def test_war_event_outcomes_read_endings_among_wars_and_rungs_reached(tmp_path):
    raw = hand_world()
    raw["theaters"]["east"]["escalation"] = ladder((0, 1, 1), (0, 1, 1), (0, 1, 1))
    spec = load_world(raw, tmp_path)
    ds = xr.Dataset(
        {
            "war_ending": (("run", "theater"), np.array([[1], [2], [0], [-1]], dtype=np.int8)),
            "max_escalation_level": (("run", "theater"), np.array([[0], [1], [2], [0]])),
        },
        coords={"run": range(4), "theater": ["east"]},
    )
    read = {o.name: o.read(ds) for o in war_event_outcomes(spec)}
    # among the 3 runs with a war: one negotiated, one defender collapse, one running
    np.testing.assert_array_equal(read["P(war ended by negotiation) east"], [1, 0, 0, np.nan])
    np.testing.assert_array_equal(
        read["P(war still running at the horizon) east"], [0, 0, 1, np.nan]
    )
    np.testing.assert_array_equal(read["P(reaching 'level 1') east"], [0, 1, 1, 0])
    np.testing.assert_array_equal(read["P(reaching 'level 2') east"], [0, 0, 1, 0])
    assert "P(reaching 'level 0') east" not in read
