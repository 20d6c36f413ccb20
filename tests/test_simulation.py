"""The links between mechanisms: what one phase writes and another reads, hand-computed.

Each test runs the real phases in their real order (``step`` over ``PHASES``, or
``run``) on the hand world of :mod:`tests.hand_world` and checks numbers worked out by
hand in the comments. Unless a test says otherwise: fire elasticity 0, so every fire
factor is min(1, f/H)**0 = 1 and combat power is personnel; nothing moves (advance 0);
1,000 personnel a side on each front; blue's will 0.5, red's 0.8, the donor's 0.6.

Each link was checked against a mutation of the source line that makes it (line edited in a
clone, this module run, line restored with ``git checkout``). Every mutation below made the
named tests fail ("yes"); the numbers are the sections of this module. The lines named in
the two tables below are those of the NumPy phases, which the engine ran when the
mutations were made; they are now the oracles in ``tests/oracles``, and every compiled
phase is held to its oracle on visited and perturbed states (``tests/oracles/check.py``).
Links added since the engine was compiled were checked against mutations of the compiled
kernels; those are listed in the model test modules (e.g. ``tests/model/test_economy.py``)
and, for the coalition's share of losses, here:

==========================================  ============================================  ===
link                                        mutation of ``model/combat.py`` (step 5)       fails
==========================================  ============================================  ===
patron's share of losses -> its casualties  ``casualties[a] += part`` deleted              yes
==========================================  ============================================  ===

=====================================  =====================================================  ===
link                                   mutation (file: change)                                 fails
=====================================  =====================================================  ===
1 casualties -> will                   combat: ``will = state.will - omega K / 1e5``, - -> +   yes
1 casualties -> will                   combat: the same update deleted (``will = state.will``) yes
1 will -> cost of fighting             bargaining: ``c / max(W, 0.05) * annuity`` -> ``c * a`` yes
2 mobilisation -> will                 manpower: ``will = state.will - omega m / 1e5``, - -> + yes
2 mobilisation -> reserves -> fronts   manpower: ``reserves = R + mobilised`` -> ``R``         yes
3 wounded -> reserves                  combat: ``reserves = R + returning`` -> ``R``           yes
3 wounded -> reserves                  combat: ``R + returning`` -> ``R - returning``          yes
4 inactive-front mask                  combat: ``* active[:, :, None]`` deleted                yes
5 escalation -> patron will            escalation: ``state.will - patron_loss``, - -> +        yes
5 escalation -> aid orders             schedule: ``* aid_factor(state, params)`` deleted       yes
5 escalation -> opportunism            opportunism: ``* opportunity`` deleted from the rate    yes
6 aggressor soil -> climb hazard       escalation: ``rate + h_s O / 1000``, + -> -             yes
6 restrictions -> climb hazard         escalation: ``+ h_r * restrictions_lifted`` deleted     yes
6 restrictions -> deep strike          combat: ``* side_multiplier`` deleted from the power    yes
7 aid -> recipient stocks              aid: ``state.stockpile + moved``, + -> -                yes
7 stocks -> fires -> ground            combat: ``* to_slots(phi, params)`` deleted             yes
8 production -> stocks                 industry: ``stockpile + produced`` -> ``stockpile``     yes
8 stocks -> deterrence -> opportunism  opportunism: ``D ** (-eta)`` -> ``D ** eta``            yes
9 policy target -> industry ramp       industry: lag toward the current capacity, not target   yes
9 mobilised funding                    industry: ``* mobilised_funding(...)`` deleted          yes
10 settlement -> combat stops          bargaining: SETTLED not written (status kept)           yes
10 opportunism -> combat starts        opportunism: ``begin_wars`` not called                  yes
11 months to settlement                record: ``settled + 1 - started`` -> ``settled - s.``   yes
11 months to settlement                record: ``- started`` -> ``+ started``                  yes
11 months to settlement                record: ``np.maximum(war_start, 0)`` clamp deleted      yes
11 aggressor collapse boundary         bargaining: ``will_agg <= collapse`` -> ``<``           yes
=====================================  =====================================================  ===

The tests of the last section kill mutants that survived mutmut 3 on ``model/`` and
``policy/``; each was checked the same way (mutation applied by hand, test failed: yes).

=========================================================  ====================================
mutation (file: change)                                    killed by test_...
=========================================================  ====================================
combat, manpower: ``np.clip(will, 0.0, 1.0)`` -> ``None``   will_never_falls_below_zero
combat ``_power``: ``exponent == 0`` -> ``!= 0``            lanchester_exponents_and_an_empty...
combat ``_power``: ``base**exponent`` -> ``base * e``       lanchester_exponents_and_an_empty...
combat ``alive``: ``&`` -> ``|``; ``shooters >= 0``         lanchester_exponents_and_an_empty...
combat ``lanchester_losses``: 0.0 -> 1.0 where not alive     lanchester_exponents_and_an_empty...
combat ``advanced``: ``gain >= 0``, ``> 1``, ``<= 0``, ``< 1``  only_the_side_that_gained_ground...
combat ``thin``: ``enemy < thin`` -> ``<=``                 surprise_needs_fewer_defenders...
manpower: ``has_front = ... > 0`` -> ``>= 0``               an_actor_at_peace_keeps_its_reserves
manpower: ``in_play = at_war & has_front`` -> ``|``         troops_facing_an_empty_enemy_stay...
opportunism: ``after_war = SETTLED & can_recur`` -> ``|``   a_theater_that_may_recur_uses_its...
opportunism: ``.max(axis=1, ...)`` -> ``.max(...)``         each_run_reads_the_opportunism...
schedule ``observe``: stockpile / occupied / escalation None  policy_conditions_read_stocks...
schedule ``aid_factor``: ``np.where(None, theater, 0)``     escalation_in_one_theater_leaves...
schedule: ``starting[:, t] |= ...`` -> ``=``                escalation_in_one_theater_leaves...
bargaining ``_spread``: ``np.where(None, ...)``             soil_conceded_at_settlement_is...
bargaining ``_spread``: ``held >= 0``; ``area * area``      a_collapse_hands_over_soil_nobody...
bargaining ``_settle``: aggressor_area ``|`` / ``on_def``   a_collapse_hands_over_soil_nobody...
escalation: ``rng.uniform(...)`` without ``lanes``          each_theater_climbs_on_its_own_draw
bargaining: trend ``(1 - s)`` -> ``(1 + s)``, ``(2 - s)``      the_trend_remembers_earlier_months
bargaining: ``p = clip(x + h trend)`` -> ``x - h trend``     a_rising_trend_is_projected_and...
bargaining: ``bargaining_range`` without ``h`` / ``top``     discounting_values_the_stake_over...
bargaining: tolerance ``x - tol`` -> ``x + tol`` (and ceiling) declared_aims_cut_the_range_as...
bargaining: absent floor 0.0 -> 1.0; tolerance role None    declared_aims_cut_the_range_as...
bargaining: ``low <= high`` -> ``<``; strategy aim ``!=``     declared_aims_cut_the_range_as...
bargaining: ``np.clip(terms, 0.0, top)`` -> ``None`` top     terms_never_exceed_the_whole_stake
bargaining ``_settle``: ``collapsed`` None; ``astype(None)``  escalation_in_one_theater_leaves...
combat: ``munition = np.where(None, ...)``                  fires_come_out_of_the_munition...
combat sample_params: mud month ``m - 1`` -> ``m - 2``      mud_months_slow_the_advance...
opportunism sample_params: ``shares ... > 0`` -> ``>= 0``   only_wars_that_share_a_patron...
escalation sample_params: ``continue`` -> ``break``         a_ladder_after_a_theater_without...
bargaining sample_params: ``uniform(..., lanes=2)`` -> 1   each_side_bargains_with_its_own...
=========================================================  ====================================
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from tests.hand_world import fixed, hand_world, ladder, load_world, opportunism_block
from tests.model.worlds import actor, front, toy_world
from twofront.engine.index import AGGRESSOR, DEFENDER
from twofront.engine.loop import step
from twofront.engine.params import Params
from twofront.engine.rng import SAMPLING_MONTH, Stream
from twofront.engine.state import State, TheaterStatus, occupied_km2
from twofront.errors import ScenarioError
from twofront.model import manpower
from twofront.scenario.schema import Scenario
from twofront.simulation import PHASES, run

Raw = dict[str, Any]


def months(
    scenario: Scenario, n: int, strategy: str = "none", runs: int = 2, seed: int = 0
) -> tuple[Params, Stream, list[State]]:
    """Step ``runs`` runs of ``scenario`` through ``n`` months; the state after each month."""
    params, stream, state = toy_world(scenario, strategy, runs=runs, seed=seed)
    states = []
    for _ in range(n):
        state = step(state, params, stream, PHASES)
        states.append(state)
    return params, stream, states


def world(with_west: bool = False, endless: bool = True) -> Raw:
    """The hand world with every fire factor 1; ``endless``: blue's total aim, no settling."""
    raw = hand_world(with_west=with_west)
    raw["combat"]["fire_elasticity"] = fixed(0.0)
    if endless:
        raw["theaters"]["east"]["defender_aim"] = "total"
    return raw


def forces(raw: Raw, name: str, **values: float) -> None:
    """Set an actor's ``forces`` fields to fixed values."""
    raw["actors"][name]["forces"] |= {k: fixed(v) for k, v in values.items()}


def theater(params: Params, name: str) -> int:
    return params.index.theaters.index(name)


# --- 1. combat casualties -> will -> bargaining -------------------------------------------
#
# Red's lethality k = 0.05, square law (q = 1, p = 0), fire factor 1: blue loses
# 0.05 * 1,000 = 50 on each of its two fronts (the salient is open: blue holds 50 km²
# of it), 100 casualties in month 0.


def test_casualties_lower_will_by_the_hand_computed_amount_each_month(tmp_path: Path) -> None:
    # omega = 100 per 100k: will falls 100 * 100 / 1e5 = 0.1 in month 0: 0.5 -> 0.4.
    # Month 1: blue has 950 a front, red still 1,000: again 50 + 50 = 100 -> 0.3.
    raw = world()
    forces(raw, "red", lethality_per_month=0.05)
    forces(raw, "blue", will_loss_per_100k_casualties=100)
    params, _, states = months(load_world(raw, tmp_path), 2)
    blue, red = actor(params, "blue"), actor(params, "red")
    np.testing.assert_allclose(states[0].casualties_total[:, blue], 100.0)
    np.testing.assert_allclose(states[0].will[:, blue], 0.4, rtol=1e-12)
    np.testing.assert_allclose(states[1].casualties_total[:, blue], 200.0)
    np.testing.assert_allclose(states[1].will[:, blue], 0.3, rtol=1e-12)
    np.testing.assert_array_equal(states[1].will[:, red], 0.8)  # red bled nothing


