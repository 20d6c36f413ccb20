"""Figures of the sensitivity, discovery, robustness and search analyses (issue 15).

Plots live here, never in the analyses (STYLE.md, lesson 9).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from twofront.analysis.drivers import Ranking, noise_level

TOP = 15


def save(fig: Figure, path: Path, dpi: int = 110) -> Path:
    """Write ``fig`` at ``path`` (any matplotlib format), creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def _short(name: str, width: int = 46) -> str:
    return "\n".join(textwrap.wrap(name, width)) or name


def _bars(ax, table: pd.DataFrame, key: str, title: str) -> None:  # type: ignore[no-untyped-def]
    y = np.arange(len(table))[::-1]
    value = table[key].to_numpy()
    low, high = table[f"{key}_low"].to_numpy(), table[f"{key}_high"].to_numpy()
    err = np.vstack([np.clip(value - low, 0, None), np.clip(high - value, 0, None)])
    ax.barh(y, value, xerr=err, color="C0", alpha=0.8, capsize=2)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)


def ranking_figure(ranking: Ranking, title: str, top: int = TOP) -> Figure:
    """PAWN, Spearman's rho and swing of the ``top`` inputs, with 95% intervals."""
    table = ranking.table.head(top)
    fig = Figure(figsize=(15, 0.42 * len(table) + 1.6), layout="constrained")
    axes = fig.subplots(1, 3, sharey=True)
    _bars(axes[0], table, "pawn", "PAWN (median KS over slices)")
    axes[0].axvline(noise_level(ranking), color="C3", linestyle="--", linewidth=0.8,
                    label="noise reference (upper 95%)")  # fmt: skip
    axes[0].legend(fontsize=7)
    _bars(axes[1], table, "rho", "Spearman's rho")
    _bars(axes[2], table, "swing", "swing: mean in top third - bottom third")
    axes[0].set_yticks(np.arange(len(table))[::-1], [_short(n) for n in table["input"]])
    fig.suptitle(f"{title} ({ranking.runs:,} runs, {ranking.resamples} resamples)", fontsize=10)
    return fig


def sobol_figure(first: pd.DataFrame, title: str, top: int = TOP) -> Figure:
    """First-order and total Sobol' indices of the ``top`` inputs, with 95% intervals."""
    table = first.head(top)
    y = np.arange(len(table))[::-1]
    fig = Figure(figsize=(10, 0.42 * len(table) + 1.6), layout="constrained")
    ax = fig.subplots()
    ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="total (ST)", color="C1")
    ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="first order (S1)", color="C0")
    ax.set_yticks(y, [_short(n) for n in table["input"]], fontsize=7)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    return fig


def morris_figure(table: pd.DataFrame, title: str) -> Figure:
    """Morris mu* against sigma: far right moves the outcome, high up interacts."""
    fig = Figure(figsize=(8, 6), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", ms=4)
    for _, row in table.head(8).iterrows():
        ax.annotate(_short(str(row["input"]), 30), (row["mu_star"], row["sigma"]), fontsize=6)
    ax.set_xlabel("mu* (mean |elementary effect| over the input's range)")
    ax.set_ylabel("sigma (spread of the effects: interactions, non-linearity)")
    ax.set_title(title, fontsize=10)
    return fig


def prim_figure(trajectory: pd.DataFrame, chosen: int, title: str) -> Figure:
    """PRIM's peeling trajectory: coverage against density, coloured by restrictions."""
    fig = Figure(figsize=(7.5, 5.5), layout="constrained")
    ax = fig.subplots()
    points = ax.scatter(trajectory["coverage"], trajectory["density"],
                        c=trajectory["restricted"], cmap="viridis", s=18)  # fmt: skip
    ax.plot(trajectory["coverage"], trajectory["density"], color="grey", linewidth=0.5)
    row = trajectory.iloc[chosen]
    ax.scatter([row["coverage"]], [row["density"]], s=120, facecolors="none", edgecolors="C3",
               label=f"chosen box (step {chosen})")  # fmt: skip
    fig.colorbar(points, ax=ax, label="inputs restricted")
    ax.set_xlabel("coverage (share of the runs of interest inside the box)")
    ax.set_ylabel("density (share of the box's runs that are of interest)")
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    return fig


def robustness_figure(regrets: pd.DataFrame, quantiles: pd.DataFrame, title: str) -> Figure:
    """Mean and 90th-percentile regret per strategy, and the outcome's quantiles."""
    fig = Figure(figsize=(12, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    y = np.arange(len(regrets))
    left.barh(y + 0.2, regrets["mean_regret"], 0.4, label="mean regret")
    left.barh(y - 0.2, regrets["p90_regret"], 0.4, label="90th percentile regret")
    left.set_yticks(y, regrets["strategy"])
    left.legend(fontsize=8)
    left.set_title("regret against the best strategy in each world", fontsize=9)
    columns = [c for c in quantiles.columns if c != "strategy"]
    for k, column in enumerate(columns):
        right.scatter(quantiles[column], np.arange(len(quantiles)), label=column, color=f"C{k}")
    right.set_yticks(np.arange(len(quantiles)), quantiles["strategy"])
    right.legend(fontsize=8)
    right.set_title("quantiles over sampled worlds", fontsize=9)
    fig.suptitle(title, fontsize=10)
    return fig


def pareto_figure(trials: pd.DataFrame, front: pd.DataFrame, names: list[str]) -> Figure:
    """Every candidate and the Pareto front on the first two objectives (or objective
    against trial with one)."""
    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.subplots()
    if len(names) > 1:
        ax.scatter(trials["objective_0"], trials["objective_1"], s=12, color="grey",
                   label="candidates")  # fmt: skip
        ordered = front.sort_values("objective_0")
        ax.plot(ordered["objective_0"], ordered["objective_1"], "o-", color="C3",
                label="Pareto front")  # fmt: skip
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    else:
        ax.plot(trials["trial"], trials["objective_0"], "o", ms=3, color="grey")
        ax.plot(trials["trial"], trials["objective_0"].cummin(), color="C3", label="best so far")
        ax.set_xlabel("trial")
        ax.set_ylabel(names[0])
    ax.legend(fontsize=8)
    ax.set_title("strategy search (same sampled worlds for every candidate)", fontsize=9)
    return fig
