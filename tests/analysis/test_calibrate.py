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


def test_fits_refuse_fewer_observations_than_unknowns_and_say_which():
    from twofront.errors import CalibrationError

    reinforcements = np.zeros(10)
    reinforcements[0] = 1_000.0
    observed = np.full(11, np.nan)
    observed[7] = 800.0
    red = np.full(11, np.nan)
    red[10] = 0.0  # wiped out: a bound on b, not a value
    series = BattleSeries("sparse", reinforcements, observed, red, 500.0)
    with pytest.raises(CalibrationError, match=r"1 observation\(s\) cannot determine 2 unknowns"):
        fit_least_squares(series, bootstrap=0)
    with pytest.raises(CalibrationError, match="1 observed at 0, which only bound"):
        fit_likelihood(series)


# Recovery: simulate each law with known parameters on Iwo Jima's landings, both sides
# counted daily with noise (sd 200 blue, 100 red: about 0.4% of blue's and 0.5-2% of
# red's strength), fixed seed; fit blind with every method.
TRUTH = {
    "square": {"a": 0.0544, "b": 0.0106, "p": 0.0, "q": 1.0},
    "linear": {"a": 8e-7, "b": 4e-7, "p": 1.0, "q": 1.0},
    "logarithmic": {"a": 0.01, "b": 0.04, "p": 1.0, "q": 0.0},
    "free": {"a": 1.5e-3, "b": 5.5e-4, "p": 0.5, "q": 0.8},
}
# Tolerances: over 30 seeds (see the commit) the largest error of a fixed-exponent law's
# coefficient was under 1% (least squares) and 3% (likelihood, which sees only blue's
# losses and red with a 2% error): 5% is a bound no noise draw should reach, tight enough
# to catch a fit stuck at a start (starts are 4x away). Free exponents are weakly identified
# (Bracken 1995): 0.1 on p, q and 35% on a, b (a and p trade off along a ridge).
TOLERANCE = {"a": 0.05, "b": 0.05, "p": 0.1, "q": 0.1}
FREE_TOLERANCE = {"a": 0.35, "b": 0.35, "p": 0.1, "q": 0.1}


def _noisy_battle(law: str, seed: int = 0) -> BattleSeries:
    blue, red = simulate(iwo_reinforcements(), JAPANESE, **TRUTH[law])
    rng = np.random.default_rng(seed)
    blue_observed = np.maximum(blue + rng.normal(0.0, 200.0, blue.shape), 0.0)
    red_observed = np.maximum(red + rng.normal(0.0, 100.0, red.shape), 0.0)
    blue_observed[0] = red_observed[0] = np.nan
    return BattleSeries(
        f"synthetic {law}", iwo_reinforcements(), blue_observed, red_observed, JAPANESE
    )


@pytest.fixture(scope="module")
def recovered() -> dict[tuple[str, str], object]:
    from twofront.analysis.calibrate import parameters_for

    fits = {}
    for law in TRUTH:
        free, held = parameters_for(law)
        battle = _noisy_battle(law)
        fits[law, "ls"] = fit_least_squares(battle, free, held, bootstrap=40, seed=1)
        fits[law, "ml"] = fit_likelihood(battle, free, held)
    return fits


FREE_LS_MISS = pytest.mark.xfail(
    strict=True,
    reason="measured: the percentile bootstrap under-covers weakly identified exponents; "
    "here q = 0.835 with [0.801, 0.882] at 100 resamples misses the true 0.8 (the "
    "likelihood's profile interval [0.49, 1.13] covers it)",
)
CASES = [
    pytest.param(law, method, marks=FREE_LS_MISS if (law, method) == ("free", "ls") else ())
    for law in TRUTH
    for method in ("ls", "ml")
]


@pytest.mark.parametrize(("law", "method"), CASES)
def test_every_law_and_method_recovers_known_parameters_inside_its_interval(recovered, law, method):
    result = recovered[law, method]
    tolerance = FREE_TOLERANCE if law == "free" else TOLERANCE
    assert result.warnings == (), result.warnings
    for name in result.free:
        truth, value = TRUTH[law][name], result.values[name]
        assert result.low[name] <= truth <= result.high[name], (name, result)
        error = abs(value / truth - 1) if name in ("a", "b") else abs(value - truth)
        assert error <= tolerance[name], (name, value, truth)
    assert result.r2_blue > 0.99


