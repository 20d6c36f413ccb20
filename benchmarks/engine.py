"""Engine throughput of a scenario (world-2024): compiled, NumPy, EMA Workbench, cold start.

One invocation measures, for the scenario's default strategy:

1. **The compiled engine** (``twofront.simulation.run``) on 1 thread and on 2 threads
   (``twofront.engine.compiled.set_threads``) at each size of ``--sizes`` (10k is always
   measured: the ratios are quoted there). Each size and thread count runs in a fresh
   subprocess, so its peak resident memory (``ru_maxrss``) is its own; a warm-up run comes
   first, so compilation (or loading Numba's cache) is not timed.
2. **The NumPy reference**: the same runs, chunks and seeds through ``sample``,
   ``initial``, ``simulate`` and ``to_dataset`` (as ``run_chunk`` does), with every phase
   replaced by its NumPy oracle ``tests/oracles/<module>.py`` where one exists; the others
   are the engine's own phases, listed in the output as compiled or NumPy. One thread.
3. **EMA Workbench driving the same model, one run per call**, as in
   ``shared/reviews/perf-results.md`` section 2: EMA 3 needs Python >= 3.12, so a venv
   ``.bench/ema-py312`` is made (once; the install log is ``.bench/ema-py312-install.log``)
   with ``ema_workbench>=3,<4`` and this project (``pip install -c requirements.lock -e .``;
   a pin that does not install on 3.12 is dropped and reported). A
   ``SequentialEvaluator`` then runs ``--ema-runs`` experiments: LHS over the scenario's
   own uniform ranges of 8 uncertain numbers; each experiment sets them in the raw
   scenario (``twofront.scenario.overrides.apply``, as ``--set`` does), validates it
   (``parse``) and calls ``run(spec, runs=1, seed=i)`` on 1 thread. Beside it, in the
   project's own venv, a plain Python loop ``run(spec, runs=1, seed=i)`` over as many runs
   (the engine's cost per call without EMA and without re-validating the scenario).
4. **Cold start**: ``python -m twofront run SCENARIO --runs 1000`` (the ``twofront run``
   command) in a fresh process with an empty Numba cache (``NUMBA_CACHE_DIR`` a new
   temporary folder), then again with that cache warm.

Results are printed as tables (run-months/s and the ratios compiled 1 thread / NumPy,
2 threads / 1 thread and compiled / EMA) and written to ``--json``
(``out/bench-engine.json``).

    python benchmarks/engine.py [--scenario world-2024] [--sizes 1000,10000,100000]
        [--ema-runs 300] [--no-ema] [--no-cold] [--json out/bench-engine.json]

Run-months/s is runs x horizon months / best wall time. The machine is shared: other
jobs make every number noisy, 2-thread numbers most of all.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import itertools
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
"""The repository: ``tests/oracles`` is imported from here, the EMA venv lives here."""

EMA_VENV = ROOT / ".bench" / "ema-py312"
EMA_LOG = ROOT / ".bench" / "ema-py312-install.log"
EMA_REQUIREMENT = "ema_workbench>=3,<4"

RATIO_RUNS = 10_000
"""The size the headline ratios are quoted at; always measured."""

UNCERTAINTIES = (
    "combat.defence_advantage",
    "combat.fire_elasticity",
    "combat.surprise_multiplier",
    "combat.attacker_loss_multiplier",
    "bargaining.enemy_soil_weight",
    "bargaining.belief_error_sd",
    "bargaining.optimism_bias",
    "theaters.indo-pacific.opportunism.base_hazard_per_month",
)
"""The 8 numbers EMA samples (perf review, section 2), each over its uniform range in the
scenario."""


# ---------------------------------------------------------------------------------------
# Children: each measurement runs in a fresh process.


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_kinds(reference: bool) -> tuple[list[Any], dict[str, str]]:
    """The phases in the model's step order and what each one is: ``compiled`` (a
    per-run kernel, it has ``step_run``), ``numpy`` (the engine's NumPy phase) or, when
    ``reference``, ``oracle`` (``tests/oracles/<module>.py``, the NumPy form of a compiled
    phase)."""
    import importlib

    from twofront.simulation import MECHANISMS

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    phases, kinds = [], {}
    for mechanism in MECHANISMS:
        name = mechanism.__name__.rsplit(".", 1)[1]
        if reference and (ROOT / "tests" / "oracles" / f"{name}.py").is_file():
            phases.append(importlib.import_module(f"tests.oracles.{name}").phase)
            kinds[name] = "oracle"
        else:
            phases.append(mechanism.phase)
            kinds[name] = "compiled" if hasattr(mechanism, "step_run") else "numpy"
    return phases, kinds


def run_with(scenario: Any, runs: int, seed: int, chunk_runs: int, phases: list[Any]) -> Any:
    """``run(scenario, runs, seed)`` with ``phases`` in place of the engine's: the same
    chunks, streams, designs and recording as :func:`twofront.simulation.run_chunk`."""
    import numpy as np

    from twofront.engine.designs import make_design
    from twofront.engine.loop import concat_runs, simulate
    from twofront.engine.rng import make_stream
    from twofront.simulation import check_request, initial, sample

    strategy = check_request(scenario, runs, chunk_runs, "mc", None)
    parts = []
    for first in range(0, runs, chunk_runs):
        run_ids = np.arange(first, min(first + chunk_runs, runs))
        stream = make_stream(seed, run_ids)
        params = sample(scenario, strategy, stream, make_design(scenario, stream, "mc", seed))
        recorder = simulate(initial(params), params, stream, phases)
        parts.append(recorder.to_dataset(run_ids))
    return parts[0] if len(parts) == 1 else concat_runs(parts)


def measure(
    engine: str, scenario_name: str, runs: int, threads: int, chunk_runs: int
) -> dict[str, Any]:
    """Best-of-k wall time of ``runs`` runs on ``engine`` (``compiled`` or ``numpy``),
    after a warm-up run; k = 3 up to 10k runs, else 1."""
    from twofront.engine.compiled import set_threads
    from twofront.scenario.loader import load
    from twofront.simulation import run

    threads_used = set_threads(threads)
    spec = load(scenario_name)
    phases, kinds = phase_kinds(reference=engine == "numpy")

    def once(seed: int) -> None:
        if engine == "compiled":
            run(spec, runs=runs, seed=seed, chunk_runs=chunk_runs)
        else:
            run_with(spec, runs, seed, chunk_runs, phases)

    start = time.perf_counter()
    if engine == "compiled":
        run(spec, runs=min(runs, 100), seed=0)
    else:
        run_with(spec, min(runs, 100), 0, chunk_runs, phases)
    warm_up = time.perf_counter() - start
    times = []
    for i in range(3 if runs <= 10_000 else 1):
        start = time.perf_counter()
        once(i)
        times.append(time.perf_counter() - start)
    months = spec.scenario.horizon_months
    return {
        "engine": engine,
        "threads": threads_used,
        "runs": runs,
        "months": months,
        "seconds": min(times),
        "seconds_each": times,
        "run_months_per_second": runs * months / min(times),
        "peak_rss_mib": peak_rss_mib(),
        "warm_up_seconds": warm_up,
        "phases": kinds,
    }


def one_run_per_call(scenario_name: str, runs: int) -> dict[str, Any]:
    """A Python loop calling ``run(spec, runs=1, seed=i)``, 1 thread, after a warm-up."""
    from twofront.engine.compiled import set_threads
    from twofront.scenario.loader import load
    from twofront.simulation import run

    set_threads(1)
    spec = load(scenario_name)
    run(spec, runs=1, seed=runs)
    start = time.perf_counter()
    for i in range(runs):
        run(spec, runs=1, seed=i)
    seconds = time.perf_counter() - start
    months = spec.scenario.horizon_months
    return {
        "runs": runs,
        "months": months,
        "seconds": seconds,
        "run_months_per_second": runs * months / seconds,
        "peak_rss_mib": peak_rss_mib(),
    }


def uniform_range(raw: dict[str, Any], path: str) -> tuple[float, float] | None:
    """(low, high) of the uniform number at dotted ``path`` of a raw scenario, else None."""
    node: Any = raw
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict) and node.get("dist") == "uniform":
        return float(node["low"]), float(node["high"])
    return None


def identifier(text: str) -> str:
    """``text`` as a Python identifier (EMA 3 names must be): ``-`` and ``.`` become ``_``."""
    return re.sub(r"\W", "_", text)


def ema_experiments(scenario_name: str, experiments: int, seed: int) -> dict[str, Any]:
    """EMA Workbench's SequentialEvaluator over ``experiments`` LHS points of the
    scenario's uniform :data:`UNCERTAINTIES`; the model is one run per call through the
    public API (set the values in the raw scenario, validate, ``run(runs=1, seed=i)``).

    Runs in the Python 3.12 venv (EMA 3 needs it), not in the project's.
    """
    from importlib.metadata import version

    import numpy as np
    from ema_workbench import (  # type: ignore[import-not-found,unused-ignore]
        Model,
        RealParameter,
        ScalarOutcome,
        SequentialEvaluator,
    )

    from twofront.engine.compiled import set_threads
    from twofront.scenario.loader import parse, read_raw, resolve
    from twofront.scenario.overrides import apply
    from twofront.simulation import run

    set_threads(1)
    path = resolve(scenario_name)
    raw = read_raw(path, chain=())
    ranges = {p: r for p in UNCERTAINTIES if (r := uniform_range(raw, p)) is not None}
    paths = {identifier(p): p for p in ranges}
    seeds = itertools.count()

    def world(**values: float) -> dict[str, float]:
        changed = raw
        for name, value in values.items():
            changed = apply(changed, f"{paths[name]}={float(value)!r}")
        spec = parse(changed, f"{path} (EMA experiment)")
        results = run(spec, runs=1, seed=next(seeds))
        theaters = [identifier(str(t)) for t in results["theater"].values]
        out = {  # (run, theater) variables; the first theater, and the second's war
            "two_wars_at_once": float(results["two_wars_at_once"].values[0]),
            f"months_to_settlement_{theaters[0]}": float(
                results["months_to_settlement"].values[0, 0]
            ),
            f"settled_{theaters[0]}": float(results["settled"].values[0, 0]),
        }
        if len(theaters) > 1:
            out[f"war_began_{theaters[1]}"] = float(results["war_began"].values[0, 1])
        return out

    start = time.perf_counter()
    sample_outcomes = world(**{name: sum(ranges[p]) / 2 for name, p in paths.items()})
    warm_up = time.perf_counter() - start
    seeds = itertools.count()
    model = Model("twofront", function=world)
    model.uncertainties = [RealParameter(name, *ranges[p]) for name, p in paths.items()]
    model.outcomes = [ScalarOutcome(name) for name in sample_outcomes]
    start = time.perf_counter()
    with SequentialEvaluator(model) as evaluator:
        design, outcomes = evaluator.perform_experiments(
            scenarios=experiments, uncertainty_sampling_kwargs={"rng": seed}
        )
    seconds = time.perf_counter() - start
    months = int(raw["scenario"]["horizon_months"])
    return {
        "experiments": len(design),
        "months": months,
        "seconds": seconds,
        "run_months_per_second": len(design) * months / seconds,
        "warm_up_seconds": warm_up,
        "peak_rss_mib": peak_rss_mib(),
        "uncertainties": {p: list(r) for p, r in ranges.items()},
        "outcome_means": {  # over the experiments where the outcome is defined (not NaN)
            name: float(values[~np.isnan(values)].mean()) if (~np.isnan(values)).any() else None
            for name, values in outcomes.items()
        },
        "python": platform.python_version(),
        "versions": {
            name: version(name) for name in ("ema_workbench", "numpy", "numba", "twofront")
        },
    }


# ---------------------------------------------------------------------------------------
# The parent: start the children, install EMA's venv, time the cold start, report.


def child(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a child measurement; its last line of output is its JSON result."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(command[1:4])}... exited {done.returncode}:\n{tail}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def child_args(args: argparse.Namespace, kind: str, runs: int, threads: int = 1) -> list[str]:
    return [
        __file__,
        "--child",
        kind,
        "--scenario",
        args.scenario,
        "--child-runs",
        str(runs),
        "--child-threads",
        str(threads),
        "--chunk-runs",
        str(args.chunk_runs),
    ]


def find_python312() -> tuple[str | None, str]:
    """A working ``python3.12``: on PATH, else in pyenv's versions; or None and why."""
    candidates = [found] if (found := shutil.which("python3.12")) else []
    roots = [os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))]
    if pyenv := shutil.which("pyenv"):
        done = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        roots.insert(0, done.stdout.strip())
    for root in dict.fromkeys(r for r in roots if r):
        candidates += sorted(glob.glob(f"{root}/versions/3.12*/bin/python3.12"), reverse=True)
    check = "import sys, venv; sys.exit(sys.version_info[:2] != (3, 12))"
    for candidate in candidates:
        works = subprocess.run([candidate, "-c", check], capture_output=True, check=False)
        if works.returncode == 0:
            return candidate, ""
    tried = ", ".join(candidates) or "none found"
    return None, f"no working python3.12 on PATH or in pyenv (tried: {tried})"


