"""Sampled parameters: the world at month 0 and each mechanism's own part."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.hand_world import fixed, hand_world, load_world
from twofront.engine.rng import make_stream
from twofront.model.combat import CombatParams
from twofront.model.industry import IndustryParams
from twofront.simulation import MECHANISMS, sample


@pytest.fixture
def params(tmp_path):
    raw = hand_world()
    raw["fronts"]["home"]["personnel"] = {"blue": fixed(1500), "red": fixed(2500)}
    return sample(load_world(raw, tmp_path), "none", make_stream(0, np.arange(2)))


def test_world_reads_personnel_by_side_and_the_fronts(params):
    np.testing.assert_array_equal(params.world.personnel[:, 0], [[1500, 2500]] * 2)
    np.testing.assert_array_equal(params.world.area_km2, [[1000, 200]] * 2)
    np.testing.assert_array_equal(params.world.occupied_km2, [[300, 50]] * 2)
    assert np.isnan(params.world.territory_km2).all()  # not given in the hand world


def test_every_mechanism_has_its_part(params):
    assert len(params.parts) == len(MECHANISMS)
    assert params.of(CombatParams).defence_advantage.tolist() == [2.0, 2.0]


def test_a_missing_part_is_a_lookup_error_naming_it(params):
    class Absent:
        pass

    with pytest.raises(LookupError, match="no Absent among the sampled parameters"):
        params.of(Absent)


def test_with_part_replaces_one_part_and_leaves_the_others(params):
    lines = params.of(IndustryParams)
    cheaper = replace(lines, unit_cost_usd=lines.unit_cost_usd / 2)
    changed = params.with_part(cheaper)
    assert changed.of(IndustryParams) is cheaper
    assert changed.of(CombatParams) is params.of(CombatParams)
    assert params.of(IndustryParams) is lines  # the original is untouched
