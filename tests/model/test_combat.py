"""Combat: fire factors, a no-movement band around parity, bounded territory, Lanchester losses."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hand_world import _line, fixed, hand_world, load_world
from tests.model.worlds import actor, front, toy_world
from tests.oracles import combat as oracle
from tests.oracles.check import assert_matches_oracle
from twofront.model.combat import (
    MAX_LOG_RATIO,
    bounded_gain_km2,
    combined_fire_factor,
    countered_fires,
    defender_gain_km2,
    fire_factor,
    lanchester_losses,
    loss_multipliers,
    open_front,
    phase,
    rounds_fired,
    soft_threshold,
    surprise_factor,
    surprise_holders,
)

LN2 = math.log(2.0)


def _gain(p_def, p_agg, d=2.0, r=100.0, mu=1.0):
    return defender_gain_km2(p_def, p_agg, d, r, mu)


def test_fire_factor_is_the_needed_fraction_to_the_elasticity():
    # 0.5^1 = 0.5; 0.5^2 = 0.25; min(1, 1.6) = 1; 0^1 = 0; 0^0 = 1 (fires do not matter)
    cases = [(25_000.0, 1.0), (25_000.0, 2.0), (80_000.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    got = [fire_factor(fired, 50_000.0, elasticity) for fired, elasticity in cases]
    np.testing.assert_allclose(got, [0.5, 0.25, 1.0, 0.0, 1.0])


def _combined(fired, needed, weight, elasticity, counters=(0.0, 0.0)):
    """Line k fires munition k; the enemy defeats ``counters[k]`` of munition k."""
    return combined_fire_factor(
        np.array(fired),
        np.array(needed),
        np.array(weight),
        np.arange(len(fired), dtype=np.int64),
        np.array(counters, dtype=np.float64),
        elasticity,
    )


def test_the_fire_factor_of_several_munitions_is_their_weighted_mean():
    # Shells: 50 of 100 needed, w = 0.25: 0.5; drones: 100 of 100, w = 0.75: 1.
    # phi = 0.25 * 0.5 + 0.75 * 1 = 0.875 (epsilon 1); epsilon 2: 0.25 * 0.25 + 0.75 = 0.8125.
    got = [_combined([50.0, 100.0], [100.0, 100.0], [0.25, 0.75], eps) for eps in (1.0, 2.0)]
    np.testing.assert_allclose(got, [0.875, 0.8125])


def test_one_munition_of_weight_one_is_the_single_fire_factor_bit_for_bit():
    single = fire_factor(37_000.0, 90_000.0, 0.43)
    assert _combined([37_000.0], [90_000.0], [1.0], 0.43, (0.0,)) == single


def test_the_enemys_counters_defeat_their_share_of_each_munition():
    # Munition 0 (shells) uncountered: 100; munition 1 (drones) countered 0.4: 60;
    # munition 2 (glide bombs) countered 0.1: 90; an empty line (-1) keeps what it fired.
    counters = np.array([0.0, 0.4, 0.1])
    got = [countered_fires(100.0, m, counters) for m in (0, 1, 2, -1)]
    np.testing.assert_allclose(got, [100.0, 60.0, 90.0, 100.0], rtol=1e-15)
    # In the fire factor: shells 100 of 100, drones 60 of 100, weights 0.5: 0.8.
    got = _combined([100.0, 100.0], [100.0, 100.0], [0.5, 0.5], 1.0, (0.0, 0.4))
    assert got == pytest.approx(0.8, rel=1e-15)


def test_an_actor_fires_the_least_of_its_rationed_stock_its_guns_and_its_need():
    # min(1,000 / 4, 800, 900) = 250; min(1,000, 800, 900) = 800; at peace: none.
    assert rounds_fired(1000.0, 4.0, 800.0, 900.0, 1.0) == 250.0
    assert rounds_fired(1000.0, 1.0, 800.0, 900.0, 1.0) == 800.0
    assert rounds_fired(1000.0, 1.0, 950.0, 900.0, 1.0) == 900.0
    assert rounds_fired(1000.0, 1.0, 800.0, 900.0, 0.0) == 0.0


def _two_munitions(tmp_path):
    """Blue fires shells (weight 1) and countered drones (weight 3), 100 a month of each,
    needing 100 of each; red fires 100 shells of 100 needed and defeats half of blue's
    drones. Blue's lethality 0.01, elasticity 1."""
    raw = _hand(tmp_path, fire_elasticity=fixed(1.0))
    raw["munitions"]["drone"] = {"title": "drone"}
    raw["actors"]["blue"]["industry"]["drone"] = _line(1000)
    each = {"demand_per_month": fixed(100), "needed_per_month": fixed(100)}
    raw["actors"]["blue"]["fires"] = {
        "munitions": {
            "shell": each | {"weight": fixed(1)},
            "drone": each | {"weight": fixed(3)},
        }
    }
    raw["actors"]["red"]["fires"] |= each | {"counters": {"drone": fixed(0.5)}}
    raw["actors"]["blue"]["forces"]["lethality_per_month"] = fixed(0.01)
    return toy_world(load_world(raw, tmp_path), "none")


