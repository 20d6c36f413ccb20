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
to the defender's (run, front, side) slot, so combat needs no change: they
fight with the defender's lethality and fire factor (a coalition under one
command, fed by the patron's munitions), and their losses count among the
defender's casualties and against the defender's will. A patron's own
lethality, its own will cost of casualties and wounded returning to its own
reserves would need a per-slot blend in combat; not modelled.

Example: F = 50,000, US reserves 80,000, a war over Taiwan begins: 50,000 join
Taiwan's front, 30,000 stay in the pool. Taiwan's front then holds 200,000
and loses 20,000 in its first month: the US share becomes
50,000 · 180,000 / 200,000 = 45,000.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, sum_over
from twofront.model.combat import CombatParams
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]


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


def spread(amount: F64, weights: F64, in_theater: NDArray[np.bool_]) -> F64:
    """(run, front) ``amount`` (run,) split over the theater's fronts in proportion to
    ``weights`` (run, front); evenly where the weights there sum to zero."""
    weights = weights * in_theater
    total = weights.sum(axis=1, keepdims=True)
    even = np.broadcast_to(in_theater / max(in_theater.sum(), 1), weights.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, weights / total, even)
    return amount[:, None] * share


def phase(state: State, params: Params, rng: Stream) -> State:
    """Wear down, return and commit combatant patrons' forces; fire their munitions."""
    p, index = params.of(CoalitionParams), params.index
    if not p.combatants.any():
        return state
    personnel = state.personnel.copy()
    reserves = state.reserves_personnel.copy()
    committed = state.committed_personnel.copy()
    stockpile = state.stockpile.copy()
    at_war = state.theater_status == TheaterStatus.WAR
    defender_fires = params.of(CombatParams).fire_munition[index.theater_actor[:, DEFENDER]]
    on_fronts = sum_over(personnel[:, :, DEFENDER], index.front_in_theater)
    lost = sum_over(state.casualties_per_month[:, :, DEFENDER], index.front_in_theater)
    for t, a in zip(*np.nonzero(p.combatants), strict=True):
        in_theater = index.front_in_theater[:, t]
        # 2. Attrition: the commitment shares the defender slots' losses of last month.
        with np.errstate(divide="ignore", invalid="ignore"):
            survived = np.where(
                on_fronts[:, t] + lost[:, t] > 0,
                on_fronts[:, t] / (on_fronts[:, t] + lost[:, t]),
                0.0,
            )
        share = np.minimum(committed[:, t, a] * survived, on_fronts[:, t])
        # 3. Return: a war that is over sends what is left home.
        leaving = np.where(at_war[:, t], 0.0, share)
        personnel[:, :, DEFENDER] -= spread(leaving, personnel[:, :, DEFENDER], in_theater)
        reserves[:, a] += leaving
        share = share - leaving
        # 1. Commitment: the first month of a war, from the shared pool.
        starting = at_war[:, t] & (state.war_months[:, t] == 0) & (share == 0)
        sent = np.where(starting, np.minimum(p.forces_personnel[:, t], reserves[:, a]), 0.0)
        reserves[:, a] -= sent
        personnel[:, :, DEFENDER] += spread(sent, personnel[:, :, AGGRESSOR], in_theater)
        committed[:, t, a] = share + sent
        # 4. Fires from the patron's own stock while the war lasts.
        for m in np.nonzero(p.munitions_per_month[:, t].any(axis=0))[0]:
            fired = np.minimum(p.munitions_per_month[:, t, m] * at_war[:, t], stockpile[:, a, m])
            stockpile[:, a, m] -= fired
            if m in defender_fires[t]:
                stockpile[:, index.theater_actor[t, DEFENDER], m] += fired
    return replace(
        state,
        personnel=np.maximum(personnel, 0.0),
        reserves_personnel=reserves,
        committed_personnel=committed,
        stockpile=stockpile,
    )
