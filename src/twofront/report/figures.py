"""Figures. Plots live here, never in the analyses (STYLE.md, lesson 9)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from twofront.analysis.compare import Comparison


def comparison_figure(comparison: Comparison, outcome_names: list[str], path: Path) -> Path:
    """One panel per outcome: each strategy's mean with its 95% interval.

    The baseline's mean is the dashed line, so the gap to it reads as the
    paired difference.
    """
    n = len(outcome_names)
    cols = 3
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 2.6 * rows), squeeze=False)
    strategies = list(comparison.strategies)
    y = np.arange(len(strategies))
    for ax, name in zip(axes.ravel(), outcome_names, strict=False):
        means = np.array([comparison.estimates[s, name].mean for s in strategies])
        lows = np.array([comparison.estimates[s, name].low for s in strategies])
        highs = np.array([comparison.estimates[s, name].high for s in strategies])
        err = np.vstack([np.nan_to_num(means - lows), np.nan_to_num(highs - means)])
        for i, strategy in enumerate(strategies):
            color = "#444444" if strategy == comparison.baseline else "#1f77b4"
            ax.errorbar(means[i], y[i], xerr=err[:, i : i + 1], fmt="o", color=color, capsize=3)
        base = comparison.estimates[comparison.baseline, name].mean
        if np.isfinite(base):
            ax.axvline(base, color="#888888", linestyle="--", linewidth=1)
        ax.set_yticks(y, strategies, fontsize=8)
        ax.set_title(name, fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
        ax.invert_yaxis()
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(
        f"Strategies compared on common random numbers (baseline: {comparison.baseline})"
        "\nmeans with 95% intervals",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def profile_figure(table: pd.DataFrame, parameter: str, target: str, path: Path) -> Path:
    """Mean absolute error and band coverage against the parameter's grid values."""
    fig, (ax_error, ax_cover) = plt.subplots(1, 2, figsize=(10, 3.4))
    ax_error.plot(table["value"], table["mae"], "o-", color="#1f77b4")
    best = table.loc[table["mae"].idxmin()]
    ax_error.axvline(best["value"], color="#888888", linestyle="--", linewidth=1)
    ax_error.set_xlabel(parameter)
    ax_error.set_ylabel("MAE of the simulated median")
    ax_error.set_title(f"fit to {target}: best {best['value']:g}", fontsize=10)
    ax_cover.plot(table["value"], table["coverage"], "o-", color="#2ca02c")
    ax_cover.axhline(0.9, color="#888888", linestyle=":", linewidth=1)
    ax_cover.set_ylim(0, 1.05)
    ax_cover.set_xlabel(parameter)
    ax_cover.set_ylabel("share of months inside the 90% band")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
