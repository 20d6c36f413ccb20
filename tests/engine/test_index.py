"""The wiring of a scenario: who fights where, whose soil, one-hot matrices, months."""

from __future__ import annotations

import numpy as np

from tests.hand_world import hand_world, load_world
from twofront.engine.index import AGGRESSOR, DEFENDER, build_index


def test_hand_world_wiring(tmp_path):
    index = build_index(load_world(hand_world(with_west=True), tmp_path))
    assert index.actors == ("blue", "red", "donor", "green", "grey")
    assert index.fronts == ("home", "salient", "plain")
    blue, red, green, grey = 0, 1, 3, 4
    np.testing.assert_array_equal(index.front_actor, [[blue, red], [blue, red], [green, grey]])
    np.testing.assert_array_equal(index.front_soil_side, [DEFENDER, AGGRESSOR, DEFENDER])
    np.testing.assert_array_equal(index.front_theater, [0, 0, 1])
    np.testing.assert_array_equal(index.theater_status0, [2, 0])  # war, peace
    np.testing.assert_array_equal(
        index.defender_soil, [[True, False], [False, False], [False, True]]
    )
    np.testing.assert_array_equal(
        index.aggressor_soil, [[False, False], [True, False], [False, False]]
    )
    assert index.theater_patron[:, 2].all()  # the donor backs both defenders


def test_slot_actor_onehot_has_one_actor_per_slot(tmp_path):
    index = build_index(load_world(hand_world(with_west=True), tmp_path))
    onehot = index.slot_actor_onehot
    assert onehot.shape == (3, 2, 5)
    np.testing.assert_array_equal(onehot.sum(axis=2), np.ones((3, 2)))
    fronts, sides, actors = np.nonzero(onehot)
    np.testing.assert_array_equal(actors, index.front_actor[fronts, sides])


def test_months_at_war_before_the_start_count_from_war_began(tmp_path):
    raw = hand_world()
    raw["theaters"]["east"]["war_began"] = "2022-02"  # the scenario starts 2024-01
    index = build_index(load_world(raw, tmp_path))
    assert index.war_months0.tolist() == [23]


def test_month_labels_and_indices_round_trip(tmp_path):
    index = build_index(load_world(hand_world(), tmp_path))
    assert index.month_label(0) == "2024-01"
    assert index.month_label(13) == "2025-02"
    assert index.month_index("2025-02", default=-1) == 13
    assert index.month_index(None, default=7) == 7
    assert index.calendar_month(11) == 11 and index.calendar_month(12) == 0
