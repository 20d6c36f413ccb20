"""The simulation state: a frozen struct of NumPy arrays, run axis first.

Phases never mutate a state; they return ``dataclasses.replace(state, ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import Params

F64 = NDArray[np.float64]


class RunStatus(IntEnum):
    """Per-run health: a run that breaks is data, not an exception."""

    OK = 0
    NON_FINITE = 1


class TheaterStatus(IntEnum):
    """Theater status codes, in the order of ``schema.THEATER_STATUSES``."""

    PEACE = 0
    CRISIS = 1
    WAR = 2
    SETTLED = 3


@dataclass(frozen=True, slots=True)
class State:
    """Everything that changes month to month.

    ``month`` is the number of completed months (0 at the start). Flow fields
    (``*_per_month``) hold the flows of the month just simulated.
    """

    month: int
    stockpile: F64  # (run, actor, munition) units
    capacity_per_month: F64  # (run, actor, munition) units/month
    capacity_target_per_month: F64  # (run, actor, munition) set by policy
    aid_order_per_month: F64  # (run, aid line) set by policy
    produced_per_month: F64  # (run, actor, munition)
    aid_sent_per_month: F64  # (run, aid line)
    fired_per_month: F64  # (run, actor) shells of its fires munition
    reserves_personnel: F64  # (run, actor)
    personnel: F64  # (run, front, side)
    held_km2: F64  # (run, front, side)
    casualties_per_month: F64  # (run, front, side)
    casualties_total: F64  # (run, actor)
    will: F64  # (run, actor) domestic will to fight, 0..1
    spent_usd: F64  # (run, actor) cumulative production spending
    theater_status: NDArray[np.int8]  # (run, theater) TheaterStatus codes
    status: NDArray[np.int8]  # (run,) RunStatus codes


def initial_state(params: Params) -> State:
    """The state at month 0 from sampled parameters."""
    runs = params.runs
    index = params.index
    n_actors, n_fronts = len(index.actors), len(index.fronts)
    held = np.empty((runs, n_fronts, 2))
    owner = index.front_soil_side
    occupied = params.occupied_km2
    rows = np.arange(n_fronts)
    held[:, rows, owner] = params.area_km2 - occupied
    held[:, rows, 1 - owner] = occupied
    zeros_am = np.zeros_like(params.stockpile)
    return State(
        month=0,
        stockpile=params.stockpile.copy(),
        capacity_per_month=params.capacity_per_month.copy(),
        capacity_target_per_month=params.planned_capacity_per_month.copy(),
        aid_order_per_month=np.zeros_like(params.aid_per_month),
        produced_per_month=zeros_am,
        aid_sent_per_month=np.zeros_like(params.aid_per_month),
        fired_per_month=np.zeros((runs, n_actors)),
        reserves_personnel=params.reserves_personnel.copy(),
        personnel=params.personnel.copy(),
        held_km2=held,
        casualties_per_month=np.zeros((runs, n_fronts, 2)),
        casualties_total=np.zeros((runs, n_actors)),
        will=params.will.copy(),
        spent_usd=np.zeros((runs, n_actors)),
        theater_status=np.broadcast_to(index.theater_status0, (runs, len(index.theaters))).copy(),
        status=np.zeros(runs, dtype=np.int8),
    )


def theater_at_war(state: State, params: Params) -> NDArray[np.bool_]:
    """(run, front): True where the front's theater is at war."""
    return state.theater_status[:, params.index.front_theater] == TheaterStatus.WAR


def front_active(state: State, params: Params) -> NDArray[np.bool_]:
    """(run, front): True where there is fighting on the front.

    A front on the aggressor's own soil (an incursion such as Kursk) closes
    once the defender holds none of it; fronts on the defender's soil stay
    open while their theater is at war.
    """
    index = params.index
    occupier = 1 - index.front_soil_side
    occupied = np.take_along_axis(state.held_km2, occupier[None, :, None], axis=2)[:, :, 0]
    open_front = (index.front_soil_side == 0)[None, :] | (occupied > 0)
    return theater_at_war(state, params) & open_front


def slot_actor_onehot(params: Params) -> F64:
    """(front, side, actor): 1 where ``actor`` fights on that side of that front."""
    index = params.index
    onehot = np.zeros((len(index.fronts), 2, len(index.actors)))
    fronts = np.arange(len(index.fronts))
    for side in (0, 1):
        onehot[fronts, side, index.front_actor[:, side]] = 1.0
    return onehot


def per_actor(values: F64, params: Params) -> F64:
    """Sum (run, front, side) values into (run, actor) by who fights in each slot."""
    return np.einsum("rfs,fsa->ra", values, slot_actor_onehot(params))


def to_slots(values: F64, params: Params) -> F64:
    """Spread (run, actor) values onto (run, front, side): each slot gets its actor's value."""
    return values[:, params.index.front_actor]


def actors_at_war(state: State, params: Params) -> NDArray[np.bool_]:
    """(run, actor): True where the actor fights on at least one active front."""
    active = theater_at_war(state, params).astype(np.float64)
    both_sides = np.repeat(active[:, :, None], 2, axis=2)
    return per_actor(both_sides, params) > 0