def test_phase_fires_each_munition_and_counts_drones_net_of_the_enemys_counters(tmp_path):
    # phi_blue = 0.25 * 1 + 0.75 * (100 * 0.5 / 100) = 0.625: red loses on the home front
    # 0.01 * 0.625 * 1,000 = 6.25 (inside the band, red attacks and fails: multiplier 1).
    params, stream, state = _two_munitions(tmp_path)
    blue, red, home = actor(params, "blue"), actor(params, "red"), front(params, "home")
    shell, drone = (params.index.munitions.index(m) for m in ("shell", "drone"))
    after = phase(state, params, stream)
    np.testing.assert_allclose(after.fired_per_month[:, blue, [shell, drone]], [[100, 100]] * 2)
    np.testing.assert_allclose(after.fired_per_month[:, red, [shell, drone]], [[100, 0]] * 2)
    np.testing.assert_allclose(after.stockpile[:, blue, [shell, drone]], [[900, 900]] * 2)
    np.testing.assert_allclose(after.casualties_per_month[:, home, 1], 6.25, rtol=1e-12)


def test_running_out_of_one_munition_costs_its_weight_not_all_fire(tmp_path):
    # No drones left: phi_blue = 0.25 * 1 + 0.75 * 0 = 0.25; red loses 0.01 * 0.25 * 1,000.
    params, stream, state = _two_munitions(tmp_path)
    stockpile = state.stockpile.copy()
    stockpile[:, actor(params, "blue"), params.index.munitions.index("drone")] = 0.0
    after = phase(replace(state, stockpile=stockpile), params, stream)
    np.testing.assert_allclose(after.casualties_per_month[:, front(params, "home"), 1], 2.5)


def test_soft_threshold_is_zero_inside_the_band_and_shrinks_outside():
    got = [soft_threshold(x, 0.5) for x in (1.5, -1.5, 0.3, -0.3, 0.0)]
    np.testing.assert_allclose(got, [1.0, -1.0, 0.0, 0.0, 0.0])


def test_defender_gain_matches_the_docstring_example():
    # x = ln(100k / 400k) = -1.386294; ln d = 0.693147; 100 * (-1.386294 + 0.693147) = -69.3147
    assert _gain(100_000.0, 400_000.0) == pytest.approx(-69.3147, abs=1e-4)


def test_defender_gain_is_antisymmetric():
    assert _gain(400_000.0, 100_000.0) == pytest.approx(69.3147, abs=1e-4)


def test_mud_halves_the_advance():
    # mu = 0.5: 0.5 * -69.3147 = -34.6574
    assert _gain(100_000.0, 400_000.0, mu=0.5) == pytest.approx(-34.6574, abs=1e-4)


