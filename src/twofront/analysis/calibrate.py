r"""Fit the generalised Lanchester law to a battle series, and say how sure the fit is.

Model, one step a day (as in Engel 1954), with blue reinforcements
:math:`P_t` landing at the start of day :math:`t` (blue starts from 0):

.. math::
   M_{t+1} = M_t + P_t - a\, N_t^{q} M_t^{p}, \qquad
   N_{t+1} = N_t - b\, M_t^{q} N_t^{p}

:math:`q` is the shooter exponent (the enemy's strength), :math:`p` the
target exponent (one's own). The laws of :data:`LAWS`:

* square (aimed fire), :math:`q = 1, p = 0`: :math:`\dot M = -aN`;
* linear (area fire), :math:`q = p = 1`: :math:`\dot M = -aNM`;
* logarithmic (losses in proportion to one's own strength),
  :math:`q = 0, p = 1`: :math:`\dot M = -aM`.

Sources: Lanchester (1916), *Aircraft in Warfare*; Engel (1954), "A
verification of Lanchester's law", JORSA 2(2):163-171,
doi:10.1287/opre.2.2.163 (Iwo Jima: a = 0.0544, b = 0.0106 per day); Peterson
(1953) for the logarithmic law; Bracken (1995), "Lanchester models of the
Ardennes campaign", Naval Research Logistics 42(4):559-577, for fitting the
exponents.

Estimators and their intervals (95%):

* **least squares** on the observed strengths (:func:`fit_least_squares`),
  intervals by percentile bootstrap of residuals around the fitted path
  (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 9);
  where a percentile interval excludes its own estimate the fit says so and
  uses the profile interval of the least-squares criterion instead;
* **maximum likelihood** (:func:`fit_likelihood`): each span between
  observed blue strengths loses a normally distributed number of men around
  the model's losses (variance in proportion to the span's days,
  concentrated out: :math:`\ell = -\tfrac{n}{2}\ln(\mathrm{RSS}/n)`); red's
  observed strengths enter with a normal error of 2% of its initial
  strength; intervals from the profile likelihood
  (:math:`2\Delta\ell \le \chi^2_{1, 0.95} = 3.84`; Venzon & Moolgavkar 1988,
  doi:10.2307/2347496);
* **exactly determined** (as many observations as unknowns, e.g. start and
  end strengths with the law fixed): the coefficients that reproduce the
  observations; no interval, unless a measurement error is stated, which is
  then propagated by redrawing the observations.

Every fit starts from values read off the data (:func:`start_values`) and
from several multiples of them; it warns (``Fit.warnings``) when the
optimiser returns its start, when :math:`R^2 < 0` (the fitted path is worse
than the mean of the observations) or when a parameter is not identified.
:func:`calibration_block` refuses to write such a fit as a prior.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import tomli_w
from numpy.typing import NDArray
from scipy import optimize, stats

from twofront.errors import CalibrationError
from twofront.history import BattleSeries

F64 = NDArray[np.float64]
PARAMETERS = ("a", "b", "p", "q")
COEFFICIENTS = ("a", "b")
LAWS: dict[str, dict[str, float]] = {
    "square": {"p": 0.0, "q": 1.0},
    "linear": {"p": 1.0, "q": 1.0},
    "logarithmic": {"p": 1.0, "q": 0.0},
    "free": {},
}
"""Exponents each law holds fixed (``free`` estimates both)."""
EXPONENT_BOUNDS = (-1.0, 2.0)
"""Range searched for a free exponent."""
COEFFICIENT_RANGE = 1e6
"""A coefficient's profile is searched from its estimate / this to its estimate x this."""
START_SCALES = (0.25, 1.0, 4.0)
"""Multiples of the data's start values of a and b tried by the multi-start."""
RED_OBSERVATION_ERROR = 0.02
"""Standard deviation of an observed red strength in the likelihood, as a share of the
initial strength (red's counts are estimates, not daily returns)."""
CHI2_95 = float(stats.chi2.ppf(0.95, 1))
PROFILE_TOLERANCE = 1e-5
"""Nelder-Mead tolerance inside a profile (the threshold is CHI2_95 / 2 = 1.92 above)."""

Loss = Callable[[dict[str, float]], float]


@dataclass(frozen=True, slots=True)
class Fit:
    """Estimated parameters, their 95% intervals, how they were obtained, and the fit's quality.

    ``low``/``high`` are NaN where there is no interval, -inf/inf where the
    data do not bound the parameter; ``intervals`` says per parameter how
    the interval was obtained; ``warnings`` lists what makes the fit unfit
    to be a prior, ``notes`` what the user should know but does not (e.g. a
    bootstrap interval replaced by a profile interval).
    """

    method: str
    values: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    rmse_blue: float
    r2_blue: float
    free: tuple[str, ...] = ()
    intervals: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    observations: int = 0
    notes: tuple[str, ...] = ()


