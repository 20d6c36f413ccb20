"""Engine throughput: run-months per second and peak memory at 1k, 10k and 100k runs.

Each size runs in a fresh subprocess so that its peak resident memory
(``ru_maxrss``) is its own. The reference is the same engine called one run
at a time (a Python loop over runs), measured on a few runs in the same
session, to show what vectorisation buys.

    python benchmarks/engine.py [--scenario world-2024] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def measure(scenario: str, runs: int, chunk_runs: int, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` wall time of ``run`` for ``runs`` runs; peak RSS of this process."""
    from twofront.scenario.loader import load
    from twofront.simulation import run

    spec = load(scenario)
    run(spec, runs=min(runs, 100), seed=0)  # warm imports and caches
    best = float("inf")
    for i in range(repeat):
        start = time.perf_counter()
        run(spec, runs=runs, seed=i, chunk_runs=chunk_runs)
        best = min(best, time.perf_counter() - start)
    months = spec.scenario.horizon_months
    return {
        "runs": runs,
        "months": months,
        "seconds": best,
        "run_months_per_second": runs * months / best,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def one_at_a_time(scenario: str, runs: int) -> dict[str, float]:
    """The reference: a Python loop calling the engine once per run."""
    from twofront.scenario.loader import load
    from twofront.simulation import run

    spec = load(scenario)
    start = time.perf_counter()
    for _ in range(runs):
        run(spec, runs=1, seed=0)
    seconds = time.perf_counter() - start
    months = spec.scenario.horizon_months
    return {"runs": runs, "seconds": seconds, "run_months_per_second": runs * months / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="world-2024")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--chunk-runs", type=int, default=10_000)
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        repeat = 3 if args.child <= 10_000 else 1
        print(json.dumps(measure(args.scenario, args.child, args.chunk_runs, repeat)))
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--scenario",
                args.scenario,
                "--child",
                str(size),
                "--chunk-runs",
                str(args.chunk_runs),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    reference = one_at_a_time(args.scenario, 20)
    print(f"scenario {args.scenario}, chunk_runs {args.chunk_runs}, one process, one core")
    print(f"{'runs':>8} {'months':>6} {'seconds':>8} {'run-months/s':>14} {'peak MiB':>9}")
    for r in rows:
        print(
            f"{r['runs']:>8} {r['months']:>6} {r['seconds']:>8.2f} "
            f"{r['run_months_per_second']:>14,.0f} {r['peak_rss_mib']:>9.0f}"
        )
    ref = reference["run_months_per_second"]
    print(f"reference, one run per engine call: {ref:,.0f} run-months/s")
    for r in rows:
        print(f"  speed-up at {r['runs']} runs: {r['run_months_per_second'] / ref:,.0f}x")


if __name__ == "__main__":
    main()