def test_log_ratio_is_clipped_at_five():
    # ratio e^10: x = 10 -> 5; 100 * (5 - ln 2) = 430.685
    assert _gain(math.exp(10.0), 1.0) == pytest.approx(100 * (MAX_LOG_RATIO - LN2), rel=1e-12)
    assert _gain(0.0, 1.0) == pytest.approx(-100 * (MAX_LOG_RATIO - LN2), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    d=st.floats(1.01, 5.0),
    position=st.floats(0.01, 0.99),
    p_agg=st.floats(1.0, 1e7),
)
def test_no_movement_inside_the_defence_advantage_band(d, position, p_agg):
    # ratio strictly between 1/d and d: ln ratio = (2 position - 1) ln d
    ratio = math.exp((2 * position - 1) * math.log(d))
    assert _gain(ratio * p_agg, p_agg, d=d) == 0.0


def test_no_movement_when_neither_side_has_any_combat_power():
    # 0 / 0: no side is stronger, so no ground changes hands (and no 'invalid' error).
    assert _gain(0.0, 0.0) == 0.0


def test_gain_is_bounded_by_what_the_loser_holds():
    held = [(30.0, 500.0), (500.0, 40.0), (500.0, 500.0)]
    gain = [bounded_gain_km2(g, *h) for g, h in zip([-100.0, 100.0, -100.0], held, strict=True)]
    np.testing.assert_array_equal(gain, [-30.0, 40.0, -100.0])


km2 = st.floats(0.0, 1e6).map(lambda x: round(x, 3))


@settings(max_examples=50, deadline=None)
@given(gain=st.floats(-1e6, 1e6), defender=km2, aggressor=km2)
def test_bounded_gain_never_leaves_a_side_negative(gain, defender, aggressor):
    g = bounded_gain_km2(gain, defender, aggressor)
    assert defender + g >= 0.0
    assert aggressor - g >= 0.0


def test_square_law_losses_are_lethality_times_shooters():
    # q = 1, p = 0: 0.05 * 100,000 = 5,000, whatever the number of targets
    losses = [lanchester_losses(100_000.0, n, 0.05, 1.0, 0.0) for n in (80_000.0, 20_000.0)]
    np.testing.assert_allclose(losses, [5_000.0, 5_000.0])


def test_linear_law_losses_scale_with_targets():
    # q = p = 1: 1e-6 * 100,000 * 80,000 = 8,000
    losses = lanchester_losses(100_000.0, 80_000.0, 1e-6, 1.0, 1.0)
    assert losses == pytest.approx(8_000.0, rel=1e-12)


def test_other_exponents_raise_shooters_and_targets_to_their_powers():
    # q = 0.5, p = 0.5: 0.1 * sqrt(10,000) * sqrt(400) = 0.1 * 100 * 20 = 200
    assert lanchester_losses(10_000.0, 400.0, 0.1, 0.5, 0.5) == pytest.approx(200.0, rel=1e-12)


def test_losses_are_capped_at_the_targets():
    # 2 * 100,000 = 200,000 > 50,000 targets
    assert lanchester_losses(100_000.0, 50_000.0, 2.0, 1.0, 0.0) == 50_000.0


def test_an_empty_side_neither_loses_nor_inflicts_losses():
    # 0 ** -0.5 is undefined: no losses where either side is empty.
    assert lanchester_losses(0.0, 50_000.0, 2.0, -0.5, 0.0) == 0.0
    assert lanchester_losses(100_000.0, 0.0, 2.0, 1.0, -0.5) == 0.0


# --- the phase on the toy world ----------------------------------------------
# Main front: Blue (defender, on its own soil) 200k, Red 500k (raised from 300k
# so that Red is outside the band). Both have all the shells they need: Blue
# fires min(stock >= 100k, 60k) = 60k >= 50k needed, Red 200k >= 150k: phi = 1.
# P_def / P_agg = 200k / 500k = 0.4 < 1/2.


