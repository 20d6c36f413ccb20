"""Figures. Plots live here, never in the analyses (STYLE.md, lesson 9)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from numpy.typing import NDArray

from twofront.analysis.compare import PROBABILITY, Comparison, Outcome
from twofront.engine.record import wars_at_once
from twofront.engine.state import TheaterStatus


def comparison_figure(comparison: Comparison, outcomes: list[Outcome], path: Path) -> Path:
    """Save :func:`comparison_panels` at ``path``."""
    return _save(comparison_panels(comparison, outcomes), path, dpi=120)


def comparison_panels(comparison: Comparison, outcomes: list[Outcome]) -> Figure:
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
        ax.set_title(textwrap.fill(outcome.name, 50), fontsize=9)
        ax.set_xlabel(_axis_units(outcome.units), fontsize=8)
        ax.xaxis.set_major_formatter(_number_axis())
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
    return fig


def _axis_units(units: str) -> str:
    """An axis label for outcome ``units`` (shares are drawn in percent)."""
    return {PROBABILITY: "% of runs", "share": "% (defender's share)", "km2": "km²"}.get(
        units, units
    )


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


BAND_NOTE = "line: median over runs; shaded: middle 50% and 90% of runs"
"""What a fan chart's line and bands are (runs are sampled worlds, not sampling error)."""


def run_figure(results: xr.Dataset, path: Path) -> Path:
    """Save :func:`run_panels` at ``path``."""
    return _save(run_panels(results), path)


def run_panels(results: xr.Dataset) -> Figure:
    """Fan charts of one experiment: territory held per front, the share of runs at war in
    each theater and with one, two or three wars at once, each munition's stock per actor
    (one panel per munition: no sum across unlike munitions) and the personnel at each
    front per side; each only where its trajectories are in ``results``.

    A front whose occupied area stays at 0 in 95% of runs and a munition no actor holds
    get no panel; the title names them.
    """
    dates = results["date"].values
    ticks = [str(d) for d in np.datetime_as_string(dates, unit="M")]
    x = np.arange(len(dates))
    drawn: list[tuple[str, Callable[[Axes], None]]] = []
    skipped: list[str] = []
    fronts = [str(f) for f in results["front"].values]
    if "occupied_km2" in results:
        for front in fronts:
            values = results["occupied_km2"].sel(front=front).values.astype(float)
            if not np.any(np.percentile(values, 95, axis=0) > 0):
                skipped.append(f"front {front}")
                continue
            drawn.append((f"{front}: area held by the aggressor", partial(_territory, x, values)))
    if "theater_status" in results:
        drawn.append(("share of runs at war, by theater", partial(_at_war, x, results)))
    if {"theater_status", "fought_this_month", "patrons_at_war"} <= set(results.data_vars):
        drawn.append(("share of runs with n wars at once", partial(_wars_at_once, x, results)))
    if "stockpile" in results:
        for munition in (str(m) for m in results["munition"].values):
            stock = results["stockpile"].sel(munition=munition)
            if not np.any(stock.values > 0):
                skipped.append(f"munition {munition}")
                continue
            drawn.append((f"stock of {munition} (median over runs)", partial(_stocks, x, stock)))
    if "personnel" in results:
        for front in fronts:
            forces = results["personnel"].sel(front=front)
            if np.any(forces.values > 0):
                drawn.append((f"{front}: personnel at the front", partial(_forces, x, forces)))
    if not drawn:
        fig = Figure(figsize=(6, 1.2))
        fig.text(0.5, 0.5, "no trajectories stored (see --keep)", ha="center", va="center")
        return fig
    cols = 3
    rows = int(np.ceil(len(drawn) / cols))
    fig = Figure(figsize=(5.2 * cols, 3.0 * rows + 0.6), layout="constrained")
    axes = list(fig.subplots(rows, cols, squeeze=False).ravel())
    step = max(1, len(x) // 6)
    for ax, (title, draw) in zip(axes, drawn, strict=False):
        draw(ax)
        ax.set_title(title, fontsize=9)
        ax.set_xticks(x[::step], [ticks[i] for i in x[::step]], fontsize=7, rotation=30)
        ax.tick_params(axis="y", labelsize=7)
    for ax in axes[len(drawn) :]:
        ax.set_visible(False)
    note = f"\nnot drawn (zero throughout): {', '.join(skipped)}" if skipped else ""
    fig.suptitle(
        f"{results.attrs.get('scenario', '')}, strategy {results.attrs.get('strategy', '')}: "
        f"{results.sizes['run']:,} runs. {BAND_NOTE}{note}",
        fontsize=10,
    )
    return fig


def _territory(x: NDArray, values: NDArray, ax: Axes) -> None:
    _fan(ax, x, values, "#1f77b4")
    ax.set_ylabel("km² held by the aggressor", fontsize=8)
    ax.yaxis.set_major_formatter(_number_axis())
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=6, loc="best")


def _at_war(x: NDArray, results: xr.Dataset, ax: Axes) -> None:
    at_war = results["theater_status"].values == TheaterStatus.WAR
    for k, theater in enumerate(str(t) for t in results["theater"].values):
        ax.plot(x, 100 * at_war[:, :, k].mean(axis=0), label=theater, color=f"C{k}")
    ax.set_ylim(0, 102)
    ax.set_ylabel("% of runs at war", fontsize=8)
    ax.legend(fontsize=7)


def _wars_at_once(x: NDArray, results: xr.Dataset, ax: Axes) -> None:
    wars = wars_at_once(
        results["theater_status"].values,
        results["fought_this_month"].values,
        results["patrons_at_war"].values,
    )
    for n in range(1, 4):
        ax.plot(x, 100 * (wars >= n).mean(axis=0), label=f"{n} or more", color=f"C{n - 1}")
    ax.set_ylim(0, 102)
    ax.set_ylabel("% of runs", fontsize=8)
    ax.legend(fontsize=7)


