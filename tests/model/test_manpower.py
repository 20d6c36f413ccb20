"""Manpower: mobilise, redeploy toward the enemy's concentration, deploy reserves."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hand_world import fixed, hand_world, load_world
from tests.model.worlds import actor, front, toy_world
from tests.oracles import manpower as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.model.manpower import phase, redeploy, shares_by_actor, slot_weights
from twofront.simulation import initial

# Two fronts, A and B, both on the soil of actor 0 (side 0); actor 1 attacks
# on A and actor 2 on B. SLOT_ACTOR is (front, side) -> actor, as the index's front_actor.
SLOT_ACTOR = np.array([[0, 1], [0, 2]])


def _weights(personnel, held_km2, active, priority) -> np.ndarray:
    out = np.empty((2, 2))
    soil_side = np.array([0, 0])
    priority_by_actor = np.full((1, 3), priority)
    slot_weights(
        np.array([personnel], dtype=np.float64),
        np.array([held_km2], dtype=np.float64),
        np.array(active),
        soil_side,
        priority_by_actor,
        SLOT_ACTOR,
        0,
        out,
    )
    return out


def _shares(weights: np.ndarray, slot_actor: np.ndarray = SLOT_ACTOR) -> np.ndarray:
    out = np.empty_like(weights)
    shares_by_actor(weights, slot_actor, np.empty(3), out)
    return out


def _redeploy(personnel, shares, in_play, rho, slot_actor=SLOT_ACTOR) -> np.ndarray:
    new = np.array([personnel], dtype=np.float64)
    rho = np.array([rho], dtype=np.float64)
    redeploy(new, shares, in_play, rho, slot_actor, 0, np.empty_like(shares), np.empty(3))
    return new[0]


def test_docstring_example_redeploys_toward_the_invaded_front():
    # 100k on A facing 50k; 0 on B facing 50k; the enemy holds some of B (own soil).
    personnel = np.array([[100_000.0, 50_000.0], [0.0, 50_000.0]])
    held_km2 = [[1_000.0, 0.0], [500.0, 500.0]]
    weights = _weights(personnel, held_km2, [True, True], 2.0)
    # w = enemy facing the slot, times pi = 2 where own soil is occupied: (50k, 100k)
    np.testing.assert_allclose(weights[:, 0], [50_000.0, 100_000.0])
    shares = _shares(weights)
    np.testing.assert_allclose(shares[:, 0], [1 / 3, 2 / 3])
    new = _redeploy(personnel, shares, np.ones((2, 2), bool), np.full(3, 0.5))
    # target 100k * (1/3, 2/3) = (33.3k, 66.7k); halfway: (100k - 33.3k, 0 + 33.3k)
    np.testing.assert_allclose(new[:, 0], [200_000 / 3, 100_000 / 3])
    # actor 1 holds one slot: it keeps its 50k. actor 2 faces nobody (share 0):
    # its slot in play is emptied at the rate, 50k -> 25k.
    assert new[0, 1] == pytest.approx(50_000.0)
    assert new[1, 1] == pytest.approx(25_000.0)


def test_weights_are_zero_on_inactive_fronts():
    weights = _weights([[10.0, 20.0], [30.0, 40.0]], [[1.0, 1.0], [1.0, 1.0]], [True, False], 2.0)
    np.testing.assert_array_equal(weights[1], [0.0, 0.0])


def test_actor_without_weight_has_zero_shares_not_nan():
    np.testing.assert_array_equal(_shares(np.zeros((2, 2))), np.zeros((2, 2)))


# Three fronts; side 0 is always actor 0; side 1 is actor 1 on fronts 0-1, actor 2 on front 2.
ONEHOT3 = np.zeros((3, 2, 3))
ONEHOT3[:, 0, 0] = 1.0
ONEHOT3[[0, 1], 1, 1] = 1.0
ONEHOT3[2, 1, 2] = 1.0
SLOT_ACTOR3 = ONEHOT3.argmax(axis=2)
people = st.floats(0.0, 1e6).map(lambda x: round(x, 1))


@settings(max_examples=50, deadline=None)
@given(
    personnel=st.lists(people, min_size=6, max_size=6),
    weights=st.lists(people, min_size=6, max_size=6),
    front_at_war=st.lists(st.booleans(), min_size=3, max_size=3),
    rho=st.lists(st.floats(0.0, 1.0).map(lambda x: round(x, 6)), min_size=3, max_size=3),
)
def test_redeploy_conserves_each_actors_personnel(personnel, weights, front_at_war, rho):
    personnel = np.array(personnel).reshape(3, 2)
    at_war = np.array(front_at_war)[:, None]
    weights = np.array(weights).reshape(3, 2) * at_war
    shares = _shares(weights, SLOT_ACTOR3)
    has_front = np.einsum("fs,fsa->a", shares, ONEHOT3) > 0
    in_play = at_war & np.einsum("a,fsa->fs", has_front.astype(float), ONEHOT3).astype(bool)
    # The rate is the actor's, as the phase passes it.
    new = _redeploy(personnel, shares, in_play, rho, SLOT_ACTOR3)
    before = np.einsum("fs,fsa->a", personnel, ONEHOT3)
    after = np.einsum("fs,fsa->a", new, ONEHOT3)
    np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-6)
    assert np.all(new >= -1e-9)
    np.testing.assert_array_equal(new[~in_play], personnel[~in_play])


def test_phase_mobilises_deploys_and_pays_in_will(toy):
    params, stream, state = toy_world(toy)
    after = phase(state, params, stream)
    blue, red, donor = actor(params, "blue"), actor(params, "red"), actor(params, "donor")
    # reserves: (R + m)(1 - delta): blue (50k + 5k) * 0.8 = 44k; red (100k + 20k) * 0.8 = 96k
    np.testing.assert_allclose(after.reserves_personnel[:, blue], 44_000.0)
    np.testing.assert_allclose(after.reserves_personnel[:, red], 96_000.0)
    np.testing.assert_allclose(after.reserves_personnel[:, donor], 0.0)
    # will: blue 0.8 - 0.05 * 5k / 100k = 0.7975; red loses 0.02 * 20k / 100k = 0.004
    np.testing.assert_allclose(after.will[:, blue], 0.7975)
    np.testing.assert_allclose(after.will[:, red], state.will[:, red] - 0.004)
    np.testing.assert_array_equal(after.will[:, donor], state.will[:, donor])
    # every deployed soldier arrives: 200k + 300k + 20k + 10k at the fronts, + 11k + 24k
    np.testing.assert_allclose(after.personnel.sum(axis=(1, 2)), 530_000.0 + 11_000.0 + 24_000.0)


def test_incursion_draws_the_invaded_sides_troops_from_its_other_front(toy):
    params, stream, state = toy_world(toy)
    after = phase(state, params, stream)
    main, salient = front(params, "main"), front(params, "salient")
    blue_side, red_side = 0, 1
    # Red's weights: main: blue's 200k (Blue's soil, pi 1) = 200k; salient: Red's own
    # soil, 1,000 km2 held by Blue, so blue's 20k * pi 3 = 60k. Red has 310k at the
    # fronts: target main 310k * 200/260 = 238,461.5, salient 310k * 60/260 = 71,538.5.
    # main:    300k + 0.3 (238,461.5 - 300k) + 24k * 200/260 = 300k - 18,461.5 + 18,461.5
    # salient:  10k + 0.3 (71,538.5 - 10k)   + 24k * 60/260  = 10k + 18,461.5 + 5,538.5
    np.testing.assert_allclose(after.personnel[:, main, red_side], 300_000.0)
    np.testing.assert_allclose(after.personnel[:, salient, red_side], 34_000.0)
    # Blue's weights: main 300k * pi 2 = 600k (Blue's soil is occupied), salient 10k.
    # Blue's 220k: target main 220k * 600/610 = 216,393.4, salient 3,606.6;
    # main: 200k + 0.3 * 16,393.4 + 11k * 600/610 = 200k + 4,918.0 + 10,819.7
    np.testing.assert_allclose(after.personnel[:, main, blue_side], 215_737.70, atol=0.01)
    np.testing.assert_allclose(after.personnel[:, salient, blue_side], 15_262.30, atol=0.01)

    # Without the incursion (Blue holds none of Red's soil) the salient closes and
    # Red sends everything to main: 300k + 0.3 (310k - 300k) + 24k = 327k; salient
    # is emptied at the rate: 10k - 0.3 * 10k = 7k.
    occupied = params.world.occupied_km2.copy()
    occupied[:, salient] = 0.0
    quiet = replace(params, world=replace(params.world, occupied_km2=occupied))
    calm = phase(initial(quiet), quiet, stream)
    np.testing.assert_allclose(calm.personnel[:, main, red_side], 327_000.0)
    np.testing.assert_allclose(calm.personnel[:, salient, red_side], 7_000.0)
    assert np.all(after.personnel[:, main, red_side] < calm.personnel[:, main, red_side])


def test_absentees_leave_the_fronts_and_some_come_back_to_the_reserves(tmp_path):
    # Hand world: blue 1,000 on each of its two fronts, no mobilisation, no deployment,
    # no redeployment. nu = 0.1, beta = 0.25: 100 leave each front, 200 in all; 50 come
    # back to the reserves; 150 are counted missing. Red (no absences) keeps 1,000 a front.
    raw = hand_world()
    raw["actors"]["blue"]["forces"] |= {
        "absent_share_per_month": fixed(0.1),
        "absent_return_fraction": fixed(0.25),
    }
    params, stream, state = toy_world(load_world(raw, tmp_path), "none")
    after = phase(state, params, stream)
    blue, red = actor(params, "blue"), actor(params, "red")
    np.testing.assert_allclose(after.personnel[:, :, 0], 900.0)
    np.testing.assert_allclose(after.personnel[:, :, 1], 1000.0)
    np.testing.assert_allclose(after.reserves_personnel[:, blue], 50.0)
    np.testing.assert_allclose(after.absent_total[:, blue], 150.0)
    np.testing.assert_array_equal(after.absent_total[:, red], 0.0)


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
