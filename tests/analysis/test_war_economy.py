"""The war-economy validation case: revenue bands by hand, labels in and out of sample,
the fund stepped by the model's own rule."""

from __future__ import annotations

import pytest

from twofront.analysis.out_of_sample import IN_SAMPLE, OUT_OF_SAMPLE
from twofront.analysis.validation import CASES
from twofront.analysis.war_economy import TOLERANCE, fund_after_months, russia_war_economy_case


def test_the_fund_follows_the_rule_month_by_month():
    # k = 150 M, P = 50, P_b = 60, D_o = 1 bn: -1.5 - 1 = -2.5 bn a month; 10 bn lasts 4 months
    assert fund_after_months(10e9, 50.0, 1.5e8, 60.0, 1e9, 3) == pytest.approx(2.5e9)
    assert fund_after_months(10e9, 50.0, 1.5e8, 60.0, 1e9, 5) == 0.0
    # above the base price the surplus is saved: +1.5 - 1 = +0.5 bn a month
    assert fund_after_months(10e9, 70.0, 1.5e8, 60.0, 1e9, 4) == pytest.approx(12e9)


def test_the_case_is_registered_and_scores_revenue_and_the_fund():
    assert CASES["russia-war-economy"] is russia_war_economy_case
    result = russia_war_economy_case(200)
    names = [c.name for c in result.checks]
    assert names == [
        "oil and gas budget revenue 2024, bn RUB",
        "oil and gas budget revenue 2025, bn RUB",
        "reserve fund liquid assets, 1 Jan 2026, bn USD",
    ]
    revenue_2024, revenue_2025, fund = result.checks
    # k was derived from 2024 (fitted_to through 2024-12): 2024 is a fit, 2025 a test
    assert revenue_2024.sample == IN_SAMPLE
    assert "revenue_usd_per_month_per_usd_per_bbl" in revenue_2024.basis
    assert revenue_2025.sample == OUT_OF_SAMPLE
    assert fund.sample == OUT_OF_SAMPLE
    assert (revenue_2024.value, revenue_2025.value, fund.value) == (11130.0, 8480.0, 53.1)


def test_the_revenue_band_is_k_times_price_times_twelve_times_the_rate():
    # k uniform 141-156 M USD per USD/bbl; 2025: Urals 57.65 USD, 81.1 RUB per USD:
    # 5% quantile 141 + 0.05 x 15 = 141.75 M -> 141.75e6 x 57.65 x 12 x 81.1 / 1e9 = 7,953
    result = russia_war_economy_case(2000)
    panel = result.panels[0]
    assert panel.x == ["2024", "2025"]
    assert panel.low[1] == pytest.approx(141.75e6 * 57.65 * 12 * 81.1 / 1e9, rel=1e-3)
    assert panel.high[1] == pytest.approx(155.25e6 * 57.65 * 12 * 81.1 / 1e9, rel=1e-3)
    assert result.checks[1].passed == (
        panel.low[1] * (1 - TOLERANCE) <= 8480.0 <= panel.high[1] * (1 + TOLERANCE)
    )
