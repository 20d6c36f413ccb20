r"""Opportunism: would-be aggressors decide month by month whether to start a war.

For a theater at peace or in crisis with an opportunism block, the monthly
probability that its aggressor opens war is

.. math::
   P = 1 - \exp(-\lambda), \qquad
   \lambda = h_0 \; r(t) \; D^{-\eta} \; \beta^{n} \; o

* readiness :math:`r(t) = r_0 + (r_1 - r_0)\min(1, t / T)` ramps over
  :math:`T` months (e.g. the PLA's 2027 readiness goal, US DoD, *Military
  and Security Developments Involving the PRC 2023*);
* deterrence :math:`D = \exp\big(\tfrac{1}{|M|}\sum_{m \in M}
  \ln(S_m / S^{ref}_m)\big)`, the geometric mean over the theater's deterrent
  munitions :math:`M` (anti-ship missiles, interceptors) of the stocks held
  by the defender and its patrons relative to a reference, with elasticity
  :math:`\eta`: depleted stocks invite aggression (CSIS, "Empty Bins in a
  Wartime Environment", Jan 2023);
* :math:`n` is the number of other theaters at war in which a patron of this
  theater fights or supplies, and :math:`\beta \ge 1` the hazard multiplier
  per such war: a busy patron deters less (the two-front risk);
* :math:`o` is the largest opportunism factor of the escalation levels
  reached in the wars under way (1 when there are none).

This is a proportional-hazards model (Cox 1972); the rational-deterrence
reading is Mearsheimer (1983), *Conventional Deterrence*, Cornell UP. When
it fires the theater's war begins and its fronts fight with
:mod:`twofront.model.combat`. Example: h0 = 0.01, r = 1, D = 0.5, eta = 1,
beta = 1.5, n = 1, o = 1 → lambda = 0.03, P = 0.0296.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import DEFENDER, Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus, begin_wars, sum_over
from twofront.model.escalation import level_effect

F64 = NDArray[np.float64]


def readiness(start: F64, end: F64, ramp_months: F64, month: int | NDArray[np.int64]) -> F64:
    """r(t) = r0 + (r1 - r0) min(1, t / T); after a settled war t counts from the settlement
    and r0 is ``readiness_after_war``."""
    return start + (end - start) * np.minimum(1.0, month / ramp_months)


def deterrence(stock: F64, reference: F64, used: NDArray[np.bool_]) -> F64:
    """Geometric mean of stock / reference over the used munitions (last axis); 1 if none."""
    ratio = np.maximum(stock, 1e-9) / reference
    count = used.sum(axis=-1)
    log_mean = np.where(used, np.log(ratio), 0.0).sum(axis=-1) / np.maximum(count, 1)
    return np.exp(log_mean)


def deterrence_of_holders(
    stockpile: F64, holders: NDArray[np.bool_], reference: F64, used: NDArray[np.bool_]
) -> F64:
    """(run, theater) :func:`deterrence` of the stocks held by each theater's holders.

    ``stockpile`` is (run, actor, munition), ``holders`` (theater, actor),
    ``reference`` (run, theater, munition) and ``used`` (theater, munition).
    Sums only the (theater, munition) pairs that deter, holder by holder.
    """
    log_sum = np.zeros((stockpile.shape[0], used.shape[0]))
    for theater, munition in zip(*np.nonzero(used), strict=True):
        stock = np.zeros(stockpile.shape[0])
        for actor in np.nonzero(holders[theater])[0]:
            stock += stockpile[:, actor, munition]
        ratio = np.maximum(stock, 1e-9) / reference[:, theater, munition]
        log_sum[:, theater] += np.log(ratio)
    return np.exp(log_sum / np.maximum(used.sum(axis=1), 1))


def start_probability(
    base_hazard: F64,
    ready: F64,
    deterrent: F64,
    elasticity: F64,
    busy: F64,
    busy_wars: F64,
    opportunity: F64,
) -> F64:
    """P = 1 - exp(-h0 r D^-eta beta^n o)."""
    rate = base_hazard * ready * deterrent ** (-elasticity) * busy**busy_wars * opportunity
    return -np.expm1(-rate)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Let each would-be aggressor decide whether to open its war this month."""
    index = params.index
    status = state.theater_status
    calm = (status == TheaterStatus.PEACE) | (status == TheaterStatus.CRISIS)
    after_war = (status == TheaterStatus.SETTLED) & index.can_recur[None, :]
    eligible = (calm | after_war) & index.has_opportunism[None, :]
    if not eligible.any():
        return state
    at_war = status == TheaterStatus.WAR

    # Stocks of the defender and patrons of each theater: (run, theater, munition).
    holders = index.theater_patron.copy()
    holders[np.arange(len(index.theaters)), index.theater_actor[:, DEFENDER]] = True
    deterrent = deterrence_of_holders(
        state.stockpile, holders, params.deterrent_stock_reference, index.deterrent_munitions
    )

    # Other wars that keep this theater's patrons busy.
    involved = holders.copy()
    involved[np.arange(len(index.theaters)), index.theater_actor[:, 1]] = True
    shares_patron = (index.theater_patron.astype(np.float64) @ involved.T.astype(np.float64)) > 0
    np.fill_diagonal(shares_patron, False)
    busy_wars = sum_over(at_war.astype(np.float64), shares_patron.T)
    factors = level_effect(params.escalation_opportunism_factor, state.escalation_level)
    strongest = np.where(at_war, factors, -np.inf).max(axis=1, keepdims=True)
    opportunity = np.where(np.isfinite(strongest), strongest, 1.0)

    probability = start_probability(
        params.opportunism_base_hazard,
        np.where(
            after_war,
            readiness(
                params.readiness_after_war,
                params.readiness_end,
                params.readiness_ramp_months,
                state.month - state.settled_month,
            ),
            readiness(
                params.readiness_start,
                params.readiness_end,
                params.readiness_ramp_months,
                state.month,
            ),
        ),
        deterrent,
        params.deterrence_elasticity,
        params.busy_multiplier,
        busy_wars,
        opportunity,
    )
    u = rng.uniform(state.month, "opportunism", lanes=len(index.theaters))
    return begin_wars(
        state, eligible & (u < probability), snapshot=state.month + 1, reopen=index.can_recur
    )
