r"""Fit the generalised Lanchester law to a battle series, with uncertainty.

Model, one step a day (as in Engel 1954), with reinforcements :math:`P_t`
landing at the start of day :math:`t`:

.. math::
   M_{t+1} = M_t + P_t - a\, N_t^{q} M_t^{p}, \qquad
   N_{t+1} = N_t - b\, M_t^{q} N_t^{p}

Square law: :math:`q = 1, p = 0` (each side's losses proportional to the
enemy's strength); linear law: :math:`q = p = 1`. Sources: Lanchester (1916),
*Aircraft in Warfare*; Engel (1954), "A verification of Lanchester's law",
JORSA 2(2):163-171, doi:10.1287/opre.2.2.163, who found for Iwo Jima
a = 0.0544, b = 0.0106 per day; Bracken (1995), "Lanchester models of the
Ardennes campaign", Naval Research Logistics 42(4):559-577, for fitting the
exponents.

Two estimators:

* **least squares** on the observed strengths (:func:`fit_least_squares`,
  :func:`scipy.optimize.least_squares`), with bootstrap intervals from
  resampled residuals;
* **maximum likelihood** with each day's blue losses normally distributed
  around the model's losses, the variance concentrated out
  (:math:`\ell = -\tfrac{n}{2}\ln(\mathrm{RSS}/n)`), which weighs days by
  losses rather than strengths (:func:`fit_likelihood`), with intervals from
  the profile likelihood (:math:`2\Delta\ell \le \chi^2_{1, 0.95} = 3.84`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tomli_w
from numpy.typing import NDArray
from scipy import optimize, stats

from twofront.errors import CalibrationError
from twofront.history import BattleSeries

F64 = NDArray[np.float64]
PARAMETERS = ("a", "b", "p", "q")


def require_observations(series: BattleSeries, free: tuple[str, ...]) -> None:
    """Raise unless blue strength is observed on at least ``len(free) + 2`` days."""
    observed = int(np.isfinite(series.blue_observed).sum())
    if observed < len(free) + 2:
        raise CalibrationError(
            f"{series.name}: {observed} days of observed blue strength; need at least "
            f"{len(free) + 2} to fit {list(free)}"
        )


@dataclass(frozen=True, slots=True)
class Fit:
    """Estimated parameters, their 95% intervals and the fit's quality."""

    method: str
    values: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    rmse_blue: float
    r2_blue: float


def simulate(
    reinforcements: F64, red_initial: float, a: float, b: float, p: float = 0.0, q: float = 1.0
) -> tuple[F64, F64]:
    """Blue and red strengths (day + 1,) under the daily generalised Lanchester law."""
    days = reinforcements.shape[0]
    blue, red = np.zeros(days + 1), np.zeros(days + 1)
    red[0] = red_initial
    m, n = 0.0, red_initial
    for t in range(days):
        m += reinforcements[t]
        # A side with no one left neither shoots nor is shot (0 ** -p is undefined).
        alive = m > 0 and n > 0
        blue_loss = min(a * n**q * m**p, m) if alive else 0.0
        red_loss = min(b * m**q * n**p, n) if alive else 0.0
        m, n = m - blue_loss, n - red_loss
        blue[t + 1], red[t + 1] = m, n
    blue[0] = 0.0
    return blue, red


def _residuals(
    theta: F64, names: tuple[str, ...], fixed: dict[str, float], series: BattleSeries
) -> F64:
    params = {**fixed, **dict(zip(names, theta, strict=True))}
    blue, red = simulate(series.reinforcements, series.red_initial, **params)
    parts = []
    mask_b = np.isfinite(series.blue_observed)
    parts.append((blue - series.blue_observed)[mask_b] / max(np.nanmax(series.blue_observed), 1))
    mask_r = np.isfinite(series.red_observed)
    parts.append((red - series.red_observed)[mask_r] / max(series.red_initial, 1))
    return np.concatenate(parts)


def _solve(
    series: BattleSeries, free: tuple[str, ...], fixed: dict[str, float], start: dict[str, float]
) -> F64:
    lower = [0.0 if n in ("a", "b") else -1.0 for n in free]
    upper = [np.inf if n in ("a", "b") else 2.0 for n in free]
    x0 = [start[n] for n in free]
    out = optimize.least_squares(
        _residuals, x0, bounds=(lower, upper), args=(free, fixed, series), x_scale="jac"
    )
    return out.x