def parameters_for(
    law: str, fix: dict[str, float] | None = None, free: tuple[str, ...] | None = None
) -> tuple[tuple[str, ...], dict[str, float]]:
    """The parameters to estimate and the values held, from a law, ``--fix`` and ``--free``.

    The law holds its exponents (``free`` holds none); ``fix`` holds any
    parameter at a value and overrides the law; ``free``, when given, names
    the parameters to estimate, and every other one must be held.
    """
    if law not in LAWS:
        raise CalibrationError(f"law {law!r}: expected one of {list(LAWS)}")
    fix = fix or {}
    for name, value in fix.items():
        _check_fixed(name, value)
    held = {**LAWS[law], **fix}
    if free is None:
        free = tuple(n for n in PARAMETERS if n not in held)
    clash = [n for n in free if n in fix]
    if clash:
        raise CalibrationError(f"{clash[0]} is both fitted (--free) and fixed (--fix)")
    held = {k: v for k, v in held.items() if k not in free}
    loose = [n for n in PARAMETERS if n not in free and n not in held]
    if loose:
        raise CalibrationError(
            f"{loose[0]} is neither fitted nor fixed under the {law} law: add it to --free "
            f"or give --fix {loose[0]}=VALUE"
        )
    if not free:
        raise CalibrationError("nothing to fit: every parameter is fixed")
    return free, held


def _check_fixed(name: str, value: float) -> None:
    if name not in PARAMETERS:
        raise CalibrationError(f"--fix {name}: unknown parameter; expected one of {PARAMETERS}")
    low, high = (0.0, np.inf) if name in COEFFICIENTS else EXPONENT_BOUNDS
    if not (np.isfinite(value) and low <= value <= high):
        allowed = "a finite number >= 0" if name in COEFFICIENTS else f"in {list(EXPONENT_BOUNDS)}"
        raise CalibrationError(f"--fix {name}={value!r}: expected {allowed}")


def simulate(
    reinforcements: F64, red_initial: float, a: float, b: float, p: float = 0.0, q: float = 1.0
) -> tuple[F64, F64]:
    """Blue and red strengths (day + 1,) under the daily generalised Lanchester law.

    Blue starts from 0 and ``reinforcements[t]`` land at the start of day
    ``t``; each day's losses are capped at what the side has.
    """
    a, b, p, q = float(a), float(b), float(p), float(q)  # plain floats: 3x faster loop
    m, n = 0.0, float(red_initial)
    blue, red = [0.0], [n]
    for landed in reinforcements.tolist():
        m += landed
        # A side with no one left neither shoots nor is shot (0 ** -p is undefined).
        if m > 0 and n > 0:
            blue_loss, red_loss = min(a * n**q * m**p, m), min(b * m**q * n**p, n)
            m, n = m - blue_loss, n - red_loss
        blue.append(m)
        red.append(n)
    return np.array(blue), np.array(red)


