"""Run an experiment into a folder: chunk by chunk, resumable, never mixing two experiments.

An :class:`Experiment` is the grid of (sweep point, strategy) cells, each run
``runs`` times on the same seed (common random numbers), cut into chunks of
``chunk_runs``. :func:`run_experiment` writes it with the streaming store
(:mod:`twofront.experiment.store`):

1. take the folder's lock (a second writer is refused, a dead one's lock is free);
2. new: refuse a folder that holds anything; resume: check the folder's
   ``plan.json`` is this experiment; force: build in a sibling folder;
3. write ``plan.json``, drop leftovers of chunks cut short, evaluate the
   chunks without a marker;
4. write ``manifest.json`` last, atomically; with force, swap the new folder
   for the old one in one ``rename`` exchange, so a kill at any moment leaves
   either the old experiment or the new one, never a mix.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from twofront.errors import StoreError
from twofront.experiment import provenance, store
from twofront.experiment.evaluators import Evaluator, evaluate
from twofront.experiment.tasks import Task
from twofront.scenario.schema import Scenario
from twofront.simulation import check_request

MODES = ("new", "resume", "force")


@dataclass(frozen=True)
class Experiment:
    """What to run: one scenario per sweep point, the strategies, runs and settings.

    ``sweep`` holds, per point, the ``--sweep`` values that made its scenario
    (``[{}]`` without a sweep); ``overrides`` the ``--set`` texts, for provenance.
    """

    scenarios: tuple[Scenario, ...]
    strategies: tuple[str, ...]
    runs: int
    seed: int
    chunk_runs: int = 10_000
    sampling: str = "mc"
    keep: tuple[str, ...] = ("occupied_km2",)
    sweep: tuple[Mapping[str, str], ...] = field(default_factory=lambda: ({},))
    overrides: tuple[str, ...] = ()

    def plan(self) -> dict[str, Any]:
        """Everything that fixes the experiment's results, as JSON-ready data."""
        return {
            "format": store.FORMAT,
            "scenario": self.scenarios[0].scenario.name,
            "scenario_hashes": [provenance.scenario_hash(s) for s in self.scenarios],
            "strategies": list(self.strategies),
            "runs": self.runs,
            "seed": self.seed,
            "chunk_runs": self.chunk_runs,
            "sampling": self.sampling,
            "keep": list(self.keep),
            "sweep": [dict(values) for values in self.sweep],
            "overrides": list(self.overrides),
        }

    def tasks(self, folder: Path) -> list[Task]:
        """Every chunk of every (point, strategy) cell, in order."""
        hashes = self.plan()["scenario_hashes"]
        out = []
        for point, (scenario, values) in enumerate(zip(self.scenarios, self.sweep, strict=True)):
            about = {
                "scenario": scenario.scenario.name,
                "scenario_hash": hashes[point],
                "sweep": dict(values),
                "overrides": list(self.overrides),
            }
            for strategy in self.strategies:
                for index, start in enumerate(range(0, self.runs, self.chunk_runs)):
                    stop = min(start + self.chunk_runs, self.runs)
                    out.append(
                        Task(
                            scenario,
                            strategy,
                            point,
                            index,
                            start,
                            stop,
                            self.seed,
                            self.sampling,
                            self.keep,
                            str(folder),
                            about,
                        )
                    )
        return out

    def check(self) -> None:
        """Raise on impossible settings before any file is touched."""
        if len(self.scenarios) != len(self.sweep) or not self.scenarios:
            raise StoreError("an experiment needs one scenario per sweep point")
        for scenario in self.scenarios:
            for strategy in self.strategies:
                check_request(scenario, self.runs, self.chunk_runs, self.sampling, strategy)
                store.chunk_file("outcomes", strategy, 0, 0)


def run_experiment(
    experiment: Experiment,
    folder: Path,
    evaluator: Evaluator | None = None,
    mode: str = "new",
    on_chunk: Callable[[int], None] | None = None,
    collect: Callable[[xr.Dataset], None] | None = None,
) -> dict[str, Any]:
    """Run ``experiment`` into ``folder``; return its manifest.

    ``mode``: ``new`` (refuse an existing experiment), ``resume`` (continue
    the one in ``folder``) or ``force`` (replace it). ``on_chunk(n)`` is
    called with the runs of each finished chunk, ``collect`` (in-process only)
    with its results.
    """
    evaluator = evaluator or Evaluator()
    evaluator.check()
    experiment.check()
    if mode not in MODES:
        raise StoreError(f"mode {mode!r}; expected one of {list(MODES)}")
    with _lock(folder):
        work = _prepare(folder, experiment, mode)
        tasks = [t for t in experiment.tasks(work) if not (work / t.marker).is_file()]
        _drop_leftovers(work, tasks)

        def done(marker: dict[str, Any]) -> None:
            if on_chunk is not None:
                on_chunk(marker["stop"] - marker["start"])

        if on_chunk is not None:
            skipped = experiment.runs * len(experiment.strategies) * len(experiment.scenarios)
            on_chunk(skipped - sum(t.stop - t.start for t in tasks))
        evaluate(tasks, evaluator, done, collect)
        manifest = _finish(work, experiment)
        if work != folder:
            _swap(work, folder)
        store.write_database(folder)
    return manifest