@pytest.mark.parametrize("method", ["ls", "ml"])
@pytest.mark.parametrize("law", list(TRUTH))
def test_every_interval_contains_its_own_estimate(recovered, law, method):
    result = recovered[law, method]
    for name in result.free:
        assert result.low[name] <= result.values[name] <= result.high[name], (name, result)


def test_the_linear_law_no_longer_returns_its_start():
    # Before: start values a = 0.05, b = 0.01 wiped blue out on day 1 for the linear law, the
    # criterion was flat there and the fit returned its start with R2 -80.
    from twofront.analysis.calibrate import parameters_for

    free, held = parameters_for("linear")
    result = fit_least_squares(_noisy_battle("linear"), free, held, bootstrap=0)
    assert result.values["a"] == pytest.approx(TRUTH["linear"]["a"], rel=0.05)
    assert result.warnings == ()


def test_start_values_come_from_the_data():
    from twofront.analysis.calibrate import start_values

    start = start_values(_noisy_battle("square"), {})
    assert start["a"] == pytest.approx(A, rel=0.5)
    assert start["b"] == pytest.approx(B, rel=0.5)


def test_a_flat_criterion_warns_that_the_optimiser_returned_its_start():
    # No blue ever lands: nothing fights, every a and b gives the same path.
    red = np.full(11, np.nan)
    red[[3, 6, 10]] = 500.0
    series = BattleSeries("no battle", np.zeros(10), np.full(11, np.nan), red, 500.0)
    result = fit_least_squares(series, bootstrap=0)
    assert any("returned its start" in w for w in result.warnings)


def test_a_fit_worse_than_the_mean_warns_and_writes_no_block():
    from twofront.analysis.calibrate import calibration_block
    from twofront.errors import CalibrationError

    result = fit_least_squares(_noisy_battle("square"), ("b",), {"a": 0.5}, bootstrap=0)
    assert result.r2_blue < 0
    assert any("worse than the mean" in w for w in result.warnings)
    with pytest.raises(CalibrationError, match=r"R² of blue strength = .* < 0"):
        calibration_block(result, "x", "us", "japan")


def test_a_biased_bootstrap_is_replaced_by_the_profile_interval_and_said():
    # The linear law fitted to square-law data: residuals are systematic, the resampled fits
    # all land above the estimate.
    from twofront.analysis.calibrate import parameters_for

    blue, red = simulate(iwo_reinforcements(), JAPANESE, 0.05, 0.01)
    rng = np.random.default_rng(7)
    observed = blue * (1 + rng.normal(0.0, 0.02, blue.shape))
    observed[0] = np.nan
    red_observed = np.full(red.shape, np.nan)
    red_observed[-1] = red[-1]
    series = BattleSeries("wrong law", iwo_reinforcements(), observed, red_observed, JAPANESE)
    free, held = parameters_for("linear")
    result = fit_least_squares(series, free, held, bootstrap=50)
    assert any("excludes its estimate" in note for note in result.notes)
    assert "profile" in result.intervals["a"]
    for name in free:
        assert result.low[name] <= result.values[name] <= result.high[name]


def _start_and_end(a: float, b: float, law: str = "square") -> BattleSeries:
    """Only the start (0 blue, 21,500 red), the landings and the end strengths of both sides."""
    blue, red = simulate(iwo_reinforcements(), JAPANESE, a, b, **_exponents(law))
    blue_observed, red_observed = np.full(DAYS + 1, np.nan), np.full(DAYS + 1, np.nan)
    blue_observed[DAYS], red_observed[DAYS] = blue[DAYS], red[DAYS]
    return BattleSeries(
        "start and end", iwo_reinforcements(), blue_observed, red_observed, JAPANESE
    )


def _exponents(law: str) -> dict[str, float]:
    from twofront.analysis.calibrate import LAWS

    return LAWS[law]


