"""Param: a number with its uncertainty and its provenance; quantile functions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from twofront.scenario.distributions import (
    AtLeastOne,
    FittedTo,
    Fraction,
    NonNegative,
    Param,
    Positive,
)

A = {"assumption": "test value"}
PHI_1 = 0.8413447460685429  # standard normal CDF at 1


# --- provenance -----------------------------------------------------------


@pytest.mark.parametrize("bare", [5, 2.5, 0])
def test_bare_number_is_rejected_with_an_example_of_a_table(bare):
    with pytest.raises(ValidationError, match="bare number") as err:
        Param.model_validate(bare)
    assert "assumption" in str(err.value)


def test_number_without_source_or_assumption_is_rejected():
    with pytest.raises(ValidationError, match="needs exactly one of source"):
        Param(value=1.0)


def test_number_with_both_source_and_assumption_is_rejected():
    with pytest.raises(ValidationError, match="needs exactly one of source"):
        Param(value=1.0, source="a report, a publisher, 2024", assumption="a guess")


def test_blank_source_is_rejected():
    with pytest.raises(ValidationError, match="must not be empty"):
        Param(value=1.0, source="   ")


def test_provenance_names_the_kind_of_backing():
    assert Param(value=1.0, source="CSIS, 2024").provenance == "source: CSIS, 2024"
    assert Param(value=1.0, assumption="a guess").provenance == "assumption: a guess"


# --- shape checks ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dist": "uniform", "low": 1.0}, "needs high"),
        ({"dist": "triangular", "low": 0.0, "high": 2.0}, "needs mode"),
        ({"dist": "uniform", "low": 3.0, "high": 1.0}, "must be < high"),
        ({"dist": "triangular", "low": 0.0, "mode": 5.0, "high": 2.0}, "must lie in"),
        ({"dist": "normal", "mean": 0.0, "sd": 0.0}, "sd = 0.0; must be > 0"),
        ({"dist": "lognormal", "median": -1.0, "sigma": 1.0}, "median = -1.0; must be > 0"),
        ({"dist": "beta", "alpha": 0.0, "beta": 1.0}, "alpha = 0.0; must be > 0"),
        ({"dist": "uniform", "low": 0.0, "high": 1.0, "mean": 0.5}, "not mean"),
        ({"value": math.nan}, "must be a finite number"),
        ({"value": math.inf}, "must be a finite number"),
    ],
)
def test_inconsistent_distribution_is_rejected(fields, message):
    with pytest.raises(ValidationError, match=message):
        Param(**fields, **A)


def test_unknown_distribution_and_unknown_key_are_rejected():
    with pytest.raises(ValidationError):
        Param(dist="cauchy", value=1.0, **A)
    with pytest.raises(ValidationError, match="Extra inputs"):
        Param(value=1.0, units="km2", **A)


# --- quantile functions ---------------------------------------------------


def test_fixed_ppf_is_the_value_whatever_the_uniform():
    np.testing.assert_array_equal(Param(value=7.0, **A).ppf(np.array([0.1, 0.9])), [7.0, 7.0])


def test_uniform_ppf_is_linear_between_low_and_high():
    p = Param(dist="uniform", low=10.0, high=30.0, **A)
    # 10 + 0.25 * 20 = 15; 10 + 0.5 * 20 = 20
    np.testing.assert_allclose(p.ppf(np.array([0.25, 0.5])), [15.0, 20.0])


def test_triangular_ppf_matches_the_closed_form():
    p = Param(dist="triangular", low=0.0, mode=1.0, high=4.0, **A)
    # F(mode) = (mode - low) / (high - low) = 1/4, so u = 0.25 maps to the mode.
    # u < 1/4: low + sqrt(u (high - low)(mode - low)) = sqrt(0.1 * 4 * 1) = 0.632456
    # u > 1/4: high - sqrt((1 - u)(high - low)(high - mode)) = 4 - sqrt(6) = 1.550510
    np.testing.assert_allclose(
        p.ppf(np.array([0.1, 0.25, 0.5])), [math.sqrt(0.4), 1.0, 4 - math.sqrt(6)], rtol=1e-12
    )


def test_normal_ppf_is_mean_plus_sd_times_z():
    p = Param(dist="normal", mean=10.0, sd=2.0, **A)
    # Phi(1) -> 10 + 2 * 1 = 12; Phi(0) = 0.5 -> 10
    np.testing.assert_allclose(p.ppf(np.array([PHI_1, 0.5])), [12.0, 10.0], rtol=1e-12)
    u = np.array([0.01, 0.3, 0.99])
    np.testing.assert_allclose(p.ppf(u), stats.norm.ppf(u, 10.0, 2.0), rtol=1e-12)


def test_normal_ppf_is_clipped_to_its_bounds():
    p = Param(dist="normal", mean=10.0, sd=2.0, low=9.0, high=11.0, **A)
    # 10 - 2 * 3.09 = 3.8 -> 9; 10 + 2 * 3.09 = 16.2 -> 11; Phi(0) -> 10
    np.testing.assert_allclose(p.ppf(np.array([0.001, 0.5, 0.999])), [9.0, 10.0, 11.0])


def test_lognormal_ppf_has_the_given_median():
    p = Param(dist="lognormal", median=100.0, sigma=0.5, **A)
    # median * exp(sigma * z): z = 0 -> 100; z = 1 -> 100 e^0.5 = 164.8721
    np.testing.assert_allclose(
        p.ppf(np.array([0.5, PHI_1])), [100.0, 100.0 * math.exp(0.5)], rtol=1e-12
    )


def test_lognormal_ppf_is_clipped_to_its_high_bound():
    p = Param(dist="lognormal", median=100.0, sigma=0.5, high=150.0, **A)
    # 100 e^0.5 = 164.87 > 150
    assert p.ppf(np.array([PHI_1]))[0] == 150.0


def test_beta_ppf_defaults_to_the_unit_interval():
    p = Param(dist="beta", alpha=1.0, beta=2.0, **A)
    # F(x) = 1 - (1 - x)^2, so ppf(u) = 1 - sqrt(1 - u); u = 0.75 -> 0.5
    np.testing.assert_allclose(p.ppf(np.array([0.75])), [0.5], rtol=1e-12)


def test_beta_ppf_is_scaled_to_low_high():
    p = Param(dist="beta", alpha=2.0, beta=1.0, low=10.0, high=20.0, **A)
    # F(x) = x^2 on [0, 1], ppf(u) = sqrt(u); u = 0.25 -> 0.5 -> 10 + 10 * 0.5 = 15
    np.testing.assert_allclose(p.ppf(np.array([0.25])), [15.0], rtol=1e-12)


def test_ppf_preserves_the_shape_of_its_input():
    p = Param(dist="normal", mean=0.0, sd=1.0, **A)
    assert p.ppf(np.full((3, 4), 0.5)).shape == (3, 4)


BOUNDED = [
    Param(dist="uniform", low=-2.0, high=3.0, **A),
    Param(dist="triangular", low=0.0, mode=0.0, high=5.0, **A),
    Param(dist="normal", mean=1.0, sd=3.0, low=0.0, high=2.0, **A),
    Param(dist="lognormal", median=2.0, sigma=2.0, high=10.0, **A),
    Param(dist="beta", alpha=0.5, beta=0.5, low=-1.0, high=1.0, **A),
]


@settings(max_examples=50, deadline=None)
@given(u=st.lists(st.floats(1e-12, 1 - 1e-12), min_size=2, max_size=20))
def test_ppf_is_non_decreasing_and_stays_inside_the_support(u):
    u_sorted = np.sort(np.array(u))
    for p in BOUNDED:
        x = p.ppf(u_sorted)
        lo, hi = p.support()
        assert np.all(np.diff(x) >= 0), p.describe()
        assert np.all((x >= lo) & (x <= hi)), p.describe()


# --- nominal, support, describe -------------------------------------------


@pytest.mark.parametrize(
    ("param", "nominal"),
    [
        (Param(dist="uniform", low=10.0, high=30.0, **A), 20.0),  # (10 + 30) / 2
        (Param(dist="triangular", low=0.0, mode=1.0, high=4.0, **A), 1.0),  # the mode
        (Param(dist="normal", mean=5.0, sd=1.0, **A), 5.0),  # the mean
        (Param(dist="lognormal", median=3.0, sigma=1.0, **A), 3.0),  # the median
        # low + (high - low) * alpha / (alpha + beta) = 0 + 100 * 2 / 8 = 25
        (Param(dist="beta", alpha=2.0, beta=6.0, low=0.0, high=100.0, **A), 25.0),
        (Param(dist="uniform", low=10.0, high=30.0, value=12.0, **A), 12.0),  # reported value
    ],
)
def test_nominal_is_the_reported_value_or_the_centre(param, nominal):
    assert param.nominal() == pytest.approx(nominal)


def test_support_of_unbounded_distributions():
    assert Param(dist="normal", mean=0.0, sd=1.0, **A).support() == (-math.inf, math.inf)
    assert Param(dist="lognormal", median=1.0, sigma=1.0, **A).support() == (0.0, math.inf)
    assert Param(dist="beta", alpha=1.0, beta=1.0, **A).support() == (0.0, 1.0)


def test_describe_is_compact():
    assert Param(value=40000.0, **A).describe() == "40000"
    tri = Param(dist="triangular", low=36000.0, mode=40000.0, high=44000.0, **A)
    assert tri.describe() == "triangular(36000, 40000, 44000)"
    assert Param(dist="normal", mean=5.0, sd=1.0, **A).describe() == "normal(5, 1)"


# --- bounds by annotated type (as the schema uses them) -------------------

NON_NEGATIVE = TypeAdapter(NonNegative)
FRACTION = TypeAdapter(Fraction)
AT_LEAST_ONE = TypeAdapter(AtLeastOne)
POSITIVE = TypeAdapter(Positive)


@pytest.mark.parametrize(
    ("adapter", "fields", "expected"),
    [
        (NON_NEGATIVE, {"dist": "normal", "mean": 5.0, "sd": 1.0}, "a value >= 0"),
        (NON_NEGATIVE, {"value": -1.0}, "a value >= 0"),
        (NON_NEGATIVE, {"dist": "uniform", "low": -1.0, "high": 1.0}, "a value >= 0"),
        (FRACTION, {"value": 1.5}, "a fraction in [0, 1]"),
        (FRACTION, {"dist": "lognormal", "median": 0.5, "sigma": 0.1}, "a fraction in [0, 1]"),
        (FRACTION, {"dist": "beta", "alpha": 2.0, "beta": 2.0, "high": 2.0}, "a fraction"),
        (AT_LEAST_ONE, {"value": 0.5}, "a multiplier >= 1"),
        (POSITIVE, {"value": 0.0}, "a value > 0"),
    ],
)
def test_parameter_that_can_leave_its_bounds_is_rejected(adapter, fields, expected):
    with pytest.raises(ValidationError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        adapter.validate_python({**fields, **A})


@pytest.mark.parametrize(
    ("adapter", "fields"),
    [
        (NON_NEGATIVE, {"dist": "normal", "mean": 5.0, "sd": 1.0, "low": 0.0}),
        (NON_NEGATIVE, {"dist": "lognormal", "median": 5.0, "sigma": 1.0}),
        (NON_NEGATIVE, {"value": 0.0}),
        (FRACTION, {"dist": "beta", "alpha": 8.0, "beta": 2.0}),
        (FRACTION, {"dist": "uniform", "low": 0.2, "high": 0.9}),
        (AT_LEAST_ONE, {"value": 1.0}),
        (POSITIVE, {"value": 1e-3}),
    ],
)
def test_parameter_inside_its_bounds_is_accepted(adapter, fields):
    assert isinstance(adapter.validate_python({**fields, **A}), Param)


# --- fitted_to: the data a number was tuned on ----------------------------

FIT = {"data": "data/ukraine_territory_monthly.csv", "through": "2024-12"}


def test_fitted_to_is_optional_and_parsed_when_given():
    assert Param(value=1.0, **A).fitted_to is None
    fitted = Param(value=1.0, fitted_to=FIT, **A).fitted_to
    assert fitted is not None
    assert (fitted.series, fitted.through, fitted.since) == (
        "ukraine_territory_monthly",
        "2024-12",
        None,
    )


def test_fitted_to_names_figures_that_are_not_a_shipped_series_as_written():
    fitted = FittedTo(data="Winter War losses", through="1940-03")
    assert fitted.series == "Winter War losses"


def test_fitted_to_covers_months_from_since_through_its_cut_off():
    fitted = FittedTo(data="x", since="2024-08", through="2024-12-31")
    assert [fitted.covers(m) for m in ("2024-07", "2024-08", "2024-12", "2025-01")] == [
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"data": "x", "through": "2024-13"}, r"fitted_to.through = '2024-13'; expected a date"),
        ({"data": "x", "through": "Dec 2024"}, "expected a date 'YYYY-MM' or 'YYYY-MM-DD'"),
        ({"data": "x", "through": "2024-12", "since": "2025-01"}, "is after through"),
        ({"data": "  ", "through": "2024-12"}, "fitted_to.data = '  '"),
        ({"data": "x"}, "through"),
        ({"data": "x", "through": "2024-12", "until": "2025"}, "Extra inputs"),
    ],
)
def test_bad_fitted_to_is_rejected_saying_what_is_allowed(fields, message):
    with pytest.raises(ValidationError, match=message):
        Param(value=1.0, fitted_to=fields, **A)
