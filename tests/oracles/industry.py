"""The NumPy form of :mod:`twofront.model.industry` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State
from twofront.model.industry import IndustryParams

F64 = NDArray[np.float64]


def within_limit(output: F64, unit_cost_usd: F64, limit_usd: F64) -> F64:
    """(run, actor, munition) ``output`` scaled down by one factor per actor so that its cost
    stays within ``limit_usd`` (run, actor); unchanged where the limit does not bind."""
    cost = (output * unit_cost_usd).sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(cost > limit_usd, limit_usd / cost, 1.0)
    return np.where((scale < 1.0)[:, :, None], output * scale[:, :, None], output)


def lag_toward(capacity: F64, target: F64, decay: F64) -> F64:
    """Capacity after a step of first-order lag toward ``target`` (any shape):
    T + (c - T) * decay, with ``decay`` from :func:`lag_decay`."""
    return target + (capacity - target) * decay


def paid_limit(limit_usd: F64, budget_share: F64) -> F64:
    """rho L where rho < 1 and the limit L is finite, else L."""
    finite = np.isfinite(limit_usd)
    scaled = np.where(finite, limit_usd, 0.0) * budget_share
    return np.where((budget_share < 1.0) & finite, scaled, limit_usd)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Ramp capacity, produce what the budget buys, add output to stockpiles, count spending."""
    p = params.of(IndustryParams)
    capacity = lag_toward(
        state.capacity_per_month, state.capacity_target_per_month, p.decay_per_month
    )
    budget_cap = np.where(
        state.mobilising[:, :, None], p.mobilised_budget_cap_per_month, p.budget_cap_per_month
    )
    paid = state.budget_share[:, :, None]
    output = np.minimum(capacity, np.where(paid < 1.0, budget_cap * paid, budget_cap))
    output = np.where(
        state.output_share[:, :, None] < 1.0, output * state.output_share[:, :, None], output
    )
    produced = within_limit(
        output, p.unit_cost_usd, paid_limit(p.munitions_budget_usd_per_month, state.budget_share)
    )
    return replace(
        state,
        capacity_per_month=capacity,
        produced_per_month=produced,
        stockpile=state.stockpile + produced,
        spent_usd=state.spent_usd + (produced * p.unit_cost_usd).sum(axis=2),
    )
