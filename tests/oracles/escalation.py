"""The NumPy form of :mod:`twofront.model.escalation` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus, occupied_km2, per_actor, sum_over
from twofront.model.escalation import EscalationParams

F64 = NDArray[np.float64]


def climb_probability(
    base_hazard: F64,
    restrictions_hazard: F64,
    restrictions_lifted: NDArray[np.bool_],
    soil_hazard_per_1000km2: F64,
    aggressor_soil_held_km2: F64,
    losing_hazard: F64,
    aggressor_will: F64,
) -> F64:
    """P = 1 - exp(-(h0 + h_r R + h_s O / 1000 + h_w (1 - W))) per month."""
    rate = base_hazard + restrictions_hazard * restrictions_lifted
    rate = rate + soil_hazard_per_1000km2 * aggressor_soil_held_km2 / 1000.0
    rate = rate + losing_hazard * (1.0 - aggressor_will)
    return -np.expm1(-rate)


def doctrine_allows(
    gated: NDArray[np.bool_],
    soil_share_needed: F64,
    will_needed: F64,
    own_soil_held_share: F64,
    aggressor_will: F64,
) -> NDArray[np.bool_]:
    """True where the rung is ungated, or O_agg / A_agg >= s_d, or W_agg <= w_d."""
    return ~gated | (own_soil_held_share >= soil_share_needed) | (aggressor_will <= will_needed)


def level_effect(per_level: F64, level: NDArray[np.int64]) -> F64:
    """(run, theater) value of a (run, theater, level) effect at each theater's level."""
    return np.take_along_axis(per_level, level[:, :, None], axis=2)[:, :, 0]


def phase(state: State, params: Params, rng: Stream) -> State:
    """Climb or descend the ladder; apply each rung's monthly costs and first-reach shocks."""
    index, p = params.index, params.of(EscalationParams)
    at_war = (state.theater_status == TheaterStatus.WAR) & p.has_ladder[None, :]
    if not at_war.any():
        if not state.patrons_at_war.any():
            return state
        return replace(state, patrons_at_war=np.zeros_like(state.patrons_at_war))
    held = sum_over(occupied_km2(state, params), index.aggressor_soil)
    aggressor_area = sum_over(params.world.area_km2, index.aggressor_soil)
    held_share = np.where(aggressor_area > 0, held / np.maximum(aggressor_area, 1e-12), 0.0)
    will_agg = state.will[:, index.theater_actor[:, AGGRESSOR]]
    probability = climb_probability(
        p.base_hazard,
        p.restrictions_hazard,
        state.restrictions_lifted[:, None],
        p.soil_hazard_per_1000km2,
        held,
        p.losing_hazard,
        will_agg,
    )
    theaters = np.arange(len(index.theaters))[None, :]
    above = np.minimum(state.escalation_level + 1, p.top_level[None, :])
    allowed = doctrine_allows(
        p.doctrine_gated[theaters, above],
        level_effect(p.doctrine_soil_share, above),
        level_effect(p.doctrine_will, above),
        held_share,
        will_agg,
    )
    u = rng.uniform(state.month, "escalation", lanes=len(index.theaters))
    climbs = at_war & (u < probability) & (state.escalation_level < p.top_level[None, :])
    climbs &= allowed
    level = state.escalation_level + climbs
    if (p.descend_hazard > 0).any():
        down = rng.uniform(state.month, "escalation-down", lanes=len(index.theaters))
        level = level - (at_war & ~climbs & (level > 0) & (down < -np.expm1(-p.descend_hazard)))
    first_reach = climbs & (level > state.max_escalation_level)
    state = _monthly_costs(state, params, p, level, at_war)
    if first_reach.any():
        state = _first_reach(state, params, p, level, first_reach)
    return replace(
        state,
        escalation_level=level,
        max_escalation_level=np.maximum(state.max_escalation_level, level),
        patrons_at_war=at_war & p.patrons_at_war[theaters, level],
    )


def _monthly_costs(
    state: State,
    params: Params,
    p: EscalationParams,
    level: NDArray[np.int64],
    at_war: NDArray[np.bool_],
) -> State:
    """Will, personnel and munitions the rung each theater stands on costs this month."""
    index = params.index
    patron_loss = sum_over(level_effect(p.patron_will_loss, level) * at_war, index.theater_patron)
    aggressor_loss = sum_over(
        level_effect(p.aggressor_will_loss, level) * at_war, aggressor_matrix(index)
    )
    will = np.clip(state.will - patron_loss - aggressor_loss, 0.0, 1.0)
    share = (level_effect(p.aggressor_personnel_loss_share, level) * at_war)[:, index.front_theater]
    if share.any():
        state = lose_personnel(state, params, AGGRESSOR, share)
    stockpile = state.stockpile
    fire = p.patron_munitions[
        np.arange(level.shape[0])[:, None], np.arange(level.shape[1])[None, :], level
    ]
    fire = fire * at_war[:, :, None]  # (run, theater, munition) per patron
    if fire.any():
        spent = np.stack(
            [sum_over(fire[:, :, m], index.theater_patron) for m in range(fire.shape[2])], axis=2
        )
        stockpile = np.maximum(state.stockpile - spent, 0.0)
    return replace(state, will=will, stockpile=stockpile)


def _first_reach(
    state: State,
    params: Params,
    p: EscalationParams,
    level: NDArray[np.int64],
    reached: NDArray[np.bool_],
) -> State:
    """The once-only effects of rungs reached for the first time this month."""
    index = params.index
    runs, theaters = np.arange(level.shape[0])[:, None], np.arange(level.shape[1])[None, :]
    shock = p.shock_will[runs, theaters, level] * reached[:, :, None]  # (run, theater, role)
    defender, aggressor = role_matrix(index, DEFENDER), aggressor_matrix(index)
    patron = index.theater_patron
    others = ~(defender | aggressor | patron)
    change = (
        sum_over(shock[:, :, 0], defender)
        + sum_over(shock[:, :, 1], aggressor)
        + sum_over(shock[:, :, 2], patron)
        + sum_over(shock[:, :, 3], others)
    )
    share = (level_effect(p.shock_defender_personnel_share, level) * reached)[
        :, index.front_theater
    ]
    state = lose_personnel(state, params, DEFENDER, share)
    return replace(state, will=np.clip(state.will + change, 0.0, 1.0))


def lose_personnel(state: State, params: Params, side: int, share: F64) -> State:
    """``side`` loses ``share`` (run, front) of its personnel on each front, counted as
    casualties of the month and of its actors."""
    lost = np.zeros_like(state.personnel)
    lost[:, :, side] = state.personnel[:, :, side] * share
    return replace(
        state,
        personnel=state.personnel - lost,
        casualties_per_month=state.casualties_per_month + lost,
        casualties_total=state.casualties_total + per_actor(lost, params),
    )


def role_matrix(index: Index, side: int) -> NDArray[np.bool_]:
    """(theater, actor): True where the actor is the theater's defender (or aggressor)."""
    out = np.zeros((len(index.theaters), len(index.actors)), dtype=np.bool_)
    out[np.arange(len(index.theaters)), index.theater_actor[:, side]] = True
    return out


def aggressor_matrix(index: Index) -> NDArray[np.bool_]:
    """(theater, actor): True where the actor is the theater's aggressor."""
    return role_matrix(index, AGGRESSOR)