PIN_PROBLEMS = (
    re.compile(r"No matching distribution found for ([\w.\-]+)"),
    re.compile(r"Could not find a version that satisfies the requirement ([\w.\-]+)"),
    re.compile(r"Failed building wheel for ([\w.\-]+)"),
    re.compile(r"Failed to build (?!installable)([\w.\-]+)"),
    re.compile(r"The user requested \(constraint\) ([\w.\-]+)"),
)
"""pip's ways of saying that a package (or its pin) cannot be installed."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip(python: str, arguments: list[str], log: TextIO) -> tuple[int, str]:
    """``python -m pip ARGUMENTS`` with its output in ``log``; (exit code, output)."""
    log.write(f"\n$ {python} -m pip {' '.join(arguments)}\n")
    log.flush()
    done = subprocess.run(
        [python, "-m", "pip", *arguments], capture_output=True, text=True, check=False
    )
    log.write(done.stdout + done.stderr)
    log.flush()
    return done.returncode, done.stdout + done.stderr


def install_project(python: str, lock: Path, log: TextIO) -> list[str]:
    """``pip install -c LOCK -e ROOT``; a pin pip cannot install is dropped from a copy of
    the lock and the install tried again. Returns the packages installed unpinned."""
    pins = {
        canonical(line.split("==")[0]): line
        for line in lock.read_text().splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    unpinned: list[str] = []
    constraints = lock
    for _ in range(8):
        code, output = pip(python, ["install", "-c", str(constraints), "-e", str(ROOT)], log)
        if code == 0:
            return unpinned
        culprits = {
            canonical(name)
            for pattern in PIN_PROBLEMS
            for name in pattern.findall(output)
            if canonical(name) in pins and canonical(name) not in unpinned
        }
        if not culprits:
            break
        unpinned += sorted(culprits)
        constraints = EMA_VENV.parent / "constraints-py312.txt"
        kept = [line for name, line in pins.items() if name not in unpinned]
        constraints.write_text("\n".join(kept) + "\n")
    raise RuntimeError(f"pip install -e . failed in {EMA_VENV} (see {EMA_LOG})")


def ensure_ema_venv() -> tuple[str, list[str]]:
    """The EMA venv's python and the packages installed there without their lock pin;
    made (or remade when the lock or pyproject changed) on first use."""
    python3_12, why = find_python312()
    if python3_12 is None:
        raise RuntimeError(why)
    lock = ROOT / "requirements.lock"
    key = hashlib.sha256(
        lock.read_bytes()
        + (ROOT / "pyproject.toml").read_bytes()
        + f"{EMA_REQUIREMENT} {python3_12}".encode()
    ).hexdigest()
    stamp = EMA_VENV / ".twofront-bench.json"
    python = str(EMA_VENV / "bin" / "python")
    if stamp.is_file():
        state = json.loads(stamp.read_text())
        if state.get("key") == key and Path(python).exists():
            return python, list(state["unpinned"])
    EMA_VENV.parent.mkdir(parents=True, exist_ok=True)
    print(f"installing EMA Workbench into {EMA_VENV.relative_to(ROOT)} (log: {EMA_LOG})")
    with EMA_LOG.open("w") as log:
        shutil.rmtree(EMA_VENV, ignore_errors=True)
        log.write(f"$ {python3_12} -m venv {EMA_VENV}\n")
        done = subprocess.run(
            [python3_12, "-m", "venv", str(EMA_VENV)], capture_output=True, text=True, check=False
        )
        log.write(done.stdout + done.stderr)
        if done.returncode != 0:
            raise RuntimeError(f"{python3_12} -m venv failed (see {EMA_LOG})")
        if pip(python, ["install", EMA_REQUIREMENT], log)[0] != 0:
            raise RuntimeError(f"pip install {EMA_REQUIREMENT!r} failed (see {EMA_LOG})")
        unpinned = install_project(python, lock, log)
        code, output = pip(python, ["check"], log)
        if code != 0:
            log.write(f"pip check reports broken requirements:\n{output}")
    stamp.write_text(json.dumps({"key": key, "unpinned": unpinned}))
    return python, unpinned


def ema_part(args: argparse.Namespace) -> dict[str, Any]:
    """Install (if needed) and run the EMA child; ``{"skipped": why}`` when it cannot."""
    try:
        python, unpinned = ensure_ema_venv()
    except RuntimeError as err:
        return {"skipped": str(err)}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the venv's own install
    command = [python, *child_args(args, "ema", args.ema_runs)]
    try:
        result = child(command, env=env)
    except RuntimeError as err:
        return {"skipped": f"the EMA child failed: {err}"}
    return {**result, "unpinned": unpinned, "venv": str(EMA_VENV.relative_to(ROOT))}


def cold_start(scenario: str, runs: int) -> dict[str, Any]:
    """Wall time of ``twofront run SCENARIO --runs RUNS`` with an empty Numba cache, then
    with the cache the first run wrote; each in a fresh process, in a scratch folder."""
    command = [sys.executable, "-m", "twofront", "run", scenario, "--runs", str(runs)]
    result: dict[str, Any] = {"command": f"twofront run {scenario} --runs {runs}"}
    with tempfile.TemporaryDirectory(prefix="twofront-bench-") as scratch:
        cache = Path(scratch) / "numba-cache"
        cache.mkdir()
        env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
        for label in ("cold", "warm"):
            start = time.perf_counter()
            done = subprocess.run(
                command, cwd=scratch, env=env, capture_output=True, text=True, check=False
            )
            result[f"{label}_seconds"] = time.perf_counter() - start
            if done.returncode != 0:
                tail = "\n".join(done.stderr.strip().splitlines()[-10:])
                raise RuntimeError(f"{result['command']} exited {done.returncode}:\n{tail}")
            if label == "cold":
                files = [f for f in cache.rglob("*") if f.is_file()]
                result["cache_files"] = len(files)
                result["cache_mib"] = sum(f.stat().st_size for f in files) / 2**20
    return result


def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    if not a or not b or "run_months_per_second" not in b:
        return None
    return float(a["run_months_per_second"] / b["run_months_per_second"])


def git_commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def report(result: dict[str, Any]) -> None:
    """Print the tables of ``result``."""
    from rich.console import Console
    from rich.table import Table

    console = Console()

    def num(value: float | None, digits: int = 0) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    def times(value: float | None) -> str:
        return "-" if value is None else f"{value:,.2f}x" if value < 100 else f"{value:,.0f}x"

    table = Table(
        title=f"{result['scenario']}: engine throughput, {result['months']} months per run",
        caption=f"commit {result['commit']}, {result['cpus']} CPUs, load average "
        f"{result['load_average'][0]:.1f} at the start; seconds: best of 3 up to 10k runs",
    )
    for name in ("engine", "runs", "seconds", "run-months/s", "peak MiB"):
        table.add_column(name, justify="left" if name == "engine" else "right")

    def add(label: str, row: dict[str, Any], runs: int) -> None:
        rss = row.get("peak_rss_mib")
        table.add_row(
            label, f"{runs:,}", num(row["seconds"], 2), num(row["run_months_per_second"]), num(rss)
        )

    for row in result["engine"]:
        threads = f"{row['threads']} thread{'s' if row['threads'] > 1 else ''}"
        add(
            f"compiled, {threads}" if row["engine"] == "compiled" else "NumPy reference",
            row,
            row["runs"],
        )
    loop = result.get("one_run_per_call")
    if loop:
        add("Python loop, 1 run/call", loop, loop["runs"])
    ema = result.get("ema")
    if ema and "skipped" not in ema:
        add("EMA Sequential, 1 run/call", ema, ema["experiments"])
    console.print(table)

    ratios = Table(
        title="ratios of run-months/s",
        caption="1t, 2t: the compiled engine on 1 or 2 threads; EMA: one run per call",
    )
    for name in ("runs", "1t / NumPy", "2t / 1t", "1t / EMA", "2t / EMA"):
        ratios.add_column(name, justify="right")
    for row in result["ratios"]:
        ratios.add_row(
            f"{row['runs']:,}",
            times(row["compiled_1_over_numpy"]),
            times(row["compiled_2_over_1"]),
            times(row["compiled_1_over_ema"]),
            times(row["compiled_2_over_ema"]),
        )
    console.print(ratios)

    engine_kinds, reference_kinds = result["engine_phases"], result["reference_phases"]

    def which(kinds: dict[str, str], kind: str) -> str:
        return ", ".join(k for k, v in kinds.items() if v == kind) or "none"

    console.print(
        f"engine phases: compiled {which(engine_kinds, 'compiled')}; "
        f"NumPy {which(engine_kinds, 'numpy')}"
    )
    console.print(
        f"NumPy reference phases: oracle (tests/oracles) {which(reference_kinds, 'oracle')}; "
        f"the engine's NumPy phase {which(reference_kinds, 'numpy')}; "
        f"the engine's compiled phase (no oracle) {which(reference_kinds, 'compiled')}"
    )
    if ema is None:
        console.print("EMA: not run (--no-ema)")
    elif "skipped" in ema:
        console.print(f"EMA: skipped: {ema['skipped']}")
    else:
        versions = ", ".join(f"{k} {v}" for k, v in ema["versions"].items())
        unpinned = ", ".join(ema["unpinned"]) or "none"
        console.print(
            f"EMA: Python {ema['python']} venv {ema['venv']} ({versions}); lock pins dropped "
            f"on 3.12: {unpinned}; {len(ema['uncertainties'])} uncertainties, LHS; "
            f"install log {EMA_LOG.relative_to(ROOT)}"
        )
    cold = result.get("cold_start")
    if cold:
        console.print(
            f"cold start, `{cold['command']}` in a fresh process: "
            f"{cold['cold_seconds']:.1f} s with an empty Numba cache "
            f"({cold['cache_files']} files, {cold['cache_mib']:.1f} MiB written), "
            f"{cold['warm_seconds']:.1f} s with it warm "
            f"(compilation about {cold['cold_seconds'] - cold['warm_seconds']:.1f} s)"
        )
    elif cold is None:
        console.print("cold start: not run (--no-cold)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="world-2024")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--chunk-runs", type=int, default=10_000)
    parser.add_argument("--ema-runs", type=int, default=300, help="EMA experiments")
    parser.add_argument("--no-ema", action="store_true", help="skip EMA Workbench")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold start")
    parser.add_argument("--cold-runs", type=int, default=1000, help="runs of the cold start")
    parser.add_argument("--json", type=Path, default=Path("out/bench-engine.json"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-runs", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child-threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "ema":
            out = ema_experiments(args.scenario, args.child_runs, seed=0)
        elif args.child == "loop":
            out = one_run_per_call(args.scenario, args.child_runs)
        else:
            out = measure(
                args.child, args.scenario, args.child_runs, args.child_threads, args.chunk_runs
            )
        print(json.dumps(out))
        return

    load_at_start = os.getloadavg()
    sizes = sorted({int(s) for s in args.sizes.split(",")} | {RATIO_RUNS})
    rows = []
    for size in sizes:
        for engine, threads in (("compiled", 1), ("compiled", 2), ("numpy", 1)):
            print(f"{engine} engine, {threads} thread(s), {size:,} runs ...", flush=True)
            rows.append(child([sys.executable, *child_args(args, engine, size, threads)]))
    print(f"one run per call, {args.ema_runs} runs ...", flush=True)
    loop = child([sys.executable, *child_args(args, "loop", args.ema_runs)])
    ema = None
    if not args.no_ema:
        print(f"EMA Workbench, {args.ema_runs} experiments ...", flush=True)
        ema = ema_part(args)
    cold = None
    if not args.no_cold:
        print("cold start ...", flush=True)
        cold = cold_start(args.scenario, args.cold_runs)

    def pick(engine: str, threads: int, size: int) -> dict[str, Any] | None:
        return next(
            (
                r
                for r in rows
                if r["engine"] == engine and r["threads"] == threads and r["runs"] == size
            ),
            None,
        )

    ema_rate = ema if ema and "skipped" not in ema else None
    ratios = [
        {
            "runs": size,
            "compiled_1_over_numpy": ratio(pick("compiled", 1, size), pick("numpy", 1, size)),
            "compiled_2_over_1": ratio(pick("compiled", 2, size), pick("compiled", 1, size)),
            "compiled_1_over_ema": ratio(pick("compiled", 1, size), ema_rate),
            "compiled_2_over_ema": ratio(pick("compiled", 2, size), ema_rate),
        }
        for size in sizes
    ]
    result = {
        "scenario": args.scenario,
        "months": rows[0]["months"],
        "chunk_runs": args.chunk_runs,
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": load_at_start,
        "engine_phases": next(r["phases"] for r in rows if r["engine"] == "compiled"),
        "reference_phases": next(r["phases"] for r in rows if r["engine"] == "numpy"),
        "engine": rows,
        "one_run_per_call": loop,
        "ema": ema,
        "cold_start": cold,
        "ratios": ratios,
    }
    report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
