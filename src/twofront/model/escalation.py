r"""Escalation: a ladder of levels the aggressor may climb, one rung at a time.

In a theater at war with a ladder, each month the aggressor climbs one rung
with probability

.. math::
   P = 1 - \exp\!\big(-(h_0 + h_r R + h_s\, O_{agg} / 1000)\big)

where :math:`R \in \{0, 1\}` says whether restrictions on deep strikes with
donated weapons are lifted, and :math:`O_{agg}` is km² of the aggressor's
own soil held by the defender (the hazards are monthly rates: a
proportional-hazards form, Cox (1972), JRSS B 34(2):187-220). Each rung
:math:`\ell` has effects while the war lasts: patrons of the defender lose
will :math:`\omega_\ell` a month, their aid is scaled by :math:`a_\ell`, and
the hazard that other aggressors open new wars is scaled by :math:`o_\ell`
(see :mod:`twofront.model.opportunism`). A rung may mark a direct clash with
the defender's patrons (``patrons_at_war``): while the war stands on it, that
clash is a war of its own among the wars at once. Rungs can also come back
down: with ``descend_hazard_per_month`` :math:`h_d` a theater that did not
climb steps down one rung with probability :math:`1 - e^{-h_d}`. The ladder is a simplification of
Kahn (1965), *On Escalation: Metaphors and Scenarios*, Praeger.
Example: h0 = 0.01, h_r = 0.02, R = 1, 1,000 km² held, h_s = 0.03 →
P = 1 − e^(−0.06) = 0.0582.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, occupied_km2, sum_over
from twofront.scenario.schema import Scenario

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
    patron_will_loss: F64  # (run, theater, level) omega_l per month
    aid_factor: F64  # (run, theater, level) a_l, read by the policy's aid orders
    opportunism_factor: F64  # (run, theater, level) o_l, read by opportunism
    patrons_at_war: NDArray[np.bool_]  # (theater, level) the rung is a clash with patrons
    descend_hazard: F64  # (run, theater) h_d per month; 0: rungs only go up


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> EscalationParams:
    """Draw every theater's ladder."""
    theaters = scenario.theaters
    levels = max((len(t.escalation.levels) for t in theaters.values() if t.escalation), default=1)

    def hazard(name: str) -> F64:
        return sampler.per_theater_in("escalation", name)

    def per_level(name: str, absent: float) -> F64:
        out = np.full((sampler.runs, len(theaters), levels), absent)
        for j, (t_id, t) in enumerate(theaters.items()):
            if t.escalation is None:
                continue
            n = len(t.escalation.levels)
            for k, level in enumerate(t.escalation.levels):
                out[:, j, k] = sampler.draw(
                    getattr(level, name), f"theaters.{t_id}.escalation.levels[{k}].{name}"
                )
            out[:, j, n:] = out[:, j, n - 1 : n]
        return out

    clash = np.zeros((len(theaters), levels), dtype=np.bool_)
    for j, t in enumerate(theaters.values()):
        if t.escalation is not None:
            flags = [level.patrons_at_war for level in t.escalation.levels]
            clash[j, : len(flags)] = flags
            clash[j, len(flags) :] = flags[-1]
    return EscalationParams(
        has_ladder=np.array([t.escalation is not None for t in theaters.values()], dtype=np.bool_),
        top_level=np.array(
            [len(t.escalation.levels) - 1 if t.escalation else 0 for t in theaters.values()],
            dtype=np.int64,
        ),
        base_hazard=hazard("base_hazard_per_month"),
        restrictions_hazard=hazard("restrictions_hazard_per_month"),
        soil_hazard_per_1000km2=hazard("soil_hazard_per_1000km2"),
        patron_will_loss=per_level("patron_will_loss_per_month", 0.0),
        aid_factor=per_level("aid_factor", 1.0),
        opportunism_factor=per_level("opportunism_factor", 1.0),
        patrons_at_war=clash,
        descend_hazard=hazard("descend_hazard_per_month"),
    )


def climb_probability(
    base_hazard: F64,
    restrictions_hazard: F64,
    restrictions_lifted: NDArray[np.bool_],
    soil_hazard_per_1000km2: F64,
    aggressor_soil_held_km2: F64,
) -> F64:
    """P = 1 - exp(-(h0 + h_r R + h_s O / 1000)) per month."""
    rate = base_hazard + restrictions_hazard * restrictions_lifted
    rate = rate + soil_hazard_per_1000km2 * aggressor_soil_held_km2 / 1000.0
    return -np.expm1(-rate)


def level_effect(per_level: F64, level: NDArray[np.int64]) -> F64:
    """(run, theater) value of a (run, theater, level) effect at each theater's level."""
    return np.take_along_axis(per_level, level[:, :, None], axis=2)[:, :, 0]


def phase(state: State, params: Params, rng: Stream) -> State:
    """Climb the ladder where the hazard fires; apply each rung's will cost to patrons."""
    index, p = params.index, params.of(EscalationParams)
    at_war = (state.theater_status == TheaterStatus.WAR) & p.has_ladder[None, :]
    if not at_war.any():
        if not state.patrons_at_war.any():
            return state
        return replace(state, patrons_at_war=np.zeros_like(state.patrons_at_war))
    held = sum_over(occupied_km2(state, params), index.aggressor_soil)
    probability = climb_probability(
        p.base_hazard,
        p.restrictions_hazard,
        state.restrictions_lifted[:, None],
        p.soil_hazard_per_1000km2,
        held,
    )
    u = rng.uniform(state.month, "escalation", lanes=len(index.theaters))
    climbs = at_war & (u < probability) & (state.escalation_level < p.top_level[None, :])
    level = state.escalation_level + climbs
    if (p.descend_hazard > 0).any():
        down = rng.uniform(state.month, "escalation-down", lanes=len(index.theaters))
        level = level - (at_war & ~climbs & (level > 0) & (down < -np.expm1(-p.descend_hazard)))
    will_loss = level_effect(p.patron_will_loss, level) * at_war
    patron_loss = sum_over(will_loss, index.theater_patron)
    return replace(
        state,
        escalation_level=level,
        max_escalation_level=np.maximum(state.max_escalation_level, level),
        patrons_at_war=at_war & p.patrons_at_war[np.arange(level.shape[1])[None, :], level],
        will=np.clip(state.will - patron_loss, 0.0, 1.0),
    )
