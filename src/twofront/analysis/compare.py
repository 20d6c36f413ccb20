"""Compare strategies on common random numbers: means, 95% intervals, paired differences.

Every strategy is run with the same root seed, so run ``i`` faces the same
sampled world (every uncertain parameter, every monthly draw at the same
site) under each strategy. Differences are then paired run by run, which
removes the between-world variance from the comparison (common random
numbers: Law (2015), *Simulation Modeling and Analysis*, 5th ed., §11.2).

For an outcome :math:`y` with per-run values :math:`y_i`, the mean's 95%
interval is :math:`\\bar y \\pm 1.96\\, s / \\sqrt{n}` (normal approximation;
runs are independent). For a paired difference :math:`d_i = y_i^{A} - y_i^{0}`
the interval is :math:`\\bar d \\pm 1.96\\, s_d / \\sqrt{n}`. Outcomes that
exist only in some runs (e.g. stocks when a war began) use the runs where
they exist (both strategies, for differences). Under Sobol' sampling the
runs are not independent and these intervals are conservative (quasi-Monte
Carlo errors shrink faster than 1/sqrt(n)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray
from scipy import stats

from twofront.engine.record import WarEnding
from twofront.engine.state import RunStatus
from twofront.errors import ExperimentError
from twofront.scenario.schema import Scenario

Z95 = 1.959963984540054
PROBABILITY = "share of runs"
"""Units of outcomes that are 0/1 per run: they get score intervals."""

F64 = NDArray[np.float64]


LOWER, HIGHER = "lower", "higher"
"""Which way an outcome is better (from the defender's and its patrons' side)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A per-run scalar outcome: its label and how to read it from results.

    ``better`` is :data:`LOWER`, :data:`HIGHER` or "" (no side is better); a
    ``headline`` outcome is one that answers the question a comparison asks.
    """

    name: str
    units: str
    read: Callable[[xr.Dataset], F64]
    better: str = ""
    headline: bool = False


@dataclass(frozen=True, slots=True)
class Estimate:
    """Mean with a 95% interval over ``n`` runs."""

    mean: float
    low: float
    high: float
    n: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """Per strategy and outcome: the estimate and the paired difference to the baseline."""

    baseline: str
    strategies: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    estimates: dict[tuple[str, str], Estimate]
    differences: dict[tuple[str, str], Estimate]
    dropped: dict[str, int]  # strategy -> runs left out because their status is not OK
    higher: dict[tuple[str, str], float]  # share of paired runs above the baseline
    lower: dict[tuple[str, str], float]  # share of paired runs below the baseline


def mean_interval(values: F64) -> Estimate:
    """Mean and normal 95% interval of the finite values."""
    finite = values[np.isfinite(values)]
    n = finite.size
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    mean = float(finite.mean())
    half = Z95 * float(finite.std(ddof=1)) / np.sqrt(n) if n > 1 else np.nan
    return Estimate(mean, mean - half, mean + half, n)


def paired_difference(values: F64, baseline: F64) -> Estimate:
    """Mean paired difference ``values - baseline`` over runs where both are finite."""
    both = np.isfinite(values) & np.isfinite(baseline)
    return mean_interval(np.where(both, values - baseline, np.nan))


def proportion_interval(values: F64) -> Estimate:
    """Share of the finite 0/1 ``values`` that are 1, with its Wilson 95% interval."""
    finite = values[np.isfinite(values)]
    n = finite.size
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    k = int(np.count_nonzero(finite))
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return Estimate(k / n, float(ci.low), float(ci.high), n)


def paired_proportion_difference(values: F64, baseline: F64) -> Estimate:
    """Difference of two paired shares, ``values`` minus ``baseline``, with Newcombe's
    hybrid score interval (method 10), over runs where both are finite.

    With counts a (both 1), b (only ``values``), c (only ``baseline``), d (neither),
    Wilson limits (l1, u1), (l2, u2) of each share and phi the correlation of the
    pairs: D = p1 - p2, lower D - sqrt((p1-l1)^2 - 2 phi (p1-l1)(u2-p2) + (u2-p2)^2),
    upper D + sqrt((u1-p1)^2 - 2 phi (u1-p1)(p2-l2) + (p2-l2)^2).
    """
    both = np.isfinite(values) & np.isfinite(baseline)
    x, y = values[both] != 0, baseline[both] != 0
    n = int(both.sum())
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    a, b = int(np.sum(x & y)), int(np.sum(x & ~y))
    c, d = int(np.sum(~x & y)), int(np.sum(~x & ~y))
    first, second = proportion_interval(x.astype(float)), proportion_interval(y.astype(float))
    p1, l1, u1 = first.mean, first.low, first.high
    p2, l2, u2 = second.mean, second.low, second.high
    denominator = float(a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / np.sqrt(denominator) if denominator > 0 else 0.0
    diff = p1 - p2
    below = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    above = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    return Estimate(
        diff, diff - float(np.sqrt(max(below, 0.0))), diff + float(np.sqrt(max(above, 0.0))), n
    )


def compare(
    results: dict[str, xr.Dataset], outcomes: tuple[Outcome, ...], baseline: str
) -> Comparison:
    """Estimates and paired differences for each strategy's results against ``baseline``.

    All results must hold the same runs (same seed, same run count).
    """
    if baseline not in results:
        raise ExperimentError(f"baseline {baseline!r} is not among {sorted(results)}")
    runs = results[baseline]["run"].values
    for name, ds in results.items():
        if not np.array_equal(ds["run"].values, runs):
            raise ExperimentError(f"strategy {name!r} has other runs than {baseline!r}; pair them")
    ok = {name: ds["run_status"].values == RunStatus.OK for name, ds in results.items()}
    estimates, differences = {}, {}
    higher, lower = {}, {}

    def read(outcome: Outcome, name: str) -> F64:
        values = np.asarray(outcome.read(results[name]), dtype=np.float64)
        return np.where(ok[name], values, np.nan)

    for outcome in outcomes:
        base_values = read(outcome, baseline)
        share = outcome.units == PROBABILITY
        for name in results:
            values = read(outcome, name)
            estimates[name, outcome.name] = (
                proportion_interval(values) if share else mean_interval(values)
            )
            differences[name, outcome.name] = (
                paired_proportion_difference(values, base_values)
                if share
                else paired_difference(values, base_values)
            )
            higher[name, outcome.name], lower[name, outcome.name] = paired_shares(
                values, base_values
            )
    dropped = {name: int((~mask).sum()) for name, mask in ok.items()}
    return Comparison(
        baseline, tuple(results), outcomes, estimates, differences, dropped, higher, lower
    )


def paired_shares(values: F64, baseline: F64) -> tuple[float, float]:
    """Shares of the runs where both are finite in which ``values`` is above / below
    ``baseline`` (the rest are equal): in how many sampled worlds a strategy does more or
    less of something than the baseline, not only on average."""
    both = np.isfinite(values) & np.isfinite(baseline)
    n = int(both.sum())
    if n == 0:
        return np.nan, np.nan
    return float(np.sum(values[both] > baseline[both]) / n), float(
        np.sum(values[both] < baseline[both]) / n
    )


def _theater(ds: xr.Dataset, var: str, theater: str) -> F64:
    return ds[var].sel(theater=theater).values.astype(np.float64)


def _actor(ds: xr.Dataset, var: str, actor: str) -> F64:
    return ds[var].sel(actor=actor).values.astype(np.float64)


def _censored_months(ds: xr.Dataset, theater: str, horizon: float) -> F64:
    """Months to settlement where a war began, the horizon where it has not settled."""
    return np.where(
        _theater(ds, "war_began", theater) > 0,
        np.nan_to_num(_theater(ds, "months_to_settlement", theater), nan=horizon),
        np.nan,
    )


def _stock_at_start(ds: xr.Dataset, theater: str, actor: str, munition: str) -> F64:
    """Stock of (actor, munition) when the war in ``theater`` began; NaN where none began."""
    return np.where(
        _theater(ds, "war_began", theater) > 0,
        ds["stock_at_war_start"].sel(theater=theater, actor=actor, munition=munition).values,
        np.nan,
    )


THEATER_OUTCOMES = (
    ("P(war)", "share of runs", "war_began"),
    ("P(settled)", "share of runs", "settled"),
    ("wars begun", "count", "wars_started"),
    ("defender share at settlement", "share", "settlement_share"),
    ("defender soil kept by aggressor at settlement", "km2", "occupied_at_settlement_km2"),
    ("share of lost territory restored", "share", "restored_share"),
    ("defender soil regained at settlement vs the start", "km2", "soil_regained_km2"),
    ("highest escalation level", "level", "max_escalation_level"),
)
"""(label, units, results variable) of the per-theater outcomes read as they are."""

THEATER_BETTER = {
    "war_began": LOWER,
    "wars_started": LOWER,
    "settlement_share": HIGHER,
    "occupied_at_settlement_km2": LOWER,
    "restored_share": HIGHER,
    "soil_regained_km2": HIGHER,
    "max_escalation_level": LOWER,
}
"""Which way each per-theater outcome is better for the defender and its patrons."""

THEATER_HEADLINES = ("war_began", "settlement_share")
"""Per-theater outcomes in a comparison's headline: P(war) and the terms."""

