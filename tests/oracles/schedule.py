"""The NumPy form of :mod:`twofront.policy.schedule` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against.

:func:`occupied_km2` is a copy of the NumPy helper of :mod:`twofront.engine.state` the
phase called, so the oracle does not change if it does; ``begin_wars`` is the engine's own NumPy
form (:func:`twofront.engine.state.begin_wars`, which only the tests call now).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus, begin_wars
from twofront.model.aid import AidParams
from twofront.model.escalation import EscalationParams
from twofront.model.industry import IndustryParams
from twofront.policy.conditions import Observed, evaluate
from twofront.policy.schedule import PolicyParams
from twofront.scenario.conditions import Condition

F64 = NDArray[np.float64]


def occupied_km2(state: State, params: Params) -> F64:
    """(run, front) km² held by the side whose soil the front is not."""
    not_owner = 1 - params.index.front_soil_side
    return np.take_along_axis(state.held_km2, not_owner[None, :, None], axis=2)[:, :, 0]


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
    """(run, line) escalation aid factor for each line's recipient theater (1 if none).

    Only aid from a patron of that theater is scaled (escalation deters patrons).
    """
    lines, ladder = params.of(AidParams), params.of(EscalationParams)
    theater = np.where(lines.theater >= 0, lines.theater, 0)
    level = state.escalation_level[:, theater]
    runs = np.arange(params.runs)[:, None]
    factor = ladder.aid_factor[runs, theater[None, :], level]
    donor_is_patron = params.index.theater_patron[theater, lines.donor]
    return np.where((lines.theater >= 0) & donor_is_patron, factor, 1.0)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Set aid orders, capacity targets, restrictions and preemptive wars for this month."""
    p, lines, industry = params.of(PolicyParams), params.of(AidParams), params.of(IndustryParams)
    runs = params.runs
    seen = observe(state, params)
    in_window = (lines.start_month <= state.month) & (state.month <= lines.end_month)
    when = (
        np.stack([holds(c, seen, runs) for c in p.aid_when], axis=1)
        if p.aid_when
        else np.zeros((runs, 0), dtype=np.bool_)
    )
    orders = lines.per_month * (in_window[None, :] & when) * aid_factor(state, params)
    mobilising = p.mobilised[None, :] & holds(p.mobilise_when, seen, runs)[:, None]
    target = np.where(
        mobilising[:, :, None],
        industry.mobilised_capacity_per_month,
        industry.planned_capacity_per_month,
    )
    restrictions = (
        holds(p.restrictions_when, seen, runs)
        if p.restrictions_when is not None
        else np.zeros(runs, dtype=np.bool_)
    )
    starting = np.zeros(state.theater_status.shape, dtype=np.bool_)
    for theater, condition in p.start_war:
        starting[:, theater] |= evaluate(condition, seen)
    state = begin_wars(state, starting, snapshot=state.month)
    committing = np.stack([holds(c, seen, runs) for c in p.commit_when], axis=1)
    attacking = np.stack([holds(c, seen, runs) for c in p.attack_when], axis=1)
    return replace(
        state,
        # First phase of the month: the ledger of wars fought this month starts from the
        # wars under way now, including any the strategy just opened.
        fought_this_month=state.theater_status == TheaterStatus.WAR,
        aid_order_per_month=orders,
        capacity_target_per_month=target,
        mobilising=mobilising,
        restrictions_lifted=restrictions,
        committing_reserves=committing,
        attacking=attacking,
    )
