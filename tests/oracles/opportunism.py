"""The NumPy form of :mod:`twofront.model.opportunism` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against.

:func:`sum_over` (of :mod:`twofront.engine.state`) and
:func:`level_effect` (of :mod:`twofront.model.escalation`) are copies of the NumPy helpers
the phase called, so the oracle does not change if those do; ``begin_wars`` is the engine's
own NumPy form (:func:`twofront.engine.state.begin_wars`, which only the tests call now).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import DEFENDER
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus, begin_wars
from twofront.model.escalation import EscalationParams
from twofront.model.opportunism import OpportunismParams

F64 = NDArray[np.float64]


def sum_over(values: F64, matrix: NDArray[np.floating] | NDArray[np.bool_]) -> F64:
    """``values @ matrix`` for (run, k) values and a small, sparse (k, n) matrix.

    Adds one column at a time over the matrix's non-zero entries, in a fixed
    order: a BLAS product may round differently with the number of rows,
    which would make run ``i`` depend on its batch; and the matrices here are
    one-hot wiring, so this touches only what matters.
    """
    out = np.zeros((values.shape[0], matrix.shape[1]))
    rows, cols = np.nonzero(matrix)
    for k, j in zip(rows.tolist(), cols.tolist(), strict=True):
        weight = matrix[k, j]
        out[:, j] += values[:, k] if weight == 1 else values[:, k] * weight
    return out


def level_effect(per_level: F64, level: NDArray[np.int64]) -> F64:
    """(run, theater) value of a (run, theater, level) effect at each theater's level."""
    return np.take_along_axis(per_level, level[:, :, None], axis=2)[:, :, 0]


def readiness(start: F64, end: F64, ramp_months: F64, month: int | NDArray[np.int64]) -> F64:
    """r(t) = r0 + (r1 - r0) min(1, t / T); after a settled war t counts from the settlement
    and r0 is ``readiness_after_war``."""
    return start + (end - start) * np.minimum(1.0, month / ramp_months)


def deterrence_of_holders(
    stockpile: F64,
    holders: NDArray[np.bool_],
    reference: F64,
    used: NDArray[np.bool_],
    weight: F64 | None = None,
) -> F64:
    """(run, theater) geometric-mean deterrence D of the stocks held by each theater's holders.

    ``stockpile`` is (run, actor, munition), ``holders`` (theater, actor),
    ``reference`` (run, theater, munition) and ``used`` (theater, munition);
    ``weight`` (run, theater, actor) is what a unit of each holder's stock counts
    (default 1). Sums only the (theater, munition) pairs that deter, holder by holder.
    """
    log_sum = np.zeros((stockpile.shape[0], used.shape[0]))
    for theater, munition in zip(*np.nonzero(used), strict=True):
        stock = np.zeros(stockpile.shape[0])
        for actor in np.nonzero(holders[theater])[0]:
            held = stockpile[:, actor, munition]
            stock += held if weight is None else weight[:, theater, actor] * held
        ratio = np.maximum(stock, 1e-9) / reference[:, theater, munition]
        log_sum[:, theater] += np.log(ratio)
    return np.exp(log_sum / np.maximum(used.sum(axis=1), 1))


def holder_weights(p: OpportunismParams, defender: NDArray[np.int64]) -> F64:
    """(run, theater, actor) what a unit of each holder's stock deters: 1 for the defender,
    w for a patron (0 for the others)."""
    weight = p.holders[None, :, :] * p.patron_stock_weight[:, :, None]
    weight[:, np.arange(defender.shape[0]), defender] = 1.0
    return weight


def forces_in_reach(
    defender_personnel: F64, reserves: F64, patron_forces: F64, combatants: NDArray[np.bool_]
) -> F64:
    """(run, theater) N: the defender's personnel on the theater's fronts plus min(F, R_p)
    for each combatant patron p.

    ``defender_personnel`` is (run, theater), ``reserves`` (run, actor),
    ``patron_forces`` (run, theater) and ``combatants`` (theater, actor).
    """
    out = defender_personnel.copy()
    for theater, actor in zip(*np.nonzero(combatants), strict=True):
        out[:, theater] += np.minimum(patron_forces[:, theater], reserves[:, actor])
    return out


