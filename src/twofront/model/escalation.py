r"""Escalation: a ladder of levels the aggressor may climb, one rung at a time.

In a theater at war with a ladder, each month the aggressor climbs one rung
with probability

.. math::
   P = 1 - \exp\!\big(-(h_0 + h_r R + h_s\, O_{agg} / 1000 + h_w (1 - W_{agg}))\big)

where :math:`R \in \{0, 1\}` says whether restrictions on deep strikes with
donated weapons are lifted, :math:`O_{agg}` is km² of the aggressor's own
soil held by the defender and :math:`W_{agg}` the aggressor's will: a side
that is losing gambles on escalation (Downs & Rocke (1994), "Conflict,
agency, and gambling for resurrection", AJPS 38(2):362-380). The hazards are
monthly rates: a proportional-hazards form, Cox (1972), JRSS B
34(2):187-220. A rung may carry a **doctrine gate**: the aggressor climbs onto
it only while the defender holds at least a share :math:`s_d` of the
aggressor's soil in the theater's sectors, or while the aggressor's will is at
most :math:`w_d` (as Russia's 2024 nuclear doctrine ties use to a critical
threat to sovereignty and territorial integrity).

Each rung :math:`\ell` has effects while the war stands on it, each month:
patrons of the defender lose will :math:`\omega_\ell`, the aggressor loses
will :math:`\alpha_\ell` and a share :math:`\pi_\ell` of its personnel on the
theater's fronts (counted as its casualties), every patron fires
:math:`\mu_{\ell,m}` units of munition :math:`m` from its stock (down to zero),
aid is scaled by :math:`a_\ell` and the hazard that other aggressors open new
wars by :math:`o_\ell` (see :mod:`twofront.model.opportunism`). A rung may mark
a direct clash with the defender's patrons (``patrons_at_war``): while the war
stands on it, that clash is a war of its own among the wars at once. The first
month a run reaches a rung, its ``on_reach`` effects apply once: signed
changes to the will of the defender, the aggressor, the patrons and every
other actor (nuclear use changes everyone's will), and a share of the
defender's personnel on the theater's fronts lost at once. Rungs can also
come back down: with ``descend_hazard_per_month`` :math:`h_d` a theater that
did not climb steps down one rung with probability :math:`1 - e^{-h_d}`. The
ladder is a simplification of Kahn (1965), *On Escalation: Metaphors and
Scenarios*, Praeger.
Example: h0 = 0.01, h_r = 0.02, R = 1, 1,000 km² held, h_s = 0.03, h_w = 0 →
P = 1 − e^(−0.06) = 0.0582; with h_w = 0.1 and W = 0.6 the rate is 0.1 and
P = 1 − e^(−0.1) = 0.0952.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, occupied_km2, per_actor, sum_over
from twofront.scenario.distributions import Param
from twofront.scenario.schema import EscalationLevel, Scenario

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class EscalationParams:
    """Each theater's ladder, run axis first; theaters without one never climb.

    Per-level effects past a theater's top rung repeat the top rung, so every
    theater has the same number of levels.
    """

    has_ladder: NDArray[np.bool_]  # (theater,)
    top_level: NDArray[np.int64]  # (theater,) highest level index (0 without a ladder)
    base_hazard: F64  # (run, theater) h0 per month
    restrictions_hazard: F64  # (run, theater) h_r per month
    soil_hazard_per_1000km2: F64  # (run, theater) h_s per month
    losing_hazard: F64  # (run, theater) h_w per month per unit of will lost
    patron_will_loss: F64  # (run, theater, level) omega_l per month
    aggressor_will_loss: F64  # (run, theater, level) alpha_l per month
    aggressor_personnel_loss_share: F64  # (run, theater, level) pi_l per month
    patron_munitions: F64  # (run, theater, level, munition) mu_l,m per patron and month
    aid_factor: F64  # (run, theater, level) a_l, read by the policy's aid orders
    opportunism_factor: F64  # (run, theater, level) o_l, read by opportunism
    patrons_at_war: NDArray[np.bool_]  # (theater, level) the rung is a clash with patrons
    descend_hazard: F64  # (run, theater) h_d per month; 0: rungs only go up
    doctrine_gated: NDArray[np.bool_]  # (theater, level) climbing onto the rung is gated
    doctrine_soil_share: F64  # (run, theater, level) s_d; inf where not given
    doctrine_will: F64  # (run, theater, level) w_d; -inf where not given
    shock_will: F64  # (run, theater, level, role) once on reaching: defender, aggressor,
    # patrons, others
    shock_defender_personnel_share: F64  # (run, theater, level) once on reaching


ROLES = ("defender_will", "aggressor_will", "patron_will", "others_will")
"""The ``on_reach`` will changes, in the order of ``shock_will``'s last axis."""


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> EscalationParams:
    """Draw every theater's ladder."""
    theaters = scenario.theaters
    levels = max((len(t.escalation.levels) for t in theaters.values() if t.escalation), default=1)

    def hazard(name: str) -> F64:
        return sampler.per_theater_in("escalation", name)

    def per_level(get: Callable[[EscalationLevel], Param | None], name: str, absent: float) -> F64:
        out = np.full((sampler.runs, len(theaters), levels), absent)
        for j, (t_id, t) in enumerate(theaters.items()):
            if t.escalation is None:
                continue
            n = len(t.escalation.levels)
            for k, level in enumerate(t.escalation.levels):
                out[:, j, k] = sampler.draw(
                    get(level), f"theaters.{t_id}.escalation.levels[{k}].{name}", absent
                )
            out[:, j, n:] = out[:, j, n - 1 : n]
        return out

    def field(name: str, absent: float) -> F64:
        return per_level(lambda level: getattr(level, name), name, absent)

    def on_reach(name: str) -> F64:
        return per_level(
            lambda level: getattr(level.on_reach, name) if level.on_reach else None,
            f"on_reach.{name}",
            0.0,
        )

    def per_rung(get: Callable[[EscalationLevel], bool]) -> NDArray[np.bool_]:
        out = np.zeros((len(theaters), levels), dtype=np.bool_)
        for j, t in enumerate(theaters.values()):
            if t.escalation is not None:
                flags = [get(level) for level in t.escalation.levels]
                out[j, : len(flags)] = flags
                out[j, len(flags) :] = flags[-1]
        return out

    def fired(m_id: str) -> F64:
        def get(level: EscalationLevel) -> Param | None:
            return level.patron_munitions_per_month.get(m_id)

        return per_level(get, f"patron_munitions_per_month.{m_id}", 0.0)

    munitions = np.stack([fired(m) for m in index.munitions], axis=3)
    return EscalationParams(
        has_ladder=np.array([t.escalation is not None for t in theaters.values()], dtype=np.bool_),
        top_level=np.array(
            [len(t.escalation.levels) - 1 if t.escalation else 0 for t in theaters.values()],
            dtype=np.int64,
        ),
        base_hazard=hazard("base_hazard_per_month"),
        restrictions_hazard=hazard("restrictions_hazard_per_month"),
        soil_hazard_per_1000km2=hazard("soil_hazard_per_1000km2"),
        losing_hazard=hazard("losing_hazard_per_month"),
        patron_will_loss=field("patron_will_loss_per_month", 0.0),
        aggressor_will_loss=field("aggressor_will_loss_per_month", 0.0),
        aggressor_personnel_loss_share=field("aggressor_personnel_loss_share_per_month", 0.0),
        patron_munitions=munitions,
        aid_factor=field("aid_factor", 1.0),
        opportunism_factor=field("opportunism_factor", 1.0),
        patrons_at_war=per_rung(lambda level: level.patrons_at_war),
        descend_hazard=hazard("descend_hazard_per_month"),
        doctrine_gated=per_rung(
            lambda level: (
                level.doctrine_own_soil_share_at_least is not None
                or level.doctrine_aggressor_will_at_most is not None
            )
        ),
        doctrine_soil_share=field("doctrine_own_soil_share_at_least", np.inf),
        doctrine_will=field("doctrine_aggressor_will_at_most", -np.inf),
        shock_will=np.stack([on_reach(role) for role in ROLES], axis=3),
        shock_defender_personnel_share=on_reach("defender_personnel_loss_share"),
    )


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
