"""Calibration: the daily Lanchester law by hand, and both estimators on synthetic Iwo Jima."""

from __future__ import annotations

import numpy as np
import pytest

from twofront.analysis.calibrate import (
    fit_least_squares,
    fit_likelihood,
    simulate,
)
from twofront.history import BattleSeries

# Engel (1954): a = 0.0544, b = 0.0106 per day; 54,000 Marines landed on day 0,
# 6,000 on day 2 and 13,000 on day 5; 21,500 Japanese; 36 days.
A, B = 0.0544, 0.0106
DAYS, JAPANESE = 36, 21_500.0


def iwo_reinforcements() -> np.ndarray:
    landed = np.zeros(DAYS)
    landed[[0, 2, 5]] = [54_000.0, 6_000.0, 13_000.0]
    return landed


def test_two_days_of_the_square_law_by_hand():
    # Day 0: M = 0 + 100 = 100; blue loss 0.1 * 50 = 5; red loss 0.2 * 100 = 20 -> (95, 30)
    # Day 1: M = 95 + 0 = 95; blue loss 0.1 * 30 = 3; red loss 0.2 * 95 = 19 -> (92, 11)
    blue, red = simulate(np.array([100.0, 0.0]), 50.0, a=0.1, b=0.2)
    np.testing.assert_allclose(blue, [0.0, 95.0, 92.0])
    np.testing.assert_allclose(red, [50.0, 30.0, 11.0])


def test_two_days_of_the_linear_law_by_hand():
    # p = q = 1. Day 0: M = 100; blue loss 0.001 * 50 * 100 = 5; red 0.002 * 100 * 50 = 10
    # -> (95, 40). Day 1: M = 95 + 10 = 105; blue 0.001 * 40 * 105 = 4.2;
    # red 0.002 * 105 * 40 = 8.4 -> (100.8, 31.6)
    blue, red = simulate(np.array([100.0, 10.0]), 50.0, a=0.001, b=0.002, p=1.0, q=1.0)
    np.testing.assert_allclose(blue, [0.0, 95.0, 100.8])
    np.testing.assert_allclose(red, [50.0, 40.0, 31.6])


def test_losses_never_exceed_the_force():
    # Red loss 1.0 * 100 = 100 > 50: red is wiped out, not negative.
    blue, red = simulate(np.array([100.0, 0.0]), 50.0, a=0.0, b=1.0)
    np.testing.assert_array_equal(red, [50.0, 0.0, 0.0])
    np.testing.assert_array_equal(blue, [0.0, 100.0, 100.0])


