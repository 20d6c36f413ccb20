"""The policy phase: turn the strategy into this month's orders.

Every rule is data evaluated over observed state (see
:mod:`twofront.policy.conditions`), all runs at once:

* an aid line orders its ``per_month`` in the months from its ``start`` to
  its ``end`` while its ``when`` holds, times the aid factor of the
  escalation level reached in the theater its recipient defends;
* actors listed in ``mobilise_industry`` ramp toward mobilised capacity
  while ``mobilise_when`` holds (always, if it is absent), the others toward
  planned capacity;
* restrictions on deep strikes are lifted while ``restrictions_lifted_when``
  holds;
* ``start_war`` opens a theater's war (e.g. a preemptive strike) when its
  condition first holds in a theater at peace or in crisis.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, begin_wars, occupied_km2
from twofront.policy.conditions import Observed, evaluate
from twofront.scenario.conditions import Condition


def observe(state: State, params: Params) -> Observed:
    """The state as conditions see it."""
    return Observed(
        month=state.month,
        theater_status=state.theater_status,
        stockpile=state.stockpile,
        will=state.will,
        occupied_km2=occupied_km2(state, params),
        escalation_level=state.escalation_level,
    )


def holds(condition: Condition | None, seen: Observed, runs: int) -> NDArray[np.bool_]:
    """(run,) truth of an optional condition; an absent condition always holds."""
    if condition is None:
        return np.ones(runs, dtype=np.bool_)
    return evaluate(condition, seen)


def aid_factor(state: State, params: Params) -> NDArray[np.float64]:
    """(run, line) escalation aid factor for each line's recipient theater (1 if none)."""
    index = params.index
    theater = np.where(index.aid_theater >= 0, index.aid_theater, 0)
    level = state.escalation_level[:, theater]
    runs = np.arange(params.runs)[:, None]
    factor = params.escalation_aid_factor[runs, theater[None, :], level]
    donor_is_patron = index.theater_patron[theater, index.aid_donor]
    return np.where((index.aid_theater >= 0) & donor_is_patron, factor, 1.0)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Set aid orders, capacity targets, restrictions and preemptive wars for this month."""
    index = params.index
    runs = params.runs
    seen = observe(state, params)
    in_window = (index.aid_start <= state.month) & (state.month <= index.aid_end)
    when = (
        np.stack([holds(c, seen, runs) for c in index.aid_when], axis=1)
        if index.aid_when
        else np.zeros((runs, 0), dtype=np.bool_)
    )
    orders = params.aid_per_month * (in_window[None, :] & when) * aid_factor(state, params)
    mobilising = index.mobilised[None, :] & holds(index.mobilise_when, seen, runs)[:, None]
    target = np.where(
        mobilising[:, :, None],
        params.mobilised_capacity_per_month,
        params.planned_capacity_per_month,
    )
    restrictions = (
        holds(index.restrictions_when, seen, runs)
        if index.restrictions_when is not None
        else np.zeros(runs, dtype=np.bool_)
    )
    starting = np.zeros(state.theater_status.shape, dtype=np.bool_)
    for theater, condition in index.start_war:
        starting[:, theater] |= evaluate(condition, seen)
    state = begin_wars(state, starting, snapshot=state.month)
    return replace(
        state,
        aid_order_per_month=orders,
        capacity_target_per_month=target,
        mobilising=mobilising,
        restrictions_lifted=restrictions,
    )
