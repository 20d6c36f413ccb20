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

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, sum_over
from twofront.model.industry import IndustryParams
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class AidParams:
    """Aid lines, the world's supply (``[[supply]]``) first, then the strategy's; donors' floors.

    The policy (:mod:`twofront.policy.schedule`) orders along these lines; this
    phase delivers. The one-hot matrices are wiring built once per chunk.
    """

    donor: NDArray[np.int64]  # (line,) actor index
    munition: NDArray[np.int64]  # (line,)
    start_month: NDArray[np.int64]  # (line,) first month index the line runs
    end_month: NDArray[np.int64]  # (line,) last month index the line runs
    theater: NDArray[np.int64]  # (line,) theater whose defender receives, -1 if none
    per_month: F64  # (run, line) units ordered a month while the line runs
    min_stockpile: F64  # (run, actor, munition) units a donor keeps for itself
    donor_cells: F64  # (line, actor * munition) one-hot of the donor's stock cell
    recipient_cells: F64  # (line, actor * munition) one-hot of the recipient's stock cell
    donor_actor: F64  # (line, actor) one-hot of the donor

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
    """Aid parameters for the given lines, with their one-hot wiring built once."""
    n_munitions = len(index.munitions)
    cells = len(index.actors) * n_munitions
    return AidParams(
        donor=donor,
        munition=munition,
        start_month=start_month,
        end_month=end_month,
        theater=theater,
        per_month=per_month,
        min_stockpile=min_stockpile,
        donor_cells=line_matrix(donor, munition, n_munitions, cells),
        recipient_cells=line_matrix(recipient, munition, n_munitions, cells),
        donor_actor=line_matrix(donor, np.zeros_like(donor), 1, len(index.actors)),
    )


def line_matrix(
    actor: NDArray[np.int64], munition: NDArray[np.int64], n_munitions: int, n_cells: int
) -> F64:
    """(line, actor * munition) one-hot of each line's flattened (actor, munition) cell."""
    onehot = np.zeros((actor.shape[0], n_cells))
    onehot[np.arange(actor.shape[0]), actor * n_munitions + munition] = 1.0
    return onehot


def deliveries(
    orders_per_month: F64,
    stockpile: F64,
    min_stockpile: F64,
    donor_matrix: F64,
) -> F64:
    """Units delivered per line, shape (run, line); see the module equations.

    ``stockpile`` and ``min_stockpile`` are (run, actor, munition);
    ``donor_matrix`` is :func:`line_matrix` of the donors.
    """
    runs = stockpile.shape[0]
    spare = np.maximum(stockpile - min_stockpile, 0.0).reshape(runs, -1)
    ordered = sum_over(orders_per_month, donor_matrix)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(ordered > 0, np.minimum(1.0, spare / ordered), 0.0)
    return orders_per_month * fill[:, donor_matrix.argmax(axis=1)]


def within_budget(
    sent: F64, unit_cost_usd: F64, left_usd: F64, donor_actor: F64, donor: NDArray[np.int64]
) -> F64:
    """(run, line) deliveries cut pro rata per donor so that their value (at ``unit_cost_usd``,
    (run, line)) stays within what is ``left_usd`` (run, actor) of its monthly limit;
    unchanged where the limit does not bind (inf: no limit)."""
    value = sum_over(sent * unit_cost_usd, donor_actor)
    left = np.maximum(left_usd, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(value > left, left / value, 1.0)
    return np.where(fill[:, donor] < 1.0, sent * fill[:, donor], sent)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Deliver this month's aid orders, donor to recipient; count their replacement cost."""
    p, industry = params.of(AidParams), params.of(IndustryParams)
    sent = deliveries(state.aid_order_per_month, state.stockpile, p.min_stockpile, p.donor_cells)
    unit_cost = industry.unit_cost_usd[:, p.donor, p.munition]
    spent = (state.produced_per_month * industry.unit_cost_usd).sum(axis=2)
    sent = within_budget(
        sent, unit_cost, industry.munitions_budget_usd_per_month - spent, p.donor_actor, p.donor
    )
    moved = sum_over(sent, p.recipient_cells - p.donor_cells).reshape(state.stockpile.shape)
    stockpile = np.maximum(state.stockpile + moved, 0.0)
    given = sum_over(sent * unit_cost, p.donor_actor)
    return replace(
        state,
        aid_sent_per_month=sent,
        stockpile=stockpile,
        aid_given_usd=state.aid_given_usd + given,
    )
