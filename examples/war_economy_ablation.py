"""What Russia's war economy changes in the world-2024 answer.

Runs drip-feed and sequencing on world-2024 as shipped, without Ukraine's drone strikes
(``actors.ukraine.strikes`` removed), without the war economy as well (also
``actors.russia.war_economy`` and ``actors.russia.air_defence``: the model before it), and
with oil sanctions (``examples/world-2024-oil-sanctions.toml``), on the same seed, and
prints a Markdown table of the headline outcomes and Russia's fund and budget.
Usage: ``python examples/war_economy_ablation.py [RUNS]`` (default 2,000).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import xarray as xr

from twofront.scenario.loader import load, parse, read_raw, resolve
from twofront.scenario.schema import Scenario
from twofront.simulation import run

SEED = 0
COLUMNS = (
    "P(two wars)",
    "P(Taiwan war)",
    "Europe settled",
    "terms x*",
    "P(NATO-Russia clash)",
    "Russia's fund empty at the horizon",
    "Russia's budget share at the horizon (mean)",
    "Russian casualties (k)",
    "Ukrainian casualties (k)",
)


def without(removals: list[str], name: str) -> Scenario:
    """world-2024 without the tables at ``removals`` (dotted paths)."""
    raw = read_raw(resolve("world-2024"), chain=())
    for path in removals:
        *parents, leaf = path.split(".")
        table = raw
        for part in parents:
            table = table[part]
        del table[leaf]
    raw["scenario"]["name"] = name
    return parse(raw, name)


def outcomes(ds: xr.Dataset, has_economy: bool) -> list[str]:
    """One table row's cells, in the order of COLUMNS (n/a for the fund without a war
    economy)."""
    eu, ip = ds.sel(theater="europe"), ds.sel(theater="indo-pacific")
    fund = ds["reserve_fund_usd"].sel(actor="russia").isel(month=-1).values
    share = ds["budget_share"].sel(actor="russia").isel(month=-1).values
    casualties = ds["casualties_total"]
    return [
        f"{ds['two_wars_at_once'].values.mean():.3f}",
        f"{(ip['war_began'].values > 0).mean():.3f}",
        f"{(eu['settled'].values > 0).mean():.3f}",
        f"{np.nanmean(eu['settlement_share'].values):.3f}",
        f"{(eu['max_escalation_level'].values >= 2).mean():.3f}",
        f"{(fund <= 0).mean():.3f}" if has_economy else "n/a",
        f"{share.mean():.3f}",
        f"{casualties.sel(actor='russia').values.mean() / 1e3:.0f}",
        f"{casualties.sel(actor='ukraine').values.mean() / 1e3:.0f}",
    ]


def main(runs: int) -> None:
    sanctions = Path(__file__).resolve().parent / "world-2024-oil-sanctions.toml"
    variants = {
        "world-2024 as shipped": load("world-2024"),
        "no Ukrainian drone strikes": without(["actors.ukraine.strikes"], "no-strikes"),
        "no war economy, no strikes (the model before)": without(
            ["actors.ukraine.strikes", "actors.russia.war_economy", "actors.russia.air_defence"],
            "before",
        ),
        "oil sanctions from 2025-01": load(str(sanctions)),
    }
    print(f"{runs:,} runs per row, seed {SEED}\n")
    print("| scenario | strategy | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 2) + "|")
    for label, scenario in variants.items():
        for strategy in ("drip-feed", "sequencing"):
            has_economy = scenario.actors["russia"].war_economy is not None
            row = outcomes(run(scenario, runs, SEED, strategy=strategy), has_economy)
            print(f"| {label} | {strategy} | " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
