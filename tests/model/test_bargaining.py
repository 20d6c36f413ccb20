"""Bargaining: Fearon's range, Slantchev's convergence, aims, collapse and settlement terms."""

from __future__ import annotations

import math
from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.hand_world import fixed, hand_world, load_world
from tests.model.worlds import actor, front, toy_world
from tests.oracles import bargaining as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.engine.index import AGGRESSOR, DEFENDER
from twofront.engine.state import TheaterStatus, begin_wars, occupied_km2
from twofront.errors import ScenarioError
from twofront.model.bargaining import (
    BargainingParams,
    bargaining_range,
    belief_sd,
    cost_of_fighting,
    hurt_per_month,
    moved_bottom_lines,
    occupation_multiplier,
    phase,
    position_share,
    reconsidered_bottom_lines,
    split_terms,
    stake_top,
    surprised_errors,
)
from twofront.simulation import run


def grid(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats rounded to 1e-6: no subnormals, whose underflow the autouse seterr would raise."""
    return st.floats(low, high).map(lambda x: round(x, 6))


# --- bargaining_range -------------------------------------------------------------------


def test_range_is_fearons_closed_form_without_discount_and_with_shared_beliefs():
    # p = 0.6, C_def = 0.1, C_agg = 0.05, delta^h = 1:
    # V_def = 0.6 - 0.1 = 0.5; V_agg = (1 - 0.6) - 0.05 = 0.35; 1 - V_agg = 0.65
    low, high = bargaining_range(0.6, 0.6, 0.1, 0.05, 1.0, 12.0)
    np.testing.assert_allclose([low, high], [0.5, 0.65], rtol=1e-12)


def test_range_with_a_top_above_one_is_still_p_minus_c_def_to_p_plus_c_agg():
    # x_bar = 1.4: V_agg = (1.4 - 0.6) - 0.05 = 0.75; x_bar - V_agg = 0.65
    low, high = bargaining_range(0.6, 0.6, 0.1, 0.05, 1.0, 12.0, top=1.4)
    np.testing.assert_allclose([low, high], [0.5, 0.65], rtol=1e-12)


def test_discounting_widens_the_range_by_the_wasted_future():
    # delta^h = 0.5: V_def = 0.5 * 0.6 - 0.1 = 0.2; V_agg = 0.5 * 0.4 - 0.05 = 0.15; high = 0.85
    low, high = bargaining_range(0.6, 0.6, 0.1, 0.05, 0.5, 1.0)
    np.testing.assert_allclose([low, high], [0.2, 0.85], rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    p=grid(0.0, 1.5),
    extra_top=grid(0.0, 1.0),
    c_def=grid(0.0, 1.0),
    c_agg=grid(0.0, 1.0),
)
def test_shared_beliefs_never_give_an_empty_range(p, extra_top, c_def, c_agg):
    top = max(p, 1.0) + extra_top
    low, high = bargaining_range(p, p, c_def, c_agg, 1.0, 6.0, top=top)
    np.testing.assert_allclose([low, high], [p - c_def, p + c_agg], atol=1e-12)
    # x_bar - (x_bar - p) may round one ulp below p: "never empty" holds up to rounding.
    assert low <= high + 1e-12


@settings(max_examples=50, deadline=None)
@given(
    p_agg=grid(0.0, 1.0),
    optimism=grid(0.0, 1.0),
    c_def=grid(0.0, 0.5),
    c_agg=grid(0.0, 0.5),
    extra_top=grid(0.0, 1.0),
)
def test_mutual_optimism_empties_the_range_iff_it_exceeds_the_costs(
    p_agg, optimism, c_def, c_agg, extra_top
):
    # delta = 1: high - low = (p_agg + C_agg) - (p_def - C_def),
    # negative iff p_def - p_agg > C_def + C_agg
    p_def = p_agg + optimism
    assume(abs(optimism - (c_def + c_agg)) > 1e-9)
    top = max(p_def, 1.0) + extra_top
    low, high = bargaining_range(p_def, p_agg, c_def, c_agg, 1.0, 12.0, top=top)
    assert (low > high) == (optimism > c_def + c_agg)


@settings(max_examples=50, deadline=None)
@given(
    p_agg=grid(0.0, 1.0),
    optimism=grid(0.0, 1.0),
    c_def=grid(0.0, 0.5),
    c_agg=grid(0.0, 0.5),
    discount=grid(0.8, 1.0),
    horizon=st.integers(1, 24),
    extra_top=grid(0.0, 1.0),
)
def test_with_discounting_the_range_is_empty_iff_optimism_exceeds_costs_and_waste(
    p_agg, optimism, c_def, c_agg, discount, horizon, extra_top
):
    # high - low = x_bar (1 - d^h) + C_def + C_agg - d^h (p_def - p_agg): fighting wastes
    # the share (1 - d^h) of the stake as well as the costs, so the range is never empty
    # while d^h (p_def - p_agg) <= C_def + C_agg, and empty iff the waste is exceeded too.
    p_def = p_agg + optimism
    top = max(p_def, 1.0) + extra_top
    d = discount**horizon
    margin = d * optimism - (c_def + c_agg + top * (1.0 - d))
    assume(abs(margin) > 1e-9)
    low, high = bargaining_range(p_def, p_agg, c_def, c_agg, discount, float(horizon), top=top)
    assert (low > high) == (margin > 0)
    if d * optimism <= c_def + c_agg:
        assert low <= high


# --- belief_sd --------------------------------------------------------------------------


def test_belief_variance_halves_after_the_learning_time():
    # sigma_w = 0.2 / sqrt(1 + 12/12) = 0.2 / sqrt(2) = 0.141421
    assert belief_sd(0.2, 12.0, 12.0) == pytest.approx(0.2 / math.sqrt(2.0))
    assert belief_sd(0.2, 0.0, 12.0) == pytest.approx(0.2)
    # w = 3 L: 0.2 / sqrt(4) = 0.1
    assert belief_sd(0.2, 36.0, 12.0) == pytest.approx(0.1)


@settings(max_examples=50, deadline=None)
@given(
    sd0=grid(0.01, 1.0),
    w=grid(0.0, 200.0),
    dw=grid(0.01, 100.0),
    learning=grid(1.0, 60.0),
)
def test_beliefs_converge_as_the_war_goes_on(sd0, w, dw, learning):
    earlier = belief_sd(sd0, w, learning)
    later = belief_sd(sd0, w + dw, learning)
    assert 0.0 < later < earlier <= sd0


# --- cost_of_fighting -------------------------------------------------------------------


def test_cost_without_discount_is_monthly_cost_over_will_times_horizon():
    # 0.01 / 0.5 * 12 = 0.24
    assert cost_of_fighting(0.01, 0.5, 1.0, 12.0) == pytest.approx(0.24)


def test_cost_with_discount_is_an_annuity():
    # 0.01 / 0.5 * (1 + 0.9) = 0.038
    assert cost_of_fighting(0.01, 0.5, 0.9, 2.0) == pytest.approx(0.038)
    # (1 - 0.99^12) / 0.01 = 11.361512828...; * 0.02 = 0.227230
    expected = 0.02 * sum(0.99**k for k in range(12))
    assert cost_of_fighting(0.01, 0.5, 0.99, 12.0) == pytest.approx(expected)


@settings(max_examples=50, deadline=None)
@given(
    c=grid(0.0, 0.1),
    will=grid(0.05, 1.0),
    discount=grid(0.5, 1.0),
    horizon=st.integers(1, 36),
)
def test_annuity_equals_the_discounted_sum(c, will, discount, horizon):
    expected = c / will * sum(discount**k for k in range(horizon))
    got = cost_of_fighting(c, will, discount, float(horizon))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_will_is_floored_at_five_percent():
    # 0.01 / max(W, 0.05) * 12: W = 0.01 and W = 0 both give 0.01 / 0.05 * 12 = 2.4
    got = [cost_of_fighting(0.01, will, 1.0, 12.0) for will in (0.01, 0.0, 0.05)]
    np.testing.assert_allclose(got, [2.4, 2.4, 2.4])


# --- position_share, stake_top, split_terms ---------------------------------------------


def test_position_share_counts_enemy_soil_at_its_weight():
    # (100 - 30 + 2 * 10) / 100 = 0.9
    assert position_share(30.0, 10.0, 100.0, 2.0) == pytest.approx(0.9)
    # (1000 - 300 + 2 * 50) / 1000 = 0.8
    assert position_share(300.0, 50.0, 1000.0, 2.0) == pytest.approx(0.8)


def test_position_share_is_one_without_disputed_soil_and_never_negative():
    np.testing.assert_array_equal(
        [
            position_share(o_def, o_agg, d, 2.0)
            for o_def, o_agg, d in ((0.0, 0.0, 0.0), (0.0, 10.0, 0.0), (150.0, 0.0, 100.0))
        ],
        [1.0, 1.0, 0.0],
    )


def test_stake_top_adds_the_weighted_enemy_soil():
    # 1 + 2 * 50 / 100 = 2.0; 1 + 2 * 200 / 1000 = 1.4; no disputed soil: 1
    np.testing.assert_allclose(
        [stake_top(area, d, 2.0) for area, d in ((50.0, 100.0), (200.0, 1000.0), (50.0, 0.0))],
        [2.0, 1.4, 1.0],
    )


def test_split_terms_share_the_range_by_bargaining_power():
    # 0.6 + 0.5 * (0.9 - 0.6) = 0.75; beta 0 -> low; beta 1 -> high; 0.6 + 0.25 * 0.3 = 0.675
    np.testing.assert_allclose(
        [split_terms(0.6, 0.9, beta) for beta in (0.5, 0.0, 1.0, 0.25)], [0.75, 0.6, 0.9, 0.675]
    )


@settings(max_examples=50, deadline=None)
@given(low=grid(-1.0, 2.0), width=grid(0.0, 2.0), beta=grid(0.0, 1.0))
def test_terms_lie_inside_the_range(low, width, beta):
    terms = split_terms(low, low + width, beta)
    assert low - 1e-12 <= terms <= low + width + 1e-12


# --- the phase on the hand world -------------------------------------------------------
#
# Hand world (tests/hand_world.py): D = 1000 km² of blue soil, red holds O_def = 300;
# red's soil in the theater A_agg = 200 km², blue holds O_agg = 50; lambda = 2;
# delta = 1, h = 12, no belief error, no optimism; c = 0.01 a month for both sides;
# will blue 0.5, red 0.8; blue's aim: at least 0.6; red's: at most 0.9; beta = 0.5.
#   x     = (1000 - 300 + 2 * 50) / 1000 = 0.8          (trend 0 in month 0, so p = x)
#   x_bar = 1 + 2 * 200 / 1000           = 1.4
#   C_def = 0.01 / 0.5 * 12 = 0.24;  C_agg = 0.01 / 0.8 * 12 = 0.15
#   range [0.8 - 0.24, 0.8 + 0.15] = [0.56, 0.95]; aims cut it to [0.6, 0.9]
#   x*    = 0.6 + 0.5 * (0.9 - 0.6)      = 0.75
# Settlement: red keeps (1 - 0.75) * 1000 = 250 km² of blue soil; blue returns all 50 km².


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    return load_world(hand_world(), tmp_path_factory.mktemp("hand"))


def _world(scenario, runs=2):
    params, stream, state = toy_world(scenario, "none", runs=runs)
    return params, stream, state


def _occupy(state, params, **occupied_by_front):
    """A state whose fronts have the given km² held by the side whose soil they are not."""
    held = state.held_km2.copy()
    for name, km2 in occupied_by_front.items():
        f = front(params, name)
        owner = params.index.front_soil_side[f]
        held[:, f, owner] = params.world.area_km2[:, f] - km2
        held[:, f, 1 - owner] = km2
    return replace(state, held_km2=held)


def _east(params):
    return params.index.theaters.index("east")


def test_hand_world_settles_in_month_zero_on_hand_computed_terms(hand):
    params, stream, state = _world(hand)
    after = phase(state, params, stream)
    t = _east(params)
    np.testing.assert_allclose(after.settlement_share[:, t], 0.75, rtol=1e-12)
    np.testing.assert_array_equal(after.theater_status[:, t], TheaterStatus.SETTLED)
    assert int(TheaterStatus.SETTLED) == 3
    np.testing.assert_array_equal(after.settled_month[:, t], 0)
    np.testing.assert_array_equal(after.collapsed[:, t], -1)
    np.testing.assert_allclose(after.position_share[:, t], 0.8, rtol=1e-12)


def test_settlement_below_one_returns_the_aggressors_soil(hand):
    params, stream, state = _world(hand)
    after = phase(state, params, stream)
    t = _east(params)
    occupied = occupied_km2(after, params)
    np.testing.assert_allclose(occupied[:, front(params, "home")], 250.0, rtol=1e-12)
    np.testing.assert_array_equal(occupied[:, front(params, "salient")], 0.0)
    np.testing.assert_allclose(after.occupied_at_settlement_km2[:, t], 250.0, rtol=1e-12)
    np.testing.assert_allclose(after.enemy_soil_traded_km2[:, t], 50.0, rtol=1e-12)
    np.testing.assert_array_equal(after.enemy_soil_kept_km2[:, t], 0.0)


def test_territory_is_conserved_on_every_front_after_settlement(hand):
    params, stream, state = _world(hand)
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.held_km2.sum(axis=2), params.world.area_km2, rtol=1e-12)
    assert (after.held_km2 >= 0).all()


@settings(max_examples=40, deadline=None)
@given(
    home=grid(0.0, 1000.0),
    salient=grid(0.0, 200.0),
    will_blue=grid(0.0, 1.0),
    will_red=grid(0.0, 1.0),
)
def test_settlement_conserves_territory_and_terms_stay_in_the_stake(
    hand, home, salient, will_blue, will_red
):
    params, stream, state = _world(hand)
    state = _occupy(state, params, home=home, salient=salient)
    will = state.will.copy()
    will[:, actor(params, "blue")], will[:, actor(params, "red")] = will_blue, will_red
    after = phase(replace(state, will=will), params, stream)
    t = _east(params)
    np.testing.assert_allclose(after.held_km2.sum(axis=2), params.world.area_km2, rtol=1e-9)
    assert (after.held_km2 >= 0).all()
    settled = after.theater_status[:, t] == TheaterStatus.SETTLED
    terms = after.settlement_share[settled, t]
    assert ((terms >= 0) & (terms <= 1.4 + 1e-12)).all()
    # What changes hands matches the terms: kept by the aggressor = (1 - min(x*, 1)) * D.
    np.testing.assert_allclose(
        after.occupied_at_settlement_km2[settled, t],
        (1 - np.minimum(terms, 1.0)) * 1000.0,
        rtol=1e-9,
        atol=1e-9,
    )


def test_settlement_above_one_lets_the_defender_keep_enemy_soil(hand, tmp_path):
    # Blue holds all its soil and 100 km² of red's: x = (1000 - 0 + 2 * 100) / 1000 = 1.2.
    # Range [1.2 - 0.24, 1.2 + 0.15] = [0.96, 1.35]; blue's aim >= 1.0, red's <= 1.3
    # -> [1.0, 1.3]; x* = 1.0 + 0.5 * 0.3 = 1.15. Blue keeps (1.15 - 1) * 1000 / 2 = 75 km²
    # of red's soil and returns 100 - 75 = 25; red keeps none of blue's.
    raw = hand_world()
    raw["aims"]["restore"] = {"title": "all back", "defender_share_at_least": fixed(1.0)}
    raw["aims"]["cede"] = {"title": "cede some", "defender_share_at_most": fixed(1.3)}
    raw["theaters"]["east"] |= {"defender_aim": "restore", "aggressor_aim": "cede"}
    raw["fronts"]["home"]["occupied_km2"] = fixed(0)
    raw["fronts"]["salient"]["occupied_km2"] = fixed(100)
    params, stream, state = _world(load_world(raw, tmp_path))
    after = phase(state, params, stream)
    t = _east(params)
    occupied = occupied_km2(after, params)
    np.testing.assert_allclose(after.settlement_share[:, t], 1.15, rtol=1e-12)
    np.testing.assert_allclose(occupied[:, front(params, "salient")], 75.0, rtol=1e-12)
    np.testing.assert_array_equal(occupied[:, front(params, "home")], 0.0)
    np.testing.assert_allclose(after.enemy_soil_kept_km2[:, t], 75.0, rtol=1e-12)
    np.testing.assert_allclose(after.enemy_soil_traded_km2[:, t], 25.0, rtol=1e-12)
    np.testing.assert_array_equal(after.occupied_at_settlement_km2[:, t], 0.0)


@pytest.mark.parametrize("role", ["defender_aim", "aggressor_aim"])
def test_a_total_aim_blocks_settlement_while_wills_hold(tmp_path, role):
    raw = hand_world()
    raw["theaters"]["east"][role] = "total"
    params, stream, state = _world(load_world(raw, tmp_path))
    after = phase(state, params, stream)
    t = _east(params)
    np.testing.assert_array_equal(after.theater_status[:, t], TheaterStatus.WAR)
    np.testing.assert_array_equal(after.settled_month[:, t], -1)
    assert np.isnan(after.settlement_share[:, t]).all()
    np.testing.assert_array_equal(after.held_km2, state.held_km2)
    # The month still counts: position recorded, one more month of war.
    np.testing.assert_allclose(after.position_share[:, t], 0.8, rtol=1e-12)
    np.testing.assert_array_equal(after.war_months[:, t], state.war_months[:, t] + 1)


def test_trend_is_smoothed_change_of_position(tmp_path):
    # Month 0 (no settlement under a total aim): x = 0.8, trend 0. Red then takes 100 km²
    # more: x = (1000 - 400 + 100) / 1000 = 0.7; trend = 0.5 * 0 + 0.5 * (0.7 - 0.8) = -0.05.
    raw = hand_world()
    raw["theaters"]["east"]["defender_aim"] = "total"
    params, stream, state = _world(load_world(raw, tmp_path))
    first = phase(state, params, stream)
    second = phase(_occupy(replace(first, month=1), params, home=400.0), params, stream)
    t = _east(params)
    np.testing.assert_allclose(first.trend_share_per_month[:, t], 0.0)
    np.testing.assert_allclose(second.position_share[:, t], 0.7, rtol=1e-12)
    np.testing.assert_allclose(second.trend_share_per_month[:, t], -0.05, rtol=1e-9)


def test_defender_collapse_ends_even_a_total_war_on_the_aggressors_ceiling(tmp_path):
    # Blue's will 0.1 <= collapse 0.2; red's aim: at most 0.5 (x = 0.8 is above it), so
    # x* = min(x, 0.5) = 0.5 and red keeps (1 - 0.5) * 1000 = 500 km² of blue's soil.
    raw = hand_world()
    raw["aims"]["half"] = {"title": "half", "defender_share_at_most": fixed(0.5)}
    raw["theaters"]["east"] |= {"defender_aim": "total", "aggressor_aim": "half"}
    raw["actors"]["blue"]["will"] = fixed(0.1)
    raw["bargaining"]["collapse_will"] = fixed(0.2)
    params, stream, state = _world(load_world(raw, tmp_path))
    after = phase(state, params, stream)
    t = _east(params)
    np.testing.assert_array_equal(after.theater_status[:, t], TheaterStatus.SETTLED)
    np.testing.assert_allclose(after.settlement_share[:, t], 0.5, rtol=1e-12)
    np.testing.assert_array_equal(after.collapsed[:, t], DEFENDER)
    np.testing.assert_allclose(occupied_km2(after, params)[:, front(params, "home")], 500.0)
    np.testing.assert_allclose(after.held_km2.sum(axis=2), params.world.area_km2, rtol=1e-12)


def test_defender_collapse_at_exactly_the_threshold_counts(tmp_path):
    # Will 0.2 == collapse 0.2: "falls to the threshold". x* = min(0.8, 0.9) = 0.8.
    raw = hand_world()
    raw["theaters"]["east"]["defender_aim"] = "total"
    raw["actors"]["blue"]["will"] = fixed(0.2)
    raw["bargaining"]["collapse_will"] = fixed(0.2)
    params, stream, state = _world(load_world(raw, tmp_path))
    after = phase(state, params, stream)
    t = _east(params)
    np.testing.assert_array_equal(after.collapsed[:, t], DEFENDER)
    np.testing.assert_allclose(after.settlement_share[:, t], 0.8, rtol=1e-12)


def test_aggressor_collapse_ends_the_war_on_the_defenders_floor(tmp_path):
    # Red collapses; blue's aim: at least 0.9 > x = 0.8, so x* = max(0.8, 0.9) = 0.9.
    raw = hand_world()
    raw["aims"]["most"] = {"title": "most", "defender_share_at_least": fixed(0.9)}
    raw["theaters"]["east"] |= {"defender_aim": "most", "aggressor_aim": "total"}
    raw["actors"]["red"]["will"] = fixed(0.1)
    raw["bargaining"]["collapse_will"] = fixed(0.2)
    params, stream, state = _world(load_world(raw, tmp_path))
    after = phase(state, params, stream)
    t = _east(params)
    np.testing.assert_array_equal(after.collapsed[:, t], AGGRESSOR)
    np.testing.assert_allclose(after.settlement_share[:, t], 0.9, rtol=1e-12)
    np.testing.assert_allclose(occupied_km2(after, params)[:, front(params, "home")], 100.0)


def test_phase_does_not_touch_its_input(hand):
    params, stream, state = _world(hand)
    copies = {f.name: np.copy(getattr(state, f.name)) for f in fields(state)}
    phase(state, params, stream)
    for name, before in copies.items():
        np.testing.assert_array_equal(getattr(state, name), before, err_msg=name)


def test_a_settled_theater_is_left_alone(hand):
    params, stream, state = _world(hand)
    settled = phase(state, params, stream)
    again = phase(replace(settled, month=1), params, stream)
    for f in fields(settled):
        if f.name != "month":
            np.testing.assert_array_equal(
                getattr(again, f.name), getattr(settled, f.name), err_msg=f.name
            )


# --- the phase inside the engine -------------------------------------------------------


def test_engine_records_the_month_zero_settlement(hand):
    results = run(hand, runs=3, seed=7)
    east = results.sel(theater="east")
    assert east["settled"].values.all()
    np.testing.assert_allclose(east["settlement_share"].values, 0.75, rtol=1e-12)
    # Settled in month 0, the war's first simulated month: it took 1 month.
    np.testing.assert_array_equal(east["months_to_settlement"].values, 1.0)
    np.testing.assert_allclose(east["enemy_soil_traded_km2"].values, 50.0, rtol=1e-12)
    np.testing.assert_array_equal(east["enemy_soil_kept_km2"].values, 0.0)
    np.testing.assert_array_equal(east["collapsed_side"].values, -1)
    np.testing.assert_array_equal(east["theater_status"].values, [[2, 3, 3, 3]] * 3)
    np.testing.assert_allclose(
        results["final_occupied_km2"].sel(front=["home", "salient"]).values, [[250.0, 0.0]] * 3
    )


def test_holding_enemy_soil_buys_better_terms(hand, tmp_path):
    # Without the salient: x = (1000 - 300) / 1000 = 0.7; range [0.46, 0.85] cut to
    # [0.6, 0.85]; x* = 0.6 + 0.5 * 0.25 = 0.725 < 0.75 with 50 km² of red's soil held.
    raw = hand_world()
    raw["fronts"]["salient"]["occupied_km2"] = fixed(0)
    without = run(load_world(raw, tmp_path), runs=2, seed=3).sel(theater="east")
    with_salient = run(hand, runs=2, seed=3).sel(theater="east")
    np.testing.assert_allclose(without["settlement_share"].values, 0.725, rtol=1e-12)
    np.testing.assert_array_equal(without["enemy_soil_traded_km2"].values, 0.0)
    assert (with_salient["settlement_share"].values > without["settlement_share"].values).all()


@settings(max_examples=40, deadline=None)
@given(
    home=grid(0.0, 1000.0),
    less=grid(0.0, 200.0),
    more=grid(0.0, 200.0),
)
def test_more_enemy_soil_never_gives_worse_terms(hand, home, less, more):
    less, more = sorted((less, more))
    params, stream, state = _world(hand)
    t = _east(params)
    low = phase(_occupy(state, params, home=home, salient=less), params, stream)
    high = phase(_occupy(state, params, home=home, salient=more), params, stream)
    both = (low.theater_status[:, t] == TheaterStatus.SETTLED) & (
        high.theater_status[:, t] == TheaterStatus.SETTLED
    )
    assert (high.settlement_share[both, t] >= low.settlement_share[both, t] - 1e-12).all()


@pytest.fixture(scope="module")
def uncertain(tmp_path_factory):
    """The hand world with private belief errors (sd 0.2) and mutual optimism (b = 0.3)."""
    raw = hand_world()
    raw["bargaining"] |= {"belief_error_sd": fixed(0.2), "optimism_bias": fixed(0.3)}
    return load_world(raw, tmp_path_factory.mktemp("uncertain"))


def _terms_by_hand(z_def: float, z_agg: float) -> float | None:
    """Month-0 terms of one run of the uncertain hand world, in plain floats; None: war."""
    x, top, sigma, bias = 0.8, 1.4, 0.2, 0.3  # sigma = 0.2 / sqrt(1 + 0 / 12)
    p_def = x + sigma * (bias + z_def)
    p_agg = x - sigma * (bias + z_agg)
    cost_def, cost_agg = 0.01 / 0.5 * 12, 0.01 / 0.8 * 12
    low = max(p_def - cost_def, 0.6)
    high = min(top - ((top - p_agg) - cost_agg), 0.9)
    if low > high:
        return None
    return min(max(low + 0.5 * (high - low), 0.0), top)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_vectorised_phase_matches_a_scalar_loop_over_runs(uncertain, seed):
    params, stream, state = toy_world(uncertain, "none", runs=8, seed=seed)
    after = phase(state, params, stream)
    t = _east(params)
    for r in range(8):
        z_def, z_agg = params.of(BargainingParams).belief_z[r, t]
        expected = _terms_by_hand(float(z_def), float(z_agg))
        if expected is None:
            assert after.theater_status[r, t] == TheaterStatus.WAR
            assert np.isnan(after.settlement_share[r, t])
        else:
            assert after.theater_status[r, t] == TheaterStatus.SETTLED
            assert after.settlement_share[r, t] == pytest.approx(expected, abs=1e-12)


# --- bottom lines that the war moves (adaptation) -------------------------------------------


def test_moved_bottom_lines_follow_the_docstring_example():
    floor, ceiling = moved_bottom_lines(0.6, 0.5, 0.02, 0.02, 0.04, 0.5, 0.0, 0.5, 0.5, 1.4)
    # floor: 0.6 + 0.5 (0.5 * 0.02 - 0.5 * 0.02) = 0.6;
    # ceiling: 0.5 + 1.0 (0.5 * 0.02 + 0.5 * 0.04) = 0.53
    np.testing.assert_allclose(floor, [0.6])
    np.testing.assert_allclose(ceiling, [0.53])


def test_an_unbounded_ceiling_stays_unbounded_and_a_floor_stays_in_range():
    floor, ceiling = moved_bottom_lines(0.01, np.inf, -0.5, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.2)
    assert floor == 0.0 and ceiling == np.inf


def _adapting(tmp_path, occupation_pain: float):
    # Red's ceiling starts at 0.5, below Blue's floor 0.59: no settlement with fixed aims.
    raw = hand_world()
    raw["scenario"]["horizon_months"] = 6
    raw["aims"]["ceiling"]["defender_share_at_most"] = fixed(0.5)
    raw["aims"]["floor"]["defender_share_at_least"] = fixed(0.59)
    raw["bargaining"]["adaptation"] = {
        "battle_learning": fixed(0.5),
        "weariness": fixed(1.0),
        "occupation_pain": fixed(occupation_pain),
    }
    raw["actors"]["blue"]["leader_stickiness"] = fixed(1.0)
    raw["actors"]["red"]["leader_stickiness"] = fixed(0.0)
    return run(load_world(raw, tmp_path), 2, seed=0).sel(theater="east")


def test_holding_the_aggressors_soil_brings_it_to_terms_sooner(tmp_path):
    # Nothing moves (dx = 0). Red's hurt a month: c / W = 0.01 / 0.8 = 0.0125, times
    # 1 + omega * 50 / 200 (Blue holds 50 of the 200 km2 salient): with omega = 4, 0.025.
    # Ceiling 0.5 + 0.025 k reaches Blue's floor 0.59 at k = 4 (month 3): high = 0.6;
    # low = max(V_def, 0.59), V_def = 0.8 - 0.01 / 0.5 * 12 = 0.56 -> terms 0.595.
    pained = _adapting(tmp_path, occupation_pain=4.0)
    np.testing.assert_array_equal(pained["settled"], [True, True])
    np.testing.assert_allclose(pained["months_to_settlement"], [4.0, 4.0])
    np.testing.assert_allclose(pained["settlement_share"], [0.595, 0.595], rtol=1e-12)
    # Without occupation pain the ceiling climbs 0.0125 a month: 0.59 only at k = 8,
    # beyond the 6-month horizon.
    plain = _adapting(tmp_path, occupation_pain=0.0)
    np.testing.assert_array_equal(plain["settled"], [False, False])


def test_adaptation_needs_each_fighting_leaders_stickiness(tmp_path):
    raw = hand_world()
    raw["bargaining"]["adaptation"] = {
        "battle_learning": fixed(0.5),
        "weariness": fixed(1.0),
        "occupation_pain": fixed(1.0),
    }
    with pytest.raises(ScenarioError, match=r"actors\.blue\.leader_stickiness: required"):
        load_world(raw, tmp_path)


def test_hurt_is_the_months_cost_at_current_will_and_occupation_multiplies_it():
    # c = 0.01, W = 0.04 -> floor 0.05: 0.2; W = 0.5: 0.02
    np.testing.assert_allclose([hurt_per_month(0.01, will) for will in (0.04, 0.5)], [0.2, 0.02])
    # omega = 2, 900 of 3,000 km2 held: 1 + 2 * 0.3 = 1.6
    np.testing.assert_allclose(occupation_multiplier(2.0, 0.3), [1.6])


# --- beliefs corrected by surprises -------------------------------------------------------


def test_surprised_errors_follow_the_docstring_example():
    # h = 12, g = 0.5, tau = -0.01, dx = -0.03: news = 0.5 * 12 * -0.02 = -0.12.
    # e_def = 0.5 * 0.1 - 0.12 = -0.07; e_agg = 0.5 * 0.04 + 0.12 = 0.14.
    e_def, e_agg = surprised_errors(0.1, 0.04, -0.03, -0.01, 12.0, 0.5)
    assert e_def == pytest.approx(-0.07, abs=1e-15)
    assert e_agg == pytest.approx(0.14, abs=1e-15)


def test_without_surprise_learning_errors_stay_as_drawn():
    e_def, e_agg = surprised_errors(0.1, 0.04, -0.5, 0.2, 12.0, 0.0)
    assert (e_def, e_agg) == (0.1, 0.04)


@settings(max_examples=60, deadline=None)
@given(
    e_def=st.floats(-1, 1).map(lambda v: round(v, 6)),
    e_agg=st.floats(-1, 1).map(lambda v: round(v, 6)),
    dx=st.floats(-0.2, 0.2).map(lambda v: round(v, 6)),
    tau=st.floats(-0.2, 0.2).map(lambda v: round(v, 6)),
    g=st.floats(0, 1).map(lambda v: round(v, 6)),
)
def test_disagreement_shrinks_by_one_minus_g_whatever_the_battle(e_def, e_agg, dx, tau, g):
    new_def, new_agg = surprised_errors(e_def, e_agg, dx, tau, 12.0, g)
    assert new_def + new_agg == pytest.approx((1 - g) * (e_def + e_agg), abs=1e-12)
    # A month better than expected for the defender never lowers its optimism relative
    # to no news, and never raises the aggressor's.
    calm_def, calm_agg = surprised_errors(e_def, e_agg, tau, tau, 12.0, g)
    if dx >= tau:
        assert new_def >= calm_def and new_agg <= calm_agg


def test_the_phase_draws_errors_in_the_first_month_and_corrects_them_after(tmp_path):
    # Nothing moves (dx = 0, tau = 0): month 0 sets e = sd0 (b + z); month 1 keeps
    # (1 - g) e. Aims far apart (regime change) keep the war going.
    raw = hand_world()
    raw["theaters"]["east"]["defender_aim"] = "total"
    raw["bargaining"] |= {"belief_error_sd": fixed(0.2), "optimism_bias": fixed(0.3)}
    raw["bargaining"]["adaptation"] = {
        "battle_learning": fixed(0.0),
        "weariness": fixed(0.0),
        "occupation_pain": fixed(0.0),
        "surprise_learning": fixed(0.25),
    }
    raw["actors"]["blue"]["leader_stickiness"] = fixed(1.0)
    raw["actors"]["red"]["leader_stickiness"] = fixed(1.0)
    params, stream, state = _world(load_world(raw, tmp_path), runs=4)
    t = _east(params)
    z = params.of(BargainingParams).belief_z[:, t, :]
    first = phase(state, params, stream)
    np.testing.assert_allclose(first.belief_error_share[:, t], 0.2 * (0.3 + z), rtol=1e-12)
    second = phase(replace(first, month=1), params, stream)
    np.testing.assert_allclose(second.belief_error_share[:, t], 0.75 * 0.2 * (0.3 + z), rtol=1e-12)


def test_a_war_that_opens_again_draws_its_errors_again(hand):
    params, _stream, state = _world(hand)
    t = _east(params)
    errors = state.belief_error_share.copy()
    errors[:, t] = 0.5
    settled = state.theater_status.copy()
    settled[:, t] = TheaterStatus.SETTLED
    state = replace(state, belief_error_share=errors, theater_status=settled)
    reopened = begin_wars(state, np.ones_like(settled, dtype=bool), 0, np.ones(1, dtype=bool))
    assert np.isnan(reopened.belief_error_share[:, t]).all()


# --- aims revised at once ------------------------------------------------------------------


def test_a_side_at_its_reconsider_will_accepts_the_lines_and_not_before():
    # x = 0.4: the defender (will 0.3 <= 0.3) drops its floor 0.8 to 0.4; the aggressor
    # (will 0.31 > 0.3) keeps its ceiling 0.1. Second run: both above, nothing moves.
    assert reconsidered_bottom_lines(0.8, 0.1, 0.4, 0.3, 0.31, 0.3) == (0.4, 0.1)
    assert reconsidered_bottom_lines(0.8, 0.1, 0.4, 0.5, 0.5, 0.3) == (0.8, 0.1)
    # An aggressor at 0.2 raises its ceiling to the lines; a floor already below them stays.
    floor, ceiling = reconsidered_bottom_lines(0.2, 0.1, 0.4, 0.2, 0.2, 0.3)
    np.testing.assert_array_equal((floor, ceiling), (0.2, 0.4))


def test_reconsidering_lets_a_war_settle_near_the_lines_that_otherwise_goes_on(tmp_path):
    # Red's ceiling 0.5 lies below Blue's floor 0.59: no settlement with fixed aims.
    # reconsider_will 0.5, lines x = 0.8. Blue (will 0.5) reconsiders, but the lines are
    # better than its floor: min(0.59, 0.8) = 0.59. Red (0.8) holds out: war. With Red's
    # will at 0.5 its ceiling rises to the lines, 0.8; V_def = 0.8 - 0.01 / 0.5 * 12 = 0.56,
    # so low = 0.59, high = min(0.8 + 0.15, 0.8) = 0.8 and x* = 0.695.
    raw = hand_world()
    raw["aims"]["ceiling"]["defender_share_at_most"] = fixed(0.5)
    raw["aims"]["floor"]["defender_share_at_least"] = fixed(0.59)
    raw["bargaining"]["adaptation"] = {
        "battle_learning": fixed(0.0),
        "weariness": fixed(0.0),
        "occupation_pain": fixed(0.0),
        "reconsider_will": fixed(0.5),
    }
    raw["actors"]["blue"]["leader_stickiness"] = fixed(1.0)
    raw["actors"]["red"]["leader_stickiness"] = fixed(1.0)
    params, stream, state = _world(load_world(raw, tmp_path))
    t = _east(params)
    after = phase(state, params, stream)
    assert (after.theater_status[:, t] == TheaterStatus.WAR).all()  # red (0.8) holds out
    np.testing.assert_allclose(after.defender_floor_share[:, t], 0.59)  # min(0.59, 0.8)
    red = actor(params, "red")
    will = state.will.copy()
    will[:, red] = 0.5
    settled = phase(replace(state, will=will), params, stream)
    np.testing.assert_allclose(settled.aggressor_ceiling_share[:, t], 0.8)
    np.testing.assert_array_equal(settled.theater_status[:, t], TheaterStatus.SETTLED)
    np.testing.assert_allclose(settled.settlement_share[:, t], 0.695, rtol=1e-12)


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
