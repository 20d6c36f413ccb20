r"""Coalition: combatant patrons fight beside the defender, from one pool of forces and stocks.

A theater may list ``combatant_patrons`` (the United States in a war over
Taiwan). For each such patron :math:`p` of theater :math:`t`:

1. **Commitment.** The month its war begins, the patron sends
   :math:`c_{p,t} = \min(F_t, R_p)` personnel from its reserves :math:`R_p`
   (:math:`F_t` the theater's ``patron_forces_personnel``). The reserves are
   one pool for every theater: a patron already fighting elsewhere (the US in
   the Middle East, whose reserves deploy to the Gulf) has fewer to send, and
   what it sends here is missing there. Theaters starting war in the same month
   draw in theater order. The personnel join the defender's slot on the
   theater's fronts, spread as the aggressor's personnel there (matching the
   enemy, as :mod:`twofront.model.manpower` does; evenly if it has none).
2. **Attrition.** Each month the commitment shrinks with the defender's slots
   of the theater: :math:`c \leftarrow c \cdot N_t / (N_t + L_t)`, with
   :math:`N_t` the defender's personnel on the theater's fronts now and
   :math:`L_t` its casualties there last month (losses fall evenly on the
   coalition).
3. **Return.** When the war is over (settled), what is left of the commitment
   leaves the defender's slots (in proportion to the personnel there) and goes
   back to the patron's reserves.
4. **Fires.** While the war lasts, each combatant patron fires
   :math:`\mu_{t,m}` units a month of each munition :math:`m` of the theater's
   ``patron_munitions_per_month`` from its own stock (down to zero: in its own
   war it keeps no floor). Units of a munition the defender fires join the
   defender's stock and are fired with its fires in :mod:`twofront.model.combat`
   this month; the others are expended (e.g. interceptors defending ships and
   bases). The same stock is what deters in the other theaters
   (:mod:`twofront.model.opportunism`), so a Taiwan war that empties US
   anti-ship and interceptor stocks invites war in the Gulf.

Design: the patron is not a second actor in the slot. Its personnel are added
to the defender's (run, front, side) slot and fight with the defender's
lethality and fire factor (a coalition under one command, fed by the patron's
munitions). :mod:`twofront.model.combat` splits the slot's losses by the
committed personnel: the patron's share counts as its own casualties, against
its own will, and its wounded return to its own reserves. A patron's own
lethality would need a lethality per theater; not modelled.

Example: F = 50,000, US reserves 80,000, a war over Taiwan begins: 50,000 join
Taiwan's front, 30,000 stay in the pool. Taiwan's front then holds 200,000
and loses 20,000 in its first month: the US share becomes
50,000 · 180,000 / 200,000 = 45,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import driver, inlined, kernel, pairwise_sum, view
from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, state_view, writable
from twofront.model.combat import CombatParams
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]
WAR = int(TheaterStatus.WAR)


@dataclass(frozen=True, slots=True)
class CoalitionParams:
    """Combatant patrons of each theater, run axis first."""

    combatants: NDArray[np.bool_]  # (theater, actor) patrons that fight in the theater
    forces_personnel: F64  # (run, theater) F_t, personnel each combatant patron sends
    munitions_per_month: F64  # (run, theater, munition) mu_t,m, fired by each combatant


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> CoalitionParams:
    """Draw each theater's combatant patrons' forces and fires."""
    combatants = np.zeros((len(index.theaters), len(index.actors)), dtype=np.bool_)
    fires = np.zeros((sampler.runs, len(index.theaters), len(index.munitions)))
    for j, (t_id, t) in enumerate(scenario.theaters.items()):
        combatants[j, [index.actors.index(a) for a in t.combatant_patrons]] = True
        for m_id, param in t.patron_munitions_per_month.items():
            fires[:, j, index.munitions.index(m_id)] = sampler.draw(
                param, f"theaters.{t_id}.patron_munitions_per_month.{m_id}"
            )
    return CoalitionParams(
        combatants=combatants,
        forces_personnel=sampler.per_theater(
            lambda t: t.patron_forces_personnel, "patron_forces_personnel"
        ),
        munitions_per_month=fires,
    )


@inlined
def spread(
    amount: float,
    weights: F64,
    r: int,
    side: int,
    front_in_theater: NDArray[np.bool_],
    t: int,
    out: F64,
) -> None:
    """``amount`` split over theater ``t``'s fronts in proportion to the weights of slot
    ``side`` in run ``r`` (``weights`` (run, front, side)) into ``out`` (front,), evenly
    where the weights there sum to zero; 0 off the theater."""
    count = 0
    for f in range(out.shape[0]):
        out[f] = weights[r, f, side] * (1.0 if front_in_theater[f, t] else 0.0)
        count += 1 if front_in_theater[f, t] else 0
    total = pairwise_sum(out)
    for f in range(out.shape[0]):
        even = (1.0 if front_in_theater[f, t] else 0.0) / max(count, 1)
        out[f] = amount * (out[f] / total if total > 0 else even)


@inlined
def theater_sums(
    values: F64, r: int, side: int, front_in_theater: NDArray[np.bool_], out: F64
) -> None:
    """Run ``r``'s (run, front, side) ``values`` of slot ``side`` summed over each
    theater's fronts into ``out`` (theater,), front by front."""
    for t in range(out.shape[0]):
        out[t] = 0.0
    for f in range(front_in_theater.shape[0]):
        for t in range(front_in_theater.shape[1]):
            if front_in_theater[f, t]:
                out[t] += values[r, f, side]


