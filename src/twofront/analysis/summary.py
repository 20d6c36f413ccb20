"""Summaries of one experiment's results: medians and 90% intervals across runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from twofront.engine.state import RunStatus


@dataclass(frozen=True, slots=True)
class Row:
    """One summary line: an outcome's median and 5th-95th percentile across runs.

    For probabilities the three numbers are the same share of runs.
    """

    outcome: str
    label: str
    units: str
    median: float
    p05: float
    p95: float


def summarise(results: xr.Dataset) -> list[Row]:
    """Per-run outcomes of ``results`` as median and 90% interval rows."""
    ok = results["run_status"] == 0
    rows: list[Row] = []
    final = results.isel(month=-1)

    def add(outcome: str, units: str, array: xr.DataArray) -> None:
        """One row per label combination of ``array`` (run, *labels)."""
        flat = array.stack(label=[d for d in array.dims if d != "run"])
        for k in range(flat.sizes["label"]):
            cell = flat.isel(label=k)
            label = " ".join(str(cell[d].values) for d in array.dims if d != "run")
            values = cell.where(ok, drop=True).values.astype(np.float64)
            values = values[np.isfinite(values)]
            if values.size == 0:
                continue
            p05, median, p95 = np.percentile(values, [5, 50, 95])
            rows.append(Row(outcome, label, units, float(median), float(p05), float(p95)))

    for name, variable in (("P(war began)", "war_began"), ("P(settled)", "settled")):
        for theater in results["theater"].values:
            share = float(results[variable].sel(theater=theater).where(ok, drop=True).mean())
            rows.append(Row(name, str(theater), "share of runs", share, share, share))
    add("months to settlement (settled runs)", "months", results["months_to_settlement"])
    two = float(results["two_wars_at_once"].where(ok, drop=True).mean())
    rows.append(Row("P(two wars at once)", "all", "share of runs", two, two, two))
    add("occupied at end", "km2", results["final_occupied_km2"])
    add("casualties", "personnel", results["casualties_total"])
    add("stockpile at end", "units", final["stockpile"])
    add("will at end", "index 0-1", final["will"])
    return rows


def summary_frame(rows: list[Row]) -> pd.DataFrame:
    """The summary rows as a table (columns outcome, label, units, median, p05, p95)."""
    return pd.DataFrame(
        [(r.outcome, r.label, r.units, r.median, r.p05, r.p95) for r in rows],
        columns=["outcome", "label", "units", "median", "p05", "p95"],
    )


def failed_runs(results: xr.Dataset) -> int:
    """Number of runs whose status is not OK."""
    return int((results["run_status"] != RunStatus.OK).sum())


def ok_runs(*results: xr.Dataset) -> tuple[list[xr.Dataset], int]:
    """The runs whose status is OK in every one of ``results`` (paired results keep the same
    runs), and how many runs were dropped."""
    ok = np.logical_and.reduce([r["run_status"].values == RunStatus.OK for r in results])
    return [r.isel(run=ok) for r in results], int((~ok).sum())
