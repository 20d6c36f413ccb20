"""The NumPy form of :mod:`twofront.model.aid` (the engine's phase before it was compiled),
kept as the oracle the compiled phase is checked against.

The aid parameters no longer carry the one-hot wiring of the lines (the kernel reads each
line's donor, recipient and munition); :func:`wiring` builds it here with the same
:func:`line_matrix` the parameters used to hold.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from tests.oracles.industry import paid_limit
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, sum_over
from twofront.model.aid import AidParams
from twofront.model.industry import IndustryParams

F64 = NDArray[np.float64]


def line_matrix(
    actor: NDArray[np.int64], munition: NDArray[np.int64], n_munitions: int, n_cells: int
) -> F64:
    """(line, actor * munition) one-hot of each line's flattened (actor, munition) cell."""
    onehot = np.zeros((actor.shape[0], n_cells))
    onehot[np.arange(actor.shape[0]), actor * n_munitions + munition] = 1.0
    return onehot


def wiring(p: AidParams, n_actors: int, n_munitions: int) -> tuple[F64, F64, F64]:
    """(donor_cells, recipient_cells, donor_actor), as ``wire_lines`` built them."""
    cells = n_actors * n_munitions
    return (
        line_matrix(p.donor, p.munition, n_munitions, cells),
        line_matrix(p.recipient, p.munition, n_munitions, cells),
        line_matrix(p.donor, np.zeros_like(p.donor), 1, n_actors),
    )


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
    donor_cells, recipient_cells, donor_actor = wiring(p, *state.stockpile.shape[1:])
    sent = deliveries(state.aid_order_per_month, state.stockpile, p.min_stockpile, donor_cells)
    unit_cost = industry.unit_cost_usd[:, p.donor, p.munition]
    spent = (state.produced_per_month * industry.unit_cost_usd).sum(axis=2)
    sent = within_budget(
        sent,
        unit_cost,
        paid_limit(industry.munitions_budget_usd_per_month, state.budget_share) - spent,
        donor_actor,
        p.donor,
    )
    moved = sum_over(sent, recipient_cells - donor_cells).reshape(state.stockpile.shape)
    stockpile = np.maximum(state.stockpile + moved, 0.0)
    given = sum_over(sent * unit_cost, donor_actor)
    return replace(
        state,
        aid_sent_per_month=sent,
        stockpile=stockpile,
        aid_given_usd=state.aid_given_usd + given,
    )