ACTOR_OUTCOMES = (
    ("casualties", "personnel", "casualties_total"),
    ("missing from the fronts, net of returns", "personnel", "absent_total"),
    ("production spending", "USD", "spent_usd"),
    ("aid given at replacement cost", "USD", "aid_given_usd"),
)
"""(label, units, results variable) of the per-actor outcomes."""


def standard_outcomes(results: xr.Dataset) -> tuple[Outcome, ...]:
    """The outcomes DESIGN.md asks of every strategy comparison, for these results' labels."""
    theaters = [str(t) for t in results["theater"].values]
    actors = [str(a) for a in results["actor"].values]
    horizon = float(results["month"].values[-1])
    items: list[Outcome] = [
        Outcome(
            "P(two wars at once)",
            "share of runs",
            lambda d: d["two_wars_at_once"].values.astype(np.float64),
            LOWER,
            headline=True,
        ),
        Outcome(
            "P(three wars at once)",
            "share of runs",
            lambda d: d["three_wars_at_once"].values.astype(np.float64),
            LOWER,
            headline=True,
        ),
        Outcome(
            "most wars at once",
            "theaters",
            lambda d: d["max_wars_at_once"].values.astype(np.float64),
        ),
    ]
    for t in theaters:
        items += [
            Outcome(
                f"{label} {t}",
                units,
                partial(_theater, var=variable, theater=t),
                THEATER_BETTER.get(variable, ""),
                headline=variable in THEATER_HEADLINES,
            )
            for label, units, variable in THEATER_OUTCOMES
        ]
        items.append(
            Outcome(
                f"months to settlement {t} (censored at the horizon)",
                "months",
                partial(_censored_months, theater=t, horizon=horizon),
            )
        )
    items += [
        Outcome(f"{label} {a}", units, partial(_actor, var=variable, actor=a))
        for a in actors
        for label, units, variable in ACTOR_OUTCOMES
    ]
    items.append(
        Outcome("casualties, all sides", "personnel", _all_casualties, LOWER, headline=True)
    )
    return tuple(items)


