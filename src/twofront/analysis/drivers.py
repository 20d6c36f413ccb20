r"""Which assumptions drive an outcome: global sensitivity of stored runs.

Three readings of one Monte Carlo sample (any stored experiment; inputs
``X`` of shape ``(run, input)``, outcome ``y`` of shape ``(run,)``), each with a
bootstrap 95% interval (percentile; ``B`` resamples of the runs):

* **PAWN** (Pianosi & Wagener 2015, doi:10.1016/j.envsoft.2015.01.004), moment
  independent: cut input :math:`x_j` into ``S`` equal-count slices; in slice
  :math:`s` the Kolmogorov-Smirnov distance
  :math:`KS_{js}=\max_y |F_{y\mid x_j\in s}(y) - F_y(y)|`; the index is the median
  over slices. 0 when :math:`x_j` does not move the outcome's distribution, 1 at most.
  Exactly :func:`SALib.analyze.pawn.analyze`'s statistic (same slices, same ties),
  computed for all inputs at once from histograms over the outcome's distinct values.
* **Spearman's** :math:`\rho_j`: the rank correlation of :math:`x_j` with :math:`y`
  (monotone effects, with their sign).
* **Swing**: :math:`E[y \mid x_j \text{ in its top third}] - E[y \mid x_j \text{ in its
  bottom third}]`, in the outcome's units (for a 0/1 outcome: a change in probability).

A uniform input drawn independently of the model, ``(noise reference)``, goes
through the same estimators: its values show the size of an index that is
noise alone at this number of runs.

Bootstrap resamples reweight the runs (multinomial counts) and keep the slice,
third and rank boundaries of the full sample: this treats the cut points as fixed
(conditioning on them), as is usual for PAWN's slices.

Variance-based indices need their own designs: :func:`sobol_indices` (first,
total and second order from a Saltelli design; Saltelli et al. 2010,
doi:10.1016/j.cpc.2009.09.018) and :func:`morris_indices` (elementary effects;
Morris 1991, doi:10.1080/00401706.1991.10484804; Campolongo et al. 2007,
doi:10.1016/j.envsoft.2006.10.004), both through SALib (Herman & Usher 2017,
doi:10.21105/joss.00097). SALib ignores ``seed=0`` (``if seed:``); the seeds
passed here are ``seed + 1``, so every seed, 0 included, fixes the intervals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import rankdata

F64 = NDArray[np.float64]
NOISE = "(noise reference)"
SLICES = 10
BOOTSTRAP = 100


@dataclass(frozen=True)
class Ranking:
    """Per input: PAWN (median KS over slices), Spearman's rho and the swing, each with
    its bootstrap 95% interval; ``table`` is sorted by PAWN, largest first."""

    table: pd.DataFrame  # input, pawn, pawn_low, pawn_high, rho, ..., swing, ...
    runs: int
    resamples: int


def _slices(x: F64, slices: int) -> NDArray[np.int64]:
    """Slice of each run (0 .. slices-1) as SALib's PAWN cuts it; ``slices`` for runs
    outside every slice (x equal to the largest quantile)."""
    edges = np.nanquantile(x, np.linspace(0.0, 1.0, slices + 1))
    index = np.searchsorted(edges, x, side="right") - 1
    return np.where((index >= 0) & (index < slices) & (x < edges[-1]), index, slices)


def _pawn_one(
    slice_of: NDArray[np.int64], y_index: NDArray[np.int64], levels: int, slices: int,
    weights: F64,
) -> float:  # fmt: skip
    """Median over slices of the KS distance between the slice's and the whole weighted
    distribution of the outcome (levels: its distinct values)."""
    counts = np.bincount(
        slice_of * levels + y_index, weights=weights, minlength=(slices + 1) * levels
    ).reshape(slices + 1, levels)
    whole = counts.sum(axis=0)
    total = whole.sum()
    per_slice = counts[:slices]
    sizes = per_slice.sum(axis=1)
    full = sizes > 0
    if not full.any() or total <= 0:
        return float("nan")
    cdf = np.cumsum(per_slice[full], axis=1) / sizes[full, None]
    cdf_all = np.cumsum(whole) / total
    return float(np.median(np.max(np.abs(cdf - cdf_all), axis=1)))


def pawn(x: F64, y: F64, slices: int = SLICES, weights: F64 | None = None) -> F64:
    """PAWN index (median KS over ``slices``) of each column of ``x`` ``(run, input)``
    for outcome ``y`` ``(run,)``; ``weights`` ``(run,)`` count each run (default 1)."""
    _, y_index = np.unique(y, return_inverse=True)
    levels = int(y_index.max()) + 1 if y.size else 1
    w = np.ones(y.size) if weights is None else weights
    return np.array(
        [_pawn_one(_slices(x[:, j], slices), y_index, levels, slices, w) for j in range(x.shape[1])]
    )


def _weighted_corr(rx: F64, ry: F64, w: F64) -> F64:
    """Weighted Pearson correlation of each column of ``rx`` with ``ry``."""
    total = w.sum()
    mx = w @ rx / total
    my = float(w @ ry / total)
    dy = ry - my
    cov = (w * dy) @ (rx - mx) / total
    vx = w @ (rx - mx) ** 2 / total
    vy = float(w @ dy**2 / total)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(cov / np.sqrt(vx * vy), dtype=np.float64)


def _swing(low: NDArray[np.bool_], high: NDArray[np.bool_], y: F64, w: F64) -> F64:
    """Weighted mean of y in each column's top third minus in its bottom third."""
    wl, wh = w[:, None] * low, w[:, None] * high
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((y @ wh) / wh.sum(axis=0) - (y @ wl) / wl.sum(axis=0), dtype=np.float64)


