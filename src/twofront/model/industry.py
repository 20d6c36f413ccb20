r"""Munitions industry: capacity ramps toward a target, output is budget-limited.

Equations (per actor and munition, one step of :math:`\Delta t` months):

.. math::
   c_{t+1} = T + (c_t - T)\, e^{-\Delta t / \tau}

   q_t = s_t \min\!\left(c_{t+1},\ \frac{B / 12}{p}\right), \qquad S_{t+1} = S_t + q_t

with :math:`s_t \le 1` the share of the actor's output the month's enemy strikes on
its cities, grid and industry left (:mod:`twofront.model.strikes`; 1 without strikes).

An actor mobilising its industry also funds its lines: their budgets scale by
:math:`\max(1, T_{mob} / T_{plan})`, so each line's limit moves with the target.
Above the lines, an actor with a ``munitions_budget_share`` :math:`s` has one
hard limit for the month, :math:`L = s\,B_{def} / 12` (its defence budget
:math:`B_{def}` in USD/year), on production spending plus the aid it gives:

.. math::
   q_{a,m} = \hat q_{a,m} \min\!\Big(1,\ \frac{L_a}{\sum_{m'} \hat q_{a,m'} p_{a,m'}}\Big)

with :math:`\hat q` the output the lines would make; the aid phase
(:mod:`twofront.model.aid`) may then give only what is left,
:math:`L_a - \sum_m q_{a,m} p_{a,m}`, at unit cost. Production is paid first
(contracts run for years; aid from stock is what the year's money has left),
so mobilisation raises the target but is funded only within :math:`L`, and
aid to Ukraine and missiles for the Pacific compete for one budget. Without a
share there is no such limit (each line's own budget only).

with capacity :math:`c` and target :math:`T` in units/month, ramp-up time
constant :math:`\tau` in months, line budget :math:`B` in USD/year and unit
cost :math:`p` in USD. The exact solution of :math:`\dot c = (T - c)/\tau`
(a first-order lag, the standard capacity-adjustment model of system
dynamics: Sterman (2000), *Business Dynamics*, McGraw-Hill, ch. 11) makes the
step independent of how finely months are split. Example: c = 40,000,
T = 100,000, tau = 12 → c' = 100,000 − 60,000·e^(−1/12) = 44,797. With a
limit: B_def = 1.2 bn USD/year, s = 0.05 → L = 5 M USD a month; lines that
would make 1,000 shells at 4,000 and 1 missile at 2 M (6 M USD) make 5/6 of
that: 833.3 shells and 0.833 missiles, and nothing is left for aid.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class IndustryParams:
    """Production lines, run axis first; 0 capacity and budget where an actor has no line.

    The per-month constants below the inputs are derived on construction (also by
    ``dataclasses.replace``), so they can never go stale beside their inputs.
    """

    has_line: NDArray[np.bool_]  # (actor, munition) the actor has a production line
    planned_capacity_per_month: F64  # (run, actor, munition) target in peacetime policy
    mobilised_capacity_per_month: F64  # (run, actor, munition) target when mobilised
    ramp_months: F64  # (run, actor, munition) time constant tau of the lag (1 without a line)
    unit_cost_usd: F64  # (run, actor, munition) (1 without a line)
    budget_usd_per_year: F64  # (run, actor, munition)
    munitions_budget_usd_per_month: F64  # (run, actor) L = s B_def / 12; inf without a share
    decay_per_month: F64 = field(init=False)  # exp(-1 / tau)
    budget_cap_per_month: F64 = field(init=False)  # B / 12 / p; 0 without a line
    mobilised_budget_cap_per_month: F64 = field(init=False)  # scaled by mobilised_funding

    def __post_init__(self) -> None:
        cap = np.where(
            self.has_line,
            budget_output_per_month(self.budget_usd_per_year, self.unit_cost_usd),
            0.0,
        )
        scale = mobilised_funding(
            self.planned_capacity_per_month, self.mobilised_capacity_per_month
        )
        object.__setattr__(self, "decay_per_month", lag_decay(self.ramp_months))
        object.__setattr__(self, "budget_cap_per_month", cap)
        object.__setattr__(self, "mobilised_budget_cap_per_month", cap * scale)


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> IndustryParams:
    """Draw every production line's parameters."""
    return IndustryParams(
        has_line=np.array(
            [[m in a.industry for m in index.munitions] for a in scenario.actors.values()],
            dtype=np.bool_,
        ).reshape(len(index.actors), len(index.munitions)),
        planned_capacity_per_month=sampler.per_line("planned_capacity_per_month"),
        mobilised_capacity_per_month=sampler.per_line("mobilised_capacity_per_month"),
        ramp_months=sampler.per_line("ramp_months", absent=1.0),
        unit_cost_usd=sampler.per_line("unit_cost_usd", absent=1.0),
        budget_usd_per_year=sampler.per_line("budget_usd_per_year"),
        munitions_budget_usd_per_month=munitions_limit_per_month(
            sampler.per_actor(
                lambda a: (
                    a.defence_budget_usd_per_year if a.munitions_budget_share is not None else None
                ),
                "defence_budget_usd_per_year",
            ),
            sampler.per_actor(lambda a: a.munitions_budget_share, "munitions_budget_share", np.nan),
        ),
    )