def _main_front_world(toy, month=0):
    params, stream, state = toy_world(toy)
    main = front(params, "main")
    personnel = state.personnel.copy()
    personnel[:, main, 1] = 500_000.0
    return params, stream, replace(state, personnel=personnel, month=month), main


def test_phase_moves_the_line_by_the_hand_computed_area(toy):
    params, stream, state, main = _main_front_world(toy)  # month 0 = August, dry
    after = phase(state, params, stream)
    # 500 km2/month * (ln 0.4 + ln 2) = 500 * ln 0.8 = -111.572 km2 for Blue
    gain = after.held_km2[:, main, 0] - state.held_km2[:, main, 0]
    np.testing.assert_allclose(gain, 500 * math.log(0.8), rtol=1e-9)
    np.testing.assert_allclose(after.held_km2.sum(axis=2), state.held_km2.sum(axis=2))


def test_phase_in_a_mud_month_halves_the_advance(toy):
    params, stream, state, main = _main_front_world(toy, month=2)  # October: mud
    after = phase(state, params, stream)
    # mu = 0.5: 0.5 * 500 * ln 0.8 = -55.786 km2
    gain = after.held_km2[:, main, 0] - state.held_km2[:, main, 0]
    np.testing.assert_allclose(gain, 0.5 * 500 * math.log(0.8), rtol=1e-9)


def test_phase_bleeds_both_sides_by_the_square_law(toy):
    params, stream, state, main = _main_front_world(toy)
    after = phase(state, params, stream)
    # Blue is shot by Red: 0.04 * 1 * 500k = 20,000 (Blue gave ground: no multiplier)
    # Red by Blue: 0.05 * 1 * 200k = 10,000, times 1.5 because Red advanced = 15,000
    np.testing.assert_allclose(after.casualties_per_month[:, main], [[20_000.0, 15_000.0]] * 2)
    np.testing.assert_allclose(after.personnel[:, main], [[180_000.0, 485_000.0]] * 2)


def test_phase_spends_the_shells_it_fires(toy):
    params, stream, state, _ = _main_front_world(toy)
    after = phase(state, params, stream)
    blue, red, donor = actor(params, "blue"), actor(params, "red"), actor(params, "donor")
    fired = after.fired_per_month[:, [blue, red, donor], 0]
    # Each fires what it needs, below what its guns could: min(D, H) = 50k and 150k.
    np.testing.assert_allclose(fired, [[50e3, 150e3, 0.0]] * 2)
    np.testing.assert_allclose(after.stockpile[:, blue, 0], state.stockpile[:, blue, 0] - 50e3)
    np.testing.assert_allclose(after.stockpile[:, red, 0], 2e6 - 150e3)
    np.testing.assert_array_equal(after.stockpile[:, donor, 0], state.stockpile[:, donor, 0])


def test_lifted_restrictions_multiply_the_defenders_power(toy):
    params, stream, state, main = _main_front_world(toy)
    state = replace(state, restrictions_lifted=np.ones(params.runs, dtype=bool))
    after = phase(state, params, stream)
    # P_def = 200k * 1.2 = 240k; 500 * (ln 0.48 + ln 2) = 500 * ln 0.96 = -20.411 km2
    gain = after.held_km2[:, main, 0] - state.held_km2[:, main, 0]
    np.testing.assert_allclose(gain, 500 * math.log(0.96), rtol=1e-9)


def test_thin_defence_invites_surprise_and_the_ratio_is_clipped(toy):
    params, stream, state, main = _main_front_world(toy)
    personnel = state.personnel.copy()
    personnel[:, main] = [4_000.0, 300_000.0]  # Blue below the 5,000 thin-defence line
    state = replace(state, personnel=personnel)
    after = phase(state, params, stream)
    # P_agg = 300k * 3 = 900k; ln(4k / 900k) = -5.42 -> -5: 500 * (-5 + ln 2) = -2,153.43
    gain = after.held_km2[:, main, 0] - state.held_km2[:, main, 0]
    np.testing.assert_allclose(gain, 500 * (-5 + LN2), rtol=1e-9)


