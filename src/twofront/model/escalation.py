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
(see :mod:`twofront.model.opportunism`). The ladder is a simplification of
Kahn (1965), *On Escalation: Metaphors and Scenarios*, Praeger.
Example: h0 = 0.01, h_r = 0.02, R = 1, 1,000 km² held, h_s = 0.03 →
P = 1 − e^(−0.06) = 0.0582.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import AGGRESSOR, Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus, occupied_km2, sum_over

F64 = NDArray[np.float64]


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
    index = params.index
    at_war = (state.theater_status == TheaterStatus.WAR) & index.has_escalation[None, :]
    if not at_war.any():
        return state
    aggressor_soil = index.front_in_theater & (index.front_soil_side == AGGRESSOR)[:, None]
    held = sum_over(occupied_km2(state, params), aggressor_soil)
    probability = climb_probability(
        params.escalation_base_hazard,
        params.escalation_restrictions_hazard,
        state.restrictions_lifted[:, None],
        params.escalation_soil_hazard_per_1000km2,
        held,
    )
    u = rng.uniform(state.month, "escalation", lanes=len(index.theaters))
    climbs = at_war & (u < probability) & (state.escalation_level < index.escalation_top[None, :])
    level = state.escalation_level + climbs
    will_loss = level_effect(params.escalation_patron_will_loss, level) * at_war
    patron_loss = sum_over(will_loss, index.theater_patron)
    return replace(
        state,
        escalation_level=level,
        max_escalation_level=np.maximum(state.max_escalation_level, level),
        will=np.clip(state.will - patron_loss, 0.0, 1.0),
    )
