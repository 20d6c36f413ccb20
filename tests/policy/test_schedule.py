"""The policy phase: aid windows and conditions, mobilisation, restrictions, preemptive wars."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

from tests.hand_world import fixed, hand_world, ladder, load_world
from tests.model.worlds import actor, toy_world
from tests.oracles import schedule as oracle
from tests.oracles.check import assert_matches_oracle
from tests.toml_text import dumps
from twofront.engine.state import TheaterStatus
from twofront.model.industry import IndustryParams
from twofront.policy.schedule import phase
from twofront.scenario.loader import load


def _toy_with(toy_raw, tmp_path, strategy):
    toy_raw["strategies"]["test"] = strategy
    path = tmp_path / "toy-strategy.toml"
    path.write_text(dumps(toy_raw), encoding="utf-8")
    return load(str(path))


def _line(per_month, **extra):
    return {
        "donor": "donor",
        "recipient": "blue",
        "munition": "shell",
        "per_month": fixed(per_month),
        **extra,
    }


def _at(state, month, **changes):
    return replace(state, month=month, **changes)


# --- aid lines -------------------------------------------------------------------------


def test_aid_runs_only_from_its_start_to_its_end_month(toy_raw, tmp_path):
    # Start 2024-08: 2024-10 is month 2, 2024-12 month 4; both ends are included.
    scenario = _toy_with(
        toy_raw, tmp_path, {"title": "window", "aid": [_line(1000, start="2024-10", end="2024-12")]}
    )
    params, stream, state = toy_world(scenario, "test")
    orders = [phase(_at(state, m), params, stream).aid_order_per_month[:, 0] for m in range(7)]
    np.testing.assert_array_equal(
        orders, [[0, 0], [0, 0], [1000, 1000], [1000, 1000], [1000, 1000], [0, 0], [0, 0]]
    )


def test_aid_without_a_window_runs_over_the_whole_horizon(toy):
    params, stream, state = toy_world(toy, "steady")
    for month in (0, 6, 12):
        after = phase(_at(state, month), params, stream)
        np.testing.assert_array_equal(after.aid_order_per_month, [[30_000.0]] * 2)


def test_aid_runs_only_while_its_condition_holds(toy_raw, tmp_path):
    scenario = _toy_with(
        toy_raw, tmp_path, {"title": "when", "aid": [_line(2000, when="will.blue < 0.5")]}
    )
    params, stream, state = toy_world(scenario, "test")
    blue = actor(params, "blue")
    will = state.will.copy()
    will[:, blue] = [0.8, 0.4]  # blue's will is 0.8 in the toy; run 1 falters
    after = phase(_at(state, 0, will=will), params, stream)
    np.testing.assert_array_equal(after.aid_order_per_month[:, 0], [0.0, 2000.0])


def test_aid_needs_both_its_window_and_its_condition(toy_raw, tmp_path):
    line = _line(500, start="2024-09", end="2024-10", when="theater.east.war")
    scenario = _toy_with(toy_raw, tmp_path, {"title": "both", "aid": [line]})
    params, stream, state = toy_world(scenario, "test")
    settled = state.theater_status.copy()
    settled[1, 0] = TheaterStatus.SETTLED
    got = [
        phase(_at(state, m, theater_status=settled), params, stream).aid_order_per_month[:, 0]
        for m in range(4)
    ]
    np.testing.assert_array_equal(got, [[0, 0], [500, 0], [500, 0], [0, 0]])


def test_each_line_is_ordered_separately(toy_raw, tmp_path):
    lines = [_line(100), _line(200, when="month >= 1"), _line(300, end="2024-08")]
    scenario = _toy_with(toy_raw, tmp_path, {"title": "three", "aid": lines})
    params, stream, state = toy_world(scenario, "test")
    np.testing.assert_array_equal(
        phase(_at(state, 0), params, stream).aid_order_per_month, [[100, 0, 300]] * 2
    )
    np.testing.assert_array_equal(
        phase(_at(state, 1), params, stream).aid_order_per_month, [[100, 200, 0]] * 2
    )


# --- mobilisation and restrictions ------------------------------------------------------


def test_mobilised_actors_target_mobilised_capacity_and_others_planned(toy):
    params, stream, state = toy_world(toy, "surge")  # surge mobilises the donor
    after = phase(state, params, stream)
    donor, blue, red = (actor(params, n) for n in ("donor", "blue", "red"))
    # donor shell: mobilised 100,000; blue planned 40,000; red planned 200,000
    np.testing.assert_array_equal(after.capacity_target_per_month[:, donor, 0], 100_000.0)
    np.testing.assert_array_equal(after.capacity_target_per_month[:, blue, 0], 40_000.0)
    np.testing.assert_array_equal(after.capacity_target_per_month[:, red, 0], 200_000.0)
    np.testing.assert_array_equal(after.mobilising, [[False, False, True]] * 2)


def test_without_mobilisation_every_actor_targets_planned_capacity(toy):
    params, stream, state = toy_world(toy, "steady")
    after = phase(state, params, stream)
    np.testing.assert_array_equal(
        after.capacity_target_per_month, params.of(IndustryParams).planned_capacity_per_month
    )
    assert not after.mobilising.any()


def test_mobilisation_follows_its_condition(toy_raw, tmp_path):
    strategy = {
        "title": "late",
        "mobilise_industry": ["donor", "blue"],
        "mobilise_when": "month >= 3",
    }
    params, stream, state = toy_world(_toy_with(toy_raw, tmp_path, strategy), "test")
    before = phase(_at(state, 2), params, stream)
    after = phase(_at(state, 3), params, stream)
    np.testing.assert_array_equal(
        before.capacity_target_per_month, params.of(IndustryParams).planned_capacity_per_month
    )
    donor, blue, red = (actor(params, n) for n in ("donor", "blue", "red"))
    np.testing.assert_array_equal(
        after.mobilising[:, [donor, blue, red]], [[True, True, False]] * 2
    )
    np.testing.assert_array_equal(after.capacity_target_per_month[:, blue, 0], 80_000.0)
    np.testing.assert_array_equal(after.capacity_target_per_month[:, red, 0], 200_000.0)


def test_restrictions_are_lifted_only_while_their_condition_holds(toy, toy_raw, tmp_path):
    params, stream, state = toy_world(toy, "steady")
    assert not phase(state, params, stream).restrictions_lifted.any()
    params, stream, state = toy_world(toy, "surge")  # "month >= 0"
    assert phase(state, params, stream).restrictions_lifted.all()
    strategy = {"title": "r", "restrictions_lifted_when": "will.blue < 0.5 or month >= 6"}
    params, stream, state = toy_world(_toy_with(toy_raw, tmp_path, strategy), "test")
    will = state.will.copy()
    will[:, actor(params, "blue")] = [0.8, 0.3]
    np.testing.assert_array_equal(
        phase(_at(state, 5, will=will), params, stream).restrictions_lifted, [False, True]
    )
    np.testing.assert_array_equal(
        phase(_at(state, 6, will=will), params, stream).restrictions_lifted, [True, True]
    )


# --- start_war ------------------------------------------------------------------------------


@pytest.fixture
def preemptive(tmp_path):
    raw = hand_world(with_west=True)
    raw["strategies"]["strike"] = {
        "title": "preemptive strike in the west from month 2",
        "start_war": [{"theater": "west", "when": "month >= 2"}],
    }
    return load_world(raw, tmp_path)


def test_start_war_opens_the_theater_once_its_condition_holds(preemptive):
    params, stream, state = toy_world(preemptive, "strike")
    west = params.index.theaters.index("west")
    early = phase(_at(state, 1), params, stream)
    np.testing.assert_array_equal(early.theater_status[:, west], TheaterStatus.PEACE)
    opened = phase(_at(state, 2), params, stream)
    np.testing.assert_array_equal(opened.theater_status[:, west], TheaterStatus.WAR)
    np.testing.assert_array_equal(opened.war_start_month[:, west], 2)
    # Opened at the start of month 2: its stocks are those recorded then (index 2).
    np.testing.assert_array_equal(opened.war_start_snapshot[:, west], 2)
    # Still holding a month later does not restart it.
    later = phase(replace(opened, month=3), params, stream)
    np.testing.assert_array_equal(later.war_start_month[:, west], 2)


def test_start_war_never_reopens_a_settled_theater(preemptive):
    params, stream, state = toy_world(preemptive, "strike")
    west = params.index.theaters.index("west")
    status = state.theater_status.copy()
    status[:, west] = TheaterStatus.SETTLED
    after = phase(_at(state, 4, theater_status=status), params, stream)
    np.testing.assert_array_equal(after.theater_status[:, west], TheaterStatus.SETTLED)
    np.testing.assert_array_equal(after.war_start_month, state.war_start_month)


# --- escalation and aid ----------------------------------------------------------------------


@pytest.fixture
def escalated(tmp_path):
    """East has a ladder whose level 1 halves patrons' aid; a neutral also gives."""
    raw = hand_world()
    raw["theaters"]["east"]["escalation"] = ladder((0.0, 1.0, 1.0), (0.0, 0.5, 1.0))
    raw["actors"]["neutral"] = dict(raw["actors"]["donor"], title="Neutral, not a patron")
    raw["strategies"]["aid"] = {
        "title": "aid from a patron, a neutral and to the aggressor",
        "aid": [
            {"donor": "donor", "recipient": "blue", "munition": "shell", "per_month": fixed(100)},
            {"donor": "neutral", "recipient": "blue", "munition": "shell", "per_month": fixed(100)},
            {"donor": "donor", "recipient": "red", "munition": "shell", "per_month": fixed(100)},
        ],
    }
    return load_world(raw, tmp_path)


