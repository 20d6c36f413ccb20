r"""Aid: transfers of munitions from donors' stockpiles to recipients.

Each aid line :math:`l` orders :math:`o_l` units a month from donor
:math:`d_l`'s stock of munition :math:`m_l`. A donor keeps a floor
:math:`S^{min}` for its own deterrence; when the orders on one donor and
munition exceed what it can spare, every line is cut in the same proportion:

.. math::
   A_{d,m} = \max(S_{d,m} - S^{min}_{d,m},\ 0), \qquad
   O_{d,m} = \sum_{l:\,d_l=d,\,m_l=m} o_l

   x_l = o_l \cdot \min\!\left(1,\ A_{d_l,m_l} / O_{d_l,m_l}\right)

so no stock goes below its floor (nor below zero) and total units are
conserved: what donors lose, recipients gain. The value of aid given is
counted at the donor's unit cost (the cost of replacing it). A donor with a
munitions budget (:mod:`twofront.model.industry`) pays for that value out of
what this month's production left of it, :math:`L_d - \sum_m q_{d,m} p_{d,m}`:
when the value of its deliveries exceeds that, every line of the donor is cut
in the same proportion,

.. math::
   x_l \leftarrow x_l \min\!\Big(1,\ \frac{\max(L_d - \sum_m q_{d,m} p_{d,m},\ 0)}
   {\sum_{l':\,d_{l'}=d} x_{l'} p_{d,m_{l'}}}\Big)

Restrictions on use (deep strikes) are part of the strategy and act in
:mod:`twofront.model.combat`.
Example: orders 60k and 40k, 50k spare → 30k and 20k delivered; at a unit cost
of 1,000 with 30 M USD left of the month's limit, 18k and 12k.
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
from twofront.engine.state import State, state_view, writable
from twofront.model.industry import IndustryParams, cost_usd, paid_limit
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class AidParams:
    """Aid lines, the world's supply (``[[supply]]``) first, then the strategy's; donors' floors.

    The policy (:mod:`twofront.policy.schedule`) orders along these lines; this
    phase delivers.
    """

    donor: NDArray[np.int64]  # (line,) actor index
    recipient: NDArray[np.int64]  # (line,) actor index
    munition: NDArray[np.int64]  # (line,)
    start_month: NDArray[np.int64]  # (line,) first month index the line runs
    end_month: NDArray[np.int64]  # (line,) last month index the line runs
    theater: NDArray[np.int64]  # (line,) theater whose defender receives, -1 if none
    per_month: F64  # (run, line) units ordered a month while the line runs
    min_stockpile: F64  # (run, actor, munition) units a donor keeps for itself

    @property
    def lines(self) -> int:
        return self.donor.shape[0]


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> AidParams:
    """The world's supply lines and the strategy's aid lines, their monthly amounts and every
    donor's floor."""
    world_lines = [(f"supply[{i}]", line) for i, line in enumerate(scenario.supply)]
    strategy_lines = [
        (f"strategies.{strategy_id}.aid[{i}]", line)
        for i, line in enumerate(scenario.strategies[strategy_id].aid)
    ]
    paths = [path for path, _ in world_lines + strategy_lines]
    lines = [line for _, line in world_lines + strategy_lines]
    a_of = {n: i for i, n in enumerate(index.actors)}
    m_of = {n: i for i, n in enumerate(index.munitions)}
    defenders = [t.defender for t in scenario.theaters.values()]
    return wire_lines(
        index,
        donor=np.array([a_of[x.donor] for x in lines], dtype=np.int64),
        recipient=np.array([a_of[x.recipient] for x in lines], dtype=np.int64),
        munition=np.array([m_of[x.munition] for x in lines], dtype=np.int64),
        start_month=np.array([index.month_index(x.start, 0) for x in lines], dtype=np.int64),
        end_month=np.array(
            [index.month_index(x.end, index.horizon_months) for x in lines], dtype=np.int64
        ),
        theater=np.array(
            [defenders.index(x.recipient) if x.recipient in defenders else -1 for x in lines],
            dtype=np.int64,
        ),
        per_month=sampler.stack(
            [
                sampler.draw(line.per_month, f"{path}.per_month")
                for path, line in zip(paths, lines, strict=True)
            ]
        ),
        min_stockpile=sampler.per_line("min_stockpile"),
    )


def wire_lines(
    index: Index,
    donor: NDArray[np.int64],
    recipient: NDArray[np.int64],
    munition: NDArray[np.int64],
    start_month: NDArray[np.int64],
    end_month: NDArray[np.int64],
    theater: NDArray[np.int64],
    per_month: F64,
    min_stockpile: F64,
) -> AidParams:
    """Aid parameters for the given lines (``index`` is not read: kept for callers)."""
    return AidParams(
        donor=donor,
        recipient=recipient,
        munition=munition,
        start_month=start_month,
        end_month=end_month,
        theater=theater,
        per_month=per_month,
        min_stockpile=min_stockpile,
    )


