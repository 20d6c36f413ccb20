"""The NumPy ``begin_wars`` the schedule and opportunism phases called before they were
compiled (a copy of the form :mod:`twofront.engine.state` had then), shared by their
oracles so that the oracles do not change if the engine's helper does."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.state import State, TheaterStatus


def begin_wars(
    state: State,
    starting: NDArray[np.bool_],
    snapshot: int,
    reopen: NDArray[np.bool_] | None = None,
) -> State:
    """Open war in the (run, theater) cells of ``starting`` that are at peace or in crisis,
    or settled where ``reopen`` (theater,) allows a new war after a settlement.

    Records the month the war began and ``snapshot``, the index of the
    recorded month whose stockpiles are those the war began with: the
    current month's opening state (``state.month``) when a strategy opens it
    at the start of a month, the next one when an aggressor opens it at the
    end of a month. The recorder reads the stocks from the trajectory, so the
    state carries no (run, theater, actor, munition) copy. A new war starts
    its own clock: months at war, trend of the lines and escalation reset.
    """
    status = state.theater_status
    can_open = (status == TheaterStatus.PEACE) | (status == TheaterStatus.CRISIS)
    if reopen is not None:
        can_open = can_open | ((status == TheaterStatus.SETTLED) & reopen[None, :])
    opening = starting & can_open
    if not opening.any():
        return state
    return replace(
        state,
        theater_status=np.where(opening, np.int8(TheaterStatus.WAR), state.theater_status).astype(
            np.int8
        ),
        war_start_month=np.where(opening, state.month, state.war_start_month),
        war_start_snapshot=np.where(opening, snapshot, state.war_start_snapshot),
        wars_started=state.wars_started + opening,
        war_months=np.where(opening, 0, state.war_months),
        trend_share_per_month=np.where(opening, 0.0, state.trend_share_per_month),
        escalation_level=np.where(opening, 0, state.escalation_level),
        defender_floor_share=np.where(opening, np.nan, state.defender_floor_share),
        aggressor_ceiling_share=np.where(opening, np.nan, state.aggressor_ceiling_share),
        belief_error_share=np.where(opening[:, :, None], np.nan, state.belief_error_share),
    )
