"""Industry: capacity lags toward its target; output is capacity limited by budget."""

from __future__ import annotations

import copy
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.model.worlds import actor, changed, toy_world
from tests.oracles import industry as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.model.industry import (
    IndustryParams,
    budget_output_per_month,
    cost_usd,
    lag_decay,
    lag_toward,
    mobilised_funding,
    munitions_limit_per_month,
    phase,
    within_limit,
)
from twofront.policy.schedule import phase as policy_phase
from twofront.scenario.loader import parse

# Rounded so that no difference of two amounts is subnormal (which would
# raise FloatingPointError on underflow, not a modelling problem).
amounts = st.floats(0.0, 1e7).map(lambda x: round(x, 3))
ramps = st.floats(0.1, 120.0)


def decay(tau: float, dt: float = 1.0) -> float:
    """e^(-dt / tau) of one line (:func:`lag_decay` takes arrays)."""
    return float(lag_decay(np.array([tau]), dt)[0])


def test_lag_toward_matches_the_docstring_example():
    # c' = T + (c - T) e^(-dt/tau) = 100,000 - 60,000 e^(-1/12)
    #    = 100,000 - 60,000 * 0.9200444 = 100,000 - 55,202.66 = 44,797.34
    assert lag_toward(40_000.0, 100_000.0, decay(12.0)) == pytest.approx(44_797.34, abs=0.01)


def test_lag_toward_ramps_down_as_well_as_up():
    # 40,000 + (100,000 - 40,000) e^(-1/12) = 40,000 + 55,202.66 = 95,202.66
    assert lag_toward(100_000.0, 40_000.0, decay(12.0)) == pytest.approx(95_202.66, abs=0.01)


def test_capacity_at_its_target_stays_there():
    assert lag_toward(5e4, 5e4, decay(3.0)) == 5e4