def _quality(series: BattleSeries, params: dict[str, float]) -> tuple[float, float]:
    blue, _ = simulate(series.reinforcements, series.red_initial, **params)
    mask = np.isfinite(series.blue_observed)
    err = blue[mask] - series.blue_observed[mask]
    obs = series.blue_observed[mask]
    rmse = float(np.sqrt(np.mean(err**2)))
    r2 = 1.0 - float(np.sum(err**2) / np.sum((obs - obs.mean()) ** 2))
    return rmse, r2


def fit_least_squares(
    series: BattleSeries,
    free: tuple[str, ...] = ("a", "b"),
    fixed: dict[str, float] | None = None,
    bootstrap: int = 200,
    seed: int = 0,
) -> Fit:
    """Least-squares fit of ``free`` parameters; 95% intervals by residual bootstrap.

    The bootstrap refits to the model's path plus resampled residuals of the
    observed blue strength (Efron & Tibshirani (1993), *An Introduction to
    the Bootstrap*, ch. 9).
    """
    require_observations(series, free)
    fixed = {"p": 0.0, "q": 1.0, **(fixed or {})}
    start = {"a": 0.05, "b": 0.01, "p": 0.0, "q": 1.0}
    theta = _solve(series, free, {k: v for k, v in fixed.items() if k not in free}, start)
    values = {**fixed, **dict(zip(free, theta, strict=True))}
    blue, _ = simulate(series.reinforcements, series.red_initial, **values)
    mask = np.isfinite(series.blue_observed)
    residuals = (series.blue_observed - blue)[mask]
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(bootstrap):
        observed = series.blue_observed.copy()
        observed[mask] = blue[mask] + rng.choice(residuals, size=residuals.size, replace=True)
        resampled = BattleSeries(
            series.name, series.reinforcements, observed, series.red_observed, series.red_initial
        )
        draws.append(
            _solve(resampled, free, {k: v for k, v in fixed.items() if k not in free}, dict(values))
        )
    spread = np.percentile(np.array(draws), [2.5, 97.5], axis=0) if draws else None
    low = {n: float(spread[0, i]) if spread is not None else np.nan for i, n in enumerate(free)}
    high = {n: float(spread[1, i]) if spread is not None else np.nan for i, n in enumerate(free)}
    rmse, r2 = _quality(series, values)
    return Fit("least squares", values, low, high, rmse, r2)


def _daily_blue_losses(series: BattleSeries) -> tuple[F64, NDArray[np.bool_]]:
    """Observed blue losses per day from strengths and reinforcements, and where known."""
    obs = series.blue_observed
    before = np.concatenate([[0.0], obs[1:-1]]) + series.reinforcements
    losses = before - obs[1:]
    return losses, np.isfinite(losses)


def _negative_log_likelihood(
    theta: F64, names: tuple[str, ...], fixed: dict[str, float], series: BattleSeries
) -> float:
    params = {**fixed, **dict(zip(names, theta, strict=True))}
    if params["a"] <= 0 or params["b"] <= 0:
        return np.inf
    blue, red = simulate(series.reinforcements, series.red_initial, **params)
    observed, known = _daily_blue_losses(series)
    model_blue_before = blue[:-1] + series.reinforcements
    mean = params["a"] * red[:-1] ** params["q"] * model_blue_before ** params["p"]
    rss = float(np.sum((observed[known] - mean[known]) ** 2))
    nll = 0.5 * known.sum() * np.log(max(rss, 1e-9) / known.sum())
    mask_r = np.isfinite(series.red_observed)
    if mask_r.any():
        scale = max(0.02 * series.red_initial, 1.0)
        nll -= float(np.sum(stats.norm.logpdf(red[mask_r], series.red_observed[mask_r], scale)))
    return nll


def fit_likelihood(
    series: BattleSeries,
    free: tuple[str, ...] = ("a", "b"),
    fixed: dict[str, float] | None = None,
) -> Fit:
    """Maximum likelihood (normal daily losses); 95% profile-likelihood intervals.

    Red's end strength, where observed, enters with a normal error of 2% of
    its initial strength (its counts are estimates, not daily returns).
    """
    require_observations(series, free)
    fixed = {"p": 0.0, "q": 1.0, **(fixed or {})}
    held = {k: v for k, v in fixed.items() if k not in free}
    start = _solve(series, free, held, {"a": 0.05, "b": 0.01, "p": 0.0, "q": 1.0})
    out = _minimise_nll(start, free, held, series, precise=True)
    best = out.x
    values = {**fixed, **dict(zip(free, best, strict=True))}
    low, high = {}, {}
    threshold = out.fun + stats.chi2.ppf(0.95, 1) / 2
    for i, name in enumerate(free):
        low[name], high[name] = _profile_interval(series, free, held, best, i, threshold)
    rmse, r2 = _quality(series, values)
    return Fit("maximum likelihood", values, low, high, rmse, r2)


