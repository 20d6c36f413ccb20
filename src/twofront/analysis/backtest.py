"""Compare simulated runs with an observed monthly series, and fit a parameter to it.

A :class:`Target` says which historical series to read and how to get the
same quantity from simulated results, month by month. :func:`scores` gives
the usual forecast-verification numbers of the simulated distribution against
the observations: the share of observed months inside the 90% band
(coverage), the mean absolute error and mean error of the median, and the
band's mean width (sharpness; Gneiting, Balabdaoui & Raftery (2007),
"Probabilistic forecasts, calibration and sharpness", JRSS B 69(2):243-268).

:func:`profile` fits one scenario parameter by simulation: it fixes the
parameter at each value of a grid, reruns the scenario on common random
numbers and scores each value; the best value minimises the mean absolute
error of the median (a simulated-method-of-moments grid search; McFadden
(1989), Econometrica 57(5):995-1026).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import tomli_w
import xarray as xr

from twofront.analysis.summary import ok_runs
from twofront.engine.state import TheaterStatus
from twofront.history import Series, load_series, require_columns
from twofront.scenario.loader import parse
from twofront.scenario.overrides import replace_param
from twofront.simulation import run

F64 = np.ndarray


@dataclass(frozen=True)
class Target:
    """A historical monthly series and the matching simulated quantity."""

    name: str
    series: str
    date_column: str
    value_column: str
    units: str
    simulated: Callable[[xr.Dataset], F64]  # (run, month simulated)


def while_at_war(results: xr.Dataset, theater: str, values: F64) -> F64:
    """``values`` (run, month simulated) where the theater was still at war at the month's
    end, NaN where its war had ended: the observed series comes from a war that went on,
    so a backtest compares it with the runs whose war went on too."""
    status = results["theater_status"].sel(theater=theater).values[:, 1:]
    return np.where(status == TheaterStatus.WAR, values, np.nan)


def _gains(fronts: list[str], theater: str) -> Callable[[xr.Dataset], F64]:
    def gains(results: xr.Dataset) -> F64:
        occupied = results["occupied_km2"].sel(front=fronts).sum("front").values
        return while_at_war(results, theater, np.diff(occupied.astype(np.float64), axis=1))

    return gains


def _end_of_month(front: str, theater: str) -> Callable[[xr.Dataset], F64]:
    def held(results: xr.Dataset) -> F64:
        occupied = results["occupied_km2"].sel(front=front).values.astype(np.float64)[:, 1:]
        return while_at_war(results, theater, occupied)

    return held


TARGETS: dict[str, Target] = {
    "ukraine-gains": Target(
        "ukraine-gains",
        "ukraine_territory_monthly",
        "month",
        "russian_net_gain_km2",
        "km² per month",
        _gains(["donbas", "south"], "europe"),
    ),
    "kursk-area": Target(
        "kursk-area",
        "kursk_area_held",
        "date",
        "area_held_km2",
        "km² held",
        _end_of_month("kursk", "europe"),
    ),
}


def simulated_months(results: xr.Dataset) -> list[str]:
    """Labels of the months simulated (the last state closes the last month)."""
    return [str(d) for d in np.datetime_as_string(results["date"].values[:-1], unit="M")]


def monthly(table: pd.DataFrame, column: str, labels: list[str]) -> F64:
    """Observed value per month label: the last observation in that month (NaN if none).

    Where the table flags a ``primary`` source per month, only primary rows count.
    """
    if "primary" in table.columns:
        table = table[table["primary"] == 1]
    by_month = {}
    for row in table.sort_values("date").itertuples(index=False):
        value = getattr(row, column)
        if pd.notna(value):
            by_month[str(row.date)[:7]] = float(value)
    return np.array([by_month.get(label, np.nan) for label in labels])


def observed_for(target: Target, labels: list[str]) -> tuple[Series, F64]:
    """The target's series and its observed values per month label."""
    series = load_series(target.series)
    require_columns(series, (target.date_column, target.value_column))
    table = series.table.rename(columns={target.date_column: "date"})
    return series, monthly(table, target.value_column, labels)


@dataclass(frozen=True)
class Scores:
    """Simulated distribution against observations, over the observed months."""

    months: int
    coverage: float
    mae: float
    bias: float
    width: float
    median: F64
    low: F64
    high: F64
    inside: F64
    seen: F64


def scores(simulated: F64, observed: F64) -> Scores:
    """Coverage of the 90% band, MAE and bias of the median, band width; NaN if no overlap."""
    median, low, high = (np.nanpercentile(simulated, q, axis=0) for q in (50, 5, 95))
    seen = np.isfinite(observed) & np.isfinite(median)
    inside = (observed >= low) & (observed <= high) & seen
    n = int(seen.sum())

    def mean(values: F64) -> float:
        return float(np.mean(values[seen])) if n else float("nan")

    return Scores(
        n,
        float(inside.sum() / max(n, 1)),
        mean(np.abs(median - observed)),
        mean(median - observed),
        mean(high - low),
        median,
        low,
        high,
        inside,
        seen,
    )


def set_parameter(raw: dict[str, Any], path: str, value: float, why: str) -> dict[str, Any]:
    """A copy of a raw scenario table with the number at ``path`` fixed to ``value``."""
    return replace_param(raw, path, {"value": float(value), "assumption": why}, "--parameter")


def profile(
    raw: dict[str, Any],
    origin: str,
    path: str,
    values: list[float],
    target: Target,
    runs: int,
    seed: int,
    strategy: str | None = None,
    on_value: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Scores of the scenario with ``path`` fixed at each value, on common random numbers."""
    rows = []
    for value in values:
        scenario = parse(
            set_parameter(raw, path, value, f"fit grid value for {target.name}"),
            f"{origin} ({path} = {value:g})",
        )
        (results,), dropped = ok_runs(run(scenario, runs=runs, seed=seed, strategy=strategy))
        _, observed = observed_for(target, simulated_months(results))
        s = scores(target.simulated(results), observed)
        rows.append(
            {
                "value": value,
                "mae": s.mae,
                "bias": s.bias,
                "coverage": s.coverage,
                "width": s.width,
                "months": s.months,
                "runs_dropped": dropped,
            }
        )
        if on_value is not None:
            on_value()
    return pd.DataFrame(rows)


def fitted_block(path: str, value: float, source: str) -> str:
    """TOML that sets the number at dotted ``path`` to ``value`` with its source."""
    *tables, key = path.split(".")
    block: dict[str, Any] = {key: {"value": value, "source": source}}
    for table in reversed(tables):
        block = {table: block}
    return tomli_w.dumps(block)
