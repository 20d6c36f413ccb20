"""Fuzz twofront with many generated inputs once, outside CI, and count what happened.

Usage (from the repository root)::

    .venv/bin/python -m tests.fuzz.run_many --inputs 10000 --seed 1

Prints the counts per kind of input and category (see
:mod:`tests.fuzz.harness`) and every failure (traceback, hang, silent
non-finite) with its input, so each can become a regression test.
Exits 1 if any failure was found.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.fuzz import inputs
from tests.fuzz.harness import (
    CATEGORIES,
    FAILURES,
    Outcome,
    try_battle,
    try_command,
    try_condition,
    try_scenario,
)

SHARES = {"scenario": 0.3, "extends": 0.1, "condition": 0.3, "csv": 0.15, "command": 0.15}
"""Share of the inputs of each kind."""


def one(kind: str, rng: random.Random, folder: Path) -> tuple[Outcome, str]:
    """Generate and try one input of ``kind``; return its outcome and a short repr."""
    if kind == "scenario":
        text = inputs.scenario_text(rng)
        return try_scenario(text, folder, simulate=rng.random() < 0.5), text[:300]
    if kind == "extends":
        text = inputs.child_text(rng, folder)
        return try_scenario(text, folder, simulate=rng.random() < 0.3), text[:300]
    if kind == "condition":
        text = inputs.condition(rng)
        return try_condition(text), text[:300]
    if kind == "csv":
        csv, meta = inputs.battle_csv(rng)
        return try_battle(csv, meta, folder), (csv[:200] + " | " + meta[:100])
    args = inputs.command(rng, folder)
    return try_command(args), repr(args)[:300]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    counts: Counter[tuple[str, str]] = Counter()
    failures: list[tuple[str, Outcome, str]] = []
    kinds = list(SHARES)
    weights = [SHARES[k] for k in kinds]
    started = time.monotonic()
    for i in range(options.inputs):
        kind = rng.choices(kinds, weights)[0]
        with tempfile.TemporaryDirectory() as folder:
            outcome, shown = one(kind, rng, Path(folder))
        counts[kind, outcome.category] += 1
        if outcome.category in FAILURES:
            failures.append((kind, outcome, shown))
            print(f"[{i}] {kind}: {outcome.category}: {outcome.detail}\n    input: {shown!r}")
        if (i + 1) % 500 == 0:
            print(f"{i + 1} inputs, {time.monotonic() - started:.0f} s", file=sys.stderr)
    width = max(len(k) for k in kinds)
    print(f"\n{options.inputs} inputs (seed {options.seed}) in {time.monotonic() - started:.0f} s")
    print(f"{'kind':<{width}}  " + "  ".join(f"{c:>17}" for c in CATEGORIES))
    for kind in kinds:
        print(f"{kind:<{width}}  " + "  ".join(f"{counts[kind, c]:>17}" for c in CATEGORIES))
    totals = [sum(counts[k, c] for k in kinds) for c in CATEGORIES]
    print(f"{'total':<{width}}  " + "  ".join(f"{t:>17}" for t in totals))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
