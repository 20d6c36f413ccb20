"""The state at month 0 and the helpers every phase shares."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hand_world import hand_world, load_world
from twofront.engine.rng import make_stream
from twofront.engine.state import (
    NEVER,
    TheaterStatus,
    front_active,
    occupied_km2,
    per_actor,
    sum_over,
)
from twofront.simulation import initial, sample


def _hand(tmp_path, with_west=False):
    scenario = load_world(hand_world(with_west=with_west), tmp_path)
    params = sample(scenario, "none", make_stream(0, np.arange(2)))
    return params, initial(params)


def test_initial_territory_is_conserved_and_split_by_soil(tmp_path):
    params, state = _hand(tmp_path)
    np.testing.assert_array_equal(state.held_km2.sum(axis=2), params.world.area_km2)
    # home: blue's soil, red holds 300; salient: red's soil, blue holds 50
    np.testing.assert_array_equal(state.held_km2[0], [[700, 300], [50, 150]])
    np.testing.assert_array_equal(occupied_km2(state, params), [[300, 50]] * 2)


def test_initial_war_ledger(tmp_path):
    _, state = _hand(tmp_path, with_west=True)
    # east at war since the start month, west at peace
    assert state.theater_status[0].tolist() == [TheaterStatus.WAR, TheaterStatus.PEACE]
    assert state.war_start_month[0].tolist() == [0, NEVER]
    assert state.wars_started[0].tolist() == [1, 0]
    assert state.war_start_snapshot[0].tolist() == [0, -1]
    assert np.isnan(state.settlement_share).all()


def test_per_actor_sums_slots_by_who_fights_there(tmp_path):
    params, _ = _hand(tmp_path)
    values = np.array([[[1.0, 10.0], [2.0, 20.0]]] * 2)  # (run, front, side)
    np.testing.assert_array_equal(per_actor(values, params), [[3.0, 30.0, 0.0]] * 2)


def test_an_incursion_front_closes_when_the_defender_holds_none_of_it(tmp_path):
    params, state = _hand(tmp_path)
    assert front_active(state, params).all()
    held = state.held_km2.copy()
    held[:, 1] = [0.0, 200.0]  # red retakes all of the salient
    closed = front_active(type(state)(**{**_fields(state), "held_km2": held}), params)
    np.testing.assert_array_equal(closed, [[True, False]] * 2)


def _fields(state):
    return {name: getattr(state, name) for name in state.__dataclass_fields__}


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**31))
def test_sum_over_equals_a_matrix_product(rows, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, 5))
    matrix = (rng.uniform(size=(5, 3)) < 0.4).astype(float) * rng.choice([1.0, 2.5], (5, 3))
    np.testing.assert_allclose(sum_over(values, matrix), values @ matrix, rtol=1e-12, atol=1e-12)