@inlined
def fires_with(fire_munition: NDArray[np.int64], actor: int, m: int) -> bool:
    """``actor`` fires munition ``m`` on the ground (one of its fires lines)."""
    fires = False
    for line in range(fire_munition.shape[1]):
        fires = fires or fire_munition[actor, line] == m
    return fires


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[F64, F64, F64]:
    """Scratch space for one run: the defender's personnel on each theater's fronts and its
    casualties there last month (theater,), a share of a theater's fronts (front,)."""
    n_theaters, n_fronts = s.theater_status.shape[1], s.personnel.shape[1]
    return (np.empty(n_theaters), np.empty(n_theaters), np.empty(n_fronts))


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """Steps 1-4 of the module docstring for run ``r`` of the state view ``s``; ``p`` is
    the pair of views (:class:`CoalitionParams`, :class:`~twofront.model.combat.CombatParams`):
    fires of munitions the defender fires (its combat fire lines) join its stock. ``ix`` is
    the index view, ``w`` the scratch of :func:`step_work` (the world ``wd`` and random
    numbers ``rv`` are not read).

    Patrons are taken theater by theater, each theater's in actor order (later ones see
    the pool and fronts the earlier ones left). Reads ``theater_status``, ``war_months``
    and ``casualties_per_month``; writes ``personnel``, ``reserves_personnel``,
    ``committed_personnel`` and ``stockpile``.
    """
    coalition, combat = p
    on_fronts, lost, share_of = w
    combatants, front_in_theater = coalition.combatants, ix.front_in_theater
    personnel, reserves = s.personnel, s.reserves_personnel
    committed, stockpile = s.committed_personnel, s.stockpile
    n_theaters, n_actors = combatants.shape[0], combatants.shape[1]
    n_fronts, n_munitions = personnel.shape[1], stockpile.shape[2]
    any_combatant = False
    theater_sums(personnel, r, DEFENDER, front_in_theater, on_fronts)
    theater_sums(s.casualties_per_month, r, DEFENDER, front_in_theater, lost)
    for t in range(n_theaters):
        at_war = s.theater_status[r, t] == WAR
        defender = ix.theater_actor[t, DEFENDER]
        for a in range(n_actors):
            if not combatants[t, a]:
                continue
            any_combatant = True
            # 2. Attrition: the commitment shares the defender slots' losses of last month.
            with_lost = on_fronts[t] + lost[t]
            survived = on_fronts[t] / with_lost if with_lost > 0 else 0.0
            share = np.minimum(committed[r, t, a] * survived, on_fronts[t])
            # 3. Return: a war that is over sends what is left home.
            leaving = 0.0 if at_war else share
            spread(leaving, personnel, r, DEFENDER, front_in_theater, t, share_of)
            for f in range(n_fronts):
                personnel[r, f, DEFENDER] -= share_of[f]
            reserves[r, a] += leaving
            share = share - leaving
            # 1. Commitment: the first month of a war, from the shared pool.
            starting = at_war and s.war_months[r, t] == 0 and share == 0
            forces = coalition.forces_personnel[r, t]
            sent = np.minimum(forces, reserves[r, a]) if starting else 0.0
            reserves[r, a] -= sent
            spread(sent, personnel, r, AGGRESSOR, front_in_theater, t, share_of)
            for f in range(n_fronts):
                personnel[r, f, DEFENDER] += share_of[f]
            committed[r, t, a] = share + sent
            # 4. Fires from the patron's own stock while the war lasts.
            for m in range(n_munitions):
                rate = coalition.munitions_per_month[r, t, m]
                if rate == 0:
                    continue
                fired = np.minimum(rate * (1.0 if at_war else 0.0), stockpile[r, a, m])
                stockpile[r, a, m] -= fired
                if fires_with(combat.fire_munition, defender, m):
                    stockpile[r, defender, m] += fired
    if any_combatant:
        for f in range(n_fronts):
            for side in range(2):
                personnel[r, f, side] = np.maximum(personnel[r, f, side], 0.0)


@kernel
def _one(r: int, s: Any, coalition: Any, combat: Any, ix: Any, wd: Any, rv: Any) -> None:
    p = (coalition, combat)
    step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


@driver
def _all(s: Any, coalition: Any, combat: Any, ix: Any, wd: Any, rv: Any) -> None:
    # The two views go in apart: Numba's parallel loops do not take a tuple of them.
    for r in numba.prange(s.personnel.shape[0]):
        _one(r, s, coalition, combat, ix, wd, rv)


WRITES = ("personnel", "reserves_personnel", "committed_personnel", "stockpile")
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Wear down, return and commit combatant patrons' forces; fire their munitions."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(CoalitionParams)),
        view(params.of(CombatParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