def test_casualties_raise_the_cost_of_fighting_and_worsen_the_defenders_terms(
    tmp_path: Path,
) -> None:
    # Aims that cut nothing: blue at least 0, red at most 1.4 (= x_bar). Month 0:
    # x = 0.8, trend 0, p = 0.8; C_agg = 0.01 / 0.8 * 12 = 0.15, high = 0.95.
    # No casualty cost: will 0.5, C_def = 0.01 / 0.5 * 12 = 0.24, low = 0.56,
    #   x* = 0.56 + 0.5 * (0.95 - 0.56) = 0.755.
    # 100 casualties at omega = 100 per 100k: will 0.4, C_def = 0.01 / 0.4 * 12 = 0.3,
    #   low = 0.5, x* = 0.5 + 0.5 * (0.95 - 0.5) = 0.725.
    terms = {}
    for omega in (0.0, 100.0):
        raw = world(endless=False)
        raw["aims"]["any"] = {"title": "any", "defender_share_at_least": fixed(0.0)}
        raw["aims"]["all"] = {"title": "all", "defender_share_at_most": fixed(1.4)}
        raw["theaters"]["east"] |= {"defender_aim": "any", "aggressor_aim": "all"}
        forces(raw, "red", lethality_per_month=0.05)
        forces(raw, "blue", will_loss_per_100k_casualties=omega)
        params, _, states = months(load_world(raw, tmp_path, f"w{omega}.toml"), 1)
        t = theater(params, "east")
        np.testing.assert_array_equal(states[0].theater_status[:, t], TheaterStatus.SETTLED)
        terms[omega] = states[0].settlement_share[:, t]
    np.testing.assert_allclose(terms[0.0], 0.755, rtol=1e-12)
    np.testing.assert_allclose(terms[100.0], 0.725, rtol=1e-12)


def test_casualties_bring_a_war_that_would_not_settle_to_collapse(tmp_path: Path) -> None:
    # Blue's total aim admits no terms. Collapse at will 0.2. omega = 400 per 100k:
    # 100 casualties cost 0.4, will 0.5 -> 0.1 <= 0.2 in month 0: blue collapses and
    # the war ends on red's ceiling, x* = min(x, 0.9) = min(0.8, 0.9) = 0.8;
    # red keeps (1 - 0.8) * 1000 = 200 km² of blue's soil.
    raw = world()
    raw["bargaining"]["collapse_will"] = fixed(0.2)
    forces(raw, "red", lethality_per_month=0.05)
    forces(raw, "blue", will_loss_per_100k_casualties=400)
    params, _, states = months(load_world(raw, tmp_path), 1)
    t, blue = theater(params, "east"), actor(params, "blue")
    np.testing.assert_allclose(states[0].will[:, blue], 0.1, rtol=1e-12)
    np.testing.assert_array_equal(states[0].theater_status[:, t], TheaterStatus.SETTLED)
    np.testing.assert_array_equal(states[0].collapsed[:, t], DEFENDER)
    np.testing.assert_allclose(states[0].settlement_share[:, t], 0.8, rtol=1e-12)
    np.testing.assert_allclose(
        occupied_km2(states[0], params)[:, front(params, "home")], 200.0, rtol=1e-12
    )
    # Without the will cost the same war goes on.
    forces(raw, "blue", will_loss_per_100k_casualties=0)
    _, _, calm = months(load_world(raw, tmp_path, "calm.toml"), 1)
    np.testing.assert_array_equal(calm[0].theater_status[:, t], TheaterStatus.WAR)


# --- 2. mobilisation -> will, -> reserves -> fronts -------------------------------------


def test_mobilisation_costs_will_and_its_recruits_reach_the_fronts(tmp_path: Path) -> None:
    # Blue mobilises m = 10,000 a month at omega = 1 per 100k: will -0.1 a month.
    # Month 0: R = 0 + 10,000; deploys 0.5 R = 5,000, split by the enemy facing each
    #   front (1,000 and 1,000): +2,500 a front -> 3,500 each; R = 5,000; will 0.4.
    # Month 1: R = 15,000; deploys 7,500: +3,750 -> 7,250 each; R = 7,500; will 0.3.
    raw = world()
    forces(
        raw,
        "blue",
        mobilisation_per_month=10_000,
        will_loss_per_100k_mobilised=1,
        deploy_fraction_per_month=0.5,
    )
    params, _, states = months(load_world(raw, tmp_path), 2)
    blue = actor(params, "blue")
    for state, will, reserves, at_front in zip(
        states, (0.4, 0.3), (5_000, 7_500), (3_500, 7_250), strict=True
    ):
        np.testing.assert_allclose(state.will[:, blue], will, rtol=1e-12)
        np.testing.assert_allclose(state.reserves_personnel[:, blue], reserves, rtol=1e-12)
        np.testing.assert_allclose(state.personnel[:, :, DEFENDER], at_front, rtol=1e-12)


def test_recruits_deployed_this_month_fight_this_month(tmp_path: Path) -> None:
    # As above, and blue's lethality 0.01: red loses 0.01 * 3,500 = 35 a front in month 0,
    # shot by the 1,000 already there and the 2,500 just deployed.
    raw = world()
    forces(raw, "blue", mobilisation_per_month=10_000, deploy_fraction_per_month=0.5)
    forces(raw, "blue", lethality_per_month=0.01)
    params, _, states = months(load_world(raw, tmp_path), 1)
    np.testing.assert_allclose(states[0].casualties_per_month[:, :, AGGRESSOR], 35.0)
    np.testing.assert_allclose(states[0].personnel[:, :, AGGRESSOR], 965.0)
    np.testing.assert_allclose(states[0].casualties_total[:, actor(params, "red")], 70.0)


# --- 3. wounded -> reserves -> next month's deployment --------------------------------


def test_returning_wounded_refill_reserves_and_are_deployed_the_next_month(
    tmp_path: Path,
) -> None:
    # Red's k = 0.05; blue's rho = 0.4, deploy fraction 0.5, no mobilisation.
    # Month 0: manpower deploys 0 (R = 0); combat: blue loses 50 a front (-> 950),
    #   100 casualties, 40 return: R = 40.
    # Month 1: manpower deploys 0.5 * 40 = 20, 10 a front (-> 960); combat: -50 a front
    #   (-> 910), 40 return: R = 20 + 40 = 60.
    raw = world()
    forces(raw, "red", lethality_per_month=0.05)
    forces(raw, "blue", wounded_return_fraction=0.4, deploy_fraction_per_month=0.5)
    params, _, states = months(load_world(raw, tmp_path), 2)
    blue = actor(params, "blue")
    np.testing.assert_allclose(states[0].reserves_personnel[:, blue], 40.0, rtol=1e-12)
    np.testing.assert_allclose(states[0].personnel[:, :, DEFENDER], 950.0, rtol=1e-12)
    np.testing.assert_allclose(states[1].reserves_personnel[:, blue], 60.0, rtol=1e-12)
    np.testing.assert_allclose(states[1].personnel[:, :, DEFENDER], 910.0, rtol=1e-12)


# --- 4. the inactive-front mask -------------------------------------------------------


def test_a_closed_incursion_front_has_no_losses(tmp_path: Path) -> None:
    # Blue holds none of red's soil on the salient: the front is closed although 1,000 a
    # side still stand there. Red's k = 0.05, blue's 0.02: only home bleeds, blue 50 and
    # red 20; the salient's personnel are untouched.
    raw = world()
    raw["fronts"]["salient"]["occupied_km2"] = fixed(0)
    forces(raw, "red", lethality_per_month=0.05)
    forces(raw, "blue", lethality_per_month=0.02)
    params, _, states = months(load_world(raw, tmp_path), 1)
    home, salient = front(params, "home"), front(params, "salient")
    np.testing.assert_array_equal(states[0].casualties_per_month[:, salient], 0.0)
    np.testing.assert_array_equal(states[0].personnel[:, salient], 1000.0)
    np.testing.assert_allclose(states[0].casualties_per_month[:, home], [[50.0, 20.0]] * 2)
    np.testing.assert_allclose(states[0].casualties_total[:, actor(params, "blue")], 50.0)
    np.testing.assert_allclose(states[0].casualties_total[:, actor(params, "red")], 20.0)


# --- 5. escalation level -> patrons' will, aid orders, opportunism -------------------------
#
# A soil hazard of 1,000 per 1,000 km² with 50 km² of red's soil held: rate 50,
# P = 1 - e^-50 = 1.0 in float64, so east climbs one rung every month.

CERTAIN_CLIMB = (0.0, 0.0, 1000.0)


def test_escalation_costs_the_patron_will_and_cuts_a_will_conditioned_aid_line(
    tmp_path: Path,
) -> None:
    # Levels (patron will loss, aid factor, opportunism factor): 0: (0, 1, 1),
    # 1: (0.1, 1, 1), 2: (0.1, 1, 1). Donor will 0.6 -> 0.5 (month 0) -> 0.4 (month 1).
    # The donor sends 100 shells a month while "will.donor > 0.45": months 0 and 1
    # (policy sees 0.6, 0.5), not month 2 (0.4). Blue 1,000 + 200; donor 500 - 200.
    raw = world()
    raw["theaters"]["east"]["escalation"] = ladder(
        (0.0, 1.0, 1.0), (0.1, 1.0, 1.0), (0.1, 1.0, 1.0), hazards=CERTAIN_CLIMB
    )
    line = {"donor": "donor", "recipient": "blue", "munition": "shell", "per_month": fixed(100)}
    raw["strategies"]["willing"] = {"title": "aid", "aid": [line | {"when": "will.donor > 0.45"}]}
    params, _, states = months(load_world(raw, tmp_path), 3, strategy="willing")
    donor, blue = actor(params, "donor"), actor(params, "blue")
    np.testing.assert_allclose(
        [s.will[:, donor] for s in states], [[0.5] * 2, [0.4] * 2, [0.3] * 2], rtol=1e-12
    )
    np.testing.assert_array_equal(
        [s.aid_sent_per_month[:, 0] for s in states], [[100] * 2, [100] * 2, [0] * 2]
    )
    np.testing.assert_allclose(states[-1].stockpile[:, blue, 0], 1200.0)
    np.testing.assert_allclose(states[-1].stockpile[:, donor, 0], 300.0)


def test_escalation_scales_the_next_months_aid_orders(tmp_path: Path) -> None:
    # Level 1 halves aid, level 2 quarters it. Policy runs before escalation: month 0
    # orders at level 0 (100), month 1 at level 1 (50), month 2 at level 2 (25).
    # Blue 1,000 + 175 = 1,175; donor 500 - 175 = 325.
    raw = world()
    raw["theaters"]["east"]["escalation"] = ladder(
        (0.0, 1.0, 1.0), (0.0, 0.5, 1.0), (0.0, 0.25, 1.0), hazards=CERTAIN_CLIMB
    )
    line = {"donor": "donor", "recipient": "blue", "munition": "shell", "per_month": fixed(100)}
    raw["strategies"]["aid"] = {"title": "aid", "aid": [line]}
    params, _, states = months(load_world(raw, tmp_path), 3, strategy="aid")
    np.testing.assert_array_equal(
        [s.aid_sent_per_month[:, 0] for s in states], [[100] * 2, [50] * 2, [25] * 2]
    )
    np.testing.assert_allclose(states[-1].stockpile[:, actor(params, "blue"), 0], 1175.0)
    np.testing.assert_allclose(states[-1].stockpile[:, actor(params, "donor"), 0], 325.0)


def west_started(params: Params, stream: Stream, month: int, probability: float) -> np.ndarray:
    """Runs whose opportunism draw for west in ``month`` is below ``probability``."""
    u = stream.uniform(month, "opportunism", lanes=len(params.index.theaters))
    return u[:, theater(params, "west")] < probability