def test_a_wiped_out_side_with_a_negative_exponent_stays_at_zero():
    # Fits explore p in [-1, 2]. Day 0 wipes red out (loss min(1 * 100 * 10^-0.5, 10) = 10);
    # on day 1 its loss b M^q N^p has N = 0 and p < 0. Nothing is left to lose: red stays 0,
    # blue (a = 0) stays 100, without a division by zero.
    blue, red = simulate(np.array([100.0, 0.0, 0.0]), 10.0, a=0.0, b=1.0, p=-0.5)
    np.testing.assert_array_equal(red, [10.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(blue, [0.0, 100.0, 100.0, 100.0])


def _series(name, blue, red, blue_sd, red_sd, red_days, seed=0) -> BattleSeries:
    rng = np.random.default_rng(seed)
    blue_observed = blue + rng.normal(0.0, blue_sd, blue.shape)
    blue_observed[0] = 0.0
    red_observed = np.full(red.shape, np.nan)
    red_observed[red_days] = red[red_days] + rng.normal(0.0, red_sd, len(red_days))
    red_observed[0] = red[0]
    return BattleSeries(name, iwo_reinforcements(), blue_observed, red_observed, float(red[0]))


@pytest.fixture(scope="module")
def iwo_jima() -> BattleSeries:
    """Engel's law plus noise of 100 Marines a day; Japanese counted only at start and end.

    (As in Engel's data: daily Marine returns; the garrison's strength known at the landing
    and, annihilated, at the end.)
    """
    blue, red = simulate(iwo_reinforcements(), JAPANESE, A, B)
    return _series("synthetic Iwo Jima", blue, red, 100.0, 0.0, red_days=[0, DAYS])


@pytest.mark.parametrize("fit", [fit_least_squares, fit_likelihood])
def test_fits_recover_engels_coefficients_and_cover_them(iwo_jima, fit):
    result = fit(iwo_jima)
    assert result.values["a"] == pytest.approx(A, rel=0.05)
    assert result.values["b"] == pytest.approx(B, rel=0.05)
    for name, truth in (("a", A), ("b", B)):
        assert result.low[name] < truth < result.high[name], (name, result)
        assert result.low[name] < result.values[name] < result.high[name]
    assert (result.values["p"], result.values["q"]) == (0.0, 1.0)
    assert result.r2_blue > 0.99
    assert result.rmse_blue < 300  # noise is 100 a day


def test_bootstrap_is_reproducible_by_seed(iwo_jima):
    first = fit_least_squares(iwo_jima, bootstrap=30, seed=4)
    again = fit_least_squares(iwo_jima, bootstrap=30, seed=4)
    assert (first.low, first.high) == (again.low, again.high)


def test_without_bootstrap_there_are_no_intervals(iwo_jima):
    result = fit_least_squares(iwo_jima, bootstrap=0)
    assert result.values["a"] == pytest.approx(A, rel=0.05)
    assert np.isnan(result.low["a"]) and np.isnan(result.high["b"])


@pytest.fixture(scope="module")
def linear_battle() -> BattleSeries:
    """The linear law (p = q = 1) on Iwo Jima's landings; both sides counted daily (sd 20)."""
    blue, red = simulate(iwo_reinforcements(), JAPANESE, 1e-6, 5e-7, p=1.0, q=1.0)
    return _series("synthetic linear battle", blue, red, 20.0, 20.0, red_days=list(range(DAYS + 1)))


def test_least_squares_with_a_free_exponent_finds_the_linear_law(linear_battle):
    result = fit_least_squares(linear_battle, free=("a", "b", "p"), bootstrap=0)
    assert result.values["p"] == pytest.approx(1.0, abs=0.05)
    assert result.values["q"] == 1.0


def test_likelihood_with_a_free_exponent_finds_and_covers_the_linear_law(linear_battle):
    result = fit_likelihood(linear_battle, free=("a", "b", "p"))
    assert result.values["p"] == pytest.approx(1.0, abs=0.05)
    assert result.low["p"] < 1.0 < result.high["p"]


def test_fits_refuse_a_series_without_enough_observed_days():
    from twofront.errors import CalibrationError

    reinforcements = np.zeros(10)
    reinforcements[0] = 1_000.0
    observed = np.full(11, np.nan)
    observed[[3, 7]] = [900.0, 800.0]  # 2 days < 2 free parameters + 2
    series = BattleSeries("sparse", reinforcements, observed, np.full(11, np.nan), 500.0)
    with pytest.raises(CalibrationError, match="2 days of observed blue strength; need at least 4"):
        fit_least_squares(series, bootstrap=0)
    with pytest.raises(CalibrationError, match="need at least 4"):
        fit_likelihood(series)


def _fit(values, low, high, r2=0.9):
    from twofront.analysis.calibrate import Fit

    return Fit("least squares", values, low, high, 1.0, r2)


VALUES = {"a": 0.05, "b": 0.01, "p": 0.0, "q": 1.0}


def test_block_is_valid_toml_with_uniform_priors_from_the_intervals():
    import tomllib

    from twofront.analysis.calibrate import DAYS_PER_MONTH, calibration_block

    fit = _fit(VALUES, {"a": 0.04, "b": 0.008}, {"a": 0.06, "b": 0.012})
    block = tomllib.loads(calibration_block(fit, 'A "quoted" title', "us", "japan"))
    japan = block["actors"]["japan"]["forces"]["lethality_per_month"]
    assert japan["dist"] == "uniform"
    assert japan["low"] == pytest.approx(0.04 * DAYS_PER_MONTH)
    assert japan["high"] == pytest.approx(0.06 * DAYS_PER_MONTH)
    assert 'A "quoted" title' in japan["source"]
    assert block["combat"]["shooter_exponent"]["value"] == 1.0


def test_a_fit_outside_its_own_interval_is_never_written_as_a_prior():
    from twofront.analysis.calibrate import calibration_block
    from twofront.errors import CalibrationError

    fit = _fit(VALUES, {"a": 0.06, "b": 0.008}, {"a": 0.07, "b": 0.012})
    with pytest.raises(
        CalibrationError, match=r"fitted a = 0\.05 lies outside its own 95% interval"
    ):
        calibration_block(fit, "x", "us", "japan")


def test_an_interval_below_zero_is_cut_at_zero_and_says_so():
    import tomllib

    from twofront.analysis.calibrate import calibration_block

    values = {**VALUES, "p": 0.05}
    fit = _fit(values, {"a": 0.04, "b": 0.008, "p": -0.1}, {"a": 0.06, "b": 0.012, "p": 0.2})
    target = tomllib.loads(calibration_block(fit, "x", "us", "japan"))["combat"]["target_exponent"]
    assert (target["low"], target["high"]) == (0.0, 0.2)
    assert "cut at 0" in target["source"]


def test_a_fit_with_a_non_finite_r2_writes_no_block():
    from twofront.analysis.calibrate import calibration_block
    from twofront.errors import CalibrationError

    with pytest.raises(CalibrationError, match="R2 is nan"):
        calibration_block(_fit(VALUES, {}, {}, r2=float("nan")), "x", "us", "japan")