def rank_drivers(
    inputs: pd.DataFrame,
    y: F64,
    seed: int,
    resamples: int = BOOTSTRAP,
    slices: int = SLICES,
    on_resample: Callable[[], None] | None = None,
) -> Ranking:
    """PAWN, Spearman's rho and swing of every column of ``inputs`` for ``y``, with
    bootstrap 95% intervals; one row per input plus :data:`NOISE`.

    ``inputs`` has shape ``(run, input)``, ``y`` ``(run,)``; ``seed`` fixes the noise
    reference and the resamples. ``on_resample`` is called after each resample.
    """
    rng = np.random.default_rng(seed)
    names = [*map(str, inputs.columns), NOISE]
    x = np.column_stack([inputs.to_numpy(dtype=np.float64), rng.uniform(size=len(y))])
    n = len(y)
    # 1. Fixed cut points and ranks of the full sample.
    ranks = np.column_stack([rankdata(x[:, j]) for j in range(x.shape[1])])
    ry = rankdata(y)
    low = x <= np.quantile(x, 1 / 3, axis=0)
    high = x >= np.quantile(x, 2 / 3, axis=0)
    _, y_index = np.unique(y, return_inverse=True)
    levels = int(y_index.max()) + 1
    cuts = [_slices(x[:, j], slices) for j in range(x.shape[1])]

    def estimate(w: F64) -> tuple[F64, F64, F64]:
        p = np.array([_pawn_one(c, y_index, levels, slices, w) for c in cuts])
        return p, _weighted_corr(ranks, ry, w), _swing(low, high, y, w)

    # 2. The estimates, then the same on each multinomial resample of the runs.
    point = estimate(np.ones(n))
    draws: list[list[F64]] = [[], [], []]
    for _ in range(resamples):
        w = rng.multinomial(n, np.full(n, 1.0 / n)).astype(np.float64)
        for store, value in zip(draws, estimate(w), strict=True):
            store.append(value)
        if on_resample is not None:
            on_resample()
    columns: dict[str, object] = {"input": names}
    for key, value, sample in zip(("pawn", "rho", "swing"), point, draws, strict=True):
        columns[key] = value
        stacked = np.array(sample) if sample else np.full((1, len(names)), np.nan)
        with np.errstate(invalid="ignore"):
            columns[f"{key}_low"] = np.nanquantile(stacked, 0.025, axis=0) if sample else np.nan
            columns[f"{key}_high"] = np.nanquantile(stacked, 0.975, axis=0) if sample else np.nan
    table = pd.DataFrame(columns).sort_values("pawn", ascending=False, ignore_index=True)
    return Ranking(table, n, resamples)


def noise_level(ranking: Ranking) -> float:
    """The upper end of the noise reference's PAWN interval (or its PAWN without resamples):
    an input whose PAWN interval lies above it moves the outcome beyond sampling noise."""
    row = ranking.table.loc[ranking.table["input"] == NOISE].iloc[0]
    high = float(row["pawn_high"])
    return high if np.isfinite(high) else float(row["pawn"])


def problem(names: list[str]) -> dict[str, object]:
    """A SALib problem of ``names`` on the unit cube (the engine maps uniforms to values)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sobol_indices(
    y: F64, names: list[str], second_order: bool, seed: int, resamples: int = BOOTSTRAP
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First (S1) and total (ST) Sobol' indices with 95% intervals, one row per input,
    sorted by ST; and second-order indices S2 (one row per pair; empty without).

    ``y`` ``(run,)`` holds the outcome of each row of :func:`saltelli_matrix`, in order.
    """
    from SALib.analyze import sobol as sobol_analyze

    with np.errstate(all="ignore"):
        result = sobol_analyze.analyze(
            problem(names), y, calc_second_order=second_order,
            num_resamples=resamples, seed=seed + 1,
        )  # fmt: skip
    first = pd.DataFrame(
        {
            "input": names,
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    ).sort_values("ST", ascending=False, ignore_index=True)
    pairs = []
    if second_order:
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                pairs.append(
                    {
                        "input": names[i],
                        "with": names[j],
                        "S2": result["S2"][i, j],
                        "S2_conf": result["S2_conf"][i, j],
                    }
                )
    second = pd.DataFrame(pairs, columns=["input", "with", "S2", "S2_conf"])
    if not second.empty:
        second = second.sort_values("S2", ascending=False, ignore_index=True)
    return first, second


def morris_indices(
    uniforms: F64, y: F64, names: list[str], levels: int, seed: int,
    resamples: int = BOOTSTRAP,
) -> pd.DataFrame:  # fmt: skip
    """Morris screening: mu, mu* (mean absolute elementary effect, per unit of each
    input's uniform, i.e. across its whole range) with its 95% interval, and sigma;
    one row per input, sorted by mu*. ``uniforms`` are :func:`morris_matrix`'s rows."""
    from SALib.analyze import morris as morris_analyze

    with np.errstate(all="ignore"):
        result = morris_analyze.analyze(
            problem(names), uniforms, y, num_resamples=resamples, num_levels=levels,
            seed=seed + 1,
        )  # fmt: skip
    return pd.DataFrame(
        {
            "input": names,
            "mu": np.asarray(result["mu"], dtype=np.float64),
            "mu_star": np.asarray(result["mu_star"], dtype=np.float64),
            "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=np.float64),
            "sigma": np.asarray(result["sigma"], dtype=np.float64),
        }
    ).sort_values("mu_star", ascending=False, ignore_index=True)