@inlined
def deliveries(
    orders_per_month: F64,
    stockpile: F64,
    min_stockpile: F64,
    donor: NDArray[np.int64],
    munition: NDArray[np.int64],
    r: int,
    ordered: F64,
    sent: F64,
) -> None:
    """Units delivered per line in run ``r`` into ``sent`` (run, line); see the module
    equations.

    ``orders_per_month`` o is (run, line); ``stockpile`` S and ``min_stockpile`` S^min are
    (run, actor, munition); ``ordered`` (actor, munition) is working space for O, the
    orders on each donor's stock, summed line by line in line order.
    """
    for a in range(ordered.shape[0]):
        for m in range(ordered.shape[1]):
            ordered[a, m] = 0.0
    for line in range(donor.shape[0]):
        ordered[donor[line], munition[line]] += orders_per_month[r, line]
    for line in range(donor.shape[0]):
        d, m = donor[line], munition[line]
        spare = np.maximum(stockpile[r, d, m] - min_stockpile[r, d, m], 0.0)
        total = ordered[d, m]
        fill = np.minimum(1.0, spare / total) if total > 0 else 0.0
        sent[r, line] = orders_per_month[r, line] * fill


@inlined
def within_budget(
    sent: F64,
    unit_cost_usd: F64,
    left_usd: F64,
    donor: NDArray[np.int64],
    munition: NDArray[np.int64],
    r: int,
    value: F64,
) -> None:
    """Cut the deliveries ``sent`` (run, line) of run ``r`` in place, pro rata per donor, so
    that their value (at the donor's ``unit_cost_usd`` (run, actor, munition)) stays
    within what is ``left_usd`` (actor,) of its monthly limit; unchanged where the limit
    does not bind (inf: no limit). ``value`` (actor,) is working space."""
    for a in range(value.shape[0]):
        value[a] = 0.0
    for line in range(donor.shape[0]):
        value[donor[line]] += sent[r, line] * unit_cost_usd[r, donor[line], munition[line]]
    for line in range(donor.shape[0]):
        d = donor[line]
        left = np.maximum(left_usd[d], 0.0)
        fill = left / value[d] if value[d] > left else 1.0
        if fill < 1.0:
            sent[r, line] = sent[r, line] * fill


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[F64, F64, F64, F64]:
    """Scratch space for one run: orders, then moves, on each stock cell (actor, munition);
    two (actor,) rows (what is left of each limit, the value of aid given); one (munition,)
    row for sums over a donor's lines."""
    n_actors, n_munitions = s.stockpile.shape[1], s.stockpile.shape[2]
    return (
        np.empty((n_actors, n_munitions)),
        np.empty(n_actors),
        np.empty(n_actors),
        np.empty(n_munitions),
    )


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """The module's equations for run ``r`` of the state view ``s``; ``p`` is the pair of
    views (:class:`AidParams`, :class:`~twofront.model.industry.IndustryParams`): aid
    reads the donors' unit costs and munitions budgets. ``w`` is the scratch of
    :func:`step_work` (the index ``ix``, world ``wd`` and random numbers ``rv`` are not
    read).

    Reads ``aid_order_per_month`` (set by the policy), ``produced_per_month`` (this
    month's production) and ``budget_share`` (the war economy's: the limit is rho L);
    overwrites ``aid_sent_per_month``; writes ``stockpile`` and adds to
    ``aid_given_usd``.
    """
    aid, industry = p
    cells, left, value, scratch = w
    stockpile, sent, unit_cost = s.stockpile, s.aid_sent_per_month, industry.unit_cost_usd
    n_actors, n_munitions = stockpile.shape[1], stockpile.shape[2]
    deliveries(
        s.aid_order_per_month,
        stockpile,
        aid.min_stockpile,
        aid.donor,
        aid.munition,
        r,
        cells,
        sent,
    )
    # What this month's production left of each donor's limit pays for its aid.
    for a in range(n_actors):
        spent = cost_usd(s.produced_per_month, unit_cost, r, a, scratch)
        limit = paid_limit(industry.munitions_budget_usd_per_month[r, a], s.budget_share[r, a])
        left[a] = limit - spent
    within_budget(sent, unit_cost, left, aid.donor, aid.munition, r, value)
    # Units move from the donor's stock to the recipient's, line by line.
    for a in range(n_actors):
        for m in range(n_munitions):
            cells[a, m] = 0.0
    for line in range(aid.donor.shape[0]):
        d, to, m = aid.donor[line], aid.recipient[line], aid.munition[line]
        if d != to:
            cells[to, m] += sent[r, line]
            cells[d, m] -= sent[r, line]
    for a in range(n_actors):
        for m in range(n_munitions):
            stockpile[r, a, m] = np.maximum(stockpile[r, a, m] + cells[a, m], 0.0)
    # Aid given, at the donor's unit cost (what replacing it costs).
    for a in range(n_actors):
        value[a] = 0.0
    for line in range(aid.donor.shape[0]):
        d = aid.donor[line]
        value[d] += sent[r, line] * unit_cost[r, d, aid.munition[line]]
    for a in range(n_actors):
        s.aid_given_usd[r, a] += value[a]


@kernel
def _one(r: int, s: Any, aid: Any, industry: Any, ix: Any, wd: Any, rv: Any) -> None:
    p = (aid, industry)
    step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


@driver
def _all(s: Any, aid: Any, industry: Any, ix: Any, wd: Any, rv: Any) -> None:
    # The two views go in apart: Numba's parallel loops do not take a tuple of them.
    for r in numba.prange(s.stockpile.shape[0]):
        _one(r, s, aid, industry, ix, wd, rv)


WRITES = ("aid_sent_per_month", "stockpile", "aid_given_usd")
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Deliver this month's aid orders, donor to recipient; count their replacement cost."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(AidParams)),
        view(params.of(IndustryParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
