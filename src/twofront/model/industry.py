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

An actor whose war economy pays only the share :math:`\rho_t < 1` of its planned
defence budget (:mod:`twofront.model.economy`) has every line's budget and its limit
scaled by :math:`\rho_t`: :math:`B \to \rho_t B`, :math:`L \to \rho_t L`.

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

from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import driver, inlined, kernel, pairwise_sum, view
from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, state_view, writable
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


def lag_decay(ramp_months: F64, dt_months: float = 1.0) -> F64:
    """e^(-dt / tau): the share of the gap to the target left after ``dt_months``."""
    return np.exp(-dt_months / ramp_months)


def budget_output_per_month(budget_usd_per_year: F64, unit_cost_usd: F64) -> F64:
    """Units a line's budget buys in a month: B / 12 / p."""
    return budget_usd_per_year / 12.0 / unit_cost_usd


def mobilised_funding(planned_per_month: F64, mobilised_per_month: F64) -> F64:
    """Budget multiplier of a mobilised line: max(1, T_mob / T_plan) (1 where T_plan = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(planned_per_month > 0, mobilised_per_month / planned_per_month, 1.0)
    return np.maximum(scale, 1.0)


@inlined
def lag_toward(capacity: float, target: float, decay: float) -> float:
    """Capacity after a step of first-order lag toward ``target``: T + (c - T) * decay,
    with ``decay`` from :func:`lag_decay`."""
    return target + (capacity - target) * decay


@inlined
def paid_limit(limit_usd: float, budget_share: float) -> float:
    """The munitions limit L of an actor paying the share rho of its planned defence
    budget: rho L (L itself where rho = 1 or there is no limit, L = inf)."""
    return limit_usd * budget_share if budget_share < 1.0 and limit_usd < np.inf else limit_usd


@inlined
def cost_usd(units: F64, unit_cost_usd: F64, r: int, a: int, scratch: F64) -> float:
    """sum_m q_m p_m of actor ``a`` in run ``r`` of the (run, actor, munition) ``units`` at
    ``unit_cost_usd``, summed as NumPy sums a row (``scratch`` (munition,) holds the
    products)."""
    for m in range(units.shape[2]):
        scratch[m] = units[r, a, m] * unit_cost_usd[r, a, m]
    return pairwise_sum(scratch)


@inlined
def within_limit(
    output: F64, unit_cost_usd: F64, limit_usd: float, r: int, a: int, scratch: F64
) -> None:
    """Scale actor ``a``'s ``output`` in run ``r`` ((run, actor, munition), in place) by one
    factor, L / cost, so that its cost stays within ``limit_usd`` L; unchanged where the
    limit does not bind (inf: no limit). ``scratch`` (munition,) is working space."""
    cost = cost_usd(output, unit_cost_usd, r, a, scratch)
    scale = limit_usd / cost if cost > limit_usd else 1.0
    if scale < 1.0:
        for m in range(output.shape[2]):
            output[r, a, m] = output[r, a, m] * scale


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[F64]:
    """Scratch space for one run: the costs of one actor's lines (munition,)."""
    return (np.empty(s.stockpile.shape[2]),)


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """The module's equations for run ``r`` of the state view ``s``, with the parameter
    view ``p`` (:class:`IndustryParams`) and the scratch ``w`` of :func:`step_work` (the
    index ``ix``, world ``wd`` and random numbers ``rv`` are not read).

    Reads ``capacity_target_per_month``, ``mobilising``, ``output_share`` (set by the
    month's strikes) and ``budget_share`` (set by the war economy); overwrites
    ``capacity_per_month`` and ``produced_per_month``; adds to ``stockpile`` and
    ``spent_usd``.
    """
    (scratch,) = w
    produced = s.produced_per_month
    n_actors, n_munitions = produced.shape[1], produced.shape[2]
    for a in range(n_actors):
        mobilising = s.mobilising[r, a]
        share = s.output_share[r, a]
        paid = s.budget_share[r, a]
        for m in range(n_munitions):
            # c' = T + (c - T) e^(-dt / tau); q = s min(c', B / 12 / p)
            capacity = lag_toward(
                s.capacity_per_month[r, a, m],
                s.capacity_target_per_month[r, a, m],
                p.decay_per_month[r, a, m],
            )
            s.capacity_per_month[r, a, m] = capacity
            budget_cap = (
                p.mobilised_budget_cap_per_month[r, a, m]
                if mobilising
                else p.budget_cap_per_month[r, a, m]
            )
            output = np.minimum(capacity, budget_cap * paid if paid < 1.0 else budget_cap)
            produced[r, a, m] = output * share if share < 1.0 else output
        # One limit L on the actor's production spending, every line scaled alike.
        within_limit(
            produced, p.unit_cost_usd, paid_limit(p.munitions_budget_usd_per_month[r, a], paid),
            r, a, scratch,
        )  # fmt: skip
        for m in range(n_munitions):
            s.stockpile[r, a, m] += produced[r, a, m]
        s.spent_usd[r, a] += cost_usd(produced, p.unit_cost_usd, r, a, scratch)


@driver
def _all(s: Any, p: Any, ix: Any, wd: Any, rv: Any) -> None:
    for r in numba.prange(s.stockpile.shape[0]):
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = ("capacity_per_month", "produced_per_month", "stockpile", "spent_usd")
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Ramp capacity, produce what the budget buys, add output to stockpiles, count spending."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(IndustryParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