def test_escalation_this_month_multiplies_the_hazard_of_a_new_war(tmp_path: Path) -> None:
    # West: h0 = 0.01, r(0) = 0.5, stocks deterring west: green 400 + donor 500 = 900
    # against 1,800, D = 0.5, eta = 1 -> D^-1 = 2; the donor supplies east, at war:
    # n = 1, beta^n = 1.5. East climbs to level 1 (opportunism factor 4) in month 0's
    # escalation phase, before opportunism: lambda = 0.01 * 0.5 * 2 * 1.5 * 4 = 0.06.
    raw = world(with_west=True)
    raw["theaters"]["west"]["opportunism"] = opportunism_block()
    raw["theaters"]["east"]["escalation"] = ladder(
        (0.0, 1.0, 1.0), (0.0, 1.0, 4.0), hazards=CERTAIN_CLIMB
    )
    params, stream, states = months(load_world(raw, tmp_path), 1, runs=2000)
    opened = states[0].theater_status[:, theater(params, "west")] == TheaterStatus.WAR
    expected = west_started(params, stream, 0, 1 - math.exp(-0.06))
    np.testing.assert_array_equal(opened, expected)
    assert (expected != west_started(params, stream, 0, 1 - math.exp(-0.015))).any()


# --- 6. aggressor soil and lifted restrictions -> escalation; restrictions -> combat ------


def test_ground_taken_on_aggressor_soil_raises_this_months_climb_hazard(tmp_path: Path) -> None:
    # Salient: red has nobody there (power clipped at log-ratio 5), d = 1, r = 10:
    # blue takes 10 * 5 = 50 km² in combat and holds 100 km² of red's soil when
    # escalation reads it. h_s = 10 per 1,000 km²: rate 10 * 100 / 1000 = 1,
    # P = 1 - e^-1 = 0.632 (0.393 on the 50 km² held before combat).
    raw = world()
    raw["combat"]["defence_advantage"] = fixed(1.0)
    raw["fronts"]["salient"]["personnel"]["red"] = fixed(0)
    raw["fronts"]["salient"]["advance_km2_per_month"] = fixed(10)
    raw["theaters"]["east"]["escalation"] = ladder(
        (0.0, 1.0, 1.0), (0.0, 1.0, 1.0), hazards=(0.0, 0.0, 10.0)
    )
    params, stream, states = months(load_world(raw, tmp_path), 1, runs=400)
    t = theater(params, "east")
    np.testing.assert_allclose(occupied_km2(states[0], params)[:, front(params, "salient")], 100)
    u = stream.uniform(0, "escalation", lanes=1)[:, 0]
    np.testing.assert_array_equal(states[0].escalation_level[:, t], u < 1 - math.exp(-1.0))
    assert ((u < 1 - math.exp(-1.0)) != (u < 1 - math.exp(-0.5))).any()


def lifting(tmp_path: Path, home_advance: float = 0.0, **combat: float) -> Scenario:
    """East with a ladder whose only hazard is h_r = 1; strategy ``lift`` lifts from month 0."""
    raw = world()
    raw["combat"] |= {k: fixed(v) for k, v in combat.items()}
    raw["fronts"]["home"]["advance_km2_per_month"] = fixed(home_advance)
    raw["theaters"]["east"]["escalation"] = ladder(
        (0.0, 1.0, 1.0), (0.0, 1.0, 1.0), hazards=(0.0, 1.0, 0.0)
    )
    raw["strategies"]["lift"] = {"title": "lift", "restrictions_lifted_when": "month >= 0"}
    return load_world(raw, tmp_path)


def test_lifted_restrictions_raise_the_climb_hazard(tmp_path: Path) -> None:
    # Lifted: rate h_r = 1, P = 1 - e^-1; kept: rate 0, nobody climbs.
    scenario = lifting(tmp_path)
    params, stream, lifted = months(scenario, 1, strategy="lift", runs=400)
    _, _, kept = months(scenario, 1, strategy="none", runs=400)
    t = theater(params, "east")
    u = stream.uniform(0, "escalation", lanes=1)[:, 0]
    assert lifted[0].restrictions_lifted.all()
    np.testing.assert_array_equal(lifted[0].escalation_level[:, t], u < 1 - math.exp(-1.0))
    np.testing.assert_array_equal(kept[0].escalation_level[:, t], 0)


def test_lifted_restrictions_multiply_the_defenders_power_and_move_the_line(
    tmp_path: Path,
) -> None:
    # Deep strike kappa = 8, d = 2, home advance r = 100. Lifted: P_def/P_agg = 8000/1000,
    # gain = 100 * (ln 8 - ln 2) = 100 ln 4 = 138.63 km², red's 300 -> 161.37.
    # Kept: ratio 1, inside the band, nothing moves.
    scenario = lifting(tmp_path, deep_strike_multiplier=8.0, home_advance=100.0)
    params, _, lifted = months(scenario, 1, strategy="lift")
    _, _, kept = months(scenario, 1, strategy="none")
    home = front(params, "home")
    np.testing.assert_allclose(
        occupied_km2(lifted[0], params)[:, home], 300 - 100 * math.log(4), rtol=1e-12
    )
    np.testing.assert_array_equal(occupied_km2(kept[0], params)[:, home], 300.0)


# --- 7. aid -> stocks -> fires -> ground -------------------------------------------------


def test_aid_delivered_this_month_is_fired_and_wins_ground(tmp_path: Path) -> None:
    # Fire elasticity 1. Blue starts with no shells, needs and would fire 100 a month;
    # the donor sends 100. Red fires 100 of its 1,000 (phi = 1). Home: blue 4,000, red
    # 1,000, d = 2, r = 100.
    # With aid: blue fires 100, phi = 1, ratio 4: gain = 100 (ln 4 - ln 2) = 69.31 km²,
    #   red's 300 -> 230.69. Blue's stock 0 + 100 - 100 = 0; donor 500 - 100 = 400.
    # Without: phi = 0, power 0 (floored at 1e-9), log-ratio clipped at -5:
    #   gain = 100 (-5 + ln 2) = -430.69, bounded by blue's 700 -> red holds 730.69.
    raw = world()
    raw["combat"]["fire_elasticity"] = fixed(1.0)
    for name in ("blue", "red"):
        raw["actors"][name]["fires"] |= {
            "demand_per_month": fixed(100),
            "needed_per_month": fixed(100),
        }
    raw["actors"]["blue"]["industry"]["shell"]["stockpile"] = fixed(0)
    raw["fronts"]["home"]["personnel"]["blue"] = fixed(4000)
    raw["fronts"]["home"]["advance_km2_per_month"] = fixed(100)
    line = {"donor": "donor", "recipient": "blue", "munition": "shell", "per_month": fixed(100)}
    raw["strategies"]["aid"] = {"title": "aid", "aid": [line]}
    scenario = load_world(raw, tmp_path)
    params, _, aided = months(scenario, 1, strategy="aid")
    _, _, alone = months(scenario, 1, strategy="none")
    home, blue, donor = front(params, "home"), actor(params, "blue"), actor(params, "donor")
    np.testing.assert_allclose(aided[0].fired_per_month[:, blue, 0], 100.0)
    np.testing.assert_allclose(aided[0].stockpile[:, [blue, donor], 0], [[0.0, 400.0]] * 2)
    np.testing.assert_allclose(
        occupied_km2(aided[0], params)[:, home], 300 - 100 * math.log(2), rtol=1e-12
    )
    np.testing.assert_array_equal(alone[0].fired_per_month[:, blue, 0], 0.0)
    np.testing.assert_allclose(
        occupied_km2(alone[0], params)[:, home], 300 + 100 * (5 - math.log(2)), rtol=1e-12
    )


# --- 8. production -> stocks -> deterrence -> opportunism ---------------------------------


def test_production_deters_a_new_war_and_its_absence_invites_one(tmp_path: Path) -> None:
    # West: h0 = 0.2, r(0) = 0.5, eta = 1, beta = 1.5, n = 1 (the donor supplies east).
    # Green produces 600 shells a month (capacity, target and budget 600): in month 0
    # its stock 400 -> 1,000 before opportunism reads it. Holders' stock: green 1,000 +
    # donor 500 = 1,500 against a reference of 1,500: D = 1,
    #   lambda = 0.2 * 0.5 * 1 * 1.5 = 0.15.
    # Without production: D = 900 / 1,500 = 0.6, lambda = 0.15 / 0.6 = 0.25.
    hazard = {}
    for capacity in (600.0, 0.0):
        raw = world(with_west=True)
        raw["theaters"]["west"]["opportunism"] = opportunism_block(base=0.2, reference=1500.0)
        raw["actors"]["green"]["industry"]["shell"] |= {
            "capacity_per_month": fixed(capacity),
            "planned_capacity_per_month": fixed(capacity),
            "budget_usd_per_year": fixed(12 * capacity),
        }
        params, stream, states = months(
            load_world(raw, tmp_path, f"c{capacity}.toml"), 1, runs=1000
        )
        green = actor(params, "green")
        np.testing.assert_allclose(states[0].stockpile[:, green, 0], 400.0 + capacity)
        hazard[capacity] = states[0].theater_status[:, theater(params, "west")] == (
            TheaterStatus.WAR
        )
    np.testing.assert_array_equal(
        hazard[600.0], west_started(params, stream, 0, 1 - math.exp(-0.15))
    )
    np.testing.assert_array_equal(hazard[0.0], west_started(params, stream, 0, 1 - math.exp(-0.25)))
    assert hazard[0.0].sum() > hazard[600.0].sum()


# --- 9. policy capacity target -> industry ramp -----------------------------------------


def mobilising(tmp_path: Path, when: str | None = None) -> Scenario:
    """Blue's shell line: capacity 100, planned 100, mobilised 400, tau = 2, budget 100 a
    month; strategy ``mobilise`` mobilises blue (while ``when`` holds)."""
    raw = world()
    raw["actors"]["blue"]["industry"]["shell"] |= {
        "capacity_per_month": fixed(100),
        "planned_capacity_per_month": fixed(100),
        "mobilised_capacity_per_month": fixed(400),
        "ramp_months": fixed(2),
        "budget_usd_per_year": fixed(1200),
    }
    strategy: Raw = {"title": "mobilise", "mobilise_industry": ["blue"]}
    if when is not None:
        strategy["mobilise_when"] = when
    raw["strategies"]["mobilise"] = strategy
    return load_world(raw, tmp_path)


def test_mobilising_industry_ramps_capacity_toward_the_policy_target(tmp_path: Path) -> None:
    # Target 400: c1 = 400 - 300 e^-1/2 = 218.04, c2 = 400 - 300 e^-1 = 289.64. The
    # budget (100 a month) is scaled by max(1, 400 / 100) = 4 -> 400: not binding.
    # Blue's stock 1,000 + 218.04 + 289.64. Unmobilised: 100 a month.
    scenario = mobilising(tmp_path)
    params, _, states = months(scenario, 2, strategy="mobilise")
    _, _, planned = months(scenario, 2, strategy="none")
    blue = actor(params, "blue")
    c1, c2 = 400 - 300 * math.exp(-0.5), 400 - 300 * math.exp(-1.0)
    np.testing.assert_allclose(
        [s.produced_per_month[:, blue, 0] for s in states], [[c1] * 2, [c2] * 2], rtol=1e-12
    )
    np.testing.assert_allclose(states[-1].stockpile[:, blue, 0], 1000 + c1 + c2, rtol=1e-12)
    np.testing.assert_allclose(planned[-1].stockpile[:, blue, 0], 1200.0, rtol=1e-12)