def test_phase_with_both_sides_out_of_shells_moves_no_ground(toy):
    params, stream, state = toy_world(toy)
    stock = state.stockpile.copy()
    stock[:, [actor(params, "blue"), actor(params, "red")], :] = 0.0
    state = replace(state, stockpile=stock)
    # phi = 0 for both: zero power on both sides of every front
    after = phase(state, params, stream)
    np.testing.assert_array_equal(after.held_km2, state.held_km2)
    np.testing.assert_array_equal(after.casualties_per_month, 0.0)


# --- who attacks, whether it succeeds; surprise that fades; steps inside a month -----------


def test_loss_multipliers_follow_who_attacks_and_whether_it_succeeds():
    # Runs: aggressor stronger and gains; aggressor stronger and fails; defender stronger
    # and gains; defender stronger and fails; equal power. lambda_s 1.5, lambda_f 3, mu 0.5.
    cases = [(1.0, 3.0, -10.0), (1.0, 3.0, 0.0), (3.0, 1.0, 10.0), (3.0, 1.0, 0.0), (2.0, 2.0, 0.0)]
    got = [loss_multipliers(*case, 1.5, 3.0, 0.5, True, True) for case in cases]
    np.testing.assert_array_equal([d for d, _ in got], [1.0, 0.5, 1.5, 3.0, 1.0])
    np.testing.assert_array_equal([a for _, a in got], [1.5, 3.0, 1.0, 0.5, 1.0])


def test_without_failure_and_preparation_only_a_successful_attacker_pays_extra():
    # lambda_f = mu = 1: the old rule (the side that gained ground takes lambda_s).
    cases = [(1.0, 3.0, -10.0), (1.0, 3.0, 0.0), (3.0, 1.0, 10.0)]
    got = [loss_multipliers(*case, 1.5, 1.0, 1.0, True, True) for case in cases]
    np.testing.assert_array_equal([d for d, _ in got], [1.0, 1.0, 1.5])
    np.testing.assert_array_equal([a for _, a in got], [1.5, 1.0, 1.0])


def test_a_stronger_side_held_back_by_its_attack_rule_does_not_attack():
    # The aggressor is stronger but may not attack: nobody attacks, both 1; the defender
    # stronger and held back, the same.
    assert loss_multipliers(1.0, 3.0, 0.0, 1.5, 3.0, 0.5, True, False) == (1.0, 1.0)
    assert loss_multipliers(3.0, 1.0, 0.0, 1.5, 3.0, 0.5, False, True) == (1.0, 1.0)


def test_surprise_fades_with_its_decay_time_and_needs_a_thin_enemy():
    # sigma 3, tau 0.5: m = 0 -> 3; m = 1 -> 1 + 2 e^-2 = 1.27067; not the holder or a
    # strong enemy -> 1; tau = inf -> 3 whatever m; before the fight (m < 0) as at m = 0.
    cases = [
        (True, True, 0.0, 0.5),
        (True, True, 1.0, 0.5),
        (False, True, 0.0, 0.5),
        (True, False, 0.0, 0.5),
        (True, True, 7.0, np.inf),
        (True, True, -2.0, 0.5),
    ]
    np.testing.assert_allclose(
        [surprise_factor(3.0, *case) for case in cases],
        [3.0, 1.0 + 2.0 * math.exp(-2.0), 1.0, 1.0, 3.0, 3.0],
        rtol=1e-12,
    )