def test_escalation_scales_only_patrons_aid_to_the_defender(escalated):
    params, stream, state = toy_world(escalated, "aid")
    level0 = phase(state, params, stream)
    level = state.escalation_level.copy()
    level[:, 0] = 1
    level1 = phase(replace(state, escalation_level=level), params, stream)
    np.testing.assert_array_equal(level0.aid_order_per_month, [[100, 100, 100]] * 2)
    # Patron to defender: 100 * 0.5; neutral donor and aid to a non-defender: unscaled.
    np.testing.assert_array_equal(level1.aid_order_per_month, [[50, 100, 100]] * 2)


# --- contract --------------------------------------------------------------------------------


def test_phase_does_not_touch_its_input(toy):
    params, stream, state = toy_world(toy, "surge")
    copies = {f.name: np.copy(getattr(state, f.name)) for f in fields(state)}
    phase(state, params, stream)
    for name, before in copies.items():
        np.testing.assert_array_equal(getattr(state, name), before, err_msg=name)


def test_phase_draws_nothing_at_random(toy):
    params, stream, state = toy_world(toy, "surge", seed=1)
    _, other_stream, _ = toy_world(toy, "surge", seed=2)
    a = phase(state, params, stream)
    b = phase(state, params, other_stream)
    for f in fields(a):
        np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name), f.name)