def test_industry_ramps_only_from_the_month_the_mobilise_condition_holds(
    tmp_path: Path,
) -> None:
    # "month >= 1": month 0 at the planned target (100), month 1 c = 400 - 300 e^-1/2.
    params, _, states = months(mobilising(tmp_path, "month >= 1"), 2, strategy="mobilise")
    blue = actor(params, "blue")
    np.testing.assert_allclose(
        [s.produced_per_month[:, blue, 0] for s in states],
        [[100.0] * 2, [400 - 300 * math.exp(-0.5)] * 2],
        rtol=1e-12,
    )
    np.testing.assert_array_equal(
        [s.mobilising[:, blue] for s in states], [[False] * 2, [True] * 2]
    )


# --- 10. settlement stops combat; a new war starts it ------------------------------------


def test_a_settled_theater_stops_fighting_on_its_fronts(tmp_path: Path) -> None:
    # The hand world settles in month 0 on x* = 0.75 (see test_bargaining); red's k = 0.05
    # makes blue lose 100 in month 0's combat, which comes first. Month 1: no fighting.
    raw = world(endless=False)
    forces(raw, "red", lethality_per_month=0.05)
    raw["actors"]["red"]["fires"]["demand_per_month"] = fixed(10)
    raw["actors"]["red"]["fires"]["needed_per_month"] = fixed(10)
    params, _, states = months(load_world(raw, tmp_path), 2)
    t, blue, red = theater(params, "east"), actor(params, "blue"), actor(params, "red")
    np.testing.assert_array_equal(states[0].theater_status[:, t], TheaterStatus.SETTLED)
    np.testing.assert_allclose(states[0].settlement_share[:, t], 0.75, rtol=1e-12)
    np.testing.assert_allclose(states[0].casualties_total[:, blue], 100.0)
    np.testing.assert_allclose(states[0].stockpile[:, red, 0], 990.0)
    np.testing.assert_array_equal(states[1].casualties_per_month, 0.0)
    np.testing.assert_allclose(states[1].casualties_total[:, blue], 100.0)
    np.testing.assert_array_equal(states[1].held_km2, states[0].held_km2)
    np.testing.assert_array_equal(states[1].fired_per_month, 0.0)
    np.testing.assert_allclose(states[1].stockpile[:, red, 0], 990.0)


def test_a_war_opened_by_opportunism_is_fought_from_the_next_month(tmp_path: Path) -> None:
    # West's hazard is forced (reference 1e9 shells: D ~ 1e-6, lambda ~ 1e4, P = 1):
    # war opens at the end of month 0. Grey's k = 0.05: green loses 0 in month 0,
    # 0.05 * 1,000 = 50 on the plain in month 1.
    raw = world(with_west=True)
    raw["theaters"]["west"]["opportunism"] = opportunism_block(base=1.0, reference=1e9)
    forces(raw, "grey", lethality_per_month=0.05)
    params, _, states = months(load_world(raw, tmp_path), 2)
    plain, green = front(params, "plain"), actor(params, "green")
    west = theater(params, "west")
    np.testing.assert_array_equal(states[0].theater_status[:, west], TheaterStatus.WAR)
    np.testing.assert_array_equal(states[0].casualties_per_month[:, plain], 0.0)
    np.testing.assert_allclose(states[1].casualties_per_month[:, plain], [[50.0, 0.0]] * 2)
    np.testing.assert_allclose(states[1].casualties_total[:, green], 50.0)


# --- 11. months to settlement and the aggressor's collapse boundary ----------------------


def test_months_to_settlement_count_the_settlement_month_from_the_war_start(
    tmp_path: Path,
) -> None:
    # Collapse at will 0.1; total aims for both defenders, so only collapse settles.
    # East (at war since 2023-11, counted from the start, month 0): blue mobilises
    #   15,000 a month at 1 per 100k: will 0.35, 0.2, 0.05 -> collapses in month 2:
    #   months to settlement = 2 + 1 - 0 = 3.
    # West (opened by the strategy in month 1): green mobilises 40,000 a month from then:
    #   will 0.3 (month 1), 0 (month 2) -> collapses in month 2: 2 + 1 - 1 = 2.
    raw = world(with_west=True)
    raw["theaters"]["east"]["war_began"] = "2023-11"
    raw["theaters"]["west"]["defender_aim"] = "total"
    raw["bargaining"]["collapse_will"] = fixed(0.1)
    forces(raw, "blue", mobilisation_per_month=15_000, will_loss_per_100k_mobilised=1)
    forces(raw, "green", mobilisation_per_month=40_000, will_loss_per_100k_mobilised=1)
    raw["strategies"]["strike"] = {
        "title": "open the west in month 1",
        "start_war": [{"theater": "west", "when": "month >= 1"}],
    }
    results = run(load_world(raw, tmp_path), runs=2, seed=0, strategy="strike")
    np.testing.assert_array_equal(results["settled"].values, True)
    np.testing.assert_array_equal(results["war_start_month"].values, [[-2.0, 1.0]] * 2)
    np.testing.assert_array_equal(results["collapsed_side"].values, DEFENDER)
    np.testing.assert_array_equal(results["months_to_settlement"].values, [[3.0, 2.0]] * 2)


def test_aggressor_collapse_at_exactly_the_threshold_counts(tmp_path: Path) -> None:
    # Red's will 0.2 == collapse 0.2 and stays so through manpower and combat (no losses).
    # Red's total aim admits no terms; collapsing, it accepts blue's floor:
    # x* = max(x, 0.9) = max(0.8, 0.9) = 0.9, red keeps (1 - 0.9) * 1000 = 100 km².
    raw = world(endless=False)
    raw["aims"]["most"] = {"title": "most", "defender_share_at_least": fixed(0.9)}
    raw["theaters"]["east"] |= {"defender_aim": "most", "aggressor_aim": "total"}
    raw["actors"]["red"]["will"] = fixed(0.2)
    raw["bargaining"]["collapse_will"] = fixed(0.2)
    params, _, states = months(load_world(raw, tmp_path), 1)
    t = theater(params, "east")
    np.testing.assert_array_equal(states[0].will[:, actor(params, "red")], 0.2)
    np.testing.assert_array_equal(states[0].theater_status[:, t], TheaterStatus.SETTLED)
    np.testing.assert_array_equal(states[0].collapsed[:, t], AGGRESSOR)
    np.testing.assert_allclose(states[0].settlement_share[:, t], 0.9, rtol=1e-12)
    np.testing.assert_allclose(occupied_km2(states[0], params)[:, front(params, "home")], 100.0)


# --- Mutants that survived mutmut on model/ and policy/, killed here ---------------------
#
# Each test below names the surviving mutants it kills (mutmut 3 names, see the report).


def test_will_never_falls_below_zero(tmp_path: Path) -> None:
    # Blue: 100 casualties at omega = 1,000 per 100k cost 1.0 > 0.5: will clipped at 0.
    # Kills combat phase will clip ``np.clip(will, None, 1)`` (no ladder: combat's clip is
    # the last one in the month). Manpower's own clip is then masked by combat's in the
    # step, so it is checked on the phase: 10,000 mobilised at 10 per 100k cost 1.0.
    raw = world()
    forces(raw, "red", lethality_per_month=0.05)
    forces(raw, "blue", will_loss_per_100k_casualties=1000)
    params, _, states = months(load_world(raw, tmp_path), 1)
    np.testing.assert_array_equal(states[0].will[:, actor(params, "blue")], 0.0)

    raw = world()
    forces(raw, "blue", mobilisation_per_month=10_000, will_loss_per_100k_mobilised=10)
    params, stream, state = toy_world(load_world(raw, tmp_path, "m.toml"), "none")
    after = manpower.phase(state, params, stream)
    np.testing.assert_array_equal(after.will[:, actor(params, "blue")], 0.0)


@pytest.mark.parametrize(
    ("shooter_exponent", "target_exponent", "lethality", "home_loss"),
    [
        # L = 0.5 * 10,000**0.5 * 1,000**0 = 0.5 * 100 = 50
        (0.5, 0.0, 0.5, 50.0),
        # L = 0.01 * 10,000**0 * 1,000**1 = 10
        (0.0, 1.0, 0.01, 10.0),
    ],
)
def test_lanchester_exponents_and_an_empty_side_inflict_the_hand_computed_losses(
    tmp_path: Path,
    shooter_exponent: float,
    target_exponent: float,
    lethality: float,
    home_loss: float,
) -> None:
    # Red has 10,000 on home and nobody on the salient. Blue loses L on home and nothing
    # on the salient, where nobody shoots at it (even with q = 0, where 0**0 = 1).
    # Kills: combat _power ``exponent != 0`` and ``base * exponent``; lanchester_losses
    # ``alive`` with ``|`` or ``shooters >= 0``, and 1.0 instead of 0.0 where not alive.
    raw = world()
    raw["combat"] |= {
        "shooter_exponent": fixed(shooter_exponent),
        "target_exponent": fixed(target_exponent),
    }
    raw["fronts"]["home"]["personnel"]["red"] = fixed(10_000)
    raw["fronts"]["salient"]["personnel"]["red"] = fixed(0)
    forces(raw, "red", lethality_per_month=lethality)
    params, _, states = months(load_world(raw, tmp_path), 1)
    home, salient = front(params, "home"), front(params, "salient")
    np.testing.assert_allclose(states[0].casualties_per_month[:, home, DEFENDER], home_loss)
    np.testing.assert_array_equal(states[0].casualties_per_month[:, salient], 0.0)


def test_only_the_side_that_gained_ground_takes_the_attacker_loss_multiplier(
    tmp_path: Path,
) -> None:
    # d = 1, lambda = 2, both lethalities 0.05. Home: blue 2,000 against 1,000, r = 1 km²:
    # blue gains 1 * ln 2 = 0.69 km² (less than 1), so blue's losses 0.05 * 1,000 = 50 are
    # doubled to 100; red loses 0.05 * 2,000 = 100. Salient: nothing moves, 50 and 50.
    # Kills combat ``advanced``: ``gain >= 0``, ``gain > 1``, ``gain <= 0``, ``gain < 1``.
    raw = world()
    raw["combat"] |= {"defence_advantage": fixed(1.0), "attacker_loss_multiplier": fixed(2.0)}
    raw["fronts"]["home"]["personnel"]["blue"] = fixed(2000)
    raw["fronts"]["home"]["advance_km2_per_month"] = fixed(1)
    forces(raw, "red", lethality_per_month=0.05)
    forces(raw, "blue", lethality_per_month=0.05)
    params, _, states = months(load_world(raw, tmp_path), 1)
    home, salient = front(params, "home"), front(params, "salient")
    np.testing.assert_allclose(
        occupied_km2(states[0], params)[:, home], 300 - math.log(2), rtol=1e-12
    )
    np.testing.assert_allclose(states[0].casualties_per_month[:, home], [[100.0, 100.0]] * 2)
    np.testing.assert_allclose(states[0].casualties_per_month[:, salient], [[50.0, 50.0]] * 2)


@pytest.mark.parametrize(("blue", "red_gain"), [(1000.0, 0.0), (500.0, 100 * math.log(16))])
def test_surprise_needs_fewer_defenders_than_the_thin_line(
    tmp_path: Path, blue: float, red_gain: float
) -> None:
    # Home: thin line 1,000, surprise 8, d = 2, r = 100, red 2,000. Blue exactly 1,000 is
    # not thin: ratio 1,000 / 2,000 = 1/2, inside the band, nothing moves. Blue 500 is:
    # red's power x 8, ratio 500 / 16,000 = 1/32: red gains 100 (ln 32 - ln 2) = 100 ln 16.
    # Kills combat ``thin = enemy <= thin_defence_personnel``.
    raw = world()
    raw["combat"]["surprise_multiplier"] = fixed(8.0)
    raw["fronts"]["home"] |= {
        "thin_defence_personnel": fixed(1000),
        "advance_km2_per_month": fixed(100),
        "personnel": {"blue": fixed(blue), "red": fixed(2000)},
    }
    params, _, states = months(load_world(raw, tmp_path), 1)
    np.testing.assert_allclose(
        occupied_km2(states[0], params)[:, front(params, "home")], 300 + red_gain, rtol=1e-12
    )


