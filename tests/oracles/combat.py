"""The NumPy form of :mod:`twofront.model.combat` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import DEFENDER
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, actors_at_war, per_actor, theater_at_war, to_slots
from twofront.model.combat import MAX_LOG_RATIO, MIN_POWER, CombatParams

F64 = NDArray[np.float64]


def fire_factor(fired: F64, needed: F64, elasticity: F64) -> F64:
    """phi = min(1, fired / needed) ** elasticity (any matching shapes)."""
    return np.minimum(1.0, fired / needed) ** elasticity


def countered_fires(fired: F64, line_counter_share: F64) -> F64:
    """f (1 - c): ``fired`` (..., line) net of the enemy's counter share of each line's
    munition, ``line_counter_share`` broadcastable to it (0 for an empty line)."""
    return fired * (1.0 - line_counter_share)


def combined_fire_factor(fired: F64, needed: F64, weight: F64, elasticity: F64) -> F64:
    """phi = sum_m w_m min(1, f_m / H_m) ** eps over the last (line) axis; see step 1."""
    return (fire_factor(fired, needed, elasticity[..., None]) * weight).sum(axis=-1)


def soft_threshold(x: F64, threshold: F64) -> F64:
    """sign(x) * max(|x| - threshold, 0): zero inside the band."""
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0.0)


def defender_gain_km2(
    power_defender: F64,
    power_aggressor: F64,
    defence_advantage: F64,
    advance_km2_per_month: F64,
    mud_factor: F64,
) -> F64:
    """Unbounded km² the defender gains this month (negative: loses); see step 3."""
    x = np.log(np.maximum(power_defender, MIN_POWER)) - np.log(
        np.maximum(power_aggressor, MIN_POWER)
    )
    x = np.clip(x, -MAX_LOG_RATIO, MAX_LOG_RATIO)
    return advance_km2_per_month * mud_factor * soft_threshold(x, np.log(defence_advantage))


def bounded_gain_km2(gain_km2: F64, held_km2: F64) -> F64:
    """Clip the defender's gain so neither side's holding goes below zero.

    ``held_km2`` is (..., side) with side 0 the defender.
    """
    return np.clip(gain_km2, -held_km2[..., 0], held_km2[..., 1])


def lanchester_losses(
    shooters: F64,
    targets: F64,
    lethality_per_month: F64,
    shooter_exponent: F64,
    target_exponent: F64,
) -> F64:
    """Losses of ``targets`` in a month: k * shooters**q * targets**p (capped at targets).

    Where either side is empty there are no losses (0 ** a negative exponent is undefined).
    """
    alive = (shooters > 0) & (targets > 0)
    losses = (
        lethality_per_month
        * _power(np.where(alive, shooters, 1.0), shooter_exponent)
        * _power(np.where(alive, targets, 1.0), target_exponent)
    )
    return np.where(alive, np.minimum(losses, targets), 0.0)


def _power(base: F64, exponent: F64) -> F64:
    """base ** exponent, skipping the costly pow when every exponent is 0 or every one is 1."""
    if np.all(exponent == 1.0):
        return base
    if np.all(exponent == 0.0):
        return np.ones_like(base)
    return base**exponent


def loss_multipliers(
    power_defender: F64,
    power_aggressor: F64,
    gain_km2: F64,
    success: F64,
    failure: F64,
    prepared: F64,
    may_attack: NDArray[np.bool_] | None = None,
) -> tuple[F64, F64]:
    """(defender side, aggressor side) loss multipliers of a front; see step 4.

    The stronger side attacks, if ``may_attack`` (..., side) lets it (its actor's
    ``attack_when``; absent: always). It loses ``success`` times its base losses if it
    gained ground, ``failure`` times if it did not; the side it attacks loses
    ``prepared`` times its base losses when it holds, 1 times when it gives ground.
    Equal power, or a stronger side held back: nobody attacks, both 1.
    """
    defender_attacks = power_defender > power_aggressor
    aggressor_attacks = power_aggressor > power_defender
    if may_attack is not None:
        defender_attacks = defender_attacks & may_attack[..., DEFENDER]
        aggressor_attacks = aggressor_attacks & may_attack[..., 1]
    defender_won, aggressor_won = gain_km2 > 0, gain_km2 < 0
    one = np.ones_like(gain_km2)
    defender = np.where(
        defender_attacks,
        np.where(defender_won, success, failure),
        np.where(aggressor_attacks & ~aggressor_won, prepared, one),
    )
    aggressor = np.where(
        aggressor_attacks,
        np.where(aggressor_won, success, failure),
        np.where(defender_attacks & ~defender_won, prepared, one),
    )
    return defender, aggressor


def surprise_factor(
    multiplier: F64,
    holds_surprise: NDArray[np.bool_],
    enemy_thin: NDArray[np.bool_],
    months: F64,
    decay_months: F64,
) -> F64:
    """sigma_eff = 1 + (sigma - 1) e^(-m / tau) for the side that holds surprise against a
    thin enemy, m months into the fight; 1 otherwise (tau = inf: no decay)."""
    fading = np.exp(-np.maximum(months, 0.0) / decay_months)
    faded = np.where(fading == 1.0, multiplier, 1.0 + (multiplier - 1.0) * fading)
    return np.where(holds_surprise & enemy_thin, faded, 1.0)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Fire, then move the lines and bleed in ``steps_per_month`` steps, on every front whose
    theater is at war."""
    index, p, area_km2 = params.index, params.of(CombatParams), params.world.area_km2
    at_war = actors_at_war(state, params)

    # 1. Fires: what each actor at war can shoot of each munition of its fires this month.
    actors = np.arange(len(index.actors))
    stockpile = state.stockpile.copy()
    fired = np.zeros_like(p.fire_demand_per_month)
    fired_by_munition = np.zeros_like(state.stockpile)
    for line in range(p.fire_munition.shape[1]):
        has_line = p.fire_munition[:, line] >= 0
        munition = np.where(has_line, p.fire_munition[:, line], 0)
        stock = stockpile[:, actors, munition] * has_line
        shot = np.minimum(
            stock / p.fire_ration_months[:, :, line],
            np.minimum(p.fire_demand_per_month[:, :, line], p.fire_needed_per_month[:, :, line])
            * at_war,
        )
        stockpile[:, actors, munition] = np.where(
            has_line, stock - shot, stockpile[:, actors, munition]
        )
        fired[:, :, line] = shot
        fired_by_munition[:, actors[has_line], munition[has_line]] += shot[:, has_line]
    enemy_actor = index.front_actor[:, ::-1]
    line_munition = p.fire_munition[index.front_actor]  # (front, side, line)
    line_counter = np.where(
        line_munition >= 0,
        p.counter_share[:, enemy_actor[:, :, None], np.maximum(line_munition, 0)],
        0.0,
    )
    phi = combined_fire_factor(
        countered_fires(fired[:, index.front_actor], line_counter),
        p.fire_needed_per_month[:, index.front_actor],
        p.fire_weight[:, index.front_actor],
        p.fire_elasticity[:, None, None],
    )
    deep_strike = np.where(state.restrictions_lifted, p.deep_strike_multiplier, 1.0)
    side_multiplier = np.stack([deep_strike, np.ones_like(deep_strike)], axis=1)[:, None, :]
    calendar = index.calendar_month(state.month)
    mud = np.where(p.theater_mud[:, calendar], p.mud_advance_factor, 1.0)[:, index.front_theater]
    lethality = to_slots(p.lethality_per_month, params) * phi
    holder, since = surprise_holders(state, params, p)
    may_attack = to_slots(state.attacking, params)

    # 2-4. Power, territory and attrition, step by step.
    steps = p.steps_per_month
    personnel, held = state.personnel, state.held_km2
    losses_month = np.zeros_like(personnel)
    at_war_front = theater_at_war(state, params)
    for step in range(steps):
        active = at_war_front & open_fronts(held, params)
        enemy = personnel[:, :, ::-1]
        surprise = surprise_factor(
            p.surprise_multiplier[:, None, None],
            holder,
            enemy < p.thin_defence_personnel[:, :, None],
            (state.month + step / steps - since)[:, :, None],
            p.surprise_decay_months[:, None, None],
        )
        power = personnel * phi * surprise * side_multiplier
        gain = defender_gain_km2(
            power[:, :, DEFENDER],
            power[:, :, 1],
            p.defence_advantage[:, None],
            p.advance_km2_per_month / steps,
            mud,
        )
        gain = np.where(gain > 0, gain * may_attack[:, :, DEFENDER], gain * may_attack[:, :, 1])
        gain = bounded_gain_km2(gain * active, held)
        # The aggressor holds the rest of the front: exactly conserved, never above the area.
        held_defender = np.clip(held[:, :, DEFENDER] + gain, 0.0, area_km2)
        held = np.stack([held_defender, area_km2 - held_defender], axis=2)
        losses = lanchester_losses(
            enemy,
            personnel,
            lethality[:, :, ::-1] / steps,
            p.shooter_exponent[:, None, None],
            p.target_exponent[:, None, None],
        )
        multiplier = np.stack(
            loss_multipliers(
                power[:, :, DEFENDER],
                power[:, :, 1],
                gain,
                p.attacker_loss_multiplier[:, None],
                p.failed_attack_loss_multiplier[:, None],
                p.prepared_defence_loss_multiplier[:, None],
                may_attack,
            ),
            axis=2,
        )
        losses = np.minimum(losses * multiplier, personnel) * active[:, :, None]
        personnel = personnel - losses
        losses_month = losses_month + losses

    # 5. Casualties, returning wounded and will, for the month.
    casualties = per_actor(losses_month, params) + patron_shares(state, params, losses_month)
    returning = casualties * p.wounded_return_fraction
    will = state.will - p.will_loss_per_100k_casualties * casualties / 1e5
    return replace(
        state,
        stockpile=stockpile,
        fired_per_month=fired_by_munition,
        reserves_personnel=state.reserves_personnel + returning,
        personnel=personnel,
        held_km2=held,
        casualties_per_month=losses_month,
        casualties_total=state.casualties_total + casualties,
        will=np.clip(will, 0.0, 1.0),
    )


