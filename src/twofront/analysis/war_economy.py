"""Validation of the war economy (:mod:`twofront.model.economy`) against Russia's budget.

Two questions, each scored on ``data/russia_oil_revenue.csv``:

* revenue: the budget's oil and gas revenue of a year, k x the year's average Urals
  price x 12 months x the year's RUB/USD rate, against the Finance Ministry's total
  (2024: the year k was derived from, in-sample; 2025: out-of-sample);
* the reserve fund: the model's rule (revenue above the base price saved, below it and
  the deficit draw D_o taken from the fund) stepped month by month through 2025 at
  2025's average Urals price from the fund's liquid assets on 1 January 2025, against
  the liquid assets on 1 January 2026 (out-of-sample: D_o was derived from 2024).

k and D_o are drawn over their ranges in ``world-2024`` (stratified: ``runs`` equal
quantile steps, paired by a seeded shuffle); a check passes when the observed value
lies within the simulated 5-95% band widened by :data:`TOLERANCE`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from twofront.analysis.cases import CaseResult, Check, Panel, labelled
from twofront.history import load_series
from twofront.model.economy import budget_share
from twofront.scenario.loader import load

F64 = NDArray[np.float64]

SERIES = "russia_oil_revenue"
TOLERANCE = 0.10
"""Relative widening of the simulated band: the data's own rounding (a year's Urals price
to the dollar, a Jan-Nov exchange rate) and the 2025 change of the Urals tax basket."""


def _value(table: pd.DataFrame, month: str, quantity: str) -> float:
    """The first row's value of ``quantity`` for ``month`` (the first source listed)."""
    rows = table[(table["month"].astype(str) == month) & (table["quantity"] == quantity)]
    if rows.empty:
        raise LookupError(f"data/{SERIES}.csv: no {quantity} for {month}")
    return float(rows["value"].iloc[0])


def _band(values: F64) -> tuple[float, float, float]:
    low, median, high = np.quantile(values, [0.05, 0.5, 0.95])
    return float(low), float(median), float(high)


def _inside(observed: float, low: float, high: float) -> bool:
    return low * (1 - TOLERANCE) <= observed <= high * (1 + TOLERANCE)


def fund_after_months(
    fund_usd: float, price_usd_per_bbl: float, k: float, base_price: float, draw_usd: float,
    months: int,
) -> float:  # fmt: skip
    """The fund after ``months`` of the model's rule at a constant price (defence untouched)."""
    for _ in range(months):
        fund_usd, _share = budget_share(
            fund_usd, k * price_usd_per_bbl, k * base_price, draw_usd, 1.0, 0.0
        )
    return fund_usd


def russia_war_economy_case(runs: int) -> CaseResult:
    """Russia's oil and gas revenue (2024, 2025) and its reserve fund over 2025."""
    scenario = load("world-2024")
    economy = scenario.actors["russia"].war_economy
    if economy is None:
        raise LookupError("world-2024: actors.russia.war_economy is missing")
    series = load_series(SERIES)
    table = series.table
    steps = (np.arange(runs) + 0.5) / runs
    shuffle = np.random.default_rng(2025).permutation(runs)
    k = economy.revenue_usd_per_month_per_usd_per_bbl.ppf(steps)
    draw = economy.fund_draw_usd_per_month.ppf(steps[shuffle])
    base = economy.budget_price_usd_per_bbl.nominal()
    data = f"data/{SERIES}.csv"
    checks: list[Check] = []
    years, observed_revenue, bands = ["2024", "2025"], [], []
    for year in years:
        price = _value(table, year, "urals_usd_per_bbl")
        rate = _value(table, year, "usd_rub")
        observed = _value(table, year, "oil_gas_budget_revenue_rub_bn")
        low, median, high = _band(k * price * 12 * rate / 1e9)
        observed_revenue.append(observed)
        bands.append((low, median, high))
        check = Check(
            f"oil and gas budget revenue {year}, bn RUB",
            observed,
            f"within the simulated 5-95% band {low:,.0f}-{high:,.0f} (+-{TOLERANCE:.0%})",
            _inside(observed, low, high),
        )
        months = [f"{year}-{m:02d}" for m in range(1, 13)]
        checks += labelled([check], scenario, SERIES, months)
    start = _value(table, "2025-01", "nwf_liquid_assets_usd_bn") * 1e9
    end = _value(table, "2026-01", "nwf_liquid_assets_usd_bn") * 1e9
    price_2025 = _value(table, "2025", "urals_usd_per_bbl")
    funds = np.array(
        [fund_after_months(start, price_2025, a, base, b, 12) for a, b in zip(k, draw, strict=True)]
    )
    low, median, high = _band(funds / 1e9)
    fund_check = Check(
        "reserve fund liquid assets, 1 Jan 2026, bn USD",
        end / 1e9,
        f"within the simulated 5-95% band {low:.1f}-{high:.1f} (+-{TOLERANCE:.0%})",
        _inside(end / 1e9, low, high),
    )
    checks += labelled([fund_check], scenario, SERIES, [f"2025-{m:02d}" for m in range(1, 13)])
    panels = [
        Panel(
            "Russia's oil and gas budget revenue",
            "year",
            "bn RUB",
            years,
            observed_revenue,
            [b[1] for b in bands],
            [b[0] for b in bands],
            [b[2] for b in bands],
        ),
        Panel(
            "National Wealth Fund liquid assets, 1 January",
            "date",
            "bn USD",
            ["2025-01", "2026-01"],
            [start / 1e9, end / 1e9],
            [start / 1e9, median],
            [start / 1e9, low],
            [start / 1e9, high],
        ),
    ]
    return CaseResult(
        "russia-war-economy",
        "Russia's oil and gas revenue and its reserve fund vs the war economy of world-2024",
        f"{data}: " + series.citation()[:400] + " ...",
        checks,
        panels,
        notes=(
            "k and D_o were derived from 2024 (their fitted_to says so); 2025 is out of sample. "
            "The fund's value in USD also moves with the rouble, the yuan and gold, and the "
            "Finance Ministry may top it up or draw on it beyond the rule; the model holds "
            "none of that, so a failed fund check is a finding about the rule as modelled."
        ),
    )