def _minimise_nll(
    start: F64,
    names: tuple[str, ...],
    fixed: dict[str, float],
    series: BattleSeries,
    precise: bool = False,
) -> optimize.OptimizeResult:
    """Nelder-Mead on the negative log-likelihood over ``names``, the rest ``fixed``.

    ``precise`` tightens the tolerances (1e-8) and allows 4,000 iterations.
    """

    def objective(theta: F64) -> float:
        return _negative_log_likelihood(theta, names, fixed, series)

    # Nelder-Mead compares inf values of the NLL outside the admissible region.
    with np.errstate(invalid="ignore", over="ignore"):
        if precise:
            return optimize.minimize(
                objective,
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 4000},
            )
        return optimize.minimize(objective, start, method="Nelder-Mead")


def _profile_interval(
    series: BattleSeries,
    free: tuple[str, ...],
    held: dict[str, float],
    best: F64,
    i: int,
    threshold: float,
) -> tuple[float, float]:
    """Where the profile negative log-likelihood of parameter ``i`` crosses ``threshold``."""
    others = tuple(n for j, n in enumerate(free) if j != i)

    def profile(value: float) -> float:
        fixed_here = {**held, free[i]: value}
        if not others:
            return _negative_log_likelihood(np.array([]), (), fixed_here, series)
        start = np.array([best[j] for j in range(len(free)) if j != i])
        return float(_minimise_nll(start, others, fixed_here, series).fun)

    centre = float(best[i])
    bounds = []
    for direction in (-1.0, 1.0):
        step = 0.01 * abs(centre) + 1e-6
        inside = centre
        outside = centre + direction * step
        while profile(outside) < threshold and abs(outside - centre) < 10 * abs(centre) + 1:
            inside, step = outside, step * 2
            outside = centre + direction * step
        bounds.append(
            optimize.brentq(
                lambda v: profile(v) - threshold,
                inside,
                outside,
                xtol=1e-6 * max(abs(centre), 1e-6),
            )
            if profile(outside) >= threshold
            else np.nan
        )
    return bounds[0], bounds[1]


DAYS_PER_MONTH = 365.25 / 12


def calibration_block(fit: Fit, citation: str, blue: str, red: str) -> str:
    """The fit as a scenario TOML block: exponents and monthly lethalities with their source.

    Daily coefficients become monthly ones (x 30.44 days; exact for the
    square law, whose coefficient has units 1/day); ranges are the fit's 95%
    intervals where the parameter was estimated, cut at 0 where the interval
    reaches below it (every one of these numbers is >= 0). Written with
    ``tomli_w``, so any citation text gives valid TOML.

    Raises :class:`CalibrationError` when a fitted value is not finite or
    lies outside its own interval (the fit did not converge): such a value
    must not become a prior.
    """
    source = (
        f"twofront calibrate, {fit.method} fit of the generalised Lanchester law "
        f"(R2 {fit.r2_blue:.3f}) to: {citation}"
    )
    if not np.isfinite(fit.r2_blue):
        raise CalibrationError(
            f"the fit's R2 is {fit.r2_blue}: the series cannot be fitted; no block written"
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
    )
    return header + tomli_w.dumps(block)


def _prior(name: str, fit: Fit, scale: float, source: str) -> dict[str, float | str]:
    """One number of the block: its fitted interval as a uniform prior, or its value."""
    value = fit.values[name]
    if not np.isfinite(value) or value < 0:
        raise CalibrationError(f"fitted {name} = {value}; expected a finite number >= 0")
    low, high = fit.low.get(name), fit.high.get(name)
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return {"value": value * scale, "source": source}
    if not low <= value <= high:
        raise CalibrationError(
            f"fitted {name} = {value:.5g} lies outside its own 95% interval "
            f"[{low:.5g}, {high:.5g}]: the fit did not converge; no block written "
            "(try --method ml or more --bootstrap resamples)"
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
    }
