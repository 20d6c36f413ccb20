"""End states are an axis apart from strategies: same sampled world, different aims."""

from __future__ import annotations

import numpy as np
import pytest

from tests.hand_world import fixed, hand_world, load_world
from twofront.engine.rng import make_stream
from twofront.errors import ExperimentError, ScenarioError
from twofront.model.bargaining import BargainingParams
from twofront.scenario.loader import load
from twofront.scenario.schema import with_end_state
from twofront.simulation import run, sample


def _with_end_states(tmp_path):
    raw = hand_world()
    raw["aims"]["generous"] = {"title": "at least 0.2", "defender_share_at_least": fixed(0.2)}
    raw["end_states"] = {"modest": {"title": "modest", "aims": {"east": "generous"}}}
    return load_world(raw, tmp_path)


def test_an_end_state_replaces_every_strategys_aims_for_its_theaters(tmp_path):
    scenario = _with_end_states(tmp_path)
    assert with_end_state(scenario, "modest").strategies["none"].aims == {"east": "generous"}
    stream = make_stream(0, np.arange(2))
    own = sample(scenario, "none", stream).of(BargainingParams)
    modest = sample(with_end_state(scenario, "modest"), "none", stream).of(BargainingParams)
    assert own.defender_floor.tolist() == [[0.6], [0.6]]
    assert modest.defender_floor.tolist() == [[0.2], [0.2]]


def test_runs_under_an_end_state_are_labelled_and_paired(tmp_path):
    scenario = _with_end_states(tmp_path)
    own = run(scenario, 3, seed=1)
    modest = run(scenario, 3, seed=1, end_state="modest")
    assert modest.attrs["end_state"] == "modest"
    np.testing.assert_array_equal(own["area_km2"], modest["area_km2"])
    # With a floor of 0.2 instead of 0.6 the hand war settles on lower terms:
    # low = max(V_def 0.56, 0.2) = 0.56 instead of 0.6
    assert (modest["settlement_share"] < own["settlement_share"]).all()


def test_an_unknown_end_state_is_refused(tmp_path):
    with pytest.raises(ExperimentError, match="end state 'bold' is not in scenario 'hand'"):
        run(_with_end_states(tmp_path), 2, seed=0, end_state="bold")


def test_an_end_state_naming_an_unknown_aim_is_a_scenario_error(tmp_path):
    raw = hand_world()
    raw["end_states"] = {"odd": {"title": "odd", "aims": {"east": "victory"}}}
    with pytest.raises(ScenarioError, match=r"end_states\.odd\.aims\.east: 'victory'"):
        load_world(raw, tmp_path)


def test_world_2024_ships_the_essays_end_state_apart_from_the_strategies():
    world = load("world-2024")
    assert {"freeze", "essay", "maximal"} <= set(world.end_states)
    assert world.end_states["essay"].aims == {"europe": "restore-2022-borders"}
