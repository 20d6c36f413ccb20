"""In-sample or out-of-sample: which data each scenario number was fitted to.

A number tuned on data says so in its ``fitted_to`` table (see
:class:`twofront.scenario.distributions.FittedTo`): the series and the last
date the fit saw. A validation check scored on that series in a month the
fit saw is *in-sample* (a goodness of fit, not a validation); a check on data
no number was fitted to, or on months after every fit's cut-off, is
*out-of-sample*.

:func:`refit_and_forecast` is the honest version of the Europe backtest: it
fits the Europe fronts' advance rates (lethalities stay as set from casualty
estimates) on Russia's monthly gains through
December 2024 only (a simulated grid fit, as :func:`backtest.profile`) and
scores the forecast on 2025, months the fit never saw (Tashman (2000),
"Out-of-sample tests of forecasting accuracy", International Journal of
Forecasting 16(4):437-450, doi:10.1016/S0169-2070(00)00065-0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from twofront.analysis.backtest import TARGETS, Scores, observed_for, scores, simulated_months
from twofront.analysis.summary import ok_runs
from twofront.scenario.distributions import FittedTo, Param
from twofront.scenario.loader import parse, read_raw, resolve
from twofront.scenario.overrides import replace_param
from twofront.scenario.schema import Scenario
from twofront.scenario.sources import iter_params
from twofront.simulation import run

IN_SAMPLE = "in-sample"
OUT_OF_SAMPLE = "out-of-sample"

F64 = NDArray[np.float64]
Mask = NDArray[np.bool_]


def fitted_numbers(scenario: Scenario) -> list[tuple[str, FittedTo]]:
    """``(path, fitted_to)`` of every number in ``scenario`` that was fitted to data."""
    return [(path, p.fitted_to) for path, p in iter_params(scenario) if p.fitted_to is not None]


def fitted_on(scenario: Scenario, data: str, months: Sequence[str]) -> list[str]:
    """The numbers fitted to ``data`` (a series name or the figures' name) in any of ``months``.

    Each as ``"path (data through YYYY-MM)"``; empty when the check is out-of-sample.
    """
    return [
        f"{path} ({fit.data} through {fit.through})"
        for path, fit in fitted_numbers(scenario)
        if fit.series == data and any(fit.covers(month) for month in months)
    ]


def sample_of(fitted: Sequence[str]) -> str:
    """``in-sample`` if any number was fitted to the data checked, else ``out-of-sample``."""
    return IN_SAMPLE if fitted else OUT_OF_SAMPLE


def cut_off(scenario: Scenario, data: str) -> str | None:
    """The latest ``through`` among the numbers fitted to ``data`` (None if none was)."""
    dates = [fit.through[:7] for _, fit in fitted_numbers(scenario) if fit.series == data]
    return max(dates) if dates else None


def split_months(months: Sequence[str], through: str | None) -> tuple[Mask, Mask]:
    """Boolean masks (month,): months at or before ``through`` (in-sample) and after it."""
    labels = np.array([m[:7] for m in months])
    if through is None:
        return np.zeros(labels.size, dtype=bool), np.ones(labels.size, dtype=bool)
    seen = labels <= through[:7]
    return seen, ~seen


def window_scores(simulated: F64, observed: F64, mask: Mask) -> Scores:
    """:func:`backtest.scores` over the months where ``mask`` holds.

    ``simulated`` is (run, month); ``observed`` and ``mask`` are (month,).
    """
    return scores(simulated[:, mask], observed[mask])


def band_coverage(simulated: F64, observed: F64, mask: Mask, level: float) -> float:
    """Share of observed months in ``mask`` inside the central ``level`` band of the runs."""
    tail = 50.0 * (1.0 - level)
    low, high = (np.nanpercentile(simulated[:, mask], q, axis=0) for q in (tail, 100 - tail))
    seen = observed[mask]
    finite = np.isfinite(seen)
    if not finite.any():
        return float("nan")
    inside = (seen >= low) & (seen <= high) & finite
    return float(inside.sum() / finite.sum())


# --- Fit through 2024, forecast 2025 -----------------------------------------------

FIT_THROUGH = "2024-12"
FORECAST_MONTHS = 17
"""Aug 2024 (the scenario's start) to Dec 2025, the last month of the observed series."""

ADVANCE_GRID = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0)
"""Multipliers on the advance rates the fronts had before any 2025 data was used."""

ADVANCE_PATHS = ("fronts.donbas.advance_km2_per_month", "fronts.south.advance_km2_per_month")

BEFORE_2025: dict[str, dict[str, Any]] = {
    "fronts.donbas.advance_km2_per_month": {
        "dist": "uniform",
        "low": 1000.0,
        "high": 3000.0,
        "assumption": "the range before it was re-tuned on 2025 gains (commit 171d940)",
    },
    "fronts.south.advance_km2_per_month": {
        "dist": "uniform",
        "low": 300.0,
        "high": 1000.0,
        "assumption": "the range before it was re-tuned on 2025 gains (commit 171d940)",
    },
    "theaters.europe.mud_advance_factor": {
        "dist": "uniform",
        "low": 0.4,
        "high": 0.8,
        "assumption": "the range before it was re-tuned on 2025 gains (commit 171d940): mud "
        "slowed but did not stop Russian advances in Oct-Nov 2024",
        "fitted_to": {"data": "data/ukraine_territory_monthly.csv", "through": "2024-11"},
    },
}
"""Numbers of kursk-2024 that were tuned with 2025 gains in view, as they were before."""


@dataclass(frozen=True)
class Forecast:
    """A fit on months through ``through`` and its forecast of the months after."""

    through: str
    grid: pd.DataFrame  # one row per grid point: factor, mae and bias on the fit months
    factor: float  # the advance multiplier with the smallest MAE on the fit months
    scenario: Scenario  # refitted, with fitted_to through ``through``
    months: list[str]
    simulated: F64  # (run, month) gains of the refitted scenario
    observed: F64  # (month,)
    fit_mask: Mask  # (month,) months the fit saw
    test_mask: Mask  # (month,) months after ``through``


def scaled(table: dict[str, Any], factor: float, why: str, through: str) -> dict[str, Any]:
    """A uniform number's table with low and high times ``factor``, marked fitted to the gains."""
    param = Param.model_validate(table)
    return {
        "dist": "uniform",
        "low": param.number("low") * factor,
        "high": param.number("high") * factor,
        "assumption": why,
        "fitted_to": {"data": "data/ukraine_territory_monthly.csv", "through": through},
    }


def _refitted(raw: dict[str, Any], factor: float, through: str) -> dict[str, Any]:
    for path in ADVANCE_PATHS:
        why = (
            f"x{factor:g} the pre-2025 range, fitted by simulated grid search to Russian "
            f"monthly gains through {through} (data/ukraine_territory_monthly.csv)"
        )
        raw = replace_param(raw, path, scaled(BEFORE_2025[path], factor, why, through), "fit")
    return raw


def before_2025_raw(months: int = FORECAST_MONTHS) -> dict[str, Any]:
    """kursk-2024 over ``months`` with every number tuned on 2025 gains as it was before."""
    raw = read_raw(resolve("kursk-2024"), chain=())
    raw["scenario"] = {**raw["scenario"], "horizon_months": months}
    for path, table in BEFORE_2025.items():
        raw = replace_param(raw, path, table, "before-2025")
    return raw


def refit_and_forecast(runs: int, seed: int, fit_runs: int, through: str = FIT_THROUGH) -> Forecast:
    """Fit the Europe front on the gains through ``through``; forecast the months after.

    1. Start from kursk-2024 run to Dec 2025, with the numbers tuned on 2025
       gains put back to their earlier values (:data:`BEFORE_2025`).
    2. For each multiplier in :data:`ADVANCE_GRID` on both advance ranges, run
       ``fit_runs`` runs (common random numbers) and score the median's MAE on
       the months through ``through``. Lethalities are not fitted here: they
       are set from casualty estimates, not from the gains.
    3. Run the best multiplier with ``runs`` runs and keep the whole path.
    """
    base = before_2025_raw()
    rows = []
    for factor in ADVANCE_GRID:
        _, _, simulated, observed, fit_mask, _ = _gains_run(
            _refitted(base, factor, through), f"advance x{factor:g}", fit_runs, seed, through
        )
        fit = window_scores(simulated, observed, fit_mask)
        rows.append({"factor": factor, "mae": fit.mae, "bias": fit.bias})
    grid = pd.DataFrame(rows)
    factor = float(grid.iloc[int(np.nanargmin(grid["mae"].to_numpy()))]["factor"])
    scenario, months, simulated, observed, fit_mask, test_mask = _gains_run(
        _refitted(base, factor, through), f"fitted: advance x{factor:g}", runs, seed, through
    )
    return Forecast(
        through,
        grid,
        factor,
        scenario,
        months,
        simulated,
        observed,
        fit_mask,
        test_mask,
    )


def _gains_run(
    raw: dict[str, Any], label: str, runs: int, seed: int, through: str
) -> tuple[Scenario, list[str], F64, F64, Mask, Mask]:
    """Run kursk-2024 as ``raw``: the scenario, its months, simulated and observed
    Russian gains, and the masks of the months through ``through`` and after."""
    target = TARGETS["ukraine-gains"]
    scenario = parse(raw, f"kursk-2024 ({label})")
    (results,), _ = ok_runs(run(scenario, runs=runs, seed=seed))
    months = simulated_months(results)
    _, observed = observed_for(target, months)
    fit_mask, test_mask = split_months(months, through)
    return scenario, months, target.simulated(results), observed, fit_mask, test_mask