def _all_casualties(ds: xr.Dataset) -> F64:
    return ds["casualties_total"].sum("actor").values.astype(np.float64)


def stock_at_war_start_outcomes(
    results: xr.Dataset, pairs: list[tuple[str, str, str]]
) -> tuple[Outcome, ...]:
    """Outcomes for stocks of (actor, munition) when the war in ``theater`` began."""
    return tuple(
        Outcome(
            f"{a} {m} stock when war began in {t}",
            "units",
            partial(_stock_at_start, theater=t, actor=a, munition=m),
        )
        for t, a, m in pairs
    )


def _reached(ds: xr.Dataset, theater: str, level: int) -> F64:
    return (_theater(ds, "max_escalation_level", theater) >= level).astype(np.float64)


def _ended(ds: xr.Dataset, theater: str, ending: int) -> F64:
    """1 where the theater's last war ended so, 0 where another way; NaN where no war began."""
    code = _theater(ds, "war_ending", theater)
    return np.where(code == WarEnding.NO_WAR, np.nan, (code == ending).astype(np.float64))


ENDINGS = (
    ("P(war still running at the horizon)", WarEnding.RUNNING),
    ("P(war ended by negotiation)", WarEnding.NEGOTIATED),
    ("P(war ended by the defender's collapse)", WarEnding.DEFENDER_COLLAPSED),
    ("P(war ended by the aggressor's collapse)", WarEnding.AGGRESSOR_COLLAPSED),
)


