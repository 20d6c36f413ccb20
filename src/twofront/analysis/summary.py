"""Summaries of one experiment's results: medians and 90% intervals across runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from twofront.engine.state import RunStatus


@dataclass(frozen=True, slots=True)
class Row:
    """One summary line: an outcome's median and 5th-95th percentile across runs.

    For probabilities the three numbers are the same share of runs.
    """

    outcome: str
    label: str
    median: float
    p05: float
    p95: float


def summarise(results: xr.Dataset) -> list[Row]:
    """Per-run outcomes of ``results`` as median and 90% interval rows."""
    ok = results["run_status"] == 0
    rows: list[Row] = []
    final = results.isel(month=-1)

    def add(outcome: str, array: xr.DataArray, dim: str) -> None:
        for label in array[dim].values:
            values = array.sel({dim: label}).where(ok, drop=True).values.astype(np.float64)
            values = values[np.isfinite(values)]
            if values.size == 0:
                continue
            p05, median, p95 = np.percentile(values, [5, 50, 95])
            rows.append(Row(outcome, str(label), float(median), float(p05), float(p95)))

    for name, variable in (("P(war began)", "war_began"), ("P(settled)", "settled")):
        for theater in results["theater"].values:
            share = float(results[variable].sel(theater=theater).where(ok, drop=True).mean())
            rows.append(Row(name, str(theater), share, share, share))
    add("months to settlement (settled runs)", results["months_to_settlement"], "theater")
    two = float(results["two_wars_at_once"].where(ok, drop=True).mean())
    rows.append(Row("P(two or more wars at once)", "all", two, two, two))
    add("occupied km2 at end", results["final_occupied_km2"], "front")
    add("casualties", results["casualties_total"], "actor")
    stock = final["stockpile"].sum("munition")
    add("stockpile at end (all munitions)", stock, "actor")
    add("will at end", final["will"], "actor")
    return rows


def failed_runs(results: xr.Dataset) -> int:
    """Number of runs whose status is not OK."""
    return int((results["run_status"] != RunStatus.OK).sum())


def ok_runs(*results: xr.Dataset) -> tuple[list[xr.Dataset], int]:
    """The runs whose status is OK in every one of ``results`` (paired results keep the same
    runs), and how many runs were dropped."""
    ok = np.logical_and.reduce([r["run_status"].values == RunStatus.OK for r in results])
    return [r.isel(run=ok) for r in results], int((~ok).sum())
