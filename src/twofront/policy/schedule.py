"""The policy phase: turn the strategy into this month's orders.

An aid line orders its ``per_month`` in the months from its ``start`` to its
``end`` (inclusive) and nothing outside them. Industry of the actors the
strategy mobilises ramps toward its mobilised capacity; the rest toward the
planned capacity.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State


def phase(state: State, params: Params, rng: Stream) -> State:
    """Set aid orders and capacity targets for month ``state.month``."""
    index = params.index
    running = (index.aid_start <= state.month) & (state.month <= index.aid_end)
    target = np.where(
        index.mobilised[None, :, None],
        params.mobilised_capacity_per_month,
        params.planned_capacity_per_month,
    )
    return replace(
        state,
        aid_order_per_month=params.aid_per_month * running[None, :],
        capacity_target_per_month=target,
    )