def test_an_actor_at_peace_keeps_its_reserves_and_its_troops_in_place(tmp_path: Path) -> None:
    # Green (west, at peace): 1,000 in reserve, deploys half and redeploys half a month,
    # mobilises 100 a month while at war. At peace nothing moves: reserves 1,000,
    # 1,000 on the plain. Kills manpower ``has_front >= 0`` and ``in_play`` with ``|``.
    raw = world(with_west=True)
    forces(
        raw,
        "green",
        reserves_personnel=1000,
        deploy_fraction_per_month=0.5,
        redeploy_fraction_per_month=0.5,
        mobilisation_per_month=100,
    )
    params, _, states = months(load_world(raw, tmp_path), 2)
    np.testing.assert_array_equal(states[-1].reserves_personnel[:, actor(params, "green")], 1000)
    np.testing.assert_array_equal(states[-1].personnel[:, front(params, "plain")], 1000)


def test_troops_facing_an_empty_enemy_stay_where_they_are(tmp_path: Path) -> None:
    # Blue has nobody at the fronts: red's weights (enemy personnel) are all 0, so it has
    # no desired split and redeploys nothing (rate 0.5 would otherwise move its 1,000 a
    # front toward 0 and lose them). Kills manpower ``in_play`` with ``|``.
    raw = world()
    for name in ("home", "salient"):
        raw["fronts"][name]["personnel"]["blue"] = fixed(0)
    forces(raw, "red", redeploy_fraction_per_month=0.5)
    _, _, states = months(load_world(raw, tmp_path), 1)
    np.testing.assert_array_equal(states[0].personnel[:, :, AGGRESSOR], 1000.0)


def test_a_theater_that_may_recur_uses_its_first_readiness_before_any_war(
    tmp_path: Path,
) -> None:
    # West may recur (readiness after war 0.2) but has had no war: month 0 uses
    # r0 = 0.5, lambda = 0.01 * 0.5 * 2 * 1.5 = 0.015 (not r = 0.2 + 0.8 * 1/10 = 0.28).
    # Kills opportunism ``after_war = SETTLED | can_recur``.
    raw = world(with_west=True)
    after = {"readiness_after_war": fixed(0.2)}
    raw["theaters"]["west"]["opportunism"] = opportunism_block() | after
    params, stream, states = months(load_world(raw, tmp_path), 1, runs=4000)
    opened = states[0].theater_status[:, theater(params, "west")] == TheaterStatus.WAR
    np.testing.assert_array_equal(opened, west_started(params, stream, 0, 1 - math.exp(-0.015)))


def test_each_run_reads_the_opportunism_factor_of_its_own_escalation(tmp_path: Path) -> None:
    # East climbs where its draw is below 1 - e^-1 (h_s = 20 per 1,000 km², 50 km² held);
    # level 1's opportunism factor 10. West: lambda = 0.015 * 10 = 0.15 in the runs that
    # climbed, 0.015 in the others. Kills opportunism ``max(axis=None)`` / no axis.
    raw = world(with_west=True)
    raw["theaters"]["west"]["opportunism"] = opportunism_block()
    raw["theaters"]["east"]["escalation"] = ladder(
        (0.0, 1.0, 1.0), (0.0, 1.0, 10.0), hazards=(0.0, 0.0, 20.0)
    )
    params, stream, states = months(load_world(raw, tmp_path), 1, runs=2000)
    climbed = stream.uniform(0, "escalation", lanes=2)[:, 0] < 1 - math.exp(-1.0)
    np.testing.assert_array_equal(states[0].escalation_level[:, 0], climbed)
    probability = np.where(climbed, 1 - math.exp(-0.15), 1 - math.exp(-0.015))
    u = stream.uniform(0, "opportunism", lanes=2)[:, theater(params, "west")]
    opened = states[0].theater_status[:, theater(params, "west")] == TheaterStatus.WAR
    np.testing.assert_array_equal(opened, u < probability)


def test_policy_conditions_read_stocks_ground_and_escalation_as_the_phases_left_them(
    tmp_path: Path,
) -> None:
    # Three donor -> blue lines of 100, on "stock.blue.shell < 1050", "occupied.home > 250",
    # "escalation.east >= 1". Blue 4,000 on home, d = 2, r = 100: blue takes
    # 100 (ln 4 - ln 2) = 69.3 km² in month 0 (red 300 -> 230.7); east climbs every month.
    # Month 0 policy: stock 1,000, occupied 300, level 0 -> 100, 100, 0 (blue -> 1,200).
    # Month 1 policy: stock 1,200, occupied 230.7, level 1 -> 0, 0, 100.
    # Kills schedule ``observe`` with stockpile, occupied_km2 or escalation_level None.
    raw = world()
    raw["fronts"]["home"]["personnel"]["blue"] = fixed(4000)
    raw["fronts"]["home"]["advance_km2_per_month"] = fixed(100)
    raw["theaters"]["east"]["escalation"] = ladder(
        (0.0, 1.0, 1.0), (0.0, 1.0, 1.0), hazards=CERTAIN_CLIMB
    )
    line = {"donor": "donor", "recipient": "blue", "munition": "shell", "per_month": fixed(100)}
    whens = ("stock.blue.shell < 1050", "occupied.home > 250", "escalation.east >= 1")
    raw["strategies"]["watch"] = {"title": "watch", "aid": [line | {"when": w} for w in whens]}
    _, _, states = months(load_world(raw, tmp_path), 2, strategy="watch")
    np.testing.assert_array_equal(
        [s.aid_sent_per_month for s in states], [[[100, 100, 0]] * 2, [[0, 0, 100]] * 2]
    )


def test_escalation_in_one_theater_leaves_aid_to_another_theaters_defender_alone(
    tmp_path: Path,
) -> None:
    # East climbs to level 1 (aid factor 0.5) in month 0; west has no ladder. The donor
    # sends blue 100 then 50, green 100 and 100. Two start_war rules for west, the first
    # true from month 0, the second never: west's war begins in month 0.
    # Kills schedule aid_factor ``np.where(None, ...)`` (every line read as theater 0) and
    # ``starting[:, theater] = ...`` (the second rule overwriting the first).
    raw = world(with_west=True)
    raw["theaters"]["east"]["escalation"] = ladder(
        (0.0, 1.0, 1.0), (0.0, 0.5, 1.0), hazards=CERTAIN_CLIMB
    )
    lines = [
        {"donor": "donor", "recipient": name, "munition": "shell", "per_month": fixed(100)}
        for name in ("blue", "green")
    ]
    rules = [{"theater": "west", "when": "month >= 0"}, {"theater": "west", "when": "month > 9"}]
    raw["strategies"]["both"] = {"title": "both", "aid": lines, "start_war": rules}
    params, _, states = months(load_world(raw, tmp_path), 2, strategy="both")
    np.testing.assert_array_equal(
        [s.aid_sent_per_month for s in states], [[[100, 100]] * 2, [[50, 100]] * 2]
    )
    # (It settles in the same month, on its hand-world aims.)
    np.testing.assert_array_equal(states[0].wars_started[:, theater(params, "west")], 1)
    # Settling west leaves east's record alone. Kills bargaining _settle
    # ``collapsed=np.where(settling, collapsed, None)`` and ``.astype(None)``.
    np.testing.assert_array_equal(states[0].collapsed, -1)
    assert states[0].collapsed.dtype == np.int64
    assert states[0].theater_status.dtype == np.int8


def test_soil_conceded_at_settlement_is_spread_as_it_was_held(tmp_path: Path) -> None:
    # A second front on blue's soil, north (1,000 km², red holds 100): D = 2,000, red holds
    # 400, blue 50 of red's 200. x = (2000 - 400 + 2 * 50) / 2000 = 0.85, x_bar = 1.2.
    # C_def = 0.24, C_agg = 0.15: range [0.61, 1.0], aims cut it to [0.61, 0.9],
    # x* = 0.61 + 0.5 * 0.29 = 0.755; red keeps (1 - 0.755) * 2000 = 490 km², spread as
    # held (300 : 100): home 367.5, north 122.5 (by area it would be 245 and 245).
    # Kills bargaining _spread ``np.where(None, ...)`` (always by area).
    raw = world(endless=False)
    raw["fronts"]["north"] = raw["fronts"]["home"] | {"occupied_km2": fixed(100)}
    params, _, states = months(load_world(raw, tmp_path), 1)
    t = theater(params, "east")
    np.testing.assert_allclose(states[0].settlement_share[:, t], 0.755, rtol=1e-12)
    occupied = occupied_km2(states[0], params)
    np.testing.assert_allclose(occupied[:, front(params, "home")], 367.5, rtol=1e-12)
    np.testing.assert_allclose(occupied[:, front(params, "north")], 122.5, rtol=1e-12)


def test_a_collapse_hands_over_soil_nobody_held_in_proportion_to_area(tmp_path: Path) -> None:
    # Defender collapse: red holds none of blue's soil, blue 50 of red's: x = 1.1; red's
    # ceiling 0.9: x* = 0.9, red gets (1 - 0.9) * 1000 = 100 km² of home (the only front,
    # by area). Aggressor collapse: blue holds none of red's soil, red 300 of blue's:
    # x = 0.7; blue's floor 1.1: x* = 1.1, blue gets all its soil back and keeps
    # (1.1 - 1) * 1000 / 2 = 50 km² of red's 200 (the salient, by area).
    # Kills bargaining _spread ``held >= 0`` and ``area * theater_area``; _settle
    # aggressor_area with ``|`` or ``on_def``.
    raw = world(endless=False)
    raw["bargaining"]["collapse_will"] = fixed(0.2)
    raw["fronts"]["home"]["occupied_km2"] = fixed(0)
    raw["actors"]["blue"]["will"] = fixed(0.1)
    raw["theaters"]["east"]["defender_aim"] = "total"
    params, _, states = months(load_world(raw, tmp_path), 1)
    t, home, salient = theater(params, "east"), front(params, "home"), front(params, "salient")
    np.testing.assert_array_equal(states[0].collapsed[:, t], DEFENDER)
    np.testing.assert_allclose(occupied_km2(states[0], params)[:, home], 100.0, rtol=1e-12)
    np.testing.assert_array_equal(occupied_km2(states[0], params)[:, salient], 0.0)

    raw = world(endless=False)
    raw["bargaining"]["collapse_will"] = fixed(0.2)
    raw["fronts"]["salient"]["occupied_km2"] = fixed(0)
    raw["actors"]["red"]["will"] = fixed(0.1)
    raw["aims"]["more"] = {"title": "more", "defender_share_at_least": fixed(1.1)}
    raw["theaters"]["east"] |= {"defender_aim": "more", "aggressor_aim": "total"}
    params, _, states = months(load_world(raw, tmp_path, "agg.toml"), 1)
    np.testing.assert_array_equal(states[0].collapsed[:, t], AGGRESSOR)
    np.testing.assert_allclose(states[0].settlement_share[:, t], 1.1, rtol=1e-12)
    np.testing.assert_array_equal(occupied_km2(states[0], params)[:, home], 0.0)
    np.testing.assert_allclose(occupied_km2(states[0], params)[:, salient], 50.0, rtol=1e-12)


