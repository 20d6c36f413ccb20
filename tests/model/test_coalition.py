"""Coalition: combatant patrons' forces from one pool, and their fires from their own stock."""

from __future__ import annotations

import numpy as np

from twofront.model.coalition import spread


def test_spread_follows_the_weights_on_the_theaters_fronts_only():
    # 900 over fronts 0 and 1 of the theater (front 2 elsewhere) with weights 1:2 -> 300, 600.
    got = spread(np.array([900.0]), np.array([[1.0, 2.0, 5.0]]), np.array([True, True, False]))
    np.testing.assert_allclose(got, [[300.0, 600.0, 0.0]])


def test_spread_is_even_where_the_enemy_has_no_one():
    got = spread(np.array([900.0]), np.zeros((1, 3)), np.array([True, True, False]))
    np.testing.assert_allclose(got, [[450.0, 450.0, 0.0]])
