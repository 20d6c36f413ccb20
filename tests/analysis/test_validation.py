"""Validation cases: each compares the model with history and can fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twofront.analysis.backtest import monthly as _monthly
from twofront.analysis.validation import (
    CASES,
    ENGEL_A_PER_DAY,
    ENGEL_B_PER_DAY,
    POLISH_SOVIET_MONTHS,
    WINTER_WAR_MONTHS,
    CaseResult,
    Check,
    _backtest_case,
    _by_collapse,
    _settled_by,
    _within,
)
from twofront.history import Series

RUNS = 200


@pytest.fixture(scope="module")
def results() -> dict[str, CaseResult]:
    return {name: case(RUNS) for name, case in CASES.items()}


def _check(result: CaseResult, starts: str) -> Check:
    (check,) = [c for c in result.checks if c.name.startswith(starts)]
    return check


def test_each_case_reports_under_its_own_name(results):
    for name, result in results.items():
        assert result.case == name
        assert result.checks
        assert result.description


# The war-termination cases start from the aims declared at the time: they are judged
# on computed numbers and may pass or fail (at this commit both fail; see the report).


@pytest.mark.parametrize("name", ["winter-war-1939", "polish-soviet-1920"])
def test_war_termination_case_is_judged_on_finite_computed_numbers(results, name):
    result = results[name]
    assert all(np.isfinite(c.value) for c in result.checks)
    assert result.passed == all(c.passed for c in result.checks)


@pytest.mark.parametrize(
    ("name", "starts", "months"),
    [
        ("winter-war-1939", "P(settled by March 1940", WINTER_WAR_MONTHS),
        ("polish-soviet-1920", "P(settled by October 1920", POLISH_SOVIET_MONTHS),
    ],
)
def test_case_reports_the_chance_of_settling_by_the_historical_month(results, name, starts, months):
    check = _check(results[name], starts)
    assert f"month {months}" in check.name
    assert 0 <= check.value <= 1
    assert check.passed == (check.value >= 0.5)


@pytest.mark.parametrize("name", ["winter-war-1939", "polish-soviet-1920"])
def test_case_reports_how_many_settlements_came_by_collapse(results, name):
    check = _check(results[name], "share of settlements by a side's collapse")
    assert 0 <= check.value <= 1


def test_finland_ceded_share_is_judged_against_7_to_16_percent(results):
    check = _check(results["winter-war-1939"], "median share of Finland ceded")
    assert 0 <= check.value <= 1
    assert check.passed == (0.07 <= check.value <= 0.16)


def test_finland_keeps_no_soviet_soil(results):
    check = _check(results["winter-war-1939"], "Soviet soil kept by Finland")
    assert check.value == 0
    assert check.passed


def test_soviet_casualties_at_least_three_times_finlands(results):
    check = _check(results["winter-war-1939"], "Soviet / Finnish casualties")
    assert check.value >= 3
    assert check.passed


def test_polands_kept_soil_is_judged_against_riga_within_half_either_way(results):
    check = _check(results["polish-soviet-1920"], "median Soviet-claimed soil kept by Poland")
    assert 0 <= check.value <= 250_000
    assert check.passed == (67_500 <= check.value <= 202_500)


def test_holding_soviet_soil_is_judged_on_paired_runs(results):
    result = results["polish-soviet-1920"]
    gain = _check(result, "mean gain in terms")
    better = _check(result, "share of paired runs")
    assert gain.passed == (gain.value > 0)
    assert 0 <= better.value <= 1
    assert better.passed == (better.value >= 0.8)


def test_settled_by_counts_runs_settled_within_the_months_and_never_unsettled_ones():
    months = np.array([1.0, 2.0, 4.0, np.nan])
    assert _settled_by(months, 2) == 0.5
    assert _settled_by(months, 8) == 0.75


def test_by_collapse_is_the_share_of_settled_runs_ended_by_a_collapse():
    collapsed = np.array([-1, 0, 1, -1])
    settled = np.array([True, True, True, False])
    assert _by_collapse(collapsed, settled) == pytest.approx(2 / 3)
    assert np.isnan(_by_collapse(collapsed, np.zeros(4, dtype=bool)))


def test_estimator_case_recovers_engels_coefficients_within_5_percent(results):
    result = results["iwo-jima-estimator-check"]
    assert result.passed
    for method in ("least squares", "maximum likelihood"):
        a = _check(result, f"{method}: a per day").value
        b = _check(result, f"{method}: b per day").value
        assert abs(a - ENGEL_A_PER_DAY) <= 0.05 * ENGEL_A_PER_DAY, method
        assert abs(b - ENGEL_B_PER_DAY) <= 0.05 * ENGEL_B_PER_DAY, method


def test_engels_coefficients_are_the_published_ones():
    assert (ENGEL_A_PER_DAY, ENGEL_B_PER_DAY) == (0.0544, 0.0106)


def test_iwo_jima_case_fails_blocked_by_data_while_the_us_series_is_missing(results):
    result = results["iwo-jima-1945"]
    assert not result.passed
    assert result.notes.startswith("BLOCKED by data")
    (check,) = result.checks
    assert check.value == 0
    assert result.panels == []


@pytest.mark.parametrize("name", ["kursk-2024-backtest", "ukraine-gains-backtest"])
def test_backtest_reports_coverage_and_a_finite_error(results, name):
    result = results[name]
    coverage = [c for c in result.checks if "observed months inside the 90% band" in c.name]
    mae = [c for c in result.checks if "mean absolute error of the median" in c.name]
    bias = [c for c in result.checks if "mean error of the median" in c.name]
    assert coverage and mae and bias
    assert all(0 <= c.value <= 1 for c in coverage)
    assert all(np.isfinite(c.value) and c.value >= 0 for c in mae)
    assert all(np.isfinite(c.value) for c in bias)


@pytest.mark.parametrize("name", ["kursk-2024-backtest", "ukraine-gains-backtest"])
def test_backtests_on_the_series_the_shipped_numbers_were_tuned_on_are_in_sample(results, name):
    # kursk-2024's advance rates and mud factor were tuned with the whole 2024-25 series
    # with the whole 2024-25 series in view (fitted_to through 2025-04 / 2025-12).
    result = results[name]
    assert {c.sample for c in result.checks} == {"in-sample"}
    assert all("fitted to" in c.basis for c in result.checks)


def test_winter_war_casualty_ratio_is_in_sample_and_its_terms_out_of_sample(results):
    result = results["winter-war-1939"]
    ratio = _check(result, "Soviet / Finnish casualties")
    assert ratio.sample == "in-sample" and "lethality_per_month" in ratio.basis
    ceded = _check(result, "median share of Finland ceded")
    assert ceded.sample == "out-of-sample"


def test_fits_to_a_battle_are_in_sample(results):
    for name in ("iwo-jima-estimator-check",):
        assert {c.sample for c in results[name].checks} == {"in-sample"}


def test_the_2025_checks_of_the_refit_europe_front_are_out_of_sample(results):
    result = results["europe-2025-out-of-sample"]
    out = result.checks_of("out-of-sample")
    assert [c.name.split(":")[0] for c in out][:2] == ["2025 (12 months)", "2025"]
    assert all(np.isfinite(c.value) for c in out)
    (fit,) = result.checks_of("in-sample")
    assert fit.name.startswith("fit (Aug-Dec 2024, 5 months)")
    (panel,) = result.panels
    assert panel.x[0] == "2024-08" and panel.x[-1] == "2025-12"


def test_the_kursk_backtest_passes_at_the_current_calibration(results):
    # The Russian-gains backtest is not asserted: its Aug-Dec 2024 months are in-sample
    # (the advance rates were fitted to them) and it fails on 2025, a finding (see the
    # README's validation section), not a test to make pass.
    assert results["kursk-2024-backtest"].passed


@pytest.mark.parametrize("name", ["kursk-2024-backtest", "ukraine-gains-backtest"])
def test_backtest_panel_covers_the_twelve_simulated_months(results, name):
    (panel,) = results[name].panels
    assert panel.x[0] == "2024-08" and panel.x[-1] == "2025-07"
    assert len(panel.x) == len(panel.observed) == len(panel.median) == 12
    assert all(lo <= m <= hi for lo, m, hi in zip(panel.low, panel.median, panel.high, strict=True))


def test_a_case_gives_the_same_numbers_for_the_same_runs(results):
    again = CASES["winter-war-1939"](RUNS)
    assert [c.value for c in again.checks] == [c.value for c in results["winter-war-1939"].checks]


def test_a_case_passes_only_when_every_check_passes():
    ok = Check("ok", 1.0, "", True)
    bad = Check("bad", 0.0, "", False)
    assert CaseResult("c", "d", "s", [ok, ok], []).passed
    assert not CaseResult("c", "d", "s", [ok, bad], []).passed


@pytest.mark.parametrize(
    ("value", "target", "rel", "expected"),
    [
        (1.04, 1.0, 0.05, True),
        (0.96, 1.0, 0.05, True),
        (1.06, 1.0, 0.05, False),
        (float("nan"), 1.0, 0.05, False),
        (float("inf"), 1.0, 0.05, False),
    ],
)
def test_within_is_a_relative_tolerance_that_rejects_non_finite(value, target, rel, expected):
    assert _within(value, target, rel) is expected


# _monthly: observed value per month label.


def test_monthly_takes_the_last_primary_observation_of_each_month():
    table = pd.DataFrame(
        {
            "date": ["2024-08-12", "2024-08-31", "2024-08-20", "2024-09-05", "2024-09-30"],
            "area": [800.0, 1171.0, 999.0, 700.0, 650.0],
            "primary": [1, 1, 1, 1, 0],
        }
    )
    observed = _monthly(table, "area", ["2024-08", "2024-09", "2024-10"])
    np.testing.assert_array_equal(observed, [1171.0, 700.0, np.nan])


def test_monthly_skips_empty_values():
    table = pd.DataFrame(
        {"date": ["2024-08-01", "2024-08-30"], "area": [500.0, np.nan], "primary": [1, 1]}
    )
    np.testing.assert_array_equal(_monthly(table, "area", ["2024-08"]), [500.0])


def test_monthly_counts_every_row_without_a_primary_column():
    table = pd.DataFrame({"date": ["2024-08", "2024-08"], "gain": [10.0, 20.0]})
    np.testing.assert_array_equal(_monthly(table, "gain", ["2024-08", "2024-09"]), [20.0, np.nan])


# _backtest_case: coverage and errors on a hand-made array.

MONTHS = ["m1", "m2", "m3", "m4"]
SERIES = Series("hand", pd.DataFrame(), {"sources": [{"title": "Hand-made"}]})


def _hand_simulated() -> np.ndarray:
    """(run, month) 21 runs of 0..20: median 10, 5% = 1, 95% = 19 in every month."""
    return np.tile(np.arange(21.0)[:, None], (1, len(MONTHS)))


def _hand_case(observed, mae_max=10.0) -> CaseResult:
    return _backtest_case(
        "hand",
        "hand-made",
        SERIES,
        MONTHS,
        _hand_simulated(),
        np.array(observed),
        "km²",
        coverage_min=0.5,
        mae_max=mae_max,
    )


def test_backtest_band_is_the_5_to_95_percentiles_around_the_median():
    (panel,) = _hand_case([5.0, 25.0, np.nan, 19.0]).panels
    assert panel.median == [10.0] * 4
    assert panel.low == [1.0] * 4
    assert panel.high == [19.0] * 4


def test_backtest_coverage_counts_observed_months_inside_the_band():
    result = _hand_case([5.0, 25.0, np.nan, 19.0])
    coverage = result.checks[0]
    assert coverage.value == pytest.approx(2 / 3)
    assert "(3 months)" in coverage.name
    assert coverage.passed
    assert result.notes == "month by month: m1: in, m2: out, m4: in"


def test_backtest_mean_absolute_error_and_bias_of_the_median():
    result = _hand_case([5.0, 25.0, np.nan, 19.0])
    assert result.checks[1].value == pytest.approx((5 + 15 + 9) / 3)
    assert result.checks[2].value == pytest.approx((5 - 15 - 9) / 3)
    assert result.passed


def test_backtest_reports_the_mean_width_of_the_band_over_observed_months():
    width = _hand_case([5.0, 25.0, np.nan, 19.0]).checks[3]
    assert width.name.startswith("mean width of the 90% band")
    assert width.value == pytest.approx(19.0 - 1.0)
    assert width.passed


def test_backtest_fails_when_the_error_exceeds_its_tolerance():
    result = _hand_case([5.0, 25.0, np.nan, 19.0], mae_max=5.0)
    assert not result.checks[1].passed
    assert not result.passed


def test_backtest_fails_when_too_few_months_fall_inside_the_band():
    result = _hand_case([0.0, 25.0, 30.0, 19.0])
    assert result.checks[0].value == pytest.approx(1 / 4)
    assert not result.checks[0].passed


def test_backtest_with_no_observed_month_fails_without_dividing_by_zero():
    result = _hand_case([np.nan] * 4)
    assert result.checks[0].value == 0
    assert np.isnan(result.checks[1].value)
    assert not result.passed


def test_panels_say_when_a_line_is_not_an_observation(results):
    (estimator,) = results["iwo-jima-estimator-check"].panels
    assert estimator.observed_label.startswith("synthetic path")
    (polish,) = results["polish-soviet-1920"].panels
    assert "counterfactual" in polish.observed_label
    assert "percentile" in polish.median_label
    (finland,) = results["winter-war-1939"].panels
    assert finland.observed_label.startswith("history")
    for name in ("kursk-2024-backtest",):
        assert results[name].panels[0].observed_label == "observed"
