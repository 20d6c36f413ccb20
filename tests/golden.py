"""Pinned results of every shipped scenario and strategy: a refactor must not move them.

Each variable of ``run(scenario, 64 runs, seed 3)`` under both sampling designs is
reduced to its sum over every finite cell and its count of NaN cells. A change that
is meant to change the model regenerates the file and says why in its commit::

    .venv/bin/python -m tests.golden --write
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import xarray as xr

from twofront.scenario.loader import load, shipped_names
from twofront.simulation import run

PATH = Path(__file__).parent / "fixtures" / "golden_outcomes.json"
RUNS, SEED, CHUNK = 64, 3, 40


def fingerprint(results: xr.Dataset) -> dict[str, list[float]]:
    """Per variable: [sum of finite cells, number of NaN cells]."""
    out = {}
    for name, var in results.data_vars.items():
        values = var.values.astype(np.float64)
        finite = np.isfinite(values)
        out[str(name)] = [float(values[finite].sum()), float(np.isnan(values).sum())]
    return out


def current() -> dict[str, dict[str, list[float]]]:
    """Fingerprints of every shipped scenario, strategy and design, as run now."""
    table = {}
    for name in shipped_names():
        scenario = load(name)
        for strategy in scenario.strategies:
            for sampling in ("mc", "sobol"):
                results = run(
                    scenario, RUNS, SEED, strategy=strategy, chunk_runs=CHUNK, sampling=sampling
                )
                table[f"{name}/{strategy}/{sampling}"] = fingerprint(results)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="regenerate the pinned file")
    if parser.parse_args().write:
        PATH.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {PATH}")


if __name__ == "__main__":
    main()
