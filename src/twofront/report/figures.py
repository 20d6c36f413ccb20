"""Figures. Plots live here, never in the analyses (STYLE.md, lesson 9)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.figure import Figure

from twofront.analysis.compare import PROBABILITY, Comparison, Outcome


def comparison_figure(comparison: Comparison, outcomes: list[Outcome], path: Path) -> Path:
    """One panel per outcome: each strategy's mean with its 95% interval (sampling error).

    Shares are drawn in percent. The baseline's mean is the dashed line, so the gap
    to it reads as the paired difference.
    """
    n = len(outcomes)
    cols = 3
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(5.2 * cols, 2.8 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    strategies = list(comparison.strategies)
    y = np.arange(len(strategies))
    for ax, outcome in zip(axes.ravel(), outcomes, strict=False):
        scale = 100.0 if outcome.units in (PROBABILITY, "share") else 1.0
        estimates = [comparison.estimates[s, outcome.name] for s in strategies]
        means = scale * np.array([e.mean for e in estimates])
        lows = scale * np.array([e.low for e in estimates])
        highs = scale * np.array([e.high for e in estimates])
        err = np.vstack([np.nan_to_num(means - lows), np.nan_to_num(highs - means)])
        for i, strategy in enumerate(strategies):
            color = "#444444" if strategy == comparison.baseline else "#1f77b4"
            ax.errorbar(means[i], y[i], xerr=err[:, i : i + 1], fmt="o", color=color, capsize=3)
        base = scale * comparison.estimates[comparison.baseline, outcome.name].mean
        if np.isfinite(base):
            ax.axvline(base, color="#888888", linestyle="--", linewidth=1)
        ax.set_yticks(y, strategies, fontsize=8)
        ax.set_title(outcome.name, fontsize=9)
        ax.set_xlabel(_axis_units(outcome.units), fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.invert_yaxis()
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(
        f"Strategies compared in the same sampled worlds (dashed: baseline {comparison.baseline})"
        "\npoints: mean over runs; bars: 95% interval of the mean (sampling error: Wilson for "
        "shares), not the spread of outcomes",
        fontsize=10,
    )
    return _save(fig, path, dpi=120)


def _axis_units(units: str) -> str:
    """An axis label for outcome ``units`` (shares are drawn in percent)."""
    return {PROBABILITY: "% of runs", "share": "%", "km2": "km²"}.get(units, units)


def profile_figure(table: pd.DataFrame, parameter: str, target: str, path: Path) -> Path:
    """Mean absolute error and band coverage against the parameter's grid values."""
    fig = Figure(figsize=(10, 3.4))
    (ax_error, ax_cover) = fig.subplots(1, 2)
    ax_error.plot(table["value"], table["mae"], "o-", color="#1f77b4")
    best = table.iloc[int(np.argmin(table["mae"].to_numpy()))]
    ax_error.axvline(best["value"], color="#888888", linestyle="--", linewidth=1)
    ax_error.set_xlabel(parameter)
    ax_error.set_ylabel("MAE of the simulated median")
    ax_error.set_title(f"fit to {target}: best {best['value']:g}", fontsize=10)
    ax_cover.plot(table["value"], table["coverage"], "o-", color="#2ca02c")
    ax_cover.axhline(0.9, color="#888888", linestyle=":", linewidth=1)
    ax_cover.set_ylim(0, 1.05)
    ax_cover.set_xlabel(parameter)
    ax_cover.set_ylabel("share of months inside the 90% band")
    return _save(fig, path)


def run_figure(results: xr.Dataset, path: Path) -> Path:
    """Fan charts of one experiment: territory per front, share of runs at war per theater,
    and each actor's stock of its main munition (median and 90% band across runs)."""
    fronts = [str(f) for f in results["front"].values]
    theaters = [str(t) for t in results["theater"].values]
    dates = [str(d) for d in np.datetime_as_string(results["date"].values, unit="M")]
    x = np.arange(len(dates))
    panels = len(fronts) + 2
    cols = 3
    rows = int(np.ceil(panels / cols))
    fig = Figure(figsize=(5.2 * cols, 2.8 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    flat = list(axes.ravel())
    for ax, front in zip(flat, fronts, strict=False):
        values = results["occupied_km2"].sel(front=front).values.astype(float)
        _fan(ax, x, values, "#1f77b4")
        ax.set_title(f"occupied km² — {front}", fontsize=9)
    ax = flat[len(fronts)]
    at_war = results["theater_status"].values == 2
    for k, theater in enumerate(theaters):
        ax.plot(x, at_war[:, :, k].mean(axis=0), label=theater, color=f"C{k}")
    ax.set_ylim(0, 1.02)
    ax.set_title("share of runs at war", fontsize=9)
    ax.legend(fontsize=7)
    ax = flat[len(fronts) + 1]
    stock = results["stockpile"].sum("munition")
    for k, actor in enumerate(str(a) for a in results["actor"].values):
        median = np.median(stock.sel(actor=actor).values, axis=0)
        if median.max() > 0:
            ax.plot(x, median / max(median[0], 1.0), label=actor, color=f"C{k}")
    ax.set_title("stockpile, median, relative to the start", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    for ax in flat[:panels]:
        step = max(1, len(x) // 6)
        ax.set_xticks(x[::step], [dates[i] for i in x[::step]], fontsize=7, rotation=30)
        ax.tick_params(axis="y", labelsize=7)
    for ax in flat[panels:]:
        ax.set_visible(False)
    fig.suptitle(
        f"{results.attrs.get('scenario', '')} — {results.attrs.get('strategy', '')}: "
        f"{results.sizes['run']} runs (median and 90% band)",
        fontsize=10,
    )
    return _save(fig, path)


def _fan(ax: Axes, x: np.ndarray, values: np.ndarray, color: str) -> None:
    low, median, high = np.percentile(values, [5, 50, 95], axis=0)
    ax.fill_between(x, low, high, color=color, alpha=0.25, linewidth=0)
    ax.plot(x, median, color=color)


def figure_formats() -> frozenset[str]:
    """File extensions a figure can be saved as (png, pdf, svg, ...).

    What matplotlib offers, less ``pgf``, which needs a LaTeX installation.
    """
    return frozenset(FigureCanvasBase.get_supported_filetypes()) - {"pgf"}


def _save(fig: Figure, path: Path, dpi: int = 110) -> Path:
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path
