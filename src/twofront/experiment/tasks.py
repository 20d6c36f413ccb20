"""One unit of work: simulate a chunk of runs and store it, in whatever process runs it.

A :class:`Task` carries everything a worker needs (the validated scenario,
the run range, what to keep, the folder); :func:`run_and_store` simulates it
with :func:`twofront.simulation.run_chunk`, writes its files and then its
marker, and returns the marker. Workers write their own chunks; only the
small marker travels back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from twofront.experiment import provenance, store
from twofront.scenario.schema import Scenario
from twofront.simulation import run_chunk


@dataclass(frozen=True)
class Task:
    """Runs ``start .. stop - 1`` of one strategy at one sweep point, stored as chunk ``index``."""

    scenario: Scenario
    strategy: str
    point: int
    index: int
    start: int
    stop: int
    seed: int
    sampling: str
    keep: tuple[str, ...]
    folder: str
    about: dict[str, Any]  # experiment-wide provenance: scenario, hash, sweep values

    @property
    def marker(self) -> str:
        """Relative path of the marker that says this chunk is complete."""
        return store.chunk_file(store.MARKERS, self.strategy, self.point, self.index, ".json")


def run_and_store(
    task: Task, collect: Callable[[xr.Dataset], None] | None = None
) -> dict[str, Any]:
    """Simulate ``task``, write its Parquet files, then its marker; return the marker.

    ``collect`` (in-process only) receives the chunk's results before they are dropped.
    """
    # Only what is stored is recorded, unless an in-process caller reads the whole chunk.
    keep = None if collect is not None else task.keep
    chunk = run_chunk(
        task.scenario, task.strategy, task.seed, task.start, task.stop, task.sampling, keep
    )
    folder = Path(task.folder)
    about = {
        **task.about,
        "version": provenance.version(),
        "commit": provenance.commit(),
        "strategy": task.strategy,
        "point": task.point,
        "seed": task.seed,
        "sampling": task.sampling,
        "run_start": task.start,
        "run_stop": task.stop,
        "created": provenance.now(),
    }
    results = chunk.results
    tables = {
        "outcomes": store.outcome_table(results),
        "inputs": store.input_table(results["run"].values, chunk.inputs),
    }
    for name in task.keep:
        tables[f"trajectories/{name}"] = store.trajectory_table(results, name)
    files: dict[str, str] = {}
    size = 0
    for kind, table in tables.items():
        relative = store.chunk_file(kind, task.strategy, task.point, task.index)
        size += store.write_table(table, folder / relative, about)
        files[kind] = relative
    if collect is not None:
        collect(results)
    marker = {
        "index": task.index,
        "strategy": task.strategy,
        "point": task.point,
        "start": task.start,
        "stop": task.stop,
        "files": files,
        "bytes": size,
        "provenance": about,
    }
    store.write_json(marker, folder / task.marker)
    return marker