def patron_shares(state: State, params: Params, losses_month: F64) -> F64:
    """(run, actor) casualties moved from each theater's defender to its combatant patrons:
    pi_t,p L_t with pi_t,p = c_t,p / max(sum_p c_t,p, N_t); see step 5."""
    index = params.index
    in_theater = index.front_in_theater.astype(np.float64)  # (front, theater)
    on_fronts = state.personnel[:, :, DEFENDER] @ in_theater  # (run, theater)
    lost = losses_month[:, :, DEFENDER] @ in_theater
    committed = state.committed_personnel  # (run, theater, actor)
    coalition = np.maximum(committed.sum(axis=2), on_fronts)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(committed > 0, committed / coalition[:, :, None], 0.0)
    moved = share * lost[:, :, None]  # (run, theater, actor)
    shares = moved.sum(axis=1)
    defender = index.theater_actor[:, DEFENDER]
    for t in range(len(index.theaters)):
        shares[:, defender[t]] -= moved[:, t].sum(axis=1)
    return shares


def open_fronts(held_km2: F64, params: Params) -> NDArray[np.bool_]:
    """(run, front): fronts on the defender's soil, or on the aggressor's while the defender
    holds some of it (an incursion closes when it is lost); see ``state.front_active``."""
    on_aggressor = params.index.front_soil_side == 1
    return ~on_aggressor[None, :] | (held_km2[:, :, DEFENDER] > 0)


def surprise_holders(
    state: State, params: Params, p: CombatParams
) -> tuple[NDArray[np.bool_], F64]:
    """(run, front, side) who may fight with surprise, and (run, front) the month its fight
    began. Without decay, both sides (the old rule); with decay, the front's ``surprise_by``
    side from the scenario's start, or the aggressor of a war begun during the run from its
    first month of fighting."""
    index = params.index
    runs, fronts = state.personnel.shape[:2]
    if not p.surprise_decays:
        return np.ones((runs, fronts, 2), dtype=np.bool_), np.zeros((runs, fronts))
    begun = state.war_start_month[:, index.front_theater] >= 0
    by_scenario = p.surprise_side >= 0
    holder = np.zeros((runs, fronts, 2), dtype=np.bool_)
    holder[:, :, 1] = begun & ~by_scenario[None, :]
    for side in (DEFENDER, 1):
        holder[:, :, side] |= (p.surprise_side == side)[None, :]
    since = np.where(
        by_scenario[None, :], 0.0, state.war_start_snapshot[:, index.front_theater]
    ).astype(np.float64)
    return holder, since