def test_surprise_is_held_by_the_declared_side_or_the_aggressor_of_a_new_war():
    # Without decay both sides, from month 0; with decay the declared side (0: defender,
    # 1: aggressor) from the start, or, with none declared, the aggressor of a war begun
    # during the run (war_start_month >= 0) from its recorded first month (snapshot 7).
    assert surprise_holders(False, -1, -30, 0) == (True, True, 0.0)
    assert surprise_holders(True, 0, 5, 7) == (True, False, 0.0)
    assert surprise_holders(True, 1, -30, 0) == (False, True, 0.0)
    assert surprise_holders(True, -1, 5, 7) == (False, True, 7.0)
    assert surprise_holders(True, -1, -30, 0) == (False, False, 0.0)


def test_an_incursion_on_the_aggressors_soil_closes_when_it_is_lost():
    # Defender soil (side 0) stays open; aggressor soil (side 1) while the defender holds some.
    assert open_front(0, 0.0) and open_front(1, 10.0)
    assert not open_front(1, 0.0)


def _hand(tmp_path, **combat):
    raw = hand_world()
    raw["theaters"]["east"]["defender_aim"] = "total"  # no settlement
    raw["combat"]["fire_elasticity"] = fixed(0.0)
    raw["combat"] |= combat
    return raw


def test_a_failed_attack_costs_the_attacker_and_spares_the_prepared_defender(tmp_path):
    # Home: blue 1,000 against red 1,500; d = 2, |ln 1.5| < ln 2: no ground changes hands.
    # Red attacks and fails: red loses 0.01 * 1,000 * 3 = 30; blue 0.01 * 1,500 * 0.5 = 7.5.
    raw = _hand(
        tmp_path,
        failed_attack_loss_multiplier=fixed(3.0),
        prepared_defence_loss_multiplier=fixed(0.5),
    )
    raw["fronts"]["home"]["personnel"]["red"] = fixed(1500)
    raw["fronts"]["home"]["advance_km2_per_month"] = fixed(100)
    for side in ("blue", "red"):
        raw["actors"][side]["forces"]["lethality_per_month"] = fixed(0.01)
    params, stream, state = toy_world(load_world(raw, tmp_path), "none")
    after = phase(state, params, stream)
    home = front(params, "home")
    np.testing.assert_array_equal(after.held_km2[:, home], state.held_km2[:, home])
    np.testing.assert_allclose(after.casualties_per_month[:, home], [[7.5, 30.0]] * 2)


def test_a_salient_lost_in_the_second_week_bleeds_no_more_that_month(tmp_path):
    # Salient: blue 1,000 holds 50 km2 against red 8,000: x = ln(1/8), |x| - ln 2 = ln 4;
    # r = 100: 138.6 km2 a month, 34.66 a week. Weekly steps: 34.66, then the last 15.34;
    # blue loses 0.01 / 4 * 8,000 = 20 a week while it fights there: 40. In one monthly
    # step the front is open all month: 80.
    raw = _hand(tmp_path, steps_per_month=4)
    raw["fronts"]["salient"]["personnel"]["red"] = fixed(8000)
    raw["fronts"]["salient"]["advance_km2_per_month"] = fixed(100)
    raw["actors"]["red"]["forces"]["lethality_per_month"] = fixed(0.01)
    weekly = load_world(raw, tmp_path, "weekly.toml")
    raw["combat"]["steps_per_month"] = 1
    monthly = load_world(raw, tmp_path, "monthly.toml")
    for world, lost in ((weekly, 40.0), (monthly, 80.0)):
        params, stream, state = toy_world(world, "none")
        after = phase(state, params, stream)
        salient = front(params, "salient")
        np.testing.assert_allclose(after.held_km2[:, salient, 0], 0.0, atol=1e-12)
        np.testing.assert_allclose(after.casualties_per_month[:, salient, 0], lost, rtol=1e-12)


