"""The NumPy form of :mod:`twofront.model.coalition` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import AGGRESSOR, DEFENDER
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus, sum_over
from twofront.model.coalition import CoalitionParams
from twofront.model.combat import CombatParams

F64 = NDArray[np.float64]


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
