"""Evaluators: where the chunks of an experiment are simulated.

* ``inprocess``: one after another in this process.
* ``pool``: a local :class:`~concurrent.futures.ProcessPoolExecutor` (``spawn``
  context; default: every core), each worker limited to one BLAS/OpenMP thread
  so two workers on two cores do not fight over them.
* ``dask``: a Dask distributed cluster at ``scheduler`` (``tcp://HOST:PORT``),
  or a :class:`~dask.distributed.LocalCluster` of ``workers`` processes when
  none is given. Workers write to the experiment folder themselves, so on a
  real cluster it must be on a file system every worker sees at the same path.

Every run is keyed by its global index (DESIGN.md), so results are
bit-identical whatever the evaluator, worker count or chunk size.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import xarray as xr

from twofront.errors import ExperimentError
from twofront.experiment.tasks import Task, run_and_store

EVALUATORS = ("inprocess", "pool", "dask")
SINGLE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")

Done = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Evaluator:
    """How to evaluate chunks: ``kind`` from :data:`EVALUATORS`, worker count, scheduler."""

    kind: str = "inprocess"
    workers: int | None = None  # None: every core (pool) or dask's default
    scheduler: str | None = None  # dask only

    def check(self) -> None:
        """Raise :class:`ExperimentError` on impossible settings."""
        if self.kind not in EVALUATORS:
            raise ExperimentError(f"--evaluator {self.kind!r}; expected one of {list(EVALUATORS)}")
        if self.workers is not None and self.workers < 1:
            raise ExperimentError(f"--workers {self.workers}; must be >= 1")
        if self.scheduler is not None and self.kind != "dask":
            raise ExperimentError(f"--scheduler needs --evaluator dask, not {self.kind!r}")
        if self.scheduler is not None and not self.scheduler.startswith(("tcp://", "tls://")):
            raise ExperimentError(f"--scheduler {self.scheduler!r}; expected tcp://HOST:PORT")


def evaluate(
    tasks: Sequence[Task],
    evaluator: Evaluator,
    on_done: Done,
    collect: Callable[[xr.Dataset], None] | None = None,
) -> None:
    """Run and store every task; call ``on_done(marker)`` as each one finishes.

    ``collect`` receives each chunk's results and needs the in-process evaluator.
    """
    evaluator.check()
    if collect is not None and evaluator.kind != "inprocess":
        raise ExperimentError("collecting results in memory needs the in-process evaluator")
    if not tasks:
        return
    if evaluator.kind == "inprocess":
        for task in tasks:
            on_done(run_and_store(task, collect))
    elif evaluator.kind == "pool":
        _pool(tasks, evaluator.workers or os.cpu_count() or 1, on_done)
    else:
        _dask(tasks, evaluator, on_done)


@contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Child processes started inside inherit one-thread BLAS/OpenMP/Numba settings, so
    that workers times threads never exceed the cores."""
    saved = {name: os.environ.get(name) for name in SINGLE_THREAD}
    os.environ.update(dict.fromkeys(SINGLE_THREAD, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _exit_with_parent(parent: int) -> None:
    """In a pool worker: exit at once when the parent process is gone (e.g. ``kill -9``).

    Without this, workers of a killed parent live on as orphans, holding memory.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="twofront-parent-watch").start()


def _pool(tasks: Sequence[Task], workers: int, on_done: Done) -> None:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_exit_with_parent, initargs=(os.getpid(),)
    )
    with _single_threaded_children(), pool:
        # Keep at most two tasks per worker in flight: pending tasks hold a scenario each.
        queue = list(reversed(tasks))
        running: set[Future[dict[str, Any]]] = set()
        try:
            while queue or running:
                while queue and len(running) < 2 * workers:
                    running.add(pool.submit(run_and_store, queue.pop()))
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    on_done(future.result())
        except BrokenProcessPool:
            raise ExperimentError(
                "a worker process died (killed, or out of memory: try a smaller --chunk-runs "
                "or fewer --workers); the finished chunks are kept, continue with --resume"
            ) from None
        except BaseException:
            for future in running:
                future.cancel()
            raise


def _dask(tasks: Sequence[Task], evaluator: Evaluator, on_done: Done) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    if evaluator.scheduler is not None:
        try:
            client = Client(evaluator.scheduler, timeout="20s")
        except OSError as err:
            raise ExperimentError(
                f"--scheduler {evaluator.scheduler}: cannot connect ({err}); "
                "expected a running Dask scheduler"
            ) from None
        cluster = None
    else:
        with _single_threaded_children():  # one worker per core, one thread each
            cluster = LocalCluster(
                n_workers=evaluator.workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        client = Client(cluster)
    try:
        futures = [client.submit(run_and_store, task, pure=False) for task in tasks]
        for future in as_completed(futures):
            on_done(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