def _prepare(folder: Path, experiment: Experiment, mode: str) -> Path:
    """The folder to write into, checked and holding ``plan.json``."""
    plan = experiment.plan()
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder}: is a file; expected a folder for the experiment")
    holds = folder.is_dir() and any(folder.iterdir())
    ours = (folder / store.PLAN).is_file() or (folder / store.MANIFEST).is_file()
    if holds and not ours:
        raise StoreError(
            f"{folder}: not empty and not a twofront experiment; expected a new or empty folder"
        )
    if mode == "resume":
        if not (folder / store.PLAN).is_file():
            raise StoreError(
                f"{folder}: no experiment to resume; expected a folder with {store.PLAN}"
            )
        _same_plan(folder, plan)
        return folder
    if mode == "new" and holds:
        state = "a complete" if (folder / store.MANIFEST).is_file() else "an unfinished"
        raise StoreError(
            f"{folder}: holds {state} experiment; expected --resume to continue it "
            "or --force to replace it"
        )
    if mode == "force" and holds:
        work = _sibling(folder, "new")
        shutil.rmtree(work, ignore_errors=True)
    else:
        work = folder
    work.mkdir(parents=True, exist_ok=True)
    store.write_json(plan, work / store.PLAN)
    return work


def _same_plan(folder: Path, plan: Mapping[str, Any]) -> None:
    try:
        stored = json.loads((folder / store.PLAN).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StoreError(f"{folder / store.PLAN}: unreadable ({err}); expected JSON") from None
    differ = [key for key in plan if stored.get(key) != plan[key]]
    if differ:
        key = differ[0]
        raise StoreError(
            f"{folder}: --resume with different settings: {key} = {plan[key]!r}, "
            f"the stored experiment has {stored.get(key)!r}; expected the same command"
        )


def _drop_leftovers(work: Path, tasks: list[Task]) -> None:
    """Remove temporary files and the files of chunks that never got their marker."""
    for tmp in work.rglob("*.tmp-*"):
        tmp.unlink(missing_ok=True)
    for task in tasks:
        for path in work.glob(
            f"*/strategy={task.strategy}/point={task.point}/chunk-{task.index:06d}.*"
        ):
            path.unlink(missing_ok=True)
        for path in work.glob(
            f"trajectories/*/strategy={task.strategy}/point={task.point}/chunk-{task.index:06d}.*"
        ):
            path.unlink(missing_ok=True)


def _finish(work: Path, experiment: Experiment) -> dict[str, Any]:
    """Gather the markers into ``manifest.json`` (written last, atomically)."""
    chunks = []
    for task in experiment.tasks(work):
        path = work / task.marker
        if not path.is_file():
            raise StoreError(f"{work}: chunk {task.marker} is missing after the run")
        chunks.append(json.loads(path.read_text(encoding="utf-8")))
    manifest = {
        "format": store.FORMAT,
        "complete": True,
        "plan": experiment.plan(),
        "version": provenance.version(),
        "commit": provenance.commit(),
        "finished": provenance.now(),
        "runs_stored": sum(c["stop"] - c["start"] for c in chunks),
        "bytes": sum(c["bytes"] for c in chunks),
        "chunks": chunks,
    }
    store.write_json(manifest, work / store.MANIFEST)
    return manifest


def _sibling(folder: Path, what: str) -> Path:
    return folder.parent / f".{folder.name}.{what}"


@contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (a sibling lock file; freed if the holder dies)."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder}: is a file; expected a folder for the experiment")
    path = _sibling(folder, "lock")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError as err:
        raise StoreError(
            f"{folder}: cannot create the lock {path} ({err}); expected a writable parent"
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"{folder}: another twofront process is writing this experiment (lock {path}); "
                "expected one writer at a time"
            ) from None
        yield


def _swap(new: Path, old: Path) -> None:
    """Put ``new`` at ``old``'s path in one atomic exchange, then delete the old folder."""
    if not _exchange(new, old):
        # Without renameat2 the old folder is moved aside first: a kill between the two
        # renames leaves the old experiment whole at the ``.old`` sibling.
        aside = _sibling(old, "old")
        shutil.rmtree(aside, ignore_errors=True)
        old.rename(aside)
        new.rename(old)
        new = aside
    shutil.rmtree(new, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux ``renameat2(RENAME_EXCHANGE)``."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)
