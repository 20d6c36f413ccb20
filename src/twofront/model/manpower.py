r"""Manpower: mobilisation into reserves, deployment and redeployment between fronts.

For an actor :math:`a` at war, each month (personnel):

.. math::
   R \leftarrow R + m_a, \qquad W_a \leftarrow W_a - \omega_a \, m_a / 10^5

(mobilisation :math:`m_a` per month costs will :math:`\omega_a` per 100,000; an actor
whose war economy pays only the share :math:`\rho_t < 1` of its defence budget mobilises
:math:`\rho_t^{\varepsilon_a} m_a`, :mod:`twofront.model.economy`).
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

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import driver, inlined, kernel, view
from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import (
    State,
    actors_at_war_run,
    front_active_run,
    state_view,
    sum_slots_run,
    theater_at_war_run,
    writable,
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
    recruitment_budget_elasticity: F64  # epsilon_a (0 without a war economy)


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
        recruitment_budget_elasticity=sampler.per_actor_in(
            "war_economy", "recruitment_budget_elasticity"
        ),
    )


@inlined
def slot_weights(
    personnel: F64,
    held_km2: F64,
    active: NDArray[np.bool_],
    soil_side: NDArray[np.int64],
    own_soil_priority: F64,
    front_actor: NDArray[np.int64],
    r: int,
    out: F64,
) -> None:
    """Run ``r``'s (front, side) weights w_s into ``out``: the enemy personnel facing the
    slot (``personnel`` (run, front, side)), times the slot actor's ``own_soil_priority``
    (run, actor) where the enemy holds some of its own soil on the front (``held_km2``
    (run, front, side)); zero on inactive fronts (``active`` (front,))."""
    for f in range(out.shape[0]):
        for side in range(2):
            enemy = personnel[r, f, 1 - side]
            own_soil_occupied = soil_side[f] == side and held_km2[r, f, 1 - side] > 0
            priority = own_soil_priority[r, front_actor[f, side]] if own_soil_occupied else 1.0
            out[f, side] = enemy * priority * (1.0 if active[f] else 0.0)


@inlined
def shares_by_actor(weights: F64, front_actor: NDArray[np.int64], total: F64, out: F64) -> None:
    """The (front, side) share of each slot in its actor's total weight into ``out`` (0 if
    the actor has none; ``out`` may be ``weights``); ``total`` (actor,) is working space,
    left holding each actor's total weight."""
    sum_slots_run(weights, front_actor, total)
    for f in range(weights.shape[0]):
        for side in range(2):
            actor_total = total[front_actor[f, side]]
            out[f, side] = weights[f, side] / actor_total if actor_total > 0 else 0.0


