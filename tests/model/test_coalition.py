"""Coalition: combatant patrons' forces from one pool, and their fires from their own stock."""

from __future__ import annotations

import numpy as np

from tests.oracles import coalition as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.model.coalition import phase, spread, theater_sums


def _spread(amount: float, weights: list[float], in_theater: list[bool]) -> np.ndarray:
    """``spread`` over the fronts of one theater, weights on side 0 of run 0."""
    out = np.empty(len(weights))
    slots = np.array(weights)[None, :, None]
    spread(amount, slots, 0, 0, np.array(in_theater)[:, None], 0, out)
    return out


def test_spread_follows_the_weights_on_the_theaters_fronts_only():
    # 900 over fronts 0 and 1 of the theater (front 2 elsewhere) with weights 1:2 -> 300, 600.
    got = _spread(900.0, [1.0, 2.0, 5.0], [True, True, False])
    np.testing.assert_allclose(got, [300.0, 600.0, 0.0])


def test_spread_is_even_where_the_enemy_has_no_one():
    got = _spread(900.0, [0.0, 0.0, 0.0], [True, True, False])
    np.testing.assert_allclose(got, [450.0, 450.0, 0.0])


def test_theater_sums_add_each_theaters_fronts():
    # Fronts 0 and 2 in theater 0, front 1 in theater 1.
    in_theater = np.array([[True, False], [False, True], [True, False]])
    out = np.empty(2)
    theater_sums(np.array([[[1.0], [20.0], [300.0]]]), 0, 0, in_theater, out)
    np.testing.assert_array_equal(out, [301.0, 20.0])


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