def _stocks(x: NDArray, stock: xr.DataArray, ax: Axes) -> None:
    for k, actor in enumerate(str(a) for a in stock["actor"].values):
        values = stock.sel(actor=actor).values.astype(float)
        if np.any(values > 0):
            ax.plot(x, np.median(values, axis=0), label=actor, color=f"C{k}")
    ax.set_ylabel("munition units in stock", fontsize=8)
    ax.yaxis.set_major_formatter(_number_axis())
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=6, ncol=2)


def _forces(x: NDArray, forces: xr.DataArray, ax: Axes) -> None:
    for k, side in enumerate(str(v) for v in forces["side"].values):
        _fan(ax, x, forces.sel(side=side).values.astype(float), f"C{k}", side)
    ax.set_ylabel("personnel", fontsize=8)
    ax.yaxis.set_major_formatter(_number_axis())
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=6)


def _number_axis() -> FuncFormatter:
    """Tick labels with thousands as k, millions as M (no offset or exponent)."""
    return FuncFormatter(lambda value, _: tick_label(value))


def tick_label(value: float) -> str:
    """'0.5', '250', '7500', '12k', '2.4M': short, exact for round tick values."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= max(size, 1e4):
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _fan(ax: Axes, x: NDArray, values: NDArray, color: str, name: str = "") -> None:
    """Median line with the middle 50% and 90% of runs shaded (labelled with ``name``, if
    given, on the median only)."""
    p05, p25, median, p75, p95 = np.percentile(values, [5, 25, 50, 75, 95], axis=0)
    ax.fill_between(x, p05, p95, color=color, alpha=0.18, linewidth=0,
                    label="" if name else "90% of runs")  # fmt: skip
    ax.fill_between(x, p25, p75, color=color, alpha=0.35, linewidth=0,
                    label="" if name else "50% of runs")  # fmt: skip
    ax.plot(x, median, color=color, label=f"{name} median" if name else "median")


def figure_formats() -> frozenset[str]:
    """File extensions a figure can be saved as (png, pdf, svg, ...).

    What matplotlib offers, less ``pgf``, which needs a LaTeX installation.
    """
    return frozenset(FigureCanvasBase.get_supported_filetypes()) - {"pgf"}


def wars_over_time(results: dict[str, xr.Dataset]) -> Figure:
    """P(at least 1, 2, 3 wars at once) month by month: one panel each, a line per strategy."""
    fig = Figure(figsize=(15.6, 3.4), layout="constrained")
    axes = fig.subplots(1, 3)
    for n, ax in enumerate(axes, start=1):
        for k, (strategy, ds) in enumerate(results.items()):
            wars = wars_at_once(
                ds["theater_status"].values,
                ds["fought_this_month"].values,
                ds["patrons_at_war"].values,
            )
            ticks = [str(d) for d in np.datetime_as_string(ds["date"].values, unit="M")]
            x = np.arange(len(ticks))
            ax.plot(x, 100 * (wars >= n).mean(axis=0), label=strategy, color=f"C{k}")
        step = max(1, len(x) // 6)
        ax.set_xticks(x[::step], [ticks[i] for i in x[::step]], fontsize=7, rotation=30)
        ax.set_ylim(0, 102)
        ax.set_ylabel("% of runs", fontsize=8)
        ax.set_title(f"{n} or more wars at once", fontsize=9)
    axes[0].legend(fontsize=7)
    fig.suptitle("Share of runs with at least 1, 2 or 3 wars under way, by month", fontsize=10)
    return fig


def fronts_schematic(
    results: dict[str, xr.Dataset], soil_of: dict[str, str], start_km2: dict[str, float]
) -> Figure:
    """A schematic map: one row per front, a bar per strategy as long as the front's area,
    split into the part the side whose soil it is holds and the part the other side holds
    at the horizon (median over runs), with the start as the first bar.

    ``soil_of`` names each front's owner; ``start_km2`` is the km² the other side held at
    the start (the scenario's central value).
    """
    fronts = list(soil_of)
    names = ["start", *results]
    fig = Figure(figsize=(9.6, 1.0 + 0.42 * len(fronts) * len(names)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(fronts), 1, sharex=False))
    for ax, front in zip(axes, fronts, strict=True):
        first = next(iter(results.values()))
        area = float(np.median(first["area_km2"].sel(front=front).values))
        held = [start_km2[front]] + [
            float(np.median(ds["final_occupied_km2"].sel(front=front).values))
            for ds in results.values()
        ]
        y = np.arange(len(names))[::-1]
        ax.barh(
            y, [area - h for h in held], color="#4c72b0", label="held by the side whose soil it is"
        )
        ax.barh(
            y, held, left=[area - h for h in held], color="#c44e52", label="held by the other side"
        )
        for yy, h in zip(y, held, strict=True):
            ax.text(area * 1.01, yy, f"{h:,.0f} km²", va="center", fontsize=7)
        ax.set_yticks(y, names, fontsize=7)
        ax.set_xlim(0, area * 1.18)
        ax.set_title(f"{front} ({area:,.0f} km², soil of {soil_of[front]})", fontsize=8, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_formatter(_number_axis())
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", fontsize=7, ncols=2)
    axes[-1].set_xlabel(
        "km² of the front (a schematic, not a map: each bar is the front's area)", fontsize=8
    )
    fig.suptitle("Territory held at the horizon, median over runs", fontsize=10)
    return fig


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (for a self-contained HTML page)."""
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _save(fig: Figure, path: Path, dpi: int = 110) -> Path:
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path