def test_each_theater_climbs_on_its_own_draw(tmp_path: Path) -> None:
    # East and west (opened by the strategy in month 0) both have a ladder with
    # h0 = 1: P = 1 - e^-1 each, decided by the theater's own lane of the month's draw.
    # Kills escalation ``rng.uniform(...)`` without ``lanes`` (one draw for all theaters).
    raw = world(with_west=True)
    for name in ("east", "west"):
        raw["theaters"][name]["escalation"] = ladder(
            (0.0, 1.0, 1.0), (0.0, 1.0, 1.0), hazards=(1.0, 0.0, 0.0)
        )
    raw["strategies"]["open"] = {
        "title": "open",
        "start_war": [{"theater": "west", "when": "month >= 0"}],
    }
    _, stream, states = months(load_world(raw, tmp_path), 1, strategy="open", runs=200)
    u = stream.uniform(0, "escalation", lanes=2)
    np.testing.assert_array_equal(states[0].escalation_level, u < 1 - math.exp(-1.0))


# Bargaining survivors: the trend's memory, its projection, discounting, aims, the clip.
#
# Blue 4,000 on home against 1,000, d = 2, r = 100: blue takes 100 (ln 4 - ln 2) =
# 69.31 km² a month, so x rises by Delta = 0.06931 a month (D = 1,000).

DELTA = 100 * math.log(2) / 1000


def advancing(raw: Raw) -> Raw:
    """Blue advances 69.31 km² a month on home."""
    raw["fronts"]["home"]["personnel"]["blue"] = fixed(4000)
    raw["fronts"]["home"]["advance_km2_per_month"] = fixed(100)
    return raw


def test_the_trend_remembers_earlier_months(tmp_path: Path) -> None:
    # s = 0.5. Month 0: no earlier position, trend 0. Month 1: 0.5 * 0 + 0.5 Delta.
    # Month 2: 0.5 * 0.5 Delta + 0.5 Delta = 0.75 Delta.
    # Kills bargaining ``(1 - s) * trend`` -> ``(1 + s)``, ``(2 - s)``.
    params, _, states = months(load_world(advancing(world()), tmp_path), 3)
    t = theater(params, "east")
    np.testing.assert_allclose(
        [s.trend_share_per_month[:, t] for s in states],
        [[0.0] * 2, [0.5 * DELTA] * 2, [0.75 * DELTA] * 2],
        rtol=1e-9,
        atol=1e-15,
    )


def test_a_rising_trend_is_projected_and_brings_settlement(tmp_path: Path) -> None:
    # Blue's aim: at least 0.95; red's: at most 1.4 (= x_bar); red's cost 0.001 a month:
    # C_agg = 0.001 / 0.8 * 12 = 0.015, C_def = 0.24.
    # Month 0: x = (1000 - 230.69 + 100) / 1000 = 0.86931, trend 0: high = 0.88431 < 0.95.
    # Month 1: x = 0.93863, trend 0.5 Delta = 0.034657, p = x + 12 * 0.034657 = 1.35452;
    #   low = max(1.35452 - 0.24, 0.95) = 1.11452, high = 1.36952: x* = 1.24202.
    # Kills bargaining ``p = clip(x - h * trend)``.
    raw = advancing(world(endless=False))
    raw["actors"]["red"]["war_cost_share_per_month"] = fixed(0.001)
    raw["aims"]["most"] = {"title": "most", "defender_share_at_least": fixed(0.95)}
    raw["aims"]["all"] = {"title": "all", "defender_share_at_most": fixed(1.4)}
    raw["theaters"]["east"] |= {"defender_aim": "most", "aggressor_aim": "all"}
    params, _, states = months(load_world(raw, tmp_path), 2)
    t = theater(params, "east")
    np.testing.assert_array_equal(states[0].theater_status[:, t], TheaterStatus.WAR)
    x1 = 0.8 + 2 * DELTA
    p = x1 + 12 * 0.5 * DELTA
    expected = (p - 0.24) + 0.5 * ((p + 0.015) - (p - 0.24))
    np.testing.assert_array_equal(states[1].settled_month[:, t], 1)
    np.testing.assert_allclose(states[1].settlement_share[:, t], expected, rtol=1e-9)


def test_discounting_values_the_stake_over_the_horizon(tmp_path: Path) -> None:
    # delta = 0.5, h = 2: annuity (1 - 0.25) / 0.5 = 1.5, delta^h = 0.25;
    # C_def = 0.01 / 0.5 * 1.5 = 0.03, C_agg = 0.01 / 0.8 * 1.5 = 0.01875.
    # V_def = 0.25 * 0.8 - 0.03 = 0.17; V_agg = 0.25 * (1.4 - 0.8) - 0.01875 = 0.13125,
    # high = 1.4 - 0.13125 = 1.26875. Aims cut nothing (at least 0, at most 1.4):
    # x* = 0.17 + 0.5 * (1.26875 - 0.17) = 0.719375.
    # Kills bargaining ``bargaining_range(...)`` without ``h`` or without ``top``.
    raw = world(endless=False)
    raw["bargaining"] |= {"discount_per_month": fixed(0.5), "horizon_months": fixed(2)}
    raw["aims"]["any"] = {"title": "any", "defender_share_at_least": fixed(0.0)}
    raw["aims"]["all"] = {"title": "all", "defender_share_at_most": fixed(1.4)}
    raw["theaters"]["east"] |= {"defender_aim": "any", "aggressor_aim": "all"}
    params, _, states = months(load_world(raw, tmp_path), 1)
    t = theater(params, "east")
    np.testing.assert_allclose(states[0].settlement_share[:, t], 0.719375, rtol=1e-12)


@pytest.mark.parametrize(
    ("aims", "strategy_aim", "terms"),
    [
        # Freeze the lines: blue within 0.05, red within 0.1 of x = 0.8: range [0.56, 0.95]
        # cut to [0.75, 0.9], x* = 0.825. Kills ``x + tolerance`` for the floor and
        # ``x - tolerance`` for the ceiling, a floor of 1 where the aim has none, and
        # the defender's tolerance read from the aggressor's aim.
        ({"blue": {"lines_tolerance": 0.05}, "red": {"lines_tolerance": 0.1}}, None, 0.825),
        # Floor = ceiling = 0.85: the range is one point and still agreed (low <= high).
        (
            {"blue": {"defender_share_at_least": 0.85}, "red": {"defender_share_at_most": 0.85}},
            None,
            0.85,
        ),
        # The strategy replaces blue's aim (not red's) with "at least 0.7": [0.7, 0.9],
        # x* = 0.8.
        ({}, 0.7, 0.8),
    ],
)
def test_declared_aims_cut_the_range_as_stated(
    tmp_path: Path, aims: dict[str, dict[str, float]], strategy_aim: float | None, terms: float
) -> None:
    raw = world(endless=False)
    for name, bounds in aims.items():
        raw["aims"][name] = {"title": name} | {k: fixed(v) for k, v in bounds.items()}
        raw["theaters"]["east"][f"{'defender' if name == 'blue' else 'aggressor'}_aim"] = name
    strategy = "none"
    if strategy_aim is not None:
        raw["aims"]["more"] = {"title": "more", "defender_share_at_least": fixed(strategy_aim)}
        raw["strategies"]["more"] = {"title": "more", "aims": {"east": "more"}}
        strategy = "more"
    params, _, states = months(load_world(raw, tmp_path), 1, strategy=strategy)
    t = theater(params, "east")
    np.testing.assert_array_equal(states[0].theater_status[:, t], TheaterStatus.SETTLED)
    np.testing.assert_allclose(states[0].settlement_share[:, t], terms, rtol=1e-12)


def test_terms_never_exceed_the_whole_stake(tmp_path: Path) -> None:
    # Red's will 0.05: C_agg = 0.01 / 0.05 * 12 = 2.4, high = 0.8 + 2.4 = 3.2; no ceiling
    # (red's aim: at least 0); x* = 0.56 + 0.5 * (3.2 - 0.56) = 1.88 -> clipped to 1.4:
    # blue recovers all its soil and keeps (1.4 - 1) * 1000 / 2 = 200 km², all of red's.
    # Kills bargaining ``np.clip(terms, 0.0, None)``.
    raw = world(endless=False)
    raw["actors"]["red"]["will"] = fixed(0.05)
    raw["aims"]["any"] = {"title": "any", "defender_share_at_least": fixed(0.0)}
    raw["theaters"]["east"]["aggressor_aim"] = "any"
    params, _, states = months(load_world(raw, tmp_path), 1)
    t = theater(params, "east")
    np.testing.assert_allclose(states[0].settlement_share[:, t], 1.4, rtol=1e-12)
    np.testing.assert_allclose(occupied_km2(states[0], params)[:, front(params, "salient")], 200)


def test_fires_come_out_of_the_munition_the_actor_fires(tmp_path: Path) -> None:
    # Blue fires rockets (its second munition, stock 100), demand 10 a month: rockets
    # 100 -> 90, shells untouched. Kills combat ``munition = np.where(None, ...)``.
    raw = world()
    raw["munitions"]["rocket"] = {"title": "rocket"}
    shell = raw["actors"]["blue"]["industry"]["shell"]
    raw["actors"]["blue"]["industry"]["rocket"] = shell | {"stockpile": fixed(100)}
    raw["actors"]["blue"]["fires"] |= {
        "munition": "rocket",
        "demand_per_month": fixed(10),
        "needed_per_month": fixed(10),
    }
    params, _, states = months(load_world(raw, tmp_path), 1)
    blue, rocket = actor(params, "blue"), params.index.munitions.index("rocket")
    np.testing.assert_allclose(states[0].stockpile[:, blue, rocket], 90.0)
    np.testing.assert_allclose(states[0].stockpile[:, blue, 1 - rocket], 1000.0)
    np.testing.assert_allclose(states[0].fired_per_month[:, blue, rocket], 10.0)


def test_mud_months_slow_the_advance_in_their_calendar_month(tmp_path: Path) -> None:
    # East's mud month is January (the start), factor 0.5: blue gains 0.5 * 69.31 in
    # month 0 (January) and 69.31 in month 1 (February).
    # Kills combat sample_params ``mud[i, [m - 2 ...]]`` (months shifted by one).
    raw = advancing(world())
    raw["theaters"]["east"] |= {
        "mud_months": [1],
        "mud_months_source": "test",
        "mud_advance_factor": fixed(0.5),
    }
    params, _, states = months(load_world(raw, tmp_path), 2)
    home = front(params, "home")
    gain = 100 * math.log(2)
    np.testing.assert_allclose(
        [occupied_km2(s, params)[:, home] for s in states],
        [[300 - 0.5 * gain] * 2, [300 - 1.5 * gain] * 2],
        rtol=1e-12,
    )


def test_only_wars_that_share_a_patron_make_a_new_war_likelier(tmp_path: Path) -> None:
    # West without patrons: holders green alone, D = 400 / 1,800, D^-1 = 4.5; east's war
    # does not involve any patron of west: n = 0, lambda = 0.01 * 0.5 * 4.5 = 0.0225
    # (0.03375 if east's war counted). Kills opportunism sample_params ``shares >= 0``.
    raw = world(with_west=True)
    raw["theaters"]["west"] |= {"patrons": [], "opportunism": opportunism_block()}
    params, stream, states = months(load_world(raw, tmp_path), 1, runs=4000)
    opened = states[0].theater_status[:, theater(params, "west")] == TheaterStatus.WAR
    np.testing.assert_array_equal(opened, west_started(params, stream, 0, 1 - math.exp(-0.0225)))


