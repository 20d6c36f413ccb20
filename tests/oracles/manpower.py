"""The NumPy form of :mod:`twofront.model.manpower` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import (
    State,
    actors_at_war,
    front_active,
    sum_slots,
    theater_at_war,
    to_slots,
)
from twofront.model.manpower import ManpowerParams

F64 = NDArray[np.float64]


def slot_weights(
    personnel: F64,
    held_km2: F64,
    active: NDArray[np.bool_],
    soil_side: NDArray[np.int64],
    own_soil_priority_slot: F64,
) -> F64:
    """(run, front, side) weights w_s; zero on inactive fronts."""
    enemy = personnel[:, :, ::-1]
    sides = np.arange(2)[None, None, :]
    own_soil = soil_side[None, :, None] == sides
    occupied = held_km2[:, :, ::-1] > 0
    priority = np.where(own_soil & occupied, own_soil_priority_slot, 1.0)
    return enemy * priority * active[:, :, None]


def shares_by_actor(weights: F64, onehot: F64, slot_actor: NDArray[np.int64]) -> F64:
    """(run, front, side) share of each slot in its actor's total weight (0 if none).

    ``slot_actor`` (front, side) is the actor index of each slot.
    """
    total_slot = sum_slots(weights, onehot)[:, slot_actor]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total_slot > 0, weights / total_slot, 0.0)


def redeploy(
    personnel: F64,
    shares: F64,
    in_play: NDArray[np.bool_],
    fraction_slot: F64,
    onehot: F64,
    slot_actor: NDArray[np.int64],
) -> F64:
    """Move each actor's in-play personnel toward its desired split; totals are conserved.

    ``in_play`` (run, front, side) marks the slots that take part: fronts at
    war whose actor has some weight somewhere. Slots in play with zero share
    (e.g. a closed incursion front) are emptied at the redeployment rate.
    """
    total = sum_slots(personnel * in_play, onehot)
    desired = total[:, slot_actor] * shares
    return np.where(in_play, personnel + fraction_slot * (desired - personnel), personnel)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Mobilise, redeploy between fronts and deploy reserves for every actor at war."""
    p = params.of(ManpowerParams)
    onehot = params.index.slot_actor_onehot
    at_war = actors_at_war(state, params)
    mobilised = p.mobilisation_per_month * at_war
    paid = state.budget_share
    mobilised = np.where(paid < 1.0, mobilised * paid**p.recruitment_budget_elasticity, mobilised)
    reserves = state.reserves_personnel + mobilised
    will = state.will - p.will_loss_per_100k_mobilised * mobilised / 1e5

    active = front_active(state, params)
    at_war_front = theater_at_war(state, params)
    gone = state.personnel * to_slots(p.absent_share_per_month, params) * active[:, :, None]
    absent = sum_slots(gone, onehot)
    back = absent * p.absent_return_fraction
    reserves = reserves + back
    fronts_personnel = state.personnel - gone
    weights = slot_weights(
        fronts_personnel,
        state.held_km2,
        active,
        params.index.front_soil_side,
        to_slots(p.own_soil_priority, params),
    )
    slot_actor = params.index.front_actor
    shares = shares_by_actor(weights, onehot, slot_actor)
    has_front = sum_slots(shares, onehot) > 0
    in_play = at_war_front[:, :, None] & to_slots(has_front, params)
    personnel = redeploy(
        fronts_personnel,
        shares,
        in_play,
        to_slots(p.redeploy_fraction_per_month, params),
        onehot,
        slot_actor,
    )
    deployed = p.deploy_fraction_per_month * reserves * (has_front & state.committing_reserves)
    personnel = personnel + to_slots(deployed, params) * shares
    return replace(
        state,
        reserves_personnel=reserves - deployed,
        personnel=personnel,
        absent_total=state.absent_total + absent - back,
        will=np.clip(will, 0.0, 1.0),
    )