@pytest.mark.parametrize(("law", "a", "b"), [("square", 0.05, 0.005), ("linear", 8e-7, 2e-7)])
def test_start_and_end_points_determine_a_and_b_exactly_without_an_interval(law, a, b):
    from twofront.analysis.calibrate import parameters_for

    free, held = parameters_for(law)
    for fit in (fit_least_squares, fit_likelihood):
        result = fit(_start_and_end(a, b, law), free, held)
        assert result.method.startswith("exact")
        assert result.values["a"] == pytest.approx(a, rel=1e-4)
        assert result.values["b"] == pytest.approx(b, rel=1e-4)
        assert np.isnan(result.low["a"]) and np.isnan(result.r2_blue)
        assert "exactly determined by 2 observations for 2 unknowns" in result.intervals["a"]
        assert result.warnings == ()


def test_a_stated_measurement_error_gives_start_and_end_fits_an_interval():
    result = fit_least_squares(
        _start_and_end(0.05, 0.005), bootstrap=40, measurement_error=0.02, seed=3
    )
    for name, truth in (("a", 0.05), ("b", 0.005)):
        assert result.low[name] < truth < result.high[name]
        assert result.low[name] < result.values[name] < result.high[name]
    assert "0.02 relative measurement error" in result.intervals["a"]


def test_an_exact_fit_is_written_with_its_value_and_says_it_has_no_interval():
    import tomllib

    from twofront.analysis.calibrate import calibration_block

    result = fit_least_squares(_start_and_end(0.05, 0.005))
    block = tomllib.loads(
        calibration_block(result, "x", "us", "japan", "battle.csv, days 36-36", "day 36")
    )
    japan = block["actors"]["japan"]["forces"]["lethality_per_month"]
    assert "dist" not in japan
    assert "exactly determined" in japan["note"]
    assert "battle.csv, days 36-36" in japan["source"] and "cut-off day 36" in japan["source"]


def test_laws_hold_their_exponents_and_fix_overrides_them():
    from twofront.analysis.calibrate import parameters_for
    from twofront.errors import CalibrationError

    assert parameters_for("square") == (("a", "b"), {"p": 0.0, "q": 1.0})
    assert parameters_for("linear") == (("a", "b"), {"p": 1.0, "q": 1.0})
    assert parameters_for("logarithmic") == (("a", "b"), {"p": 1.0, "q": 0.0})
    assert parameters_for("free") == (("a", "b", "p", "q"), {})
    assert parameters_for("free", {"p": 0.0}) == (("a", "b", "q"), {"p": 0.0})
    with pytest.raises(CalibrationError, match="law 'cubic': expected one of"):
        parameters_for("cubic")
    with pytest.raises(CalibrationError, match="p is both fitted"):
        parameters_for("square", {"p": 0.0}, ("a", "p"))
    with pytest.raises(CalibrationError, match=r"--fix q=5\.0: expected in \[-1\.0, 2\.0\]"):
        parameters_for("square", {"q": 5.0})
    with pytest.raises(CalibrationError, match="p is neither fitted nor fixed"):
        parameters_for("free", None, ("a", "b", "q"))


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


def test_a_fit_with_warnings_is_never_written_as_a_prior():
    from twofront.analysis.calibrate import Fit, calibration_block
    from twofront.errors import CalibrationError

    fit = Fit(
        "least squares",
        VALUES,
        {"a": 0.0},
        {"a": np.inf},
        1.0,
        0.9,
        ("a",),
        warnings=("a is not identified by these data",),
    )
    with pytest.raises(CalibrationError, match="not written as a prior: a is not identified"):
        calibration_block(fit, "x", "us", "japan")


def test_an_unbounded_interval_is_never_a_prior():
    from twofront.analysis.calibrate import Fit, calibration_block
    from twofront.errors import CalibrationError

    fit = Fit("least squares", VALUES, {"a": 0.01}, {"a": np.inf}, 1.0, 0.9, ("a",))
    with pytest.raises(CalibrationError, match=r"fitted a = 0\.05 has the unbounded 95% interval"):
        calibration_block(fit, "x", "us", "japan")


def test_a_fit_with_a_non_finite_r2_writes_no_block():
    from twofront.analysis.calibrate import calibration_block
    from twofront.errors import CalibrationError

    with pytest.raises(CalibrationError, match="R2 is nan"):
        calibration_block(_fit(VALUES, {}, {}, r2=float("nan")), "x", "us", "japan")