def test_a_ladder_after_a_theater_without_one_still_applies(tmp_path: Path) -> None:
    # East has no ladder; west (opened by the strategy in month 0) has one whose level 0
    # costs its patron 0.1 a month: the donor's will 0.6 -> 0.5.
    # Kills escalation sample_params ``continue`` -> ``break`` (later ladders unread).
    raw = world(with_west=True)
    raw["theaters"]["west"]["escalation"] = ladder((0.1, 1.0, 1.0), (0.1, 1.0, 1.0))
    raw["strategies"]["open"] = {
        "title": "open",
        "start_war": [{"theater": "west", "when": "month >= 0"}],
    }
    params, _, states = months(load_world(raw, tmp_path), 1, strategy="open")
    np.testing.assert_allclose(states[0].will[:, actor(params, "donor")], 0.5, rtol=1e-12)


def test_each_side_bargains_with_its_own_belief_error(tmp_path: Path) -> None:
    # sigma_0 = 0.1, month 0 of the war: sigma = 0.1. p_def = 0.8 + 0.1 z_def,
    # p_agg = 0.8 - 0.1 z_agg; aims cut nothing: low = p_def - 0.24, high = p_agg + 0.15,
    # x* = (low + high) / 2 = 0.755 + 0.05 (z_def - z_agg) where low <= high, i.e.
    # 0.1 (z_def + z_agg) <= 0.39. z are the two lanes of the "belief:east" draw.
    # Kills bargaining sample_params ``uniform(..., lanes=2)`` -> one lane for both sides.
    raw = world(endless=False)
    raw["bargaining"]["belief_error_sd"] = fixed(0.1)
    raw["aims"]["any"] = {"title": "any", "defender_share_at_least": fixed(0.0)}
    raw["aims"]["all"] = {"title": "all", "defender_share_at_most": fixed(1.4)}
    raw["theaters"]["east"] |= {"defender_aim": "any", "aggressor_aim": "all"}
    params, stream, states = months(load_world(raw, tmp_path), 1, runs=50)
    z = stats.norm.ppf(stream.uniform(SAMPLING_MONTH, "belief:east", lanes=2))
    agree = 0.1 * (z[:, 0] + z[:, 1]) <= 0.39
    assert agree.any() and (z[:, 0] != z[:, 1]).all()
    t = theater(params, "east")
    np.testing.assert_allclose(
        states[0].settlement_share[agree, t], 0.755 + 0.05 * (z[agree, 0] - z[agree, 1]), rtol=1e-9
    )


# --- 12. losses -> escalation -> war; settlement elsewhere -> reputation -> new war ------


def test_casualties_lower_the_aggressors_will_and_a_losing_aggressor_climbs_into_a_clash(
    tmp_path: Path,
) -> None:
    # Blue's lethality 0.05 (square law, fire factor 1): red loses 0.05 * 1,000 = 50 on each
    # front, 100 in month 0; at 300 will per 100k, red's will 0.8 -> 0.5 before escalation
    # reads it. Losing hazard h_w = 2: rate 2 (1 - 0.5) = 1, P = 1 - e^-1 = 0.632 (0.4 and
    # P = 0.330 without the casualties). Level 1 is a clash with the donor: a second war.
    raw = world()
    forces(raw, "blue", lethality_per_month=0.05)
    forces(raw, "red", will_loss_per_100k_casualties=300)
    table = ladder((0.0, 1.0, 1.0), (0.0, 1.0, 1.0))
    table["losing_hazard_per_month"] = fixed(2.0)
    table["levels"][1]["patrons_at_war"] = True
    raw["theaters"]["east"]["escalation"] = table
    params, stream, states = months(load_world(raw, tmp_path), 1, runs=400)
    t = theater(params, "east")
    np.testing.assert_allclose(states[0].will[:, actor(params, "red")], 0.5, rtol=1e-12)
    u = stream.uniform(0, "escalation", lanes=1)[:, 0]
    climbed = u < 1 - math.exp(-1.0)
    assert (climbed != (u < 1 - math.exp(-0.4))).any()
    np.testing.assert_array_equal(states[0].escalation_level[:, t], climbed)
    np.testing.assert_array_equal(states[0].patrons_at_war[:, t], climbed)


def test_a_clash_rung_costs_the_aggressor_forces_that_combat_then_misses(tmp_path: Path) -> None:
    # Month 0: red climbs (certain) to a rung costing 20% of its personnel on east's fronts:
    # 1,000 -> 800 on each. Month 1: blue's lethality 0.05 now meets 800 red, and red's
    # own lethality 0.05 kills 0.05 * 800 = 40 blue on each front (50 in month 0).
    raw = world()
    forces(raw, "red", lethality_per_month=0.05)
    table = ladder((0.0, 1.0, 1.0), (0.0, 1.0, 1.0), hazards=CERTAIN_CLIMB)
    table["levels"][1]["aggressor_personnel_loss_share_per_month"] = fixed(0.2)
    raw["theaters"]["east"]["escalation"] = table
    params, _, states = months(load_world(raw, tmp_path), 2)
    home = front(params, "home")
    np.testing.assert_allclose(states[0].personnel[:, home, AGGRESSOR], 800.0, rtol=1e-12)
    np.testing.assert_allclose(states[0].casualties_per_month[:, home, DEFENDER], 50.0)
    np.testing.assert_allclose(states[1].casualties_per_month[:, home, DEFENDER], 40.0)
    np.testing.assert_allclose(states[0].casualties_total[:, actor(params, "red")], 400.0)


def test_a_war_settled_on_bad_terms_makes_a_war_the_same_patron_backs_likelier(
    tmp_path: Path,
) -> None:
    # East settles in month 0 at x* = 0.75 (the hand world's terms): red kept 25% of the
    # disputed soil. West (donor backs both) then sees, in the same month's opportunism:
    # h0 = 0.01, r(0) = 0.5, D^-1 = 2, no busy war (east settled): 0.01; times
    # e^(kappa 0.25) with kappa = 2: lambda = 0.01 e^0.5 = 0.01649.
    raw = world(with_west=True, endless=False)
    raw["theaters"]["west"]["opportunism"] = opportunism_block()
    raw["theaters"]["west"]["opportunism"]["credibility_elasticity"] = fixed(2.0)
    params, stream, states = months(load_world(raw, tmp_path), 1, runs=4000)
    np.testing.assert_allclose(states[0].settlement_share[:, theater(params, "east")], 0.75)
    opened = states[0].theater_status[:, theater(params, "west")] == TheaterStatus.WAR
    expected = west_started(params, stream, 0, 1 - math.exp(-0.01 * math.exp(0.5)))
    np.testing.assert_array_equal(opened, expected)
    assert (expected != west_started(params, stream, 0, 1 - math.exp(-0.01))).any()


# --- 12. theater links: stocks where they stand, patrons that fight, one budget ----------


def test_a_transfer_before_the_war_raises_the_recipient_theaters_deterrence(
    tmp_path: Path,
) -> None:
    # West: h0 = 0.2, r(0) = 0.5, eta = 1, beta = 1.5, n = 1 (the donor backs east, at
    # war); reference 700. The donor sends green 100 shells in month 0's aid phase.
    # Patron weight w = 0.5: with the transfer S = 500 + 0.5 * 400 = 700, D = 1,
    #   lambda = 0.2 * 0.5 * 1.5 = 0.15; without, S = 400 + 0.5 * 500 = 650,
    #   lambda = 0.15 * 700 / 650 = 0.161538.
    # Without a weight (today's sum) S = 900 either way: the transfer deters nothing.
    started = {}
    for weight in (0.5, None):
        raw = world(with_west=True)
        raw["theaters"]["west"]["opportunism"] = opportunism_block(base=0.2, reference=700.0)
        if weight is not None:
            raw["theaters"]["west"]["opportunism"]["patron_stock_weight"] = fixed(weight)
        line = {
            "donor": "donor",
            "recipient": "green",
            "munition": "shell",
            "per_month": fixed(100),
        }
        raw["strategies"]["arm"] = {"title": "arm green", "aid": [line]}
        scenario = load_world(raw, tmp_path, f"w{weight}.toml")
        for strategy in ("arm", "none"):
            params, stream, states = months(scenario, 1, strategy=strategy, runs=1000)
            west = theater(params, "west")
            started[weight, strategy] = states[0].theater_status[:, west] == TheaterStatus.WAR
    lam_none = 0.15 * 700 / 650
    np.testing.assert_array_equal(
        started[0.5, "arm"], west_started(params, stream, 0, -math.expm1(-0.15))
    )
    np.testing.assert_array_equal(
        started[0.5, "none"], west_started(params, stream, 0, -math.expm1(-lam_none))
    )
    assert started[0.5, "none"].sum() > started[0.5, "arm"].sum()
    np.testing.assert_array_equal(started[None, "arm"], started[None, "none"])


def test_forces_in_reach_deter_and_a_patron_busy_elsewhere_deters_less(tmp_path: Path) -> None:
    # West as above with reference stock 900 (D = 1 without a weight): lambda = 0.15 times
    # (N / N_ref)^-eta_F, eta_F = 1, N_ref = 2,000. N = green's 1,000 on the plain plus the
    # combatant donor's min(F = 2,000, R): with reserves 3,000, N = 3,000, lambda = 0.1;
    # with reserves 500 (its forces committed elsewhere), N = 1,500, lambda = 0.2.
    started = {}
    for reserves in (3000.0, 500.0):
        raw = coalition_world(reserves=reserves)
        raw["theaters"]["west"]["opportunism"] = opportunism_block(base=0.2, reference=900.0) | {
            "deterrent_forces_reference": fixed(2000),
            "forces_deterrence_elasticity": fixed(1.0),
        }
        params, stream, states = months(
            load_world(raw, tmp_path, f"r{reserves}.toml"), 1, runs=1000
        )
        started[reserves] = states[0].theater_status[:, theater(params, "west")] == (
            TheaterStatus.WAR
        )
    np.testing.assert_array_equal(
        started[3000.0], west_started(params, stream, 0, -math.expm1(-0.1))
    )
    np.testing.assert_array_equal(
        started[500.0], west_started(params, stream, 0, -math.expm1(-0.2))
    )


def coalition_world(reserves: float = 3000.0) -> Raw:
    """The hand world with west; the donor has forces (``reserves`` in its pool, nothing
    else moves) and is a combatant patron of west: it sends 2,000 personnel and fires 50
    shells a month there. Grey's lethality 0.05, green's 0.01."""
    raw = world(with_west=True)
    donor = raw["actors"]["donor"]
    donor["forces"] = dict(raw["actors"]["green"]["forces"]) | {
        "reserves_personnel": fixed(reserves)
    }
    donor["war_cost_share_per_month"] = fixed(0.01)
    raw["theaters"]["west"] |= {
        "defender_aim": "total",
        "combatant_patrons": ["donor"],
        "patron_forces_personnel": fixed(2000),
        "patron_munitions_per_month": {"shell": fixed(50)},
    }
    forces(raw, "grey", lethality_per_month=0.05)
    forces(raw, "green", lethality_per_month=0.01)
    raw["strategies"]["open-west"] = {
        "title": "open west",
        "start_war": [{"theater": "west", "when": "month >= 0"}],
    }
    return raw


