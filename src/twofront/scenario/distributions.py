"""Uncertain numeric parameters: a fixed value or a distribution, with provenance.

Every number in a scenario file is a ``Param``: a table such as

.. code-block:: toml

   capacity_per_month = { dist = "triangular", low = 36000, mode = 40000,
                          high = 44000, source = "US Army, 'Army ...', 2024-09-25" }
   ramp_months = { value = 18, assumption = "no public figure; mid of 12-24 m lines" }
   [fronts.donbas.advance_km2_per_month]   # a number tuned on data says which, and to when
   dist = "uniform"
   low = 2000
   high = 5000
   assumption = "calibrated to the monthly gains of Aug-Dec 2024"
   fitted_to = { data = "data/ukraine_territory_monthly.csv", through = "2024-12" }

A bare number is rejected: the file must say where each number comes from.
Uniforms from :mod:`twofront.engine.rng` are mapped to values by the
distribution's quantile function (``scipy.stats`` ``ppf``), so the same
uniform gives the same quantile in every run and for every strategy
(common random numbers).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import AfterValidator, BaseModel, ConfigDict, StrictFloat, model_validator
from scipy import stats

from twofront.scenario.limits import MAX_MAGNITUDE, MAX_PERSONNEL, MAX_TEXT_CHARS, MIN_POSITIVE

Dist = Literal["fixed", "uniform", "triangular", "normal", "lognormal", "beta"]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
    "beta": ("alpha", "beta"),
}
_ALLOWED: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high", "value"),
    "triangular": ("low", "mode", "high", "value"),
    "normal": ("mean", "sd", "low", "high", "value"),
    "lognormal": ("median", "sigma", "low", "high", "value"),
    "beta": ("alpha", "beta", "low", "high", "value"),
}
_NUMERIC = ("value", "low", "high", "mode", "mean", "sd", "median", "sigma", "alpha", "beta")
_MONTH_OR_DAY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")


class FittedTo(BaseModel):
    """The data a number was fitted (tuned, calibrated) to, and the last date it saw.

    ``data`` is a shipped series (``"data/<name>.csv"``) or, for figures not
    shipped as a series, a short name of them that validation cases quote
    (the citation stays in the number's ``source``/``assumption``).
    ``through`` (and the optional ``since``) are ``YYYY-MM`` or ``YYYY-MM-DD``:
    a check scored on this data at or before ``through`` is in-sample.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str
    through: str
    since: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> FittedTo:
        if not self.data.strip() or len(self.data) > MAX_TEXT_CHARS:
            raise ValueError(
                f"fitted_to.data = {self.data!r}; expected 'data/<name>.csv' or a short "
                f"name of the figures (1 to {MAX_TEXT_CHARS} characters)"
            )
        for name in ("since", "through"):
            text = getattr(self, name)
            if text is not None and not _MONTH_OR_DAY.match(text):
                raise ValueError(
                    f"fitted_to.{name} = {text!r}; expected a date 'YYYY-MM' or 'YYYY-MM-DD'"
                )
        if self.since is not None and self.since[:7] > self.through[:7]:
            raise ValueError(
                f"fitted_to.since = {self.since!r} is after through = {self.through!r}"
            )
        return self

    @property
    def series(self) -> str:
        """The shipped series' name (``ukraine_territory_monthly``), or ``data`` as written."""
        match = re.fullmatch(r"data/([\w.-]+)\.csv", self.data)
        return match.group(1) if match else self.data

    def covers(self, month: str) -> bool:
        """Whether the fit saw data of ``month`` (``YYYY-MM``): ``since <= month <= through``."""
        after_start = self.since is None or month[:7] >= self.since[:7]
        return after_start and month[:7] <= self.through[:7]


class Param(BaseModel):
    """A number with its uncertainty and its provenance.

    ``value`` on a distribution is optional and is the figure the source
    reports (shown by ``twofront sources``); sampling uses the distribution.
    ``low``/``high`` on normal, lognormal and beta are bounds (truncation by
    clipping for normal and lognormal, the scale for beta, default [0, 1]).
    ``fitted_to`` says which data the number was tuned on, up to which date
    (:class:`FittedTo`); validation labels checks on that data in-sample.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dist: Dist = "fixed"
    value: StrictFloat | None = None
    low: StrictFloat | None = None
    high: StrictFloat | None = None
    mode: StrictFloat | None = None
    mean: StrictFloat | None = None
    sd: StrictFloat | None = None
    median: StrictFloat | None = None
    sigma: StrictFloat | None = None
    alpha: StrictFloat | None = None
    beta: StrictFloat | None = None
    source: str | None = None
    assumption: str | None = None
    note: str | None = None
    fitted_to: FittedTo | None = None

    @model_validator(mode="before")
    @classmethod
    def _table_not_bare_number(cls, data: Any) -> Any:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            raise ValueError(
                f"bare number {data!r}; expected a table such as "
                '{ value = ..., source = "title, publisher, date" } or '
                '{ value = ..., assumption = "why this value" }'
            )
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Param:
        missing = [f for f in _REQUIRED[self.dist] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"dist = {self.dist!r} needs {', '.join(missing)}")
        extra = [
            f for f in _NUMERIC if getattr(self, f) is not None and f not in _ALLOWED[self.dist]
        ]
        if extra:
            allowed = ", ".join(_ALLOWED[self.dist])
            raise ValueError(f"dist = {self.dist!r} takes {allowed}; not {', '.join(extra)}")
        for f in _NUMERIC:
            v = getattr(self, f)
            if v is not None and not math.isfinite(v):
                raise ValueError(f"{f} = {v!r}; must be a finite number")
            if v is not None and abs(v) > MAX_MAGNITUDE:
                raise ValueError(
                    f"{f} = {v!r}; larger than MAX_MAGNITUDE = {MAX_MAGNITUDE:g} "
                    "(10x world GDP in USD; numbers are stored as float32)"
                )
        if (self.source is None) == (self.assumption is None):
            raise ValueError(
                'needs exactly one of source = "title, publisher, date" or '
                'assumption = "why this value"'
            )
        text = self.source if self.source is not None else self.assumption
        if not text or not text.strip():
            raise ValueError("source/assumption must not be empty")
        for f in ("source", "assumption", "note"):
            words = getattr(self, f)
            if words is not None and len(words) > MAX_TEXT_CHARS:
                raise ValueError(
                    f"{f} has {len(words)} characters; more than MAX_TEXT_CHARS = {MAX_TEXT_CHARS}"
                )
        self._check_shape()
        return self

    def _check_shape(self) -> None:
        lo, hi = self.low, self.high
        if lo is not None and hi is not None and not lo < hi:
            raise ValueError(f"low = {lo!r} must be < high = {hi!r}")
        if self.dist == "triangular" and not self.number("low") <= self.number(
            "mode"
        ) <= self.number("high"):
            raise ValueError(f"mode = {self.mode!r} must lie in [low, high] = [{lo}, {hi}]")
        for f in ("sd", "sigma", "alpha", "beta"):
            v = getattr(self, f)
            if v is not None and v <= 0:
                raise ValueError(f"{f} = {v!r}; must be > 0")
        if self.dist == "lognormal" and self.median is not None and self.median <= 0:
            raise ValueError(f"median = {self.median!r}; must be > 0")

    def number(self, name: str) -> float:
        """The numeric field ``name``, which validation guarantees for this ``dist``."""
        value = getattr(self, name)
        if value is None:
            raise LookupError(f"{self.dist} parameter has no {name}")
        return float(value)

    @property
    def provenance(self) -> str:
        """``source: ...`` or ``assumption: ...`` for listings."""
        if self.source is not None:
            return f"source: {self.source}"
        return f"assumption: {self.assumption}"

    def support(self) -> tuple[float, float]:
        """Smallest interval that holds every value this parameter can take."""
        if self.dist == "fixed":
            return (self.number("value"), self.number("value"))
        if self.dist in ("uniform", "triangular"):
            return (self.number("low"), self.number("high"))
        if self.dist == "beta":
            return (self._beta_low, self._beta_high)
        lo = -math.inf if self.dist == "normal" else 0.0
        return (
            self.low if self.low is not None else lo,
            self.high if self.high is not None else math.inf,
        )

    @property
    def _beta_low(self) -> float:
        return 0.0 if self.low is None else self.low

    @property
    def _beta_high(self) -> float:
        return 1.0 if self.high is None else self.high

    def nominal(self) -> float:
        """The central value: ``value`` if given, else the mode, median or mean."""
        if self.value is not None:
            return self.value
        if self.dist == "uniform":
            return 0.5 * (self.number("low") + self.number("high"))
        if self.dist == "triangular":
            return self.number("mode")
        if self.dist == "normal":
            return self.number("mean")
        if self.dist == "lognormal":
            return self.number("median")
        scale = self._beta_high - self._beta_low
        alpha, beta = self.number("alpha"), self.number("beta")
        return self._beta_low + scale * alpha / (alpha + beta)

    def ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Quantile function: map uniforms on (0, 1) to values, shape preserved."""
        u = np.asarray(u, dtype=np.float64)
        match self.dist:
            case "fixed":
                return np.full_like(u, self.value)
            case "uniform":
                low, high = self.number("low"), self.number("high")
                return low + u * (high - low)
            case "triangular":
                low, width = self.number("low"), self.number("high") - self.number("low")
                c = (self.number("mode") - low) / width
                return stats.triang.ppf(u, c, loc=low, scale=width)
            case "normal":
                x = stats.norm.ppf(u, loc=self.number("mean"), scale=self.number("sd"))
            case "lognormal":
                x = self.number("median") * np.exp(self.number("sigma") * stats.norm.ppf(u))
            case "beta":
                scale = self._beta_high - self._beta_low
                return self._beta_low + scale * stats.beta.ppf(
                    u, self.number("alpha"), self.number("beta")
                )
        return np.clip(x, *self.support())

    def describe(self) -> str:
        """Compact text such as ``triangular(36000, 40000, 44000)``."""
        if self.dist == "fixed":
            return f"{self.value:g}"
        args = [
            f"{getattr(self, f):g}"
            for f in _ALLOWED[self.dist]
            if f != "value" and getattr(self, f) is not None
        ]
        reported = f" [reported {self.value:g}]" if self.value is not None else ""
        return f"{self.dist}({', '.join(args)}){reported}"


def _bounded(lo: float, hi: float, what: str) -> AfterValidator:
    def check(p: Param) -> Param:
        s_lo, s_hi = p.support()
        if s_lo < lo or s_hi > hi:
            raise ValueError(
                f"{p.describe()} can take values in [{s_lo:g}, {s_hi:g}]; "
                f"expected {what} (give low/high bounds or a bounded distribution)"
            )
        return p

    return AfterValidator(check)


NonNegative = Annotated[Param, _bounded(0.0, math.inf, "a value >= 0")]
Fraction = Annotated[Param, _bounded(0.0, 1.0, "a fraction in [0, 1]")]
AtLeastOne = Annotated[Param, _bounded(1.0, math.inf, "a multiplier >= 1")]
SignedFraction = Annotated[Param, _bounded(-1.0, 1.0, "a signed fraction in [-1, 1]")]
Positive = Annotated[Param, _bounded(MIN_POSITIVE, math.inf, "a value > 0")]
Personnel = Annotated[
    Param,
    _bounded(0.0, MAX_PERSONNEL, f"personnel in [0, MAX_PERSONNEL = {MAX_PERSONNEL:g}]"),
]