def munitions_limit_per_month(defence_budget_usd_per_year: F64, share: F64) -> F64:
    """L = s B_def / 12 in USD a month; inf where the share is not given (NaN)."""
    return np.where(np.isnan(share), np.inf, share * defence_budget_usd_per_year / 12.0)


def within_limit(output: F64, unit_cost_usd: F64, limit_usd: F64) -> F64:
    """(run, actor, munition) ``output`` scaled down by one factor per actor so that its cost
    stays within ``limit_usd`` (run, actor); unchanged where the limit does not bind."""
    cost = (output * unit_cost_usd).sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(cost > limit_usd, limit_usd / cost, 1.0)
    return np.where((scale < 1.0)[:, :, None], output * scale[:, :, None], output)


def lag_decay(ramp_months: F64, dt_months: float = 1.0) -> F64:
    """e^(-dt / tau): the share of the gap to the target left after ``dt_months``."""
    return np.exp(-dt_months / ramp_months)


def lag_toward(capacity: F64, target: F64, decay: F64) -> F64:
    """Capacity after a step of first-order lag toward ``target`` (any shape):
    T + (c - T) * decay, with ``decay`` from :func:`lag_decay`."""
    return target + (capacity - target) * decay


def budget_output_per_month(budget_usd_per_year: F64, unit_cost_usd: F64) -> F64:
    """Units a line's budget buys in a month: B / 12 / p."""
    return budget_usd_per_year / 12.0 / unit_cost_usd


def mobilised_funding(planned_per_month: F64, mobilised_per_month: F64) -> F64:
    """Budget multiplier of a mobilised line: max(1, T_mob / T_plan) (1 where T_plan = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(planned_per_month > 0, mobilised_per_month / planned_per_month, 1.0)
    return np.maximum(scale, 1.0)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Ramp capacity, produce what the budget buys, add output to stockpiles, count spending."""
    p = params.of(IndustryParams)
    capacity = lag_toward(
        state.capacity_per_month, state.capacity_target_per_month, p.decay_per_month
    )
    budget_cap = np.where(
        state.mobilising[:, :, None], p.mobilised_budget_cap_per_month, p.budget_cap_per_month
    )
    output = np.minimum(capacity, budget_cap)
    output = np.where(
        state.output_share[:, :, None] < 1.0, output * state.output_share[:, :, None], output
    )
    produced = within_limit(output, p.unit_cost_usd, p.munitions_budget_usd_per_month)
    return replace(
        state,
        capacity_per_month=capacity,
        produced_per_month=produced,
        stockpile=state.stockpile + produced,
        spent_usd=state.spent_usd + (produced * p.unit_cost_usd).sum(axis=2),
    )