def war_event_outcomes(spec: Scenario) -> tuple[Outcome, ...]:
    """How each theater's war ended (among runs where one began), and the probability of
    reaching each rung of its escalation ladder."""
    items: list[Outcome] = []
    for t_id, t in spec.theaters.items():
        items += [
            Outcome(f"{label} {t_id}", PROBABILITY, partial(_ended, theater=t_id, ending=code))
            for label, code in ENDINGS
        ]
        if t.escalation is not None:
            items += [
                Outcome(
                    f"P(reaching '{level.title}') {t_id}",
                    PROBABILITY,
                    partial(_reached, theater=t_id, level=k),
                    LOWER,
                    headline=True,
                )
                for k, level in enumerate(t.escalation.levels)
                if k > 0
            ]
    return tuple(items)


def deterrent_stock_outcomes(spec: Scenario, results: xr.Dataset) -> tuple[Outcome, ...]:
    """Stocks of each theater's deterrent munitions held by its patrons when its war began."""
    pairs = []
    for t_id, t in spec.theaters.items():
        if t.opportunism is None:
            continue
        for m_id in t.opportunism.deterrent_stock_reference:
            for patron in t.patrons:
                if m_id in spec.actors[patron].industry:
                    pairs.append((t_id, patron, m_id))
    return stock_at_war_start_outcomes(results, pairs)


def to_frame(comparison: Comparison) -> pd.DataFrame:
    """The comparison as a tidy table (one row per outcome and strategy)."""
    rows = []
    for outcome in comparison.outcomes:
        for strategy in comparison.strategies:
            e = comparison.estimates[strategy, outcome.name]
            d = comparison.differences[strategy, outcome.name]
            rows.append(
                {
                    "outcome": outcome.name,
                    "units": outcome.units,
                    "better": outcome.better,
                    "strategy": strategy,
                    "mean": e.mean,
                    "low95": e.low,
                    "high95": e.high,
                    "runs": e.n,
                    "diff_vs_baseline": d.mean,
                    "diff_low95": d.low,
                    "diff_high95": d.high,
                    "share_runs_higher": comparison.higher[strategy, outcome.name],
                    "share_runs_lower": comparison.lower[strategy, outcome.name],
                    "baseline": comparison.baseline,
                }
            )
    return pd.DataFrame(rows)


def better_worse(comparison: Comparison, strategy: str, outcome: Outcome) -> tuple[float, float]:
    """Shares of paired runs (sampled worlds) where ``strategy`` does better / worse than the
    baseline on ``outcome``, by its ``better`` direction (NaN when it has none)."""
    up = comparison.higher[strategy, outcome.name]
    down = comparison.lower[strategy, outcome.name]
    if outcome.better == LOWER:
        return down, up
    if outcome.better == HIGHER:
        return up, down
    return np.nan, np.nan


def varies(comparison: Comparison, name: str) -> bool:
    """True when the strategies' means differ for this outcome (worth a panel)."""
    values = [comparison.estimates[s, name].mean for s in comparison.strategies]
    finite = [v for v in values if np.isfinite(v)]
    spread = max(finite) - min(finite) if finite else 0.0
    return spread > 1e-9 * max(1.0, max(abs(v) for v in finite) if finite else 1.0)
