"""The essay's question on world-2024: the strategy x end-state grid and what it depends on.

Runs drip-feed with its own aims and drip-feed, sequencing and asia-first under each
declared end state (freeze, essay, capitulation) on common random numbers, and prints
Markdown tables: the outcome set of each cell, then the paired change in P(two wars at
once) against drip-feed by Moscow's sampled bottom line, by the essay's guarantee and by
the credibility elasticity. Usage: ``python examples/essay_grid.py [RUNS]`` (default 2,000).
"""

from __future__ import annotations

import itertools
import sys
import time

import numpy as np
import xarray as xr

from twofront.engine.rng import make_stream
from twofront.scenario.loader import load
from twofront.simulation import run, sample

SEED = 0
CELLS = [("drip-feed", None)] + [
    (g, e)
    for g in ("drip-feed", "sequencing", "asia-first")
    for e in ("freeze", "essay", "capitulation")
]
COLUMNS = {
    "P(two wars)": "{:.3f}",
    "P(three)": "{:.3f}",
    "P(Taiwan war)": "{:.3f}",
    "Europe settled": "{:.3f}",
    "Europe re-ignites": "{:.3f}",
    "P(NATO-Russia clash)": "{:.3f}",
    "P(nuclear use)": "{:.4f}",
    "Ukraine's terms (mean x*)": "{:.3f}",
    "Ukrainian casualties (k)": "{:.0f}",
}


def outcomes(ds: xr.Dataset) -> list[float]:
    """The outcome set of one cell, in the order of COLUMNS."""
    eu, ip = ds.sel(theater="europe"), ds.sel(theater="indo-pacific")
    nuclear = (eu["max_escalation_level"].values >= 3) | (ip["max_escalation_level"].values >= 2)
    return [
        ds["two_wars_at_once"].values.mean(),
        ds["three_wars_at_once"].values.mean(),
        (ip["war_began"].values > 0).mean(),
        (eu["settled"].values > 0).mean(),
        (eu["wars_started"].values >= 2).mean(),
        (eu["max_escalation_level"].values >= 2).mean(),
        nuclear.mean(),
        np.nanmean(eu["settlement_share"].values),
        ds["casualties_total"].sel(actor="ukraine").values.mean() / 1e3,
    ]


def by_bins(
    title: str, driver: np.ndarray, edges: tuple[float, ...], results: dict, base: np.ndarray
) -> None:
    """Paired ΔP(two wars) of each cell against ``base`` within bins of a sampled input."""
    print(f"\nΔP(two wars) against drip-feed (own aims) by {title}:")
    labels = [f"{lo:.2f}-{hi:.2f}" for lo, hi in itertools.pairwise(edges)]
    print("| cell | " + " | ".join(labels) + " |")
    print("|---" * (len(labels) + 1) + "|")
    for (g, e), ds in results.items():
        delta = ds["two_wars_at_once"].values.astype(float) - base
        parts = [
            f"{delta[(driver >= lo) & (driver < hi + 1e-9)].mean():+.3f}"
            for lo, hi in itertools.pairwise(edges)
        ]
        print(f"| {g} @ {e or 'own aims'} | " + " | ".join(parts) + " |")


def main(runs: int) -> None:
    scenario = load("world-2024")
    # Sequencing declares the essay's aim, so its sampled inputs include the guarantee; the
    # same path has the same draw under every strategy (common random numbers).
    inputs = sample(scenario, "sequencing", make_stream(SEED, np.arange(runs))).inputs
    start = time.perf_counter()
    results = {(g, e): run(scenario, runs, SEED, strategy=g, end_state=e) for g, e in CELLS}
    print(f"{len(CELLS)} cells x {runs} runs in {time.perf_counter() - start:.0f} s\n")
    print("| strategy @ end state | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for (g, e), ds in results.items():
        cells = [fmt.format(v) for fmt, v in zip(COLUMNS.values(), outcomes(ds), strict=True)]
        print(f"| {g} @ {e or 'own aims'} | " + " | ".join(cells) + " |")
    base = results[("drip-feed", None)]["two_wars_at_once"].values.astype(float)
    by_bins(
        "Moscow's bottom line (aims.four-oblasts.defender_share_at_most)",
        inputs["aims.four-oblasts.defender_share_at_most"],
        (0.0, 0.1, 0.2, 0.3),
        results,
        base,
    )
    by_bins(
        "the essay's guarantee (aims.restore-2022-borders.guarantee)",
        inputs["aims.restore-2022-borders.guarantee"],
        (0.3, 0.3 + 0.5 / 3, 0.3 + 1.0 / 3, 0.8),
        results,
        base,
    )
    by_bins(
        "China's credibility elasticity (theaters.indo-pacific.opportunism.credibility_elasticity)",
        inputs["theaters.indo-pacific.opportunism.credibility_elasticity"],
        (0.0, 1 / 3, 2 / 3, 1.0),
        results,
        base,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
