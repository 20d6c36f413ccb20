"""Escalation: a proportional hazard of climbing one rung a month, and each rung's costs."""

from __future__ import annotations

import math
from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hand_world import fixed, hand_world, ladder, load_world
from tests.model.worlds import actor, front, toy_world
from tests.oracles import escalation as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.engine.state import TheaterStatus
from twofront.model.escalation import climb_probability, doctrine_allows, level_effect, phase
from twofront.simulation import run


def grid(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats rounded to 1e-6: no subnormals, whose underflow the autouse seterr would raise."""
    return st.floats(low, high).map(lambda x: round(x, 6))


def test_climb_probability_matches_the_docstring_example():
    # h0 = 0.01, h_r = 0.02, R = 1, h_s = 0.03 per 1,000 km², 1,000 km² held:
    # rate = 0.01 + 0.02 + 0.03 = 0.06; P = 1 - e^-0.06 = 0.0582355
    p = climb_probability(0.01, 0.02, True, 0.03, 1000.0, 0.0, 1.0)
    assert p == pytest.approx(1 - math.exp(-0.06), rel=1e-12)
    assert round(p, 4) == 0.0582


def test_restrictions_in_place_drop_their_hazard():
    # R = 0: rate = 0.01 + 0.03 * 2000 / 1000 = 0.07; P = 1 - e^-0.07
    p = climb_probability(0.01, 0.02, False, 0.03, 2000.0, 0.0, 1.0)
    assert p == pytest.approx(1 - math.exp(-0.07), rel=1e-12)


def test_no_hazard_means_no_climb():
    assert climb_probability(0.0, 0.0, True, 0.0, 5000.0, 0.0, 1.0) == 0.0


@settings(max_examples=50, deadline=None)
@given(
    h0=grid(0.0, 1.0),
    hr=grid(0.0, 1.0),
    hs=grid(0.0, 1.0),
    held=grid(0.0, 10_000.0),
    more=grid(0.0, 10_000.0),
)
def test_climb_probability_rises_with_lifted_restrictions_and_soil_held(h0, hr, hs, held, more):
    def p(lifted: bool, km2: float) -> float:
        return climb_probability(h0, hr, lifted, hs, km2, 0.0, 1.0)

    assert 0.0 <= p(False, held) <= p(True, held) <= 1.0
    assert p(False, held) <= p(False, held + more)
    assert p(True, held) <= p(True, held + more)


def test_level_effect_reads_each_theaters_own_level():
    # per_level[run, theater, level] = 100 run + 10 theater + level
    runs, theaters, levels = 3, 2, 4
    per_level = (
        100.0 * np.arange(runs)[:, None, None]
        + 10.0 * np.arange(theaters)[None, :, None]
        + np.arange(levels)[None, None, :]
    )
    level = np.array([[0, 3], [2, 1], [3, 3]])
    expected = [[per_level[r, t, level[r, t]] for t in range(theaters)] for r in range(runs)]
    np.testing.assert_array_equal(level_effect(per_level, level), expected)
    np.testing.assert_array_equal(level_effect(per_level, level), [[0, 13], [102, 111], [203, 213]])


# --- the phase on the hand world -------------------------------------------------------
#
# East is at war; blue holds 50 km² of red's soil. A soil hazard of 1,000 per 1,000 km²
# gives rate >= 50 and P = 1 - e^-50, which is 1.0 in float64: the ladder is climbed
# every month. Levels (patron will loss, aid factor, opportunism factor):
# 0: (0, 1, 1), 1: (0.01, 0.5, 2), 2: (0.05, 0.25, 3).

LEVELS = ((0.0, 1.0, 1.0), (0.01, 0.5, 2.0), (0.05, 0.25, 3.0))


def _escalating(tmp_path, hazards=(0.0, 0.0, 1000.0), levels=LEVELS, **east):
    raw = hand_world()
    raw["theaters"]["east"]["defender_aim"] = "total"  # no settlement: the war goes on
    raw["theaters"]["east"]["escalation"] = ladder(*levels, hazards=hazards)
    raw["theaters"]["east"] |= east
    return load_world(raw, tmp_path)


def _months(state, params, stream, months):
    states = [state]
    for month in range(months):
        states.append(phase(replace(states[-1], month=month), params, stream))
    return states[1:]


def test_a_certain_hazard_climbs_one_rung_a_month_up_to_the_top(tmp_path):
    params, stream, state = toy_world(_escalating(tmp_path), "none", runs=3)
    t = params.index.theaters.index("east")
    levels = [s.escalation_level[:, t].tolist() for s in _months(state, params, stream, 4)]
    assert levels == [[1] * 3, [2] * 3, [2] * 3, [2] * 3]


def test_patrons_lose_the_will_of_the_level_reached_each_month(tmp_path):
    # Donor 0.6: level 1 -> 0.59; level 2 -> 0.54; stays at 2 -> 0.49.
    params, stream, state = toy_world(_escalating(tmp_path), "none", runs=2)
    donor, blue, red = (actor(params, n) for n in ("donor", "blue", "red"))
    states = _months(state, params, stream, 3)
    np.testing.assert_allclose(
        [s.will[:, donor] for s in states], [[0.59] * 2, [0.54] * 2, [0.49] * 2], rtol=1e-12
    )
    for s in states:
        np.testing.assert_array_equal(s.will[:, [blue, red]], state.will[:, [blue, red]])


def test_level_zero_costs_patrons_its_will_too(tmp_path):
    # No hazard: stays at level 0, whose loss 0.02 a month applies: 0.6 -> 0.58 -> 0.56.
    levels = ((0.02, 1.0, 1.0), (0.1, 0.5, 2.0))
    params, stream, state = toy_world(
        _escalating(tmp_path, hazards=(0.0, 0.0, 0.0), levels=levels), "none", runs=2
    )
    donor = actor(params, "donor")
    states = _months(state, params, stream, 2)
    assert all((s.escalation_level == 0).all() for s in states)
    np.testing.assert_allclose([s.will[:, donor] for s in states], [[0.58] * 2, [0.56] * 2])


def test_patron_will_never_goes_below_zero(tmp_path):
    levels = ((0.0, 1.0, 1.0), (0.7, 0.5, 2.0))
    params, stream, state = toy_world(_escalating(tmp_path, levels=levels), "none", runs=2)
    after = _months(state, params, stream, 1)[0]
    np.testing.assert_array_equal(after.will[:, actor(params, "donor")], 0.0)


def test_restrictions_lifted_raise_the_hazard_in_the_phase(tmp_path):
    # Only the restrictions hazard is set (h_r = 1): rate 0 while restrictions hold,
    # rate 1 once lifted, P = 1 - e^-1 = 0.632; which runs climb is decided by their draws.
    params, stream, state = toy_world(
        _escalating(tmp_path, hazards=(0.0, 1.0, 0.0)), "none", runs=4
    )
    t = params.index.theaters.index("east")
    kept = phase(state, params, stream)
    lifted = phase(replace(state, restrictions_lifted=np.ones(4, dtype=bool)), params, stream)
    np.testing.assert_array_equal(kept.escalation_level[:, t], 0)
    expected = stream.uniform(0, "escalation", lanes=1)[:, 0] < 1 - math.exp(-1.0)
    np.testing.assert_array_equal(lifted.escalation_level[:, t], expected.astype(int))


@pytest.mark.parametrize("status", [TheaterStatus.PEACE, TheaterStatus.SETTLED])
def test_no_climb_and_no_will_cost_outside_war(tmp_path, status):
    params, stream, state = toy_world(_escalating(tmp_path), "none", runs=2)
    t = params.index.theaters.index("east")
    calm = state.theater_status.copy()
    calm[:, t] = status
    state = replace(state, theater_status=calm)
    after = phase(state, params, stream)
    for f in fields(state):
        np.testing.assert_array_equal(getattr(after, f.name), getattr(state, f.name), f.name)


def test_phase_does_not_touch_its_input(tmp_path):
    params, stream, state = toy_world(_escalating(tmp_path), "none", runs=2)
    copies = {f.name: np.copy(getattr(state, f.name)) for f in fields(state)}
    phase(state, params, stream)
    for name, before in copies.items():
        np.testing.assert_array_equal(getattr(state, name), before, err_msg=name)


def test_a_world_without_ladders_is_untouched(toy):
    params, stream, state = toy_world(toy)
    after = phase(state, params, stream)
    for f in fields(state):
        np.testing.assert_array_equal(getattr(after, f.name), getattr(state, f.name), f.name)


@pytest.fixture(scope="module")
def random_ladders(tmp_path_factory):
    """East (random hazard, random settlement) and west (at peace) both with ladders."""
    raw = hand_world(with_west=True)
    raw["scenario"]["horizon_months"] = 12
    raw["bargaining"] |= {"belief_error_sd": fixed(0.4), "optimism_bias": fixed(0.5)}
    four = ((0.0, 1.0, 1.0), (0.01, 0.8, 1.5), (0.02, 0.6, 2.0), (0.03, 0.4, 3.0))
    raw["theaters"]["east"]["escalation"] = ladder(*four, hazards=(0.2, 0.1, 2.0))
    raw["theaters"]["west"]["escalation"] = ladder(*four[:2], hazards=(1.0, 1.0, 1.0))
    return load_world(raw, tmp_path_factory.mktemp("ladders"))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_levels_climb_one_rung_at_most_only_at_war_and_never_fall(random_ladders, seed):
    results = run(random_ladders, runs=16, seed=seed)
    level = results["escalation_level"].values.astype(int)  # (run, month, theater)
    status = results["theater_status"].values
    top = np.array([3, 1])
    steps = np.diff(level, axis=1)
    assert ((steps == 0) | (steps == 1)).all()
    assert (level <= top).all() and (level[:, 0] == 0).all()
    # A climb in month m needs the theater at war when month m began.
    assert (status[:, :-1][steps == 1] == TheaterStatus.WAR).all()
    assert (level[:, :, 1] == 0).all()  # west stays at peace
    highest = results["max_escalation_level"].values
    np.testing.assert_array_equal(highest, level.max(axis=1))
    assert (highest >= level[:, -1]).all()


def _clash_world(tmp_path, clash: bool, descend: float | None = None):
    # East never settles; Blue holds 50 km2 of Red's soil, and a soil hazard of 1,000 per
    # 1,000 km2 makes the climb certain: rate 50, P = 1 - e^-50.
    raw = hand_world()
    raw["theaters"]["east"]["defender_aim"] = "total"
    table = ladder((0.0, 1.0, 1.0), (0.0, 1.0, 1.0), hazards=(0.0, 0.0, 1000.0))
    table["levels"][1]["patrons_at_war"] = clash
    if descend is not None:
        table["descend_hazard_per_month"] = fixed(descend)
    raw["theaters"]["east"]["escalation"] = table
    return load_world(raw, tmp_path)


def test_a_clash_with_the_patrons_counts_as_a_second_war(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    clash = run(_clash_world(tmp_path / "a", clash=True), 2, seed=0)
    plain = run(_clash_world(tmp_path / "b", clash=False), 2, seed=0)
    assert clash["max_escalation_level"].sel(theater="east").values.tolist() == [1, 1]
    assert clash["max_wars_at_once"].values.tolist() == [2, 2]
    assert clash["two_wars_at_once"].values.all()
    assert plain["max_wars_at_once"].values.tolist() == [1, 1]


def test_rungs_step_down_where_the_descent_draw_falls_under_its_probability(tmp_path):
    # No climb possible at the top rung; from level 1, step down with P = 1 - e^-0.7 = 0.5034.
    params, stream, state = toy_world(_clash_world(tmp_path, True, descend=0.7), "none", runs=40)
    east = params.index.theaters.index("east")
    level = state.escalation_level.copy()
    level[:, east] = 1
    after = phase(replace(state, escalation_level=level), params, stream)
    down = stream.uniform(state.month, "escalation-down", lanes=1)[:, 0] < -math.expm1(-0.7)
    np.testing.assert_array_equal(after.escalation_level[:, east], np.where(down, 0, 1))
    assert 0 < down.sum() < 40  # both outcomes occur
    # The clash ends with the step down.
    np.testing.assert_array_equal(after.patrons_at_war[:, east], ~down)


# --- losing, doctrine gates, the costs of a rung and what reaching it does once ---------


def test_a_losing_aggressor_climbs_more_as_the_docstring_example_says():
    # rate = 0.01 + 0.02 + 0.03 + 0.1 (1 - 0.6) = 0.1; P = 1 - e^-0.1 = 0.0952
    p = climb_probability(0.01, 0.02, True, 0.03, 1000.0, 0.1, 0.6)
    assert p == pytest.approx(1 - math.exp(-0.1), rel=1e-12)
    assert round(p, 4) == 0.0952
    full = climb_probability(0.0, 0.0, False, 0.0, 0.0, 0.1, 1.0)
    assert full == 0.0  # no will lost, no losing term


def test_doctrine_gate_opens_on_soil_held_or_on_low_will():
    gated = (True, True, True, True, False)
    soil_needed = (0.2, 0.2, np.inf, np.inf, np.inf)
    will_needed = (-np.inf, -np.inf, 0.3, 0.3, -np.inf)
    held = (0.25, 0.1, 0.9, 0.9, 0.0)
    will = (0.8, 0.8, 0.3, 0.31, 1.0)
    allowed = [
        doctrine_allows(*case)
        for case in zip(gated, soil_needed, will_needed, held, will, strict=True)
    ]
    assert allowed == [True, False, True, False, True]


def _rung(**extra):
    """Level 1 of a two-rung ladder whose climb is certain (soil hazard 1,000)."""
    table = ladder((0.0, 1.0, 1.0), (0.0, 1.0, 1.0), hazards=(0.0, 0.0, 1000.0))
    table["levels"][1] |= extra
    return table


def _rung_world(tmp_path, **extra):
    raw = hand_world(with_west=True)
    raw["theaters"]["east"]["defender_aim"] = "total"
    raw["theaters"]["east"]["escalation"] = _rung(**extra)
    return load_world(raw, tmp_path)


@pytest.mark.parametrize(
    ("gate", "climbs"),
    [
        ({"doctrine_own_soil_share_at_least": fixed(0.25)}, True),  # blue holds 50/200 = 0.25
        ({"doctrine_own_soil_share_at_least": fixed(0.3)}, False),
        ({"doctrine_aggressor_will_at_most": fixed(0.8)}, True),  # red's will is 0.8
        ({"doctrine_aggressor_will_at_most": fixed(0.7)}, False),
        (
            {
                "doctrine_own_soil_share_at_least": fixed(0.3),
                "doctrine_aggressor_will_at_most": fixed(0.8),
            },
            True,
        ),
    ],
)
def test_a_doctrine_gate_holds_the_rung_shut_until_its_threshold(tmp_path, gate, climbs):
    params, stream, state = toy_world(_rung_world(tmp_path, **gate), "none", runs=3)
    east = params.index.theaters.index("east")
    after = phase(state, params, stream)
    np.testing.assert_array_equal(after.escalation_level[:, east], int(climbs))


def test_a_rung_costs_the_aggressor_will_and_forces_and_the_patrons_munitions(tmp_path):
    # Level 1: red loses 0.05 will and 10% of its personnel on east's fronts a month;
    # the donor fires 200 shells a month from its 500.
    world = _rung_world(
        tmp_path,
        aggressor_will_loss_per_month=fixed(0.05),
        aggressor_personnel_loss_share_per_month=fixed(0.1),
        patron_munitions_per_month={"shell": fixed(200)},
    )
    params, stream, state = toy_world(world, "none", runs=2)
    red, donor, blue, grey = (actor(params, n) for n in ("red", "donor", "blue", "grey"))
    shell = params.index.munitions.index("shell")
    home, salient, plain = (front(params, n) for n in ("home", "salient", "plain"))
    states = _months(state, params, stream, 3)
    np.testing.assert_allclose(
        [s.will[:, red] for s in states], [[0.75] * 2, [0.7] * 2, [0.65] * 2]
    )
    np.testing.assert_allclose(
        [s.personnel[:, home, 1] for s in states], [[900.0] * 2, [810.0] * 2, [729.0] * 2]
    )
    np.testing.assert_allclose(states[0].casualties_total[:, red], 200.0)  # 100 on each front
    np.testing.assert_allclose(states[0].casualties_per_month[:, salient, 1], 100.0)
    np.testing.assert_array_equal(states[0].personnel[:, home, 0], 1000.0)  # blue untouched
    np.testing.assert_array_equal(states[0].personnel[:, plain], 1000.0)  # west at peace
    np.testing.assert_allclose(
        [s.stockpile[:, donor, shell] for s in states], [[300.0] * 2, [100.0] * 2, [0.0] * 2]
    )
    for s in states:
        np.testing.assert_array_equal(s.stockpile[:, [blue, red, grey], shell], 1000.0)


def test_reaching_a_rung_shocks_every_will_once(tmp_path):
    # On reaching level 1: blue -0.2, red +0.1, the donor -0.3, everyone else (green,
    # grey) -0.05; blue also loses 40% of its personnel on east's fronts at once.
    world = _rung_world(
        tmp_path,
        on_reach={
            "defender_will": fixed(-0.2),
            "aggressor_will": fixed(0.1),
            "patron_will": fixed(-0.3),
            "others_will": fixed(-0.05),
            "defender_personnel_loss_share": fixed(0.4),
        },
    )
    params, stream, state = toy_world(world, "none", runs=2)
    names = ("blue", "red", "donor", "green", "grey")
    first, second = _months(state, params, stream, 2)
    np.testing.assert_allclose(
        first.will[:, [actor(params, n) for n in names]], [[0.3, 0.9, 0.3, 0.65, 0.85]] * 2
    )
    np.testing.assert_array_equal(second.will, first.will)  # once only
    home = front(params, "home")
    np.testing.assert_allclose(first.personnel[:, home, 0], 600.0)
    np.testing.assert_allclose(second.personnel[:, home, 0], 600.0)
    np.testing.assert_allclose(first.casualties_total[:, actor(params, "blue")], 800.0)


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
