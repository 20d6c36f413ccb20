r"""Manpower: mobilisation into reserves, deployment and redeployment between fronts.

For an actor :math:`a` at war, each month (personnel):

.. math::
   R \leftarrow R + m_a, \qquad W_a \leftarrow W_a - \omega_a \, m_a / 10^5

(mobilisation :math:`m_a` per month costs will :math:`\omega_a` per 100,000).
Each front slot :math:`s` it holds gets a weight, the enemy personnel facing
it, raised by the actor's own-soil priority :math:`\pi_a \ge 1` where the
enemy holds any of the actor's own soil on that front:

.. math::
   w_s = N^{enemy}_s \cdot (\pi_a \text{ if own soil occupied else } 1)

   N^{*}_s = \Big(\sum_{s' \in a} N_{s'}\Big) \frac{w_s}{\sum_{s' \in a} w_{s'}}, \qquad
   N_s \leftarrow N_s + \rho_a (N^{*}_s - N_s) + \delta_a R \frac{w_s}{\sum_{s' \in a} w_{s'}}

and :math:`R \leftarrow (1 - \delta_a) R` (only while the actor commits its reserves:
its ``commit_reserves_when`` rule). Before redeployment a share
:math:`\nu_a` of each slot goes missing without being hit (absence without leave,
desertion), and a share :math:`\beta_a` of them returns to the reserves:
:math:`N_s \leftarrow (1 - \nu_a) N_s`, :math:`R \leftarrow R + \beta_a \nu_a \sum_s N_s`
(Ukraine opened 53,503 such cases in Jan-Sep 2024, Prosecutor General via Babel,
2024-10-16). Redeployment at rate :math:`\rho_a`
conserves the actor's personnel at the fronts; reserves flow in at rate
:math:`\delta_a`. Matching the enemy's concentration is the "force-to-force
ratio" logic of army planning (e.g. US Army FM 6-0, 2022, force ratios); the
own-soil priority is why an incursion (Kursk, Aug 2024) draws troops from
other fronts on *both* sides: the invaded side reinforces its own soil, the
invader must then match that build-up. Example: 100k on front A facing 50k
and 0 on front B facing 50k, own soil on B with pi = 2 → w = (50k, 100k),
target (33.3k, 66.7k); with rho = 0.5 → (66.7k, 33.3k).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import (
    State,
    actors_at_war,
    front_active,
    sum_slots,
    theater_at_war,
    to_slots,
)
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ManpowerParams:
    """How each actor's personnel moves, (run, actor); 0 for actors without forces."""

    mobilisation_per_month: F64  # m_a, personnel into reserves a month while at war
    will_loss_per_100k_mobilised: F64  # omega_a
    deploy_fraction_per_month: F64  # delta_a, share of reserves sent to the fronts
    redeploy_fraction_per_month: F64  # rho_a, speed of matching the desired split
    own_soil_priority: F64  # pi_a >= 1
    absent_share_per_month: F64  # nu_a
    absent_return_fraction: F64  # beta_a


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> ManpowerParams:
    """Draw every actor's manpower parameters."""

    def forces(name: str) -> F64:
        return sampler.per_actor_in("forces", name)

    return ManpowerParams(
        mobilisation_per_month=forces("mobilisation_per_month"),
        will_loss_per_100k_mobilised=forces("will_loss_per_100k_mobilised"),
        deploy_fraction_per_month=forces("deploy_fraction_per_month"),
        redeploy_fraction_per_month=forces("redeploy_fraction_per_month"),
        own_soil_priority=forces("own_soil_priority"),
        absent_share_per_month=forces("absent_share_per_month"),
        absent_return_fraction=forces("absent_return_fraction"),
    )


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