def test_a_combatant_patrons_forces_fight_in_the_theater_and_leave_its_pool(
    tmp_path: Path,
) -> None:
    # West opens in month 0 (policy). Coalition: the donor sends min(2,000, 3,000) =
    # 2,000 to the plain: green's slot 3,000, the donor's pool 1,000; it fires 50 of its
    # 500 shells into green's stock (400 -> 450). Combat (square law, fire factor 1):
    # grey loses 0.01 * 3,000 = 30 (10 without the donor), the slot 0.05 * 1,000 = 50.
    # Month 1: the donor's share wears down with the slot, 2,000 * 2,950 / 3,000 =
    # 1,966.67; it fires 50 more (donor 400, green 500).
    params, _, states = months(load_world(coalition_world(), tmp_path), 2, strategy="open-west")
    plain, west = front(params, "plain"), theater(params, "west")
    donor, green = actor(params, "donor"), actor(params, "green")
    np.testing.assert_allclose(states[0].reserves_personnel[:, donor], 1000.0)
    np.testing.assert_allclose(states[0].casualties_per_month[:, plain], [[50.0, 30.0]] * 2)
    np.testing.assert_allclose(states[0].personnel[:, plain, DEFENDER], 2950.0)
    np.testing.assert_allclose(states[0].committed_personnel[:, west, donor], 2000.0)
    np.testing.assert_allclose(
        states[1].committed_personnel[:, west, donor], 2000 * 2950 / 3000, rtol=1e-12
    )
    np.testing.assert_allclose(states[1].stockpile[:, [donor, green], 0], [[400.0, 500.0]] * 2)
    raw = coalition_world()
    raw["theaters"]["west"]["combatant_patrons"] = []
    _, _, alone = months(load_world(raw, tmp_path, "alone.toml"), 1, strategy="open-west")
    np.testing.assert_allclose(alone[0].casualties_per_month[:, plain], [[50.0, 10.0]] * 2)


def test_a_combatant_patron_counts_its_share_of_the_slots_losses_as_its_own(
    tmp_path: Path,
) -> None:
    # Month 0: green's slot on the plain holds 1,000 of green's and 2,000 of the donor's
    # and loses 50: the donor counts 50 * 2,000 / 3,000 = 33.33, green 16.67. Each one's
    # will falls at its own omega: the donor's (300 per 100k) 0.6 - 0.1 = 0.5, green's (30)
    # 0.7 - 30 * 16.67 / 1e5 = 0.695. Wounded return to each one's own pool at 0.5: the
    # donor's 1,000 + 16.67, green's 0 + 8.33.
    raw = coalition_world()
    forces(raw, "donor", will_loss_per_100k_casualties=300, wounded_return_fraction=0.5)
    forces(raw, "green", will_loss_per_100k_casualties=30, wounded_return_fraction=0.5)
    params, _, states = months(load_world(raw, tmp_path), 1, strategy="open-west")
    donor, green, plain = actor(params, "donor"), actor(params, "green"), front(params, "plain")
    first = states[0]
    np.testing.assert_allclose(first.casualties_per_month[:, plain, DEFENDER], 50.0)
    np.testing.assert_allclose(first.casualties_total[:, [donor, green]], [[100 / 3, 50 / 3]] * 2)
    np.testing.assert_allclose(first.will[:, [donor, green]], [[0.5, 0.7 - 0.005]] * 2)
    np.testing.assert_allclose(
        first.reserves_personnel[:, [donor, green]], [[1000 + 50 / 3, 25 / 3]] * 2, rtol=1e-12
    )


def test_a_combatant_patrons_forces_go_home_when_the_war_is_settled(tmp_path: Path) -> None:
    # With green's aim "at least 0.6" west settles in month 0 (green holds all of it).
    # Month 1: the donor's 1,966.67 left (2,000 worn down with the slot's 50 of 3,000)
    # leave the plain (2,950 -> 983.33) and rejoin its pool (1,000 -> 2,966.67); no
    # shells are fired in a war that is over.
    raw = coalition_world()
    raw["theaters"]["west"]["defender_aim"] = "floor"
    params, _, states = months(load_world(raw, tmp_path), 2, strategy="open-west")
    donor, west = actor(params, "donor"), theater(params, "west")
    assert (states[0].theater_status[:, west] == TheaterStatus.SETTLED).all()
    left = 2000 * 2950 / 3000
    np.testing.assert_allclose(states[1].reserves_personnel[:, donor], 1000 + left, rtol=1e-12)
    np.testing.assert_allclose(
        states[1].personnel[:, front(params, "plain"), DEFENDER], 2950 - left, rtol=1e-12
    )
    np.testing.assert_array_equal(states[1].committed_personnel[:, west, donor], 0.0)
    np.testing.assert_allclose(states[1].stockpile[:, donor, 0], 450.0)


def test_two_wars_draw_the_patrons_forces_from_one_pool(tmp_path: Path) -> None:
    # East at peace too, the donor a combatant of both, both wars open in month 0: east
    # (first in theater order) gets min(2,000, 3,000) = 2,000, spread as red's personnel
    # (1,000 on home, 1,000 on the salient): 1,000 each; west gets what is left, 1,000.
    raw = coalition_world()
    east = raw["theaters"]["east"]
    east["status"] = "peace"
    del east["war_began"]
    east |= {"combatant_patrons": ["donor"], "patron_forces_personnel": fixed(2000)}
    raw["strategies"]["open-west"]["start_war"].append({"theater": "east", "when": "month >= 0"})
    params, _, states = months(load_world(raw, tmp_path), 1, strategy="open-west")
    donor = actor(params, "donor")
    committed = states[0].committed_personnel[:, :, donor]
    np.testing.assert_allclose(
        committed[:, [theater(params, "east"), theater(params, "west")]], [[2000.0, 1000.0]] * 2
    )
    np.testing.assert_allclose(states[0].reserves_personnel[:, donor], 0.0)
    sent = states[0].personnel[:, [front(params, "home"), front(params, "salient")], DEFENDER]
    np.testing.assert_allclose(sent, [[2000.0, 2000.0]] * 2)


def budget_world(capacity: float) -> Raw:
    """The donor makes up to ``capacity`` shells a month at 1 USD (its line's budget allows
    it) and orders blue 80 a month; defence budget 3,600 USD a year, munitions share 0.5:
    a limit of 150 USD a month for production and aid together."""
    raw = world()
    donor = raw["actors"]["donor"]
    donor |= {"defence_budget_usd_per_year": fixed(3600), "munitions_budget_share": fixed(0.5)}
    donor["industry"]["shell"] |= {
        "capacity_per_month": fixed(capacity),
        "planned_capacity_per_month": fixed(capacity),
        "budget_usd_per_year": fixed(12 * capacity),
    }
    line = {"donor": "donor", "recipient": "blue", "munition": "shell", "per_month": fixed(80)}
    raw["strategies"]["aid"] = {"title": "aid", "aid": [line]}
    return raw


def test_aid_and_production_share_one_budget(tmp_path: Path) -> None:
    # Capacity 100: production costs 100 of the 150, aid gets the 50 left (of 80 ordered).
    # Capacity 200: production alone would cost 200 > 150, so it makes 150 and no aid
    # goes out. Without the share: 200 made and 80 sent.
    done = {}
    for capacity, share in ((100.0, True), (200.0, True), (200.0, False)):
        raw = budget_world(capacity)
        if not share:
            del raw["actors"]["donor"]["munitions_budget_share"]
        params, _, states = months(
            load_world(raw, tmp_path, f"b{capacity}{share}.toml"), 1, strategy="aid"
        )
        donor = actor(params, "donor")
        done[capacity, share] = (
            states[0].produced_per_month[0, donor, 0],
            states[0].aid_sent_per_month[0, 0],
            states[0].spent_usd[0, donor] + states[0].aid_given_usd[0, donor],
        )
    np.testing.assert_allclose(done[100.0, True], (100.0, 50.0, 150.0))
    np.testing.assert_allclose(done[200.0, True], (150.0, 0.0, 150.0))
    np.testing.assert_allclose(done[200.0, False], (200.0, 80.0, 280.0))


# --- 13. tempo: reserves committed and offensives timed by rule ----------------------------


def test_reserves_are_held_until_their_rule_holds_then_flow_to_the_fronts(tmp_path: Path) -> None:
    # Blue: 1,000 in reserve, deploys 50% a month, only from month 2 ("month >= 2"):
    # reserves 1,000, 1,000, then 500 (500 to the fronts, 250 each).
    raw = world()
    forces(raw, "blue", reserves_personnel=1000, deploy_fraction_per_month=0.5)
    raw["actors"]["blue"]["forces"]["commit_reserves_when"] = "month >= 2"
    params, _, states = months(load_world(raw, tmp_path), 3)
    blue = actor(params, "blue")
    assert [s.reserves_personnel[0, blue] for s in states] == [1000.0, 1000.0, 500.0]
    np.testing.assert_allclose(states[2].personnel[:, front(params, "home"), 0], 1250.0)


def test_a_stronger_side_held_back_takes_no_ground_and_nobody_pays_the_attack(
    tmp_path: Path,
) -> None:
    # Home: red 8,000 against blue 1,000 (d = 2) would take 100 ln 4 = 138.6 km2. With red's
    # attack_when false (month >= 5) no ground moves and nobody attacks: both take their
    # base losses, blue 0.01 * 8,000 = 80, red 0.01 * 1,000 = 10.
    raw = world()
    raw["combat"] |= {
        "attacker_loss_multiplier": fixed(2.0),
        "failed_attack_loss_multiplier": fixed(3.0),
        "prepared_defence_loss_multiplier": fixed(0.5),
    }
    raw["fronts"]["home"]["personnel"]["red"] = fixed(8000)
    raw["fronts"]["home"]["advance_km2_per_month"] = fixed(100)
    forces(raw, "blue", lethality_per_month=0.01)
    forces(raw, "red", lethality_per_month=0.01)
    raw["actors"]["red"]["forces"]["attack_when"] = "month >= 5"
    params, _, states = months(load_world(raw, tmp_path), 1)
    home = front(params, "home")
    np.testing.assert_allclose(occupied_km2(states[0], params)[:, home], 300.0)
    np.testing.assert_allclose(states[0].casualties_per_month[:, home], [[80.0, 10.0]] * 2)
    # Allowed to attack, red takes the ground and pays lambda_s = 2: blue 80, red 20.
    raw["actors"]["red"]["forces"]["attack_when"] = "month >= 0"
    (tmp_path / "allowed").mkdir()
    params, _, states = months(load_world(raw, tmp_path / "allowed"), 1)
    np.testing.assert_allclose(
        occupied_km2(states[0], params)[:, home], 300.0 + 100 * math.log(4.0), rtol=1e-12
    )
    np.testing.assert_allclose(states[0].casualties_per_month[:, home], [[80.0, 20.0]] * 2)


def test_an_actor_condition_that_names_nothing_known_is_a_clear_error(tmp_path: Path) -> None:
    raw = world()
    raw["actors"]["red"]["forces"]["attack_when"] = "will.purple < 0.5"
    with pytest.raises(ScenarioError) as err:
        load_world(raw, tmp_path)
    assert "actors.red.forces.attack_when" in str(err.value)
    assert "unknown actor 'purple'" in str(err.value)
