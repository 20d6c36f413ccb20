"""The NumPy form of :mod:`twofront.model.bargaining` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import AGGRESSOR, DEFENDER
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus, occupied_km2, sum_over
from twofront.model.bargaining import BargainingParams

F64 = NDArray[np.float64]
WILL_FLOOR = 0.05


def position_share(
    occupied_defender_km2: F64,
    occupied_aggressor_km2: F64,
    disputed_km2: F64,
    enemy_soil_weight: F64,
) -> F64:
    """x = (D - O_def + lambda O_agg) / D, at least 0 (1 where D = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (disputed_km2 - occupied_defender_km2 + enemy_soil_weight * occupied_aggressor_km2) / (
            disputed_km2
        )
    return np.maximum(np.nan_to_num(x, nan=1.0, posinf=1.0), 0.0)


def stake_top(aggressor_area_km2: F64, disputed_km2: F64, enemy_soil_weight: F64) -> F64:
    """x_bar = 1 + lambda A_agg / D: the best terms the defender could hold."""
    with np.errstate(divide="ignore", invalid="ignore"):
        top = 1.0 + enemy_soil_weight * aggressor_area_km2 / disputed_km2
    return np.nan_to_num(top, nan=1.0, posinf=1.0)


def belief_sd(sd0: F64, war_months: F64 | NDArray[np.int64], learning_months: F64) -> F64:
    """sigma_w = sigma_0 / sqrt(1 + w / L): errors narrow as the war reveals information."""
    return sd0 / np.sqrt(1.0 + war_months / learning_months)


def surprised_errors(
    error_defender: F64,
    error_aggressor: F64,
    position_change: F64,
    expected_change: F64,
    horizon_months: F64,
    gain: F64,
) -> tuple[F64, F64]:
    """(e_def, e_agg) after a month: e <- (1-g) e -/+ g h (dx - tau); see the docstring."""
    news = gain * horizon_months * (position_change - expected_change)
    return (1.0 - gain) * error_defender + news, (1.0 - gain) * error_aggressor - news


def cost_of_fighting(
    cost_share_per_month: F64, will: F64, discount_per_month: F64, horizon_months: F64
) -> F64:
    """C = c / max(W, 0.05) * sum_{k<h} delta^k, in shares of the stake."""
    annuity = np.where(
        discount_per_month < 1.0,
        (1.0 - discount_per_month**horizon_months) / np.maximum(1.0 - discount_per_month, 1e-12),
        horizon_months,
    )
    return cost_share_per_month / np.maximum(will, WILL_FLOOR) * annuity


def hurt_per_month(cost_share_per_month: F64, will: F64) -> F64:
    """H = c / max(W, 0.05): a month of war at current will, in shares of the stake."""
    return cost_share_per_month / np.maximum(will, WILL_FLOOR)


def occupation_multiplier(occupation_pain: F64, own_soil_held_share: F64) -> F64:
    """1 + omega * O_agg / A_agg: how much occupied home soil adds to the aggressor's hurt."""
    return 1.0 + occupation_pain * own_soil_held_share


def moved_bottom_lines(
    floor: F64,
    ceiling: F64,
    position_change: F64,
    hurt_defender: F64,
    hurt_aggressor: F64,
    stickiness_defender: F64,
    stickiness_aggressor: F64,
    battle_learning: F64,
    weariness: F64,
    top: F64,
) -> tuple[F64, F64]:
    """(a_t, a-bar_t): the floor and ceiling after a month of war; see the module docstring.

    An unbounded ceiling (inf: the aggressor declared no bound) stays unbounded.
    """
    learned = battle_learning * position_change
    new_floor = floor + (1.0 - stickiness_defender) * (learned - weariness * hurt_defender)
    new_ceiling = ceiling + (1.0 - stickiness_aggressor) * (learned + weariness * hurt_aggressor)
    return np.clip(new_floor, 0.0, top), np.maximum(new_ceiling, 0.0)


def reconsidered_bottom_lines(
    floor: F64, ceiling: F64, position: F64, will_def: F64, will_agg: F64, reconsider_will: F64
) -> tuple[F64, F64]:
    """At will <= W_r a side accepts the lines: a <- min(a, x), a-bar <- max(a-bar, x)."""
    return (
        np.where(will_def <= reconsider_will, np.minimum(floor, position), floor),
        np.where(will_agg <= reconsider_will, np.maximum(ceiling, position), ceiling),
    )


def bargaining_range(
    p_defender: F64,
    p_aggressor: F64,
    cost_defender: F64,
    cost_aggressor: F64,
    discount_per_month: F64,
    horizon_months: F64,
    top: F64 | float = 1.0,
) -> tuple[F64, F64]:
    """(lowest, highest) terms both prefer to fighting: [V_def, x_bar - V_agg]."""
    d = discount_per_month**horizon_months
    value_defender = d * p_defender - cost_defender
    value_aggressor = d * (top - p_aggressor) - cost_aggressor
    return value_defender, top - value_aggressor


def split_terms(low: F64, high: F64, defender_power: F64) -> F64:
    """x* = low + beta (high - low)."""
    return low + defender_power * (high - low)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Settle wars whose sides find terms both prefer to fighting, or whose side collapses."""
    index, bp = params.index, params.of(BargainingParams)
    at_war = state.theater_status == TheaterStatus.WAR
    if not at_war.any():
        return state
    occupied = occupied_km2(state, params)
    disputed = sum_over(params.world.area_km2, index.defender_soil)
    aggressor_area = sum_over(params.world.area_km2, index.aggressor_soil)
    held_def = sum_over(occupied, index.defender_soil)
    held_agg = sum_over(occupied, index.aggressor_soil)
    lam = bp.enemy_soil_weight[:, None]

    # 1. Position and its smoothed trend.
    top = stake_top(aggressor_area, disputed, lam)
    x = np.minimum(position_share(held_def, held_agg, disputed, lam), top)
    previous = np.where(np.isnan(state.position_share), x, state.position_share)
    s = bp.trend_smoothing[:, None]
    trend = np.where(
        at_war,
        (1 - s) * state.trend_share_per_month + s * (x - previous),
        state.trend_share_per_month,
    )

    # 2. Beliefs, corrected by the month's surprise, and the value of fighting on.
    h = bp.horizon_months[:, None]
    p = np.clip(x + h * trend, 0.0, top)
    drawn = bp.belief_error_sd[:, None, None] * (bp.optimism_bias[:, None, None] + bp.belief_z)
    first = np.isnan(state.belief_error_share)
    surprised = surprised_errors(
        state.belief_error_share[:, :, DEFENDER],
        state.belief_error_share[:, :, AGGRESSOR],
        x - previous,
        state.trend_share_per_month,
        h,
        bp.surprise_learning[:, None],
    )
    errors = np.where(first, drawn, np.stack(surprised, axis=2))
    errors = np.where(at_war[:, :, None], errors, state.belief_error_share)
    shrink = belief_sd(np.ones_like(p), state.war_months, bp.learning_months[:, None])
    p_def = p + shrink * errors[:, :, DEFENDER]
    p_agg = p - shrink * errors[:, :, AGGRESSOR]
    delta = bp.discount_per_month[:, None]
    actor_def, actor_agg = index.theater_actor[:, DEFENDER], index.theater_actor[:, AGGRESSOR]
    will_def, will_agg = state.will[:, actor_def], state.will[:, actor_agg]
    cost_def = cost_of_fighting(bp.war_cost_share_per_month[:, actor_def], will_def, delta, h)
    cost_agg = cost_of_fighting(bp.war_cost_share_per_month[:, actor_agg], will_agg, delta, h)
    low, high = bargaining_range(p_def, p_agg, cost_def, cost_agg, delta, h, top)

    # 3. Bottom lines: the declared aims, moved by the war; totals admit nothing.
    own_held_agg = np.where(aggressor_area > 0, held_agg / np.maximum(aggressor_area, 1e-12), 0.0)
    omega = bp.occupation_pain[:, None]
    moved_floor, moved_ceiling = moved_bottom_lines(
        np.where(
            np.isnan(state.defender_floor_share), bp.defender_floor, state.defender_floor_share
        ),
        np.where(
            np.isnan(state.aggressor_ceiling_share),
            bp.aggressor_ceiling,
            state.aggressor_ceiling_share,
        ),
        x - previous,
        hurt_per_month(bp.war_cost_share_per_month[:, actor_def], will_def),
        hurt_per_month(bp.war_cost_share_per_month[:, actor_agg], will_agg)
        * occupation_multiplier(omega, own_held_agg),
        bp.leader_stickiness[:, actor_def],
        bp.leader_stickiness[:, actor_agg],
        bp.battle_learning[:, None],
        bp.weariness[:, None],
        top,
    )
    moved_floor, moved_ceiling = reconsidered_bottom_lines(
        moved_floor, moved_ceiling, x, will_def, will_agg, bp.reconsider_will[:, None]
    )
    floor_now = np.where(at_war, moved_floor, state.defender_floor_share)
    ceiling_now = np.where(at_war, moved_ceiling, state.aggressor_ceiling_share)
    floor = np.fmax(moved_floor, x - bp.defender_floor_tolerance)
    ceiling = np.fmin(moved_ceiling, x + bp.aggressor_ceiling_tolerance)
    low, high = np.maximum(low, floor), np.minimum(high, ceiling)
    total = bp.defender_aim_total | bp.aggressor_aim_total
    agree = at_war & (low <= high) & ~total[None, :]
    terms = split_terms(low, high, bp.defender_bargaining_power)

    # 4. Collapse of will ends the war on the other side's aim.
    collapse = bp.collapse_will[:, None]
    def_collapses = at_war & (will_def <= collapse)
    agg_collapses = at_war & (will_agg <= collapse) & ~def_collapses
    terms = np.where(def_collapses, np.minimum(x, ceiling), terms)
    terms = np.where(agg_collapses, np.maximum(x, floor), terms)
    settling = agree | def_collapses | agg_collapses
    terms = np.clip(terms, 0.0, top)

    state = replace(
        state,
        position_share=np.where(at_war, x, state.position_share),
        defender_floor_share=floor_now,
        aggressor_ceiling_share=ceiling_now,
        trend_share_per_month=trend,
        war_months=state.war_months + at_war,
        belief_error_share=errors,
    )
    if not settling.any():
        return state
    return _settle(
        state,
        params,
        settling,
        terms,
        disputed,
        held_def,
        held_agg,
        lam,
        np.where(def_collapses, DEFENDER, np.where(agg_collapses, AGGRESSOR, -1)),
    )


def _spread(
    total_km2: F64,
    current_km2: F64,
    area_km2: F64,
    on_fronts: NDArray[np.bool_],
    front_theater: NDArray[np.int64],
    theater_total_km2: F64,
    theater_area_km2: F64,
) -> F64:
    """Spread (run, theater) km² over the theater's fronts in ``on_fronts``, as now held.

    Where nothing is held now, in proportion to the fronts' areas. Capped at
    each front's area.
    """
    held = theater_total_km2[:, front_theater]
    share = np.where(
        held > 0,
        current_km2 / np.maximum(held, 1e-12),
        area_km2 / np.maximum(theater_area_km2[:, front_theater], 1e-12),
    )
    return np.where(
        on_fronts[None, :], np.minimum(total_km2[:, front_theater] * share, area_km2), 0.0
    )


def _settle(
    state: State,
    params: Params,
    settling: NDArray[np.bool_],
    terms: F64,
    disputed: F64,
    held_def: F64,
    held_agg: F64,
    lam: F64,
    collapsed: NDArray[np.int64],
) -> State:
    """Apply terms x* to the fronts of the settling (run, theater) cells."""
    index = params.index
    ft = index.front_theater
    on_def = index.front_soil_side == DEFENDER
    area_km2 = params.world.area_km2
    aggressor_area = sum_over(area_km2, index.front_in_theater & ~on_def[:, None])
    kept_by_aggressor = (1.0 - np.minimum(terms, 1.0)) * disputed
    kept_by_defender = np.maximum(terms - 1.0, 0.0) * disputed / lam
    occupied = occupied_km2(state, params)
    new_occupied = _spread(
        kept_by_aggressor, occupied, area_km2, on_def, ft, held_def, disputed
    ) + _spread(kept_by_defender, occupied, area_km2, ~on_def, ft, held_agg, aggressor_area)
    occupied = np.where(settling[:, ft], new_occupied, occupied)
    owner = index.front_soil_side
    rebuilt = np.empty_like(state.held_km2)
    fronts = np.arange(len(index.fronts))
    rebuilt[:, fronts, owner] = area_km2 - occupied
    rebuilt[:, fronts, 1 - owner] = occupied
    # Only settling cells change: rebuilding the others from area - occupied
    # would alter their last bits and make a run depend on its batch.
    held = np.where(settling[:, ft, None], rebuilt, state.held_km2)
    return replace(
        state,
        held_km2=held,
        theater_status=np.where(
            settling, np.int8(TheaterStatus.SETTLED), state.theater_status
        ).astype(np.int8),
        settled_month=np.where(settling, state.month, state.settled_month),
        settlement_share=np.where(settling, terms, state.settlement_share),
        occupied_at_settlement_km2=np.where(
            settling, kept_by_aggressor, state.occupied_at_settlement_km2
        ),
        enemy_soil_traded_km2=np.where(
            settling, np.maximum(held_agg - kept_by_defender, 0.0), state.enemy_soil_traded_km2
        ),
        enemy_soil_kept_km2=np.where(settling, kept_by_defender, state.enemy_soil_kept_km2),
        collapsed=np.where(settling, collapsed, state.collapsed),
    )
