"""In-sample or out-of-sample, and the fit through 2024 scored on 2025."""

from __future__ import annotations

import numpy as np
import pytest

from twofront.analysis.out_of_sample import (
    ADVANCE_PATHS,
    BEFORE_2025,
    IN_SAMPLE,
    OUT_OF_SAMPLE,
    band_coverage,
    before_2025_raw,
    cut_off,
    fitted_numbers,
    fitted_on,
    sample_of,
    scaled,
    split_months,
    window_scores,
)
from twofront.scenario.loader import load, parse
from twofront.scenario.overrides import replace_param

GAINS = "ukraine_territory_monthly"
MONTHS_2024_25 = [f"2024-{m:02d}" for m in range(8, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]


def test_split_at_december_2024_puts_five_months_before_and_twelve_after():
    fit, test = split_months(MONTHS_2024_25, "2024-12")
    assert [m for m, k in zip(MONTHS_2024_25, fit, strict=True) if k] == MONTHS_2024_25[:5]
    assert [m for m, k in zip(MONTHS_2024_25, test, strict=True) if k] == MONTHS_2024_25[5:]
    assert not (fit & test).any()


def test_a_day_cut_off_counts_its_whole_month_as_seen():
    fit, test = split_months(["2025-03", "2025-04", "2025-05"], "2025-04-26")
    assert fit.tolist() == [True, True, False] and test.tolist() == [False, False, True]


def test_without_a_cut_off_every_month_is_out_of_sample():
    fit, test = split_months(["2024-08", "2025-01"], None)
    assert not fit.any() and test.all()


def test_window_scores_on_a_synthetic_series_use_only_the_months_after_the_cut_off():
    # 21 runs of 0..20 in each of 17 months: median 10, 90% band [1, 19], 50% band [5, 15].
    simulated = np.tile(np.arange(21.0)[:, None], (1, len(MONTHS_2024_25)))
    observed = np.full(len(MONTHS_2024_25), 10.0)
    observed[:5] = 1000.0  # the fit months are far off: they must not enter the 2025 scores
    observed[5:8] = [16.0, 30.0, np.nan]  # Jan 2025 inside 90% only, Feb outside, Mar missing
    fit, test = split_months(MONTHS_2024_25, "2024-12")
    scores_2025 = window_scores(simulated, observed, test)
    assert scores_2025.months == 11
    assert scores_2025.mae == pytest.approx((6 + 20) / 11)
    assert scores_2025.bias == pytest.approx((-6 - 20) / 11)
    assert scores_2025.coverage == pytest.approx(10 / 11)
    assert band_coverage(simulated, observed, test, 0.5) == pytest.approx(9 / 11)
    assert window_scores(simulated, observed, fit).mae == pytest.approx(990.0)


def test_band_coverage_is_nan_without_observations():
    simulated = np.zeros((5, 2))
    mask = np.array([True, True])
    assert np.isnan(band_coverage(simulated, np.array([np.nan, np.nan]), mask, 0.9))


def test_shipped_kursk_2024_gains_checks_are_in_sample_in_2024_and_2025():
    scenario = load("kursk-2024")
    assert cut_off(scenario, GAINS) == "2025-12"
    fitted = fitted_on(scenario, GAINS, ["2025-06"])
    assert (
        "fronts.donbas.advance_km2_per_month (data/ukraine_territory_monthly.csv "
        "through 2025-12)" in fitted
    )
    assert sample_of(fitted) == IN_SAMPLE


def test_data_no_number_was_fitted_to_is_out_of_sample():
    scenario = load("kursk-2024")
    assert fitted_on(scenario, "shell_production_monthly", ["2024-10"]) == []
    assert sample_of([]) == OUT_OF_SAMPLE
    assert cut_off(scenario, "shell_production_monthly") is None


def test_a_number_fitted_through_2024_leaves_2025_out_of_sample():
    raw = before_2025_raw()
    for path in ADVANCE_PATHS:
        raw = replace_param(raw, path, scaled(BEFORE_2025[path], 2.0, "test", "2024-12"), "t")
    raw = replace_param(
        raw,
        "actors.russia.forces.lethality_per_month",
        {
            "value": 0.07,
            "assumption": "test",
            "fitted_to": {"data": f"data/{GAINS}.csv", "through": "2024-12"},
        },
        "t",
    )
    scenario = parse(raw, "test")
    assert cut_off(scenario, GAINS) == "2024-12"
    assert fitted_on(scenario, GAINS, ["2025-01", "2025-12"]) == []
    # two advances, lethality and the defence band; the pre-2025 mud factor saw through Nov
    assert len(fitted_on(scenario, GAINS, ["2024-12"])) == 4
    assert len(fitted_on(scenario, GAINS, ["2024-11"])) == 5


def test_before_2025_puts_back_every_europe_number_tuned_on_2025_gains():
    scenario = parse(before_2025_raw(), "test")
    assert fitted_on(scenario, GAINS, ["2025-01"]) == []
    assert scenario.scenario.horizon_months == 17


def test_scaled_multiplies_the_range_and_records_the_cut_off():
    table = scaled(
        {"dist": "uniform", "low": 1000.0, "high": 3000.0, "assumption": "x"}, 1.5, "why", "2024-12"
    )
    assert (table["low"], table["high"]) == (1500.0, 4500.0)
    assert table["fitted_to"] == {"data": f"data/{GAINS}.csv", "through": "2024-12"}


def test_fitted_numbers_lists_paths_of_the_shipped_scenario():
    paths = [path for path, _ in fitted_numbers(load("kursk-2024"))]
    assert "fronts.kursk.advance_km2_per_month" in paths
    assert "theaters.europe.mud_advance_factor" in paths