@settings(max_examples=50, deadline=None)
@given(c=amounts, target=amounts, tau=ramps, dt=st.floats(0.01, 24.0))
def test_two_half_steps_equal_one_full_step(c, target, tau, dt):
    half = decay(tau, dt / 2)
    halves = lag_toward(lag_toward(c, target, half), target, half)
    assert halves == pytest.approx(lag_toward(c, target, decay(tau, dt)), rel=1e-9, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(c=amounts, target=amounts, tau=ramps)
def test_capacity_moves_toward_its_target_without_overshooting(c, target, tau):
    new = lag_toward(c, target, decay(tau))
    assert min(c, target) - 1e-6 <= new <= max(c, target) + 1e-6
    assert abs(new - target) <= abs(c - target) + 1e-6


def test_budget_buys_a_twelfth_of_a_year_at_unit_cost():
    # B / 12 / p = 3e9 / 12 / 5,000 = 50,000 units a month
    out = budget_output_per_month(np.full(2, 3e9), np.array([5e3, 1e4]))
    np.testing.assert_allclose(out, [50_000.0, 25_000.0])


def test_mobilised_funding_scales_with_the_mobilised_target_and_never_cuts():
    planned = np.array([60_000.0, 50_000.0, 0.0])
    mobilised = np.array([100_000.0, 40_000.0, 10.0])
    # 100k / 60k = 1.667; 40k / 50k < 1 -> 1; no planned capacity -> 1
    np.testing.assert_allclose(mobilised_funding(planned, mobilised), [5 / 3, 1.0, 1.0])


def test_phase_ramps_and_produces_the_toy_month_zero(toy):
    params, stream, state = toy_world(toy)
    state = policy_phase(state, params, stream)  # the policy sets the targets first
    after = phase(state, params, stream)
    blue, red, donor = actor(params, "blue"), actor(params, "red"), actor(params, "donor")
    # blue: 40,000 - 20,000 e^(-1/12) = 40,000 - 18,400.89 = 21,599.11 (budget 50,000/month)
    # red: 200,000 - 50,000 e^(-1/6) = 200,000 - 42,324.09 = 157,675.91 (budget 250,000)
    # donor: 60,000 - 30,000 e^(-1/18) = 60,000 - 28,378.78 = 31,621.22 (budget 62,500)
    expected = {blue: 21_599.11, red: 157_675.91, donor: 31_621.22}
    for a, produced in expected.items():
        np.testing.assert_allclose(after.produced_per_month[:, a, 0], produced, atol=0.01)
        np.testing.assert_allclose(after.capacity_per_month[:, a, 0], produced, atol=0.01)
        np.testing.assert_allclose(
            after.stockpile[:, a, 0], state.stockpile[:, a, 0] + produced, atol=0.01
        )
    # spending: units times unit cost, 157,675.91 * 1,000 USD
    np.testing.assert_allclose(after.spent_usd[:, red], 157_675_914.0, rtol=1e-8)


def test_phase_output_is_capped_by_the_line_budget(toy):
    params, stream, state = toy_world(toy)
    blue = actor(params, "blue")
    budget = params.of(IndustryParams).budget_usd_per_year.copy()
    budget[:, blue, 0] = 6e8  # 6e8 / 12 / 5,000 = 10,000 units < 21,599 capacity
    after = phase(state, changed(params, IndustryParams, budget_usd_per_year=budget), stream)
    np.testing.assert_allclose(after.produced_per_month[:, blue, 0], 10_000.0)
    np.testing.assert_allclose(after.spent_usd[:, blue], 10_000.0 * 5_000.0)


def test_phase_does_not_mutate_its_input_state(toy):
    params, stream, state = toy_world(toy)
    before = copy.deepcopy(state)
    phase(state, params, stream)
    np.testing.assert_array_equal(state.stockpile, before.stockpile)
    np.testing.assert_array_equal(state.capacity_per_month, before.capacity_per_month)
    np.testing.assert_array_equal(state.spent_usd, before.spent_usd)


@settings(max_examples=50, deadline=None)
@given(
    data=st.lists(
        st.tuples(amounts, amounts, ramps, st.floats(0.0, 1e11).map(round), st.floats(1.0, 1e6)),
        min_size=3,
        max_size=3,
    ),
    stock=st.lists(amounts, min_size=3, max_size=3),
)
def test_stockpile_never_falls_and_never_goes_negative(toy, data, stock):
    params, stream, state = toy_world(toy, runs=1)
    columns = (np.array(col)[None, :, None] for col in zip(*data, strict=True))
    cap, target, tau, budget, cost = columns
    params = changed(
        params, IndustryParams, ramp_months=tau, budget_usd_per_year=budget, unit_cost_usd=cost
    )
    state = replace(
        state,
        capacity_per_month=cap,
        capacity_target_per_month=target,
        stockpile=np.array(stock)[None, :, None],
    )
    after = phase(state, params, stream)
    assert np.all(after.produced_per_month >= 0)
    assert np.all(after.stockpile >= state.stockpile)


def _toy_with_a_missile_only_the_donor_makes(raw: dict):
    raw["munitions"]["missile"] = {"title": "missile"}
    line = dict(raw["actors"]["donor"]["industry"]["shell"])
    line["stockpile"] = {"value": 100.0, "assumption": "test value"}
    raw["actors"]["donor"]["industry"]["missile"] = line
    return parse(raw, "toy+missile")


def test_no_production_where_the_actor_has_no_line(toy_raw):
    scenario = _toy_with_a_missile_only_the_donor_makes(toy_raw)
    params, stream, state = toy_world(scenario)
    missile = params.index.munitions.index("missile")
    after = phase(state, params, stream)
    for name in ("blue", "red"):
        a = actor(params, name)
        assert np.all(after.produced_per_month[:, a, missile] == 0)
        assert np.all(after.stockpile[:, a, missile] == 0)
    assert np.all(after.produced_per_month[:, actor(params, "donor"), missile] > 0)


def test_no_production_without_a_line_even_with_capacity_and_budget(toy_raw):
    scenario = _toy_with_a_missile_only_the_donor_makes(toy_raw)
    params, stream, state = toy_world(scenario)
    missile = params.index.munitions.index("missile")
    # Give every (actor, missile) pair capacity and money: only a line may produce.
    lines = params.of(IndustryParams)
    params = changed(
        params,
        IndustryParams,
        budget_usd_per_year=np.full_like(lines.budget_usd_per_year, 1e9),
        unit_cost_usd=np.full_like(lines.unit_cost_usd, 1e3),
    )
    state = replace(state, capacity_per_month=np.full_like(state.capacity_per_month, 1e4))
    after = phase(state, params, stream)
    blue = actor(params, "blue")
    assert np.all(after.produced_per_month[:, blue, missile] == 0)
    assert math.isclose(after.spent_usd[0, blue], after.produced_per_month[0, blue].sum() * 1e3)


def test_mobilising_industry_funds_its_lines_in_proportion_to_mobilised_capacity(toy):
    params, stream, state = toy_world(toy)
    donor = actor(params, "donor")
    capacity = state.capacity_per_month.copy()
    capacity[:, donor, 0] = 200_000.0
    state = replace(state, capacity_per_month=capacity, capacity_target_per_month=capacity)
    mobilising = np.zeros_like(state.mobilising)
    mobilising[:, donor] = True
    # donor budget 6e9 / 12 / 8,000 USD = 62,500 units a month;
    # mobilised: x 100,000 / 60,000 -> 104,166.67 units a month
    calm = phase(state, params, stream)
    np.testing.assert_allclose(calm.produced_per_month[:, donor, 0], 62_500.0)
    surge = phase(replace(state, mobilising=mobilising), params, stream)
    np.testing.assert_allclose(surge.produced_per_month[:, donor, 0], 104_166.666666, rtol=1e-9)


def test_one_budget_limit_scales_every_line_of_the_actor_alike():
    # The docstring example: 1,000 shells at 4,000 and 1 missile at 2 M cost 6 M USD a
    # month against L = 0.05 * 1.2 bn / 12 = 5 M: both lines make 5/6 of their output.
    limit = munitions_limit_per_month(np.array([[1.2e9, 1.2e9]]), np.array([[0.05, np.nan]]))
    np.testing.assert_allclose(limit, [[5e6, np.inf]])
    output = np.array([[[1000.0, 1.0], [1000.0, 1.0]]])
    cost = np.array([[[4000.0, 2e6], [4000.0, 2e6]]])
    assert cost_usd(output, cost, 0, 0, np.empty(2)) == 6e6
    for a in range(2):
        within_limit(output, cost, limit[0, a], 0, a, np.empty(2))
    np.testing.assert_allclose(output, [[[1000 * 5 / 6, 5 / 6], [1000.0, 1.0]]], rtol=1e-12)


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
