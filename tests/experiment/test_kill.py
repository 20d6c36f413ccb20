"""kill -9 of a real ``twofront experiment`` process at random moments.

Resume must finish the experiment with every run exactly once and the same
outcomes as an uninterrupted run; a killed ``--force`` must leave either the
old experiment or the new one, never a mix.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from twofront.experiment import store
from twofront.experiment.runner import Experiment, run_experiment

RUNS = 3000
CHUNK = 100
CHUNKS = RUNS // CHUNK


def _command(toy_path: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "twofront", "experiment", str(toy_path), "--out", str(out),
        "--runs", str(RUNS), "--chunk-runs", str(CHUNK), "--evaluator", "inprocess",
        "--keep", "territory", *extra,
    ]  # fmt: skip


def _markers(folder: Path) -> int:
    """Complete chunks in ``folder`` (0 if it is gone, e.g. swapped away by --force)."""
    try:
        return sum(1 for _ in (folder / store.MARKERS).rglob("*.json"))
    except OSError:
        return 0


def _kill_after(command: list[str], watched: Path, chunks: int, delay_s: float) -> int | None:
    """Start ``command``, kill -9 its process group once ``watched`` has ``chunks`` markers
    (plus ``delay_s``); the exit code if it finished first, else None."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and _markers(watched) < chunks and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(delay_s)
    if process.poll() is not None:
        return process.returncode
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return None


@pytest.fixture(scope="module")
def reference(toy, tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "x"
    run_experiment(Experiment((toy,), ("steady",), RUNS, 0, chunk_runs=CHUNK), out)
    return store.read_outcomes(out)


def test_resume_after_kill_9_at_random_moments_loses_and_repeats_no_run(
    toy_path, tmp_path, reference
):
    out = tmp_path / "x"
    rng = random.Random(13)
    kills = 0
    first = _kill_after(_command(toy_path, out), out, rng.randint(1, 8), rng.uniform(0, 0.05))
    kills += first is None
    for _ in range(3):
        target = min(_markers(out) + rng.randint(1, 8), CHUNKS)
        code = _kill_after(_command(toy_path, out, "--resume"), out, target, rng.uniform(0, 0.05))
        kills += code is None
    assert kills >= 2, "the experiment finished before it could be killed"
    done = subprocess.run(_command(toy_path, out, "--resume"), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with store.connect(out) as con:
        for view in ("outcomes", "inputs", "occupied_km2"):
            count, distinct, low, high = con.execute(
                f"SELECT count(*), count(DISTINCT run), min(run), max(run) FROM {view}"
            ).fetchone()
            assert (count, distinct, low, high) == (RUNS, RUNS, 0, RUNS - 1), view
    got = store.read_outcomes(out)
    assert got.column_names == reference.column_names
    for name in got.column_names:
        np.testing.assert_array_equal(
            got[name].to_numpy(zero_copy_only=False),
            reference[name].to_numpy(zero_copy_only=False),
            name,
        )


def test_killed_force_leaves_the_old_or_the_new_experiment_never_a_mix(toy, toy_path, tmp_path):
    out = tmp_path / "x"
    run_experiment(Experiment((toy,), ("steady",), RUNS, 1, chunk_runs=CHUNK), out)
    rng = random.Random(5)
    seen = set()
    for target in (1, CHUNKS // 2, CHUNKS, CHUNKS):
        watched = tmp_path / ".x.new"
        delay = rng.uniform(0, 0.3) if target == CHUNKS else 0.0
        _kill_after(_command(toy_path, out, "--force", "--seed", "2"), watched, target, delay)
        manifest = store.read_manifest(out)
        seed = manifest["plan"]["seed"]
        seen.add(seed)
        with store.connect(out) as con:
            seeds = con.execute("SELECT DISTINCT seed FROM experiments").fetchall()
            assert seeds == [(seed,)]
            assert con.execute("SELECT count(DISTINCT run) FROM outcomes").fetchone() == (RUNS,)
        files = {str(p.relative_to(out)) for p in out.rglob("*.parquet")}
        assert files == {f for c in manifest["chunks"] for f in c["files"].values()}
        for relative in files:
            assert store.file_provenance(out / relative)["seed"] == seed
    assert 1 in seen


def test_pool_workers_exit_when_their_parent_is_killed_and_resume_finishes(toy_path, tmp_path):
    out = tmp_path / "x"
    command = _command(toy_path, out, "--evaluator", "pool", "--workers", "2")
    command.remove("inprocess")
    command.remove("--evaluator")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 120
    while _markers(out) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    workers = parent.children(recursive=True)
    process.kill()  # the parent alone, as the kernel's OOM killer would
    process.wait()
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, f"orphaned workers still running: {alive}"
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with store.connect(out) as con:
        assert con.execute("SELECT count(*), count(DISTINCT run) FROM outcomes").fetchone() == (
            RUNS,
            RUNS,
        )
