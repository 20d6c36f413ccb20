"""Summaries across runs leave out runs whose status is not OK, and say so."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from twofront.analysis.summary import failed_runs, ok_runs, summarise
from twofront.engine.state import RunStatus
from twofront.simulation import run


def _status(values: list[int], y: list[float]) -> xr.Dataset:
    return xr.Dataset(
        {"run_status": ("run", np.array(values, dtype=np.int8)), "y": ("run", np.array(y))},
        coords={"run": np.arange(len(values))},
    )


def test_ok_runs_keeps_the_runs_ok_in_every_result_and_counts_the_rest():
    a = _status([0, 1, 0, 0], [1.0, 2.0, 3.0, 4.0])
    b = _status([0, 0, 1, 0], [5.0, 6.0, 7.0, 8.0])
    (a_ok, b_ok), dropped = ok_runs(a, b)
    assert dropped == 2
    assert a_ok["run"].values.tolist() == b_ok["run"].values.tolist() == [0, 3]
    assert b_ok["y"].values.tolist() == [5.0, 8.0]


def test_failed_runs_counts_non_ok_status():
    assert failed_runs(_status([0, RunStatus.NON_FINITE, 0], [0.0, 0.0, 0.0])) == 1


@pytest.fixture(scope="module")
def toy_results(toy) -> xr.Dataset:
    return run(toy, 12, seed=4)


def test_summary_ignores_a_run_marked_non_finite(toy_results):
    # Mark run 0 broken and give it an absurd casualty count: the median must not move
    # toward it, and the share at war must be computed over the 11 others.
    broken = toy_results.copy(deep=True)
    broken["run_status"][0] = RunStatus.NON_FINITE
    broken["casualties_total"][0] = 1e15
    broken["war_began"][0] = ~broken["war_began"][0]
    rows = {(r.outcome, r.label): r for r in summarise(broken)}
    clean = toy_results.isel(run=slice(1, None))
    casualties = clean["casualties_total"].sel(actor="blue").values
    assert rows["casualties", "blue"].p95 == pytest.approx(np.percentile(casualties, 95))
    share = float(clean["war_began"].sel(theater="east").mean())
    assert rows["P(war began)", "east"].median == pytest.approx(share)
