"""Experiments at scale, storing included: wall time, run-months/s, peak memory, disk per run.

Each (size, processes) cell runs ``twofront experiment`` in a fresh
subprocess that writes a real experiment folder (outcomes, sampled inputs,
``--keep`` trajectories). Peak memory is the largest sum of the resident
memory of that subprocess and its workers, sampled every 50 ms with psutil
(so the peaks of two cells never mix). One process is the in-process
evaluator; two are a process pool of two workers. Chunks default to a
quarter of the runs (at most 10,000), so two workers have work to share.

    python benchmarks/scale.py [--sizes 1000,10000,100000] [--million] [--keep territory]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of ``process`` and all its descendants (0 for those gone)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def measure(
    scenario: str, runs: int, processes: int, chunk_runs: int, keep: str, folder: Path
) -> dict[str, float]:
    """Run one experiment in a subprocess; its wall time, peak tree RSS and size on disk."""
    evaluator = ["--evaluator", "inprocess"] if processes == 1 else ["--workers", str(processes)]
    command = [
        sys.executable, "-m", "twofront", "experiment", scenario, "--out", str(folder),
        "--runs", str(runs), "--chunk-runs", str(chunk_runs), "--keep", keep, *evaluator,
    ]  # fmt: skip
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(watched))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed:\n{child.stderr.read() if child.stderr else ''}"
        )
    manifest = json.loads((folder / "manifest.json").read_text())
    on_disk = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    months = json.loads(
        subprocess.run(
            [sys.executable, "-c", f"from twofront.scenario.loader import load; "
             f"print(load({scenario!r}).scenario.horizon_months)"],
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    assert manifest["runs_stored"] == runs
    return {
        "runs": runs,
        "processes": processes,
        "chunk_runs": chunk_runs,
        "seconds": seconds,
        "run_months_per_second": runs * months / seconds,
        "peak_rss_mib": peak / 2**20,
        "bytes_per_run": on_disk / runs,
        "disk_mib": on_disk / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="world-2024")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--million", action="store_true", help="add 1,000,000 runs (2 processes)")
    parser.add_argument("--processes", default="1,2")
    parser.add_argument(
        "--chunk-runs", type=int, default=0, help="runs per chunk (default: N/4, at most 10,000)"
    )
    parser.add_argument("--keep", default="territory")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--keep-output", type=Path, help="leave the experiment folders here")
    args = parser.parse_args()
    cells = [
        (int(size), int(p)) for size in args.sizes.split(",") for p in args.processes.split(",")
    ]
    if args.million:
        cells.append((1_000_000, 2))
    rows = []
    scratch = args.keep_output or Path(tempfile.mkdtemp(prefix="twofront-scale-"))
    try:
        for runs, processes in cells:
            folder = scratch / f"{runs}-{processes}"
            chunk_runs = args.chunk_runs or min(10_000, -(-runs // 4))
            rows.append(measure(args.scenario, runs, processes, chunk_runs, args.keep, folder))
            if args.keep_output is None:
                shutil.rmtree(folder)
            print(json.dumps(rows[-1]), file=sys.stderr)
    finally:
        if args.keep_output is None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"scenario {args.scenario}, keep {args.keep}, "
        "storing included (outcomes + sampled inputs + kept trajectories)"
    )
    print(
        f"{'runs':>9} {'procs':>5} {'chunk':>6} {'seconds':>8} {'run-months/s':>13} "
        f"{'peak MiB':>9} {'bytes/run':>10} {'disk MiB':>9}"
    )
    for r in rows:
        print(
            f"{r['runs']:>9,} {r['processes']:>5} {r['chunk_runs']:>6} {r['seconds']:>8.1f} "
            f"{r['run_months_per_second']:>13,.0f} {r['peak_rss_mib']:>9,.0f} "
            f"{r['bytes_per_run']:>10,.0f} {r['disk_mib']:>9,.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
