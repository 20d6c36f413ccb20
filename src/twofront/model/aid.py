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
counted at the donor's unit cost (the cost of replacing it). Restrictions on use (deep
strikes) are part of the strategy and act in :mod:`twofront.model.combat`.
Example: orders 60k and 40k, 50k spare → 30k and 20k delivered.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, sum_over

F64 = NDArray[np.float64]


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


def phase(state: State, params: Params, rng: Stream) -> State:
    """Deliver this month's aid orders, donor to recipient."""
    index = params.index
    n_munitions = len(index.munitions)
    cells = len(index.actors) * n_munitions
    donor = line_matrix(index.aid_donor, index.aid_munition, n_munitions, cells)
    recipient = line_matrix(index.aid_recipient, index.aid_munition, n_munitions, cells)
    sent = deliveries(state.aid_order_per_month, state.stockpile, params.min_stockpile, donor)
    moved = sum_over(sent, recipient - donor).reshape(state.stockpile.shape)
    stockpile = np.maximum(state.stockpile + moved, 0.0)
    unit_cost = params.unit_cost_usd[:, index.aid_donor, index.aid_munition]
    given = sum_over(sent * unit_cost, _donor_actor_matrix(index.aid_donor, len(index.actors)))
    return replace(
        state,
        aid_sent_per_month=sent,
        stockpile=stockpile,
        aid_given_usd=state.aid_given_usd + given,
    )


def _donor_actor_matrix(donor: NDArray[np.int64], n_actors: int) -> F64:
    """(line, actor) one-hot of each line's donor."""
    onehot = np.zeros((donor.shape[0], n_actors))
    onehot[np.arange(donor.shape[0]), donor] = 1.0
    return onehot