def _known(series: BattleSeries) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Days (index >= 1) where blue and red strengths were observed; day 0 is given."""
    after_start = np.arange(series.blue_observed.size) >= 1
    return (
        np.isfinite(series.blue_observed) & after_start,
        np.isfinite(series.red_observed) & after_start,
    )


def count_observations(series: BattleSeries, free: tuple[str, ...]) -> tuple[int, bool]:
    """Observations that pin a parameter, and whether they exactly determine ``free``.

    A strength observed at 0 is a bound (the side was wiped out on or
    before that day, whatever the surplus of fire), so it does not count.
    Raises :class:`CalibrationError` when there are fewer than unknowns.
    """
    blue_known, red_known = _known(series)
    blue_counts = int((series.blue_observed[blue_known] > 0).sum())
    red_counts = int((series.red_observed[red_known] > 0).sum())
    observed = blue_counts + red_counts
    if observed < len(free):
        zeros = int(blue_known.sum() + red_known.sum()) - observed
        bound = (
            f" ({zeros} observed at 0, which only bound a coefficient from below)" if zeros else ""
        )
        raise CalibrationError(
            f"{series.name}: {blue_counts} day(s) of observed blue strength and {red_counts} of "
            f"red above 0{bound}; {observed} observation(s) cannot determine {len(free)} "
            f"unknowns {list(free)}: fix some (--law, --fix) or add observed strengths"
        )
    return observed, observed == len(free)


def start_values(
    series: BattleSeries, held: dict[str, float], p: float = 0.0, q: float = 1.0
) -> dict[str, float]:
    r"""Start values of a and b read off the data, for exponents ``p`` and ``q``.

    Paths are interpolated between observations (blue's cumulative losses
    linearly, red's strength linearly; red held at its last observation),
    then :math:`a_0 = \sum \text{blue losses} / \sum_t \hat N_t^q \hat M_t^p`
    and :math:`b_0 = \sum \text{red losses} / \sum_t \hat M_t^q \hat N_t^p`
    over the observed span: the mean daily loss over the mean fire received.
    Where a side's losses are not observed its coefficient starts at the
    other's times the ratio of fire received. ``held`` values are kept.
    """
    days = series.reinforcements.size
    blue_known, red_known = _known(series)
    landed = np.concatenate([[0.0], np.cumsum(series.reinforcements)])  # (day + 1,)
    index = np.arange(days + 1)
    lost_days = np.concatenate([[0], index[blue_known]])
    lost = np.concatenate([[0.0], (landed - series.blue_observed)[blue_known]])
    blue_path = np.maximum(landed - np.interp(index, lost_days, np.maximum.accumulate(lost)), 0.0)
    red_days = np.concatenate([[0], index[red_known]])
    red_values = np.concatenate([[series.red_initial], series.red_observed[red_known]])
    red_path = np.interp(index, red_days, red_values)
    # Fire received each day, with strengths of at least one soldier so 0 ** -p is defined.
    m = np.maximum(blue_path[:-1] + series.reinforcements, 1.0)
    n = np.maximum(red_path[:-1], 1.0)
    start: dict[str, float] = {}
    blue_until = int(lost_days[-1])
    red_until = int(red_days[-1])
    if blue_until > 0 and lost[-1] > 0:
        start["a"] = float(lost[-1] / np.sum(n[:blue_until] ** q * m[:blue_until] ** p))
    if red_until > 0 and red_values[-1] < series.red_initial:
        # Red wiped out by its last observation: the losses cannot exceed what it had.
        start["b"] = float(
            (series.red_initial - red_values[-1]) / np.sum(m[:red_until] ** q * n[:red_until] ** p)
        )
    ratio = float(np.sum(n**q * m**p) / np.sum(m**q * n**p))
    if "a" not in start:
        start["a"] = start.get("b", 1e-3) / ratio
    if "b" not in start:
        start["b"] = start["a"] * ratio
    return {**start, "p": p, "q": q, **held}


def _exponent_sets(held: dict[str, float]) -> list[tuple[float, float]]:
    """Start exponents (p, q): each law's and (0.5, 0.5), as far as ``held`` leaves them free."""
    return sorted(
        {
            (held.get("p", law.get("p", 0.5)), held.get("q", law.get("q", 0.5)))
            for law in (*LAWS.values(), {"p": 0.5, "q": 0.5})
        }
    )


def _starts(series: BattleSeries, free: tuple[str, ...], held: dict[str, float]) -> list[F64]:
    """Multi-start points: each set of start exponents x multiples of the data's a0, b0.

    With exponents held, a0 and b0 are scaled independently (9 starts);
    with free exponents together (4 x 3 starts).
    """
    exponent_sets = _exponent_sets(held)
    scales = list(itertools.product(START_SCALES, START_SCALES))
    if len(exponent_sets) > 1:
        scales = [(s, s) for s in START_SCALES]
    points = []
    for p, q in exponent_sets:
        base = start_values(series, held, p, q)
        for scale_a, scale_b in scales:
            scaled = {**base, "a": base["a"] * scale_a, "b": base["b"] * scale_b, **held}
            points.append(np.array([scaled[n] for n in free]))
    return points


def _residuals(
    theta: F64, names: tuple[str, ...], held: dict[str, float], series: BattleSeries
) -> F64:
    """Observed minus modelled strengths, blue over its total landed, red over its initial."""
    blue, red = simulate(
        series.reinforcements,
        series.red_initial,
        **{**held, **dict(zip(names, theta, strict=True))},
    )
    blue_known, red_known = _known(series)
    return np.concatenate(
        [
            (blue - series.blue_observed)[blue_known] / max(series.reinforcements.sum(), 1.0),
            (red - series.red_observed)[red_known] / max(series.red_initial, 1.0),
        ]
    )


def _bounds(names: tuple[str, ...]) -> tuple[list[float], list[float]]:
    lower = [0.0 if n in COEFFICIENTS else EXPONENT_BOUNDS[0] for n in names]
    upper = [np.inf if n in COEFFICIENTS else EXPONENT_BOUNDS[1] for n in names]
    return lower, upper


def _solve(
    series: BattleSeries, free: tuple[str, ...], held: dict[str, float], start: F64
) -> optimize.OptimizeResult:
    """One least-squares fit of ``free`` from ``start``."""
    with np.errstate(all="ignore"):  # trial points may overflow; the optimiser steps back
        return optimize.least_squares(
            _residuals, start, bounds=_bounds(free), args=(free, held, series), x_scale="jac"
        )


def _multi_start(
    series: BattleSeries, free: tuple[str, ...], held: dict[str, float]
) -> tuple[F64, list[str]]:
    """The best least-squares fit over :func:`_starts`, and warnings about it."""
    best: optimize.OptimizeResult | None = None
    best_start = np.array([])
    for start in _starts(series, free, held):
        out = _solve(series, free, held, start)
        if best is None or out.cost < best.cost:
            best, best_start = out, start
    assert best is not None
    warnings = []
    if np.allclose(best.x, best_start, rtol=1e-6, atol=0.0):
        shown = ", ".join(f"{n} = {v:.5g}" for n, v in zip(free, best.x, strict=True))
        warnings.append(
            f"the optimiser returned its start ({shown}) from every start tried: the "
            "criterion is flat there; this law does not fit these data"
        )
    return np.asarray(best.x, dtype=np.float64), warnings


def _quality(series: BattleSeries, params: dict[str, float]) -> tuple[float, float]:
    """RMSE and R² of blue strength over its observed days (R² NaN below 3 days)."""
    blue, _ = simulate(series.reinforcements, series.red_initial, **params)
    known, _ = _known(series)
    obs = series.blue_observed[known]
    if obs.size == 0:
        return np.nan, np.nan
    err = blue[known] - obs
    rmse = float(np.sqrt(np.mean(err**2)))
    spread = float(np.sum((obs - obs.mean()) ** 2))
    r2 = 1.0 - float(np.sum(err**2)) / spread if obs.size >= 3 and spread > 0 else np.nan
    return rmse, r2


def _quality_warnings(r2: float) -> list[str]:
    if np.isfinite(r2) and r2 < 0:
        return [
            f"R² of blue strength = {r2:.4g} < 0: the fitted path is worse than the mean of "
            "the observations; this law does not fit these data"
        ]
    return []


def fit_least_squares(
    series: BattleSeries,
    free: tuple[str, ...] = ("a", "b"),
    fixed: dict[str, float] | None = None,
    bootstrap: int = 200,
    seed: int = 0,
    measurement_error: float = 0.0,
) -> Fit:
    """Least-squares fit of ``free`` parameters from several starts; 95% bootstrap intervals.

    The bootstrap adds residuals, resampled (centred) separately for blue and
    red, to the fitted path, refits from the estimate and takes the 2.5th and
    97.5th percentiles (Efron & Tibshirani (1993), ch. 9). A percentile
    interval that excludes its own estimate is replaced, with a warning, by
    the profile interval of the least-squares criterion. With as many
    observations as unknowns the fit is exact (:func:`fit_exact`).
    """
    held = _held(free, fixed)
    observed, exact = count_observations(series, free)
    if exact:
        return fit_exact(series, free, held, measurement_error, bootstrap, seed)
    theta, warnings = _multi_start(series, free, held)
    values = {**held, **dict(zip(free, theta, strict=True))}
    draws = _bootstrap(series, free, held, theta, bootstrap, seed)
    low, high, intervals = {}, {}, {}
    notes: list[str] = []
    loss = _least_squares_loss(series)
    for i, name in enumerate(free):
        if draws is None:
            low[name], high[name], intervals[name] = np.nan, np.nan, "none (no bootstrap)"
            continue
        low[name], high[name] = _percentiles(name, draws[:, i])
        intervals[name] = f"percentile bootstrap ({bootstrap} resamples)"
        degenerate = high[name] - low[name] <= 1e-9 * abs(theta[i])
        if degenerate or not _contains(low[name], high[name], float(theta[i])):
            why = (
                "has zero width (fixed by observations whose error the bootstrap cannot see)"
                if degenerate
                else f"excludes its estimate {theta[i]:.5g} (a biased bootstrap distribution)"
            )
            notes.append(
                f"the percentile bootstrap interval of {name} [{low[name]:.5g}, "
                f"{high[name]:.5g}] {why}; the profile interval of the least-squares "
                "criterion is used instead"
            )
            low[name], high[name] = _profile_interval(loss, free, held, theta, i, warnings)
            intervals[name] = "profile of the least-squares criterion (bootstrap failed)"
    rmse, r2 = _quality(series, values)
    warnings += _quality_warnings(r2) + _identification_warnings(free, values, low, high)
    return Fit(
        "least squares",
        values,
        low,
        high,
        rmse,
        r2,
        free,
        intervals,
        tuple(warnings),
        observed,
        tuple(notes),
    )


def _percentiles(name: str, draws: F64) -> tuple[float, float]:
    """2.5th and 97.5th percentiles; -inf/inf where they sit on an exponent's search bound."""
    low, high = (float(v) for v in np.percentile(draws, [2.5, 97.5]))
    if name not in COEFFICIENTS:
        low = -np.inf if low <= EXPONENT_BOUNDS[0] + 1e-9 else low
        high = np.inf if high >= EXPONENT_BOUNDS[1] - 1e-9 else high
    return low, high


def _contains(low: float, high: float, value: float) -> bool:
    """``low <= value <= high`` up to rounding (1e-9 of the value)."""
    slack = 1e-9 * abs(value)
    return bool(low - slack <= value <= high + slack)


def _held(free: tuple[str, ...], fixed: dict[str, float] | None) -> dict[str, float]:
    """The values held: ``fixed`` over the square law's exponents, minus what is fitted."""
    bad = [n for n in free if n not in PARAMETERS]
    if bad or not free or len(set(free)) != len(free):
        raise CalibrationError(
            f"free parameters {list(free)}: expected distinct names from {PARAMETERS}"
        )
    held = {**LAWS["square"], **(fixed or {})}
    return {k: v for k, v in held.items() if k not in free}


def _bootstrap(
    series: BattleSeries,
    free: tuple[str, ...],
    held: dict[str, float],
    theta: F64,
    resamples: int,
    seed: int,
) -> F64 | None:
    """Refits (resample, free) to the fitted path plus resampled centred residuals."""
    if resamples == 0:
        return None
    blue, red = simulate(
        series.reinforcements, series.red_initial, **{**held, **dict(zip(free, theta, strict=True))}
    )
    blue_known, red_known = _known(series)
    rng = np.random.default_rng(seed)
    draws = np.empty((resamples, len(free)))
    for k in range(resamples):
        blue_observed = _resampled(series.blue_observed, blue, blue_known, rng)
        red_observed = _resampled(series.red_observed, red, red_known, rng)
        again = BattleSeries(
            series.name, series.reinforcements, blue_observed, red_observed, series.red_initial
        )
        draws[k] = _solve(again, free, held, theta).x
    return draws


def _resampled(
    observed: F64, fitted: F64, known: NDArray[np.bool_], rng: np.random.Generator
) -> F64:
    """Fitted values plus residuals drawn with replacement (centred when 3 or more)."""
    residuals = (observed - fitted)[known]
    if residuals.size >= 3:
        residuals = residuals - residuals.mean()
    out = observed.copy()
    out[known] = np.maximum(fitted[known] + rng.choice(residuals, size=residuals.size), 0.0)
    return out


def fit_exact(
    series: BattleSeries,
    free: tuple[str, ...],
    held: dict[str, float],
    measurement_error: float = 0.0,
    draws: int = 200,
    seed: int = 0,
) -> Fit:
    """The parameters that reproduce as many observations as there are unknowns.

    E.g. start and end strengths (and the landings between) with the law
    fixed: a from blue's end strength, b from red's. There is no interval
    from the data themselves. With ``measurement_error`` (the relative
    standard deviation of each observed strength) the observations are
    redrawn ``draws`` times, each solved again, and the 2.5th-97.5th
    percentiles reported.
    """
    observed, _ = count_observations(series, free)
    theta, warnings = _multi_start(series, free, held)
    values = {**held, **dict(zip(free, theta, strict=True))}
    miss = float(np.max(np.abs(_residuals(theta, free, held, series))))
    if miss > 1e-4:
        warnings.append(
            f"no parameters reproduce the observations exactly under this law: the closest "
            f"misses by {miss:.3g} of the side's strength"
        )
    low = {n: np.nan for n in free}
    high = dict(low)
    how = (
        f"none: exactly determined by {observed} observations for {len(free)} unknowns "
        "(state a measurement error for an interval)"
    )
    intervals = dict.fromkeys(free, how)
    if measurement_error > 0 and draws > 0:
        rng = np.random.default_rng(seed)
        blue_known, red_known = _known(series)
        solved = np.empty((draws, len(free)))
        for k in range(draws):
            blue_observed, red_observed = series.blue_observed.copy(), series.red_observed.copy()
            for values_, known in ((blue_observed, blue_known), (red_observed, red_known)):
                noise = 1.0 + measurement_error * rng.standard_normal(int(known.sum()))
                values_[known] = np.maximum(values_[known] * noise, 0.0)
            again = BattleSeries(
                series.name, series.reinforcements, blue_observed, red_observed, series.red_initial
            )
            solved[k] = _solve(again, free, held, theta).x
        for i, name in enumerate(free):
            low[name], high[name] = (float(v) for v in np.percentile(solved[:, i], [2.5, 97.5]))
            intervals[name] = (
                f"observations redrawn with a {measurement_error:.3g} relative measurement "
                f"error ({draws} draws)"
            )
            if not _contains(low[name], high[name], float(theta[i])):
                warnings.append(
                    f"the interval of {name} [{low[name]:.5g}, {high[name]:.5g}] from the stated "
                    f"measurement error excludes its estimate {theta[i]:.5g}"
                )
    rmse, _ = _quality(series, values)
    return Fit(
        "exact (as many observations as unknowns)",
        values,
        low,
        high,
        rmse,
        np.nan,
        free,
        intervals,
        tuple(warnings),
        observed,
    )


def _spans(series: BattleSeries) -> tuple[NDArray[np.int_], F64]:
    """Indices of blue's known strengths (day 0 = 0 included) and each span's observed losses."""
    blue_known, _ = _known(series)
    index = np.concatenate([[0], np.flatnonzero(blue_known)])
    strength = np.concatenate([[0.0], series.blue_observed[blue_known]])
    landed = np.concatenate([[0.0], np.cumsum(series.reinforcements)])[index]
    return index, strength[:-1] + np.diff(landed) - strength[1:]


def _likelihood_loss(series: BattleSeries) -> Loss:
    r"""The negative log-likelihood of :func:`fit_likelihood` as a function of the parameters.

    :math:`\tfrac{n}{2}\ln(\mathrm{RSS}/n)` of blue's span losses (each over
    :math:`\sqrt{\text{days}}`) plus :math:`\sum (N_t - \hat N_t)^2 / 2s^2` for red's
    observed strengths, :math:`s` = :data:`RED_OBSERVATION_ERROR` x its initial strength
    (constants dropped).
    """
    index, observed_losses = _spans(series)
    root_days = np.sqrt(np.diff(index))
    landed = np.concatenate([[0.0], np.cumsum(series.reinforcements)])
    _, red_known = _known(series)
    red_observed = series.red_observed[red_known]
    scale = max(RED_OBSERVATION_ERROR * series.red_initial, 1.0)

    def loss(params: dict[str, float]) -> float:
        if params["a"] < 0 or params["b"] < 0:
            return np.inf
        blue, red = simulate(series.reinforcements, series.red_initial, **params)
        nll = 0.0
        if observed_losses.size:
            model_losses = np.diff((landed - blue)[index])  # modelled losses in each span
            scaled = (observed_losses - model_losses) / root_days
            n = scaled.size
            nll += 0.5 * n * np.log(max(float(scaled @ scaled) / n, 1e-12))
        if red_observed.size:
            z = (red[red_known] - red_observed) / scale
            nll += 0.5 * float(z @ z)
        return nll

    return loss


def _least_squares_loss(series: BattleSeries) -> Loss:
    """The least-squares criterion as a concentrated Gaussian NLL, for profiles."""

    def loss(params: dict[str, float]) -> float:
        names = tuple(params)
        residuals = _residuals(np.array(list(params.values())), names, {}, series)
        n = residuals.size
        return 0.5 * n * np.log(max(float(np.sum(residuals**2)) / n, 1e-300))

    return loss


def fit_likelihood(
    series: BattleSeries,
    free: tuple[str, ...] = ("a", "b"),
    fixed: dict[str, float] | None = None,
    measurement_error: float = 0.0,
    draws: int = 200,
    seed: int = 0,
) -> Fit:
    """Maximum likelihood (normal span losses) from several starts; 95% profile intervals.

    With as many observations as unknowns the fit is exact (:func:`fit_exact`).
    """
    held = _held(free, fixed)
    observed, exact = count_observations(series, free)
    if exact:
        return fit_exact(series, free, held, measurement_error, draws, seed)

    loss = _likelihood_loss(series)
    ls_theta, warnings = _multi_start(series, free, held)
    data_starts = [start_values(series, held, p, q) for p, q in _exponent_sets(held)]
    candidates = [ls_theta, *(np.array([s[n] for n in free]) for s in data_starts)]
    best, best_fun = ls_theta, np.inf
    for start in candidates:
        theta, fun = _minimise(loss, free, held, start)
        if fun < best_fun:
            best, best_fun = theta, fun
    values = {**held, **dict(zip(free, best, strict=True))}
    low, high = {}, {}
    for i, name in enumerate(free):
        low[name], high[name] = _profile_interval(loss, free, held, best, i, warnings)
    rmse, r2 = _quality(series, values)
    warnings += _quality_warnings(r2) + _identification_warnings(free, values, low, high)
    intervals = dict.fromkeys(free, "profile likelihood")
    return Fit(
        "maximum likelihood",
        values,
        low,
        high,
        rmse,
        r2,
        free,
        intervals,
        tuple(warnings),
        observed,
    )


def _to_search(names: tuple[str, ...], theta: F64) -> F64:
    """Coefficients on a log scale (positive, any magnitude), exponents as they are."""
    return np.array(
        [
            np.log(max(v, 1e-300)) if n in COEFFICIENTS else v
            for n, v in zip(names, theta, strict=True)
        ]
    )


def _from_search(names: tuple[str, ...], u: F64) -> F64:
    return np.array([np.exp(v) if n in COEFFICIENTS else v for n, v in zip(names, u, strict=True)])


def _minimise(
    loss: Loss, names: tuple[str, ...], held: dict[str, float], start: F64, tolerance: float = 1e-8
) -> tuple[F64, float]:
    """Nelder-Mead on ``loss`` over ``names`` (coefficients on a log scale), the rest ``held``.

    ``tolerance`` bounds the simplex's size (log units) and the spread of its
    values: 1e-8 for estimates, looser inside profiles, whose threshold is 1.92 above.
    """
    if not names:
        return np.array([]), float(loss(held))

    def objective(u: F64) -> float:
        theta = _from_search(names, u)
        exponents = [v for n, v in zip(names, theta, strict=True) if n not in COEFFICIENTS]
        if any(not EXPONENT_BOUNDS[0] <= v <= EXPONENT_BOUNDS[1] for v in exponents):
            return np.inf
        return loss({**held, **dict(zip(names, theta, strict=True))})

    with np.errstate(all="ignore"):  # trial points may overflow; Nelder-Mead compares inf
        out = optimize.minimize(
            objective,
            _to_search(names, start),
            method="Nelder-Mead",
            options={"xatol": tolerance, "fatol": tolerance, "maxiter": 1500 * len(names)},
        )
    return _from_search(names, out.x), float(out.fun)


def _profile_interval(
    loss: Loss,
    free: tuple[str, ...],
    held: dict[str, float],
    best: F64,
    i: int,
    warnings: list[str],
) -> tuple[float, float]:
    r"""Where the profile of parameter ``i`` rises :math:`\chi^2_{1,0.95}/2` above its minimum.

    The other free parameters are re-optimised at each value, starting from
    the solution at the previous value. A coefficient's bound is 0 where the
    profile stays under the threshold down to estimate / 1e6, inf above
    estimate x 1e6; an exponent's bound is -inf/inf where it stays under the
    threshold to the end of :data:`EXPONENT_BOUNDS`. A profile that finds a
    better fit than the estimate adds a warning (the optimiser did not converge).
    """
    name = free[i]
    coefficient = name in COEFFICIENTS
    if coefficient and best[i] <= 0:
        warnings.append(f"{name} is estimated at 0, the edge of its range: no profile interval")
        return 0.0, np.nan
    others = tuple(n for n in free if n != name)
    others_best = np.array([v for j, v in enumerate(best) if j != i])
    best_fun = _minimise(loss, others, {**held, name: float(best[i])}, others_best)[1]
    best_fun = min(best_fun, loss({**held, **dict(zip(free, best, strict=True))}))
    threshold = best_fun + CHI2_95 / 2
    centre = float(np.log(best[i])) if coefficient else float(best[i])
    lowest = [best_fun]
    previous = [others_best]

    def excess(u: float) -> float:
        value = float(np.exp(u)) if coefficient else u
        x, fun = _minimise(loss, others, {**held, name: value}, previous[0], PROFILE_TOLERANCE)
        previous[0] = x
        lowest[0] = min(lowest[0], fun)
        return fun - threshold

    bounds = []
    for direction in (-1.0, 1.0):
        previous[0] = others_best
        if coefficient:
            limit = centre + direction * float(np.log(COEFFICIENT_RANGE))
        else:
            limit = EXPONENT_BOUNDS[0] if direction < 0 else EXPONENT_BOUNDS[1]
        bounds.append(_crossing(excess, centre, limit, direction, coefficient))
    if lowest[0] < best_fun - 1e-6:
        warnings.append(
            f"the profile of {name} found a better fit than the estimate (criterion "
            f"{lowest[0]:.6g} < {best_fun:.6g}): the optimiser did not converge"
        )
    return bounds[0], bounds[1]


def _crossing(
    excess: Callable[[float], float],
    centre: float,
    limit: float,
    direction: float,
    coefficient: bool,
) -> float:
    """Step out from ``centre`` (doubling) to ``limit``, then bisect ``excess = 0``.

    Bisection rather than Brent: the profile is re-optimised at each point,
    so it is only nearly continuous, and the bracket is kept on the values seen.
    """
    step = 0.02 if coefficient else 0.01
    inside = centre
    while True:
        outside = centre + direction * step
        if direction * (outside - limit) >= 0:
            outside = limit
        if excess(outside) >= 0:
            break
        if outside == limit:
            if coefficient:
                return 0.0 if direction < 0 else np.inf
            return -np.inf if direction < 0 else np.inf
        inside, step = outside, step * 2
    while abs(outside - inside) > 1e-4:
        middle = 0.5 * (inside + outside)
        if excess(middle) >= 0:
            outside = middle
        else:
            inside = middle
    root = 0.5 * (inside + outside)
    return float(np.exp(root)) if coefficient else root


def _identification_warnings(
    free: tuple[str, ...], values: dict[str, float], low: dict[str, float], high: dict[str, float]
) -> list[str]:
    """An exponent estimated on its search bound, or an unbounded interval: not identified."""
    out = []
    for name in free:
        on_bound = name not in COEFFICIENTS and (
            min(abs(values[name] - bound) for bound in EXPONENT_BOUNDS) < 1e-6
        )
        if on_bound:
            out.append(
                f"{name} = {values[name]:.5g} is on the edge of its search range "
                f"{list(EXPONENT_BOUNDS)}: not identified by these data"
            )
        elif np.isinf(low[name]) or np.isinf(high[name]):
            out.append(
                f"{name} is not identified by these data: its 95% interval "
                f"[{low[name]:.5g}, {high[name]:.5g}] is unbounded; fix it (--law, --fix) "
                "or add observations"
            )
    return out


DAYS_PER_MONTH = 365.25 / 12


def calibration_block(
    fit: Fit, citation: str, blue: str, red: str, data: str = "", cutoff: str = ""
) -> str:
    """The fit as a scenario TOML block: exponents and monthly lethalities with their source.

    Daily coefficients become monthly ones (x 30.44 days: the daily loss
    :math:`aN^qM^p` summed over a month); ranges are the fit's 95%
    intervals where the parameter was estimated, cut at 0 where the interval
    reaches below it. Each number's source names the citation, the data
    fitted (``data``) and the last day they cover (``cutoff``). Written
    with ``tomli_w``, so any citation text gives valid TOML.

    Raises :class:`CalibrationError`, naming the parameter, its estimate and
    its interval, when a fit must not become a prior: a warning from the
    fit (start returned, R² < 0, not identified, interval without its
    estimate), a value that is not finite or negative, or an estimate
    outside its own interval.
    """
    exact = fit.method.startswith("exact")
    if not exact and not np.isfinite(fit.r2_blue):
        raise CalibrationError(
            f"the fit's R2 is {fit.r2_blue}: the series cannot be fitted; no block written"
        )
    if fit.warnings:
        raise CalibrationError(
            "not written as a prior: " + "; ".join(fit.warnings) + "; no block written"
        )
    quality = "exactly determined, no R2" if exact else f"R2 {fit.r2_blue:.3f}"
    fitted_to = f"; data: {data}" if data else ""
    until = f"; cut-off {cutoff}" if cutoff else ""
    source = (
        f"twofront calibrate, {fit.method} fit of the generalised Lanchester law "
        f"({quality}) to: {citation}{fitted_to}{until}"
    )
    entries = {
        name: _prior(name, fit, scale, source)
        for name, scale in (("q", 1.0), ("p", 1.0), ("a", DAYS_PER_MONTH), ("b", DAYS_PER_MONTH))
    }
    block = {
        "combat": {"shooter_exponent": entries["q"], "target_exponent": entries["p"]},
        "actors": {
            red: {"forces": {"lethality_per_month": entries["a"]}},
            blue: {"forces": {"lethality_per_month": entries["b"]}},
        },
    }
    header = (
        "# Generated by `twofront calibrate`; paste into a scenario file.\n"
        f"# {red} inflicts losses on {blue} at rate a; {blue} on {red} at rate b (per month).\n"
        + (f"# Fitted to {data}{until}.\n" if data else "")
    )
    return header + tomli_w.dumps(block)


def _prior(name: str, fit: Fit, scale: float, source: str) -> dict[str, float | str]:
    """One number of the block: its fitted interval as a uniform prior, or its value."""
    value = fit.values[name]
    if not np.isfinite(value) or value < 0:
        raise CalibrationError(
            f"fitted {name} = {value:.5g}; a scenario needs a finite number >= 0; no block written"
        )
    if name not in fit.free and fit.free:
        return {"value": value * scale, "source": source}
    low, high = fit.low.get(name, np.nan), fit.high.get(name, np.nan)
    if np.isnan(low) or np.isnan(high):
        how = fit.intervals.get(name, "no interval")
        return {"value": value * scale, "source": source, "note": f"interval: {how}"}
    if not _contains(low, high, value):
        raise CalibrationError(
            f"fitted {name} = {value:.5g} lies outside its own 95% interval "
            f"[{low:.5g}, {high:.5g}]: the fit did not converge; no block written "
            "(try --method ml or more --bootstrap resamples)"
        )
    if not np.isfinite(high):
        raise CalibrationError(
            f"fitted {name} = {value:.5g} has the unbounded 95% interval [{low:.5g}, {high:.5g}]: "
            "not identified; no block written (fix it with --law or --fix)"
        )
    cut = max(low, 0.0)
    if not cut < high:
        return {"value": value * scale, "source": source}
    note = f"; 95% interval [{low:.5g}, {high:.5g}] cut at 0" if low < 0 else ""
    return {
        "dist": "uniform",
        "low": cut * scale,
        "high": high * scale,
        "value": value * scale,
        "source": source + note,
        "note": f"interval: {fit.intervals.get(name, '95%')}",
    }