def test_with_no_losses_weekly_steps_move_the_line_as_one_monthly_step(tmp_path):
    raw = _hand(tmp_path)
    raw["fronts"]["home"]["personnel"]["red"] = fixed(8000)
    raw["fronts"]["home"]["advance_km2_per_month"] = fixed(100)
    moved = []
    for steps in (1, 4):
        raw["combat"]["steps_per_month"] = steps
        params, stream, state = toy_world(load_world(raw, tmp_path, f"s{steps}.toml"), "none")
        home = front(params, "home")
        moved.append(phase(state, params, stream).held_km2[:, home, 0] - state.held_km2[:, home, 0])
    np.testing.assert_allclose(moved[0], -100 * math.log(4.0), rtol=1e-12)
    np.testing.assert_allclose(moved[1], moved[0], rtol=1e-12)


def test_surprise_is_the_declared_sides_and_fades_month_by_month(tmp_path):
    # Salient: blue (surprise_by) 1,000 against red 400, below the thin line 500; sigma 4,
    # tau 1. Month 0: P_def = 4,000, x = ln 10, gain = 100 (ln 10 - ln 2) = 160.9 km2 (capped
    # at the 150 red holds). Month 3: sigma_eff = 1 + 3 e^-3 = 1.149, x = ln(2.873), gain
    # = 100 (ln 2.873 - ln 2) = 36.2. Red, also facing a thin blue (no: 1,000 > 500), none.
    raw = _hand(tmp_path, surprise_multiplier=fixed(4.0), surprise_decay_months=fixed(1.0))
    raw["fronts"]["salient"] |= {
        "surprise_by": "blue",
        "thin_defence_personnel": fixed(500),
        "advance_km2_per_month": fixed(100),
    }
    raw["fronts"]["salient"]["personnel"]["red"] = fixed(400)
    params, stream, state = toy_world(load_world(raw, tmp_path), "none")
    salient = front(params, "salient")
    first = phase(state, params, stream)
    np.testing.assert_allclose(first.held_km2[:, salient, 0], 200.0)
    later = phase(replace(state, month=3), params, stream)
    sigma = 1 + 3 * math.exp(-3.0)
    np.testing.assert_allclose(
        later.held_km2[:, salient, 0] - 50.0,
        100 * (math.log(1000 * sigma / 400) - LN2),
        rtol=1e-12,
    )


def test_a_front_under_way_without_a_declared_side_has_no_surprise(tmp_path):
    raw = _hand(tmp_path, surprise_multiplier=fixed(4.0), surprise_decay_months=fixed(1.0))
    raw["fronts"]["salient"] |= {
        "thin_defence_personnel": fixed(500),
        "advance_km2_per_month": fixed(100),
    }
    raw["fronts"]["salient"]["personnel"]["red"] = fixed(400)
    params, stream, state = toy_world(load_world(raw, tmp_path), "none")
    salient = front(params, "salient")
    after = phase(state, params, stream)
    # No surprise: x = ln 2.5, gain = 100 (ln 2.5 - ln 2) = 22.3.
    np.testing.assert_allclose(
        after.held_km2[:, salient, 0] - 50.0, 100 * math.log(1.25), rtol=1e-12
    )


def test_an_actor_rationing_its_stock_fires_at_most_a_share_of_it(tmp_path):
    # Blue: 1,000 shells, demand 800, need 900, ration 4 months: min(1,000 / 4, 800, 900)
    # = 250. Red without rationing: min(1,000, 800, 900) = 800.
    raw = _hand(tmp_path)
    for side in ("blue", "red"):
        raw["actors"][side]["fires"] |= {
            "demand_per_month": fixed(800),
            "needed_per_month": fixed(900),
        }
    raw["actors"]["blue"]["fires"]["ration_months"] = fixed(4)
    params, stream, state = toy_world(load_world(raw, tmp_path), "none")
    after = phase(state, params, stream)
    fired = after.fired_per_month[:, [actor(params, "blue"), actor(params, "red")], 0]
    np.testing.assert_allclose(fired, [[250.0, 800.0]] * 2)


def test_the_compiled_phase_matches_its_numpy_oracle_on_visited_and_perturbed_states():
    assert assert_matches_oracle(phase, oracle.phase) > 50