def forces_factor(forces: F64, reference: F64, elasticity: F64) -> F64:
    """(N / N_ref)^-eta_F; 1 where there is no reference (``reference`` = inf)."""
    given = np.isfinite(reference)
    ratio = np.maximum(forces, 1e-9) / np.where(given, reference, 1.0)
    return np.where(given, ratio ** np.where(given, -elasticity, 0.0), 1.0)


def start_probability(
    base_hazard: F64,
    ready: F64,
    deterrent: F64,
    elasticity: F64,
    busy: F64,
    busy_wars: F64,
    opportunity: F64,
) -> F64:
    """P = 1 - exp(-h0 r D^-eta beta^n o); the forces term comes in with ``opportunity``."""
    rate = base_hazard * ready * deterrent ** (-elasticity) * busy**busy_wars * opportunity
    return -np.expm1(-rate)


def aggression_paid(
    status: NDArray[np.int8], settlement_share: F64, backs_same: NDArray[np.bool_]
) -> F64:
    """(run, theater) l = max over settled wars k that the theater's backers also backed of
    1 - min(x*_k, 1): the share of disputed soil an aggressor kept by force; 0 if none."""
    kept = np.where(
        status == TheaterStatus.SETTLED,
        1.0 - np.minimum(np.nan_to_num(settlement_share, nan=1.0), 1.0),
        0.0,
    )
    out = np.zeros(kept.shape)
    for j, k in zip(*np.nonzero(backs_same), strict=True):
        out[:, j] = np.maximum(out[:, j], kept[:, k])
    return out


def war_probability(state: State, params: Params) -> F64:
    """(run, theater) probability that each theater's aggressor opens war this month,
    were it eligible (the equation of the module docstring)."""
    p = params.of(OpportunismParams)
    status = state.theater_status
    after_war = (status == TheaterStatus.SETTLED) & p.can_recur[None, :]
    at_war = status == TheaterStatus.WAR
    index = params.index
    deterrent = deterrence_of_holders(
        state.stockpile,
        p.holders,
        p.deterrent_stock_reference,
        p.deterrent_munitions,
        holder_weights(p, index.theater_actor[:, DEFENDER]),
    )
    on_fronts = sum_over(state.personnel[:, :, DEFENDER], index.front_in_theater)
    forces = forces_factor(
        forces_in_reach(on_fronts, state.reserves_personnel, p.patron_forces, p.combatants),
        p.forces_reference,
        p.forces_elasticity,
    )
    # Other wars that keep this theater's defender or patrons busy.
    busy_wars = sum_over(at_war.astype(np.float64), p.shares_patron.T)
    factors = level_effect(params.of(EscalationParams).opportunism_factor, state.escalation_level)
    strongest = np.where(at_war, factors, -np.inf).max(axis=1, keepdims=True)
    opportunity = np.where(np.isfinite(strongest), strongest, 1.0)
    imposed = np.maximum(
        np.nan_to_num(state.settlement_share - state.aggressor_ceiling_share, nan=0.0), 0.0
    )
    peace_factor = np.where(after_war, (1.0 - p.guarantee) * np.exp(p.revisionism * imposed), 1.0)
    reputation = np.exp(
        p.credibility * aggression_paid(status, state.settlement_share, p.backs_same)
    )
    return start_probability(
        p.base_hazard,
        np.where(
            after_war,
            readiness(
                p.readiness_after_war,
                p.readiness_end,
                p.readiness_ramp_months,
                state.month - state.settled_month,
            ),
            readiness(p.readiness_start, p.readiness_end, p.readiness_ramp_months, state.month),
        ),
        deterrent,
        p.deterrence_elasticity,
        p.busy_multiplier,
        busy_wars,
        opportunity * peace_factor * reputation * forces,
    )


def phase(state: State, params: Params, rng: Stream) -> State:
    """Let each would-be aggressor decide whether to open its war this month."""
    p = params.of(OpportunismParams)
    status = state.theater_status
    calm = (status == TheaterStatus.PEACE) | (status == TheaterStatus.CRISIS)
    after_war = (status == TheaterStatus.SETTLED) & p.can_recur[None, :]
    eligible = (calm | after_war) & p.has_block[None, :]
    if not eligible.any():
        return state
    probability = war_probability(state, params)
    u = rng.uniform(state.month, "opportunism", lanes=len(params.index.theaters))
    return begin_wars(
        state, eligible & (u < probability), snapshot=state.month + 1, reopen=p.can_recur
    )