def test_start_war_does_not_reopen_a_settled_theater(preemptive):
    params, stream, state = toy_world(preemptive, "strike")
    west = params.index.theaters.index("west")
    status = state.theater_status.copy()
    status[:, west] = TheaterStatus.SETTLED
    after = phase(replace(_at(state, 5), theater_status=status), params, stream)
    np.testing.assert_array_equal(after.theater_status[:, west], TheaterStatus.SETTLED)
    np.testing.assert_array_equal(after.wars_started[:, west], state.wars_started[:, west])


def test_a_rule_reads_the_state_as_the_month_began_not_a_war_opened_this_month(tmp_path):
    # West opens in month 2; a rule on "theater.west.war" reads west at peace this month
    # (no aid, reserves not committed) and at war the next.
    raw = hand_world(with_west=True)
    raw["actors"]["blue"]["forces"]["commit_reserves_when"] = "theater.west.war"
    line = {"donor": "donor", "recipient": "blue", "munition": "shell", "per_month": fixed(10)}
    raw["strategies"]["strike"] = {
        "title": "preemptive strike in the west, aid once it is at war",
        "start_war": [{"theater": "west", "when": "month >= 2"}],
        "aid": [line | {"when": "theater.west.war"}],
    }
    params, stream, state = toy_world(load_world(raw, tmp_path), "strike")
    blue, west = actor(params, "blue"), params.index.theaters.index("west")
    opened = phase(_at(state, 2), params, stream)
    assert (opened.theater_status[:, west] == TheaterStatus.WAR).all()
    assert opened.fought_this_month[:, west].all()
    np.testing.assert_array_equal(opened.aid_order_per_month[:, 0], 0.0)
    assert not opened.committing_reserves[:, blue].any()
    later = phase(replace(opened, month=3), params, stream)
    np.testing.assert_array_equal(later.aid_order_per_month[:, 0], 10.0)
    assert later.committing_reserves[:, blue].all()


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