@inlined
def redeploy(
    personnel: F64,
    shares: F64,
    in_play: NDArray[np.bool_],
    fraction: F64,
    front_actor: NDArray[np.int64],
    r: int,
    in_play_slots: F64,
    total: F64,
) -> None:
    """Move each actor's in-play personnel of run ``r`` (``personnel`` (run, front, side),
    in place) toward its desired split ``shares`` (front, side) at its rate ``fraction``
    (run, actor); totals are conserved.

    ``in_play`` (front, side) marks the slots that take part: fronts at war whose actor
    has some weight somewhere. Slots in play with zero share (e.g. a closed incursion
    front) are emptied at the redeployment rate. ``in_play_slots`` (front, side) and
    ``total`` (actor,) are working space.
    """
    for f in range(shares.shape[0]):
        for side in range(2):
            in_play_slots[f, side] = personnel[r, f, side] * (1.0 if in_play[f, side] else 0.0)
    sum_slots_run(in_play_slots, front_actor, total)
    for f in range(shares.shape[0]):
        for side in range(2):
            if in_play[f, side]:
                a = front_actor[f, side]
                now = personnel[r, f, side]
                personnel[r, f, side] = now + fraction[r, a] * (total[a] * shares[f, side] - now)


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[Any, ...]:
    """Scratch space for one run: (actor,) rows (at war, has a front, absentees then
    deployments, sums), (front, side) slots (absentees then in-play personnel, weights then
    shares), active fronts (front,) and slots in play (front, side)."""
    n_actors, n_fronts = s.reserves_personnel.shape[1], s.personnel.shape[1]
    return (
        np.empty(n_actors, dtype=np.bool_),
        np.empty(n_actors, dtype=np.bool_),
        np.empty(n_actors),
        np.empty(n_actors),
        np.empty((n_fronts, 2)),
        np.empty((n_fronts, 2)),
        np.empty(n_fronts, dtype=np.bool_),
        np.empty((n_fronts, 2), dtype=np.bool_),
    )


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """The module's equations for run ``r`` of the state view ``s``, with the parameter
    view ``p`` (:class:`ManpowerParams`), the index view ``ix`` and the scratch ``w`` of
    :func:`step_work` (the world ``wd`` and random numbers ``rv`` are not read).

    Reads ``theater_status``, ``held_km2``, ``committing_reserves`` (set by the policy) and
    ``budget_share`` (the war economy's);
    writes ``reserves_personnel``, ``personnel``, ``absent_total`` and ``will``.
    """
    at_war, has_front, per_actor, total, slots, shares, active, in_play = w
    front_actor = ix.front_actor
    n_actors, n_fronts = at_war.shape[0], front_actor.shape[0]
    reserves, personnel = s.reserves_personnel, s.personnel
    # Mobilisation of an actor at war: R += m, W -= omega m / 1e5.
    actors_at_war_run(r, s, ix, at_war)
    for a in range(n_actors):
        mobilised = p.mobilisation_per_month[r, a] * (1.0 if at_war[a] else 0.0)
        paid = s.budget_share[r, a]
        if paid < 1.0:
            mobilised = mobilised * paid ** p.recruitment_budget_elasticity[r, a]
        reserves[r, a] = reserves[r, a] + mobilised
        will = s.will[r, a] - p.will_loss_per_100k_mobilised[r, a] * mobilised / 1e5
        s.will[r, a] = np.minimum(np.maximum(will, 0.0), 1.0)
    # Absences: a share nu of each active slot goes missing, beta of them come back.
    for f in range(n_fronts):
        active[f] = front_active_run(r, s, ix, f)
        for side in range(2):
            nu = p.absent_share_per_month[r, front_actor[f, side]]
            slots[f, side] = personnel[r, f, side] * nu * (1.0 if active[f] else 0.0)
    sum_slots_run(slots, front_actor, per_actor)
    for a in range(n_actors):
        back = per_actor[a] * p.absent_return_fraction[r, a]
        reserves[r, a] = reserves[r, a] + back
        s.absent_total[r, a] = s.absent_total[r, a] + per_actor[a] - back
    for f in range(n_fronts):
        for side in range(2):
            personnel[r, f, side] = personnel[r, f, side] - slots[f, side]
    # Redeployment toward the weights w_s, at rate rho, of the slots in play.
    slot_weights(
        personnel,
        s.held_km2,
        active,
        ix.front_soil_side,
        p.own_soil_priority,
        front_actor,
        r,
        shares,
    )
    shares_by_actor(shares, front_actor, total, shares)
    sum_slots_run(shares, front_actor, total)
    for a in range(n_actors):
        has_front[a] = total[a] > 0
    for f in range(n_fronts):
        at_war_front = theater_at_war_run(r, s, ix, f)
        for side in range(2):
            in_play[f, side] = at_war_front and has_front[front_actor[f, side]]
    redeploy(
        personnel, shares, in_play, p.redeploy_fraction_per_month, front_actor, r, slots, total
    )
    # Reserves deployed, delta R, spread by the same shares while the actor commits them.
    for a in range(n_actors):
        committing = has_front[a] and s.committing_reserves[r, a]
        per_actor[a] = (
            p.deploy_fraction_per_month[r, a] * reserves[r, a] * (1.0 if committing else 0.0)
        )
    for f in range(n_fronts):
        for side in range(2):
            a = front_actor[f, side]
            personnel[r, f, side] = personnel[r, f, side] + per_actor[a] * shares[f, side]
    for a in range(n_actors):
        reserves[r, a] = reserves[r, a] - per_actor[a]


@driver
def _all(s: Any, p: Any, ix: Any, wd: Any, rv: Any) -> None:
    for r in numba.prange(s.personnel.shape[0]):
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = ("reserves_personnel", "personnel", "absent_total", "will")
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Mobilise, redeploy between fronts and deploy reserves for every actor at war."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(ManpowerParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
