r"""Munitions industry: capacity ramps toward a target, output is budget-limited.

Equations (per actor and munition, one step of :math:`\Delta t` months):

.. math::
   c_{t+1} = T + (c_t - T)\, e^{-\Delta t / \tau}

   q_t = \min\!\left(c_{t+1},\ \frac{B / 12}{p}\right), \qquad S_{t+1} = S_t + q_t

with capacity :math:`c` and target :math:`T` in units/month, ramp-up time
constant :math:`\tau` in months, line budget :math:`B` in USD/year and unit
cost :math:`p` in USD. The exact solution of :math:`\dot c = (T - c)/\tau`
(a first-order lag, the standard capacity-adjustment model of system
dynamics: Sterman (2000), *Business Dynamics*, McGraw-Hill, ch. 11) makes the
step independent of how finely months are split. Example: c = 40,000,
T = 100,000, tau = 12 → c' = 100,000 − 60,000·e^(−1/12) = 44,797.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State

F64 = NDArray[np.float64]


def lag_toward(capacity: F64, target: F64, ramp_months: F64, dt_months: float = 1.0) -> F64:
    """Capacity after ``dt_months`` of first-order lag toward ``target`` (any shape)."""
    return target + (capacity - target) * np.exp(-dt_months / ramp_months)


def budget_limited_output(
    capacity_per_month: F64, budget_usd_per_year: F64, unit_cost_usd: F64
) -> F64:
    """Units produced in a month: capacity, unless the budget buys fewer."""
    return np.minimum(capacity_per_month, budget_usd_per_year / 12.0 / unit_cost_usd)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Ramp capacity, produce, add output to stockpiles, count the spending.

    An actor mobilising its industry also funds it: its line budgets scale by
    mobilised / planned capacity, so the budget limit moves with the target.
    """
    capacity = (
        state.capacity_target_per_month
        + (state.capacity_per_month - state.capacity_target_per_month) * params.ramp_decay_per_month
    )
    budget_cap = np.where(
        state.mobilising[:, :, None],
        params.mobilised_budget_output_per_month,
        params.budget_output_per_month,
    )
    produced = np.minimum(capacity, budget_cap)
    return replace(
        state,
        capacity_per_month=capacity,
        produced_per_month=produced,
        stockpile=state.stockpile + produced,
        spent_usd=state.spent_usd + (produced * params.unit_cost_usd).sum(axis=2),
    )
