"""The simulation state: a frozen struct of NumPy arrays, run axis first.

Phases never mutate a state; they return ``dataclasses.replace(state, ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import inlined, kernel, view
from twofront.engine.params import Params

F64 = NDArray[np.float64]
ScalarT = TypeVar("ScalarT", bound=np.generic)


class RunStatus(IntEnum):
    """Per-run health: a run that breaks is data, not an exception."""

    OK = 0
    NON_FINITE = 1


NEVER = -(10**6)
"""``war_start_month`` of a theater where no war began."""


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
    fired_per_month: F64  # (run, actor, munition) units of its fires munitions fired at the
    # fronts (model/combat.py)
    launched_per_month: F64  # (run, actor, munition) strike weapons launched at the enemy and
    # interceptors fired against them (model/strikes.py)
    strike_hits_per_month: F64  # (run, actor) enemy strike weapons that got through
    output_share: F64  # (run, actor) share of its munitions output the month's strikes left
    # (1: none lost; set by model/strikes.py, read by model/industry.py)
    oil_revenue_share: F64  # (run, actor) share of its oil revenue the month's strikes left
    # (1: none lost; set by model/strikes.py, read by model/economy.py)
    oil_price_usd_per_bbl: F64  # (run, actor) export price the month begins with (model/economy.py)
    reserve_fund_usd: F64  # (run, actor) liquid assets of its reserve fund, end of month
    oil_revenue_usd_per_month: F64  # (run, actor) oil revenue reaching its budget in the month
    budget_share: F64  # (run, actor) share of its planned defence budget it pays this month
    # (1 unless its war economy falls short; read by model/industry.py, aid.py, manpower.py)
    reserves_personnel: F64  # (run, actor)
    personnel: F64  # (run, front, side)
    committed_personnel: F64  # (run, theater, actor) a combatant patron's personnel among
    # the defender's on the theater's fronts (model/coalition.py)
    held_km2: F64  # (run, front, side)
    casualties_per_month: F64  # (run, front, side)
    casualties_total: F64  # (run, actor)
    absent_total: F64  # (run, actor) personnel gone missing from the fronts, net of returns
    will: F64  # (run, actor) domestic will to fight, 0..1
    spent_usd: F64  # (run, actor) cumulative production spending
    aid_given_usd: F64  # (run, actor) cumulative value of aid delivered, at the donor's unit cost
    theater_status: NDArray[np.int8]  # (run, theater) TheaterStatus codes
    fought_this_month: NDArray[np.bool_]  # (run, theater) at war at some moment of the month
    # (a war opened and settled within one month counts)
    status: NDArray[np.int8]  # (run,) RunStatus codes
    restrictions_lifted: NDArray[np.bool_]  # (run,) set by policy
    mobilising: NDArray[np.bool_]  # (run, actor) set by policy
    committing_reserves: NDArray[np.bool_]  # (run, actor) reserves flow to the fronts; policy
    attacking: NDArray[np.bool_]  # (run, actor) may attack where stronger; set by policy
    escalation_level: NDArray[np.int64]  # (run, theater)
    patrons_at_war: NDArray[np.bool_]  # (run, theater) the aggressor fights the defender's
    # patrons directly this month (a war of its own)
    max_escalation_level: NDArray[np.int64]  # (run, theater)
    war_months: NDArray[np.int64]  # (run, theater) months the theater has been at war
    position_share: F64  # (run, theater) defender's bargaining position x
    trend_share_per_month: F64  # (run, theater) smoothed monthly change of x
    war_start_month: NDArray[np.int64]  # (run, theater) month the war began (< 0: before
    # the start); NEVER if no war began
    war_start_snapshot: NDArray[np.int64]  # (run, theater) recorded month whose stocks the
    # war began with (0 for wars under way at the start); -1 if no war began
    settled_month: NDArray[np.int64]  # (run, theater) month of the last settlement; -1 none
    wars_started: NDArray[np.int64]  # (run, theater) wars begun in the theater, incl. one under way
    settlement_share: F64  # (run, theater) defender's share x* at settlement; NaN
    occupied_at_settlement_km2: F64  # (run, theater) defender soil kept by aggressor; NaN
    enemy_soil_traded_km2: F64  # (run, theater) aggressor soil the defender returned; NaN
    enemy_soil_kept_km2: F64  # (run, theater) aggressor soil the defender kept; NaN
    collapsed: NDArray[np.int64]  # (run, theater) -1 none, else side index that collapsed
    defender_floor_share: F64  # (run, theater) lowest terms the defender accepts now; NaN
    # until its war's first month (then its declared aim, moved by the war)
    aggressor_ceiling_share: F64  # (run, theater) highest terms the aggressor concedes now
    belief_error_share: F64  # (run, theater, side) each side's error in its own favour about
    # the war's outcome (share of the stake); NaN until its war's first month


NAN_MEANS_NOT_YET = frozenset(
    name
    for name in State.__dataclass_fields__
    if name
    in (
        "position_share",
        "settlement_share",
        "defender_floor_share",
        "aggressor_ceiling_share",
        "belief_error_share",
    )
    or name.endswith(("_at_settlement_km2", "_soil_traded_km2", "_soil_kept_km2"))
)
"""State fields where NaN is a value ('no war began yet', 'not settled'). They
are copies of finite values when set, so the guard skips them; every other
float field must stay finite or its run is frozen as NON_FINITE."""


def initial_state(params: Params, aid_lines: int) -> State:
    """The state at month 0 from the sampled world; nothing ordered or produced yet.

    ``aid_lines`` is the number of aid lines of the strategy. The capacity
    target starts at the current capacity: the policy phase, first in every
    month, sets it before industry reads it.
    """
    world, index = params.world, params.index
    runs = params.runs
    n_actors, n_fronts = len(index.actors), len(index.fronts)
    held = np.empty((runs, n_fronts, 2))
    owner = index.front_soil_side
    rows = np.arange(n_fronts)
    held[:, rows, owner] = world.area_km2 - world.occupied_km2
    held[:, rows, 1 - owner] = world.occupied_km2
    n_theaters = len(index.theaters)
    at_war0 = index.theater_status0 == TheaterStatus.WAR
    return State(
        month=0,
        stockpile=world.stockpile.copy(),
        capacity_per_month=world.capacity_per_month.copy(),
        capacity_target_per_month=world.capacity_per_month.copy(),
        aid_order_per_month=np.zeros((runs, aid_lines)),
        produced_per_month=np.zeros_like(world.stockpile),
        aid_sent_per_month=np.zeros((runs, aid_lines)),
        fired_per_month=np.zeros_like(world.stockpile),
        launched_per_month=np.zeros_like(world.stockpile),
        strike_hits_per_month=np.zeros((runs, n_actors)),
        output_share=np.ones((runs, n_actors)),
        oil_revenue_share=np.ones((runs, n_actors)),
        oil_price_usd_per_bbl=world.oil_price_usd_per_bbl.copy(),
        reserve_fund_usd=world.reserve_fund_usd.copy(),
        oil_revenue_usd_per_month=np.zeros((runs, n_actors)),
        budget_share=np.ones((runs, n_actors)),
        reserves_personnel=world.reserves_personnel.copy(),
        personnel=world.personnel.copy(),
        committed_personnel=np.zeros((runs, n_theaters, n_actors)),
        held_km2=held,
        casualties_per_month=np.zeros((runs, n_fronts, 2)),
        casualties_total=np.zeros((runs, n_actors)),
        absent_total=np.zeros((runs, n_actors)),
        will=world.will.copy(),
        spent_usd=np.zeros((runs, n_actors)),
        aid_given_usd=np.zeros((runs, n_actors)),
        theater_status=np.broadcast_to(index.theater_status0, (runs, n_theaters)).copy(),
        fought_this_month=np.broadcast_to(at_war0, (runs, n_theaters)).copy(),
        status=np.zeros(runs, dtype=np.int8),
        restrictions_lifted=np.zeros(runs, dtype=np.bool_),
        mobilising=np.zeros((runs, n_actors), dtype=np.bool_),
        committing_reserves=np.ones((runs, n_actors), dtype=np.bool_),
        attacking=np.ones((runs, n_actors), dtype=np.bool_),
        escalation_level=np.zeros((runs, n_theaters), dtype=np.int64),
        patrons_at_war=np.zeros((runs, n_theaters), dtype=np.bool_),
        max_escalation_level=np.zeros((runs, n_theaters), dtype=np.int64),
        war_months=np.broadcast_to(index.war_months0, (runs, n_theaters)).copy(),
        position_share=np.full((runs, n_theaters), np.nan),
        trend_share_per_month=np.zeros((runs, n_theaters)),
        war_start_month=np.where(at_war0, -index.war_months0, NEVER)[None, :].repeat(runs, 0),
        war_start_snapshot=np.where(at_war0, 0, -1)[None, :].repeat(runs, 0),
        settled_month=np.full((runs, n_theaters), -1, dtype=np.int64),
        wars_started=np.where(at_war0, 1, 0)[None, :].repeat(runs, 0),
        settlement_share=np.full((runs, n_theaters), np.nan),
        occupied_at_settlement_km2=np.full((runs, n_theaters), np.nan),
        enemy_soil_traded_km2=np.full((runs, n_theaters), np.nan),
        enemy_soil_kept_km2=np.full((runs, n_theaters), np.nan),
        collapsed=np.full((runs, n_theaters), -1, dtype=np.int64),
        defender_floor_share=np.full((runs, n_theaters), np.nan),
        aggressor_ceiling_share=np.full((runs, n_theaters), np.nan),
        belief_error_share=np.full((runs, n_theaters, 2), np.nan),
    )


def occupied_km2(state: State, params: Params) -> F64:
    """(run, front) km² held by the side whose soil the front is not."""
    not_owner = 1 - params.index.front_soil_side
    return np.take_along_axis(state.held_km2, not_owner[None, :, None], axis=2)[:, :, 0]


@kernel
def occupied_run(held_km2: F64, front_soil_side: NDArray[np.int64], out: F64) -> None:
    """:func:`occupied_km2` in a kernel: ``held_km2`` (front, side) of one run; writes
    ``out`` (front,), the km² held by the side whose soil each front is not."""
    for f in range(out.shape[0]):
        out[f] = held_km2[f, 1 - front_soil_side[f]]


def theater_at_war(state: State, params: Params) -> NDArray[np.bool_]:
    """(run, front): True where the front's theater is at war."""
    return state.theater_status[:, params.index.front_theater] == TheaterStatus.WAR


def front_active(state: State, params: Params) -> NDArray[np.bool_]:
    """(run, front): True where there is fighting on the front.

    A front on the aggressor's own soil (an incursion such as Kursk) closes
    once the defender holds none of it; fronts on the defender's soil stay
    open while their theater is at war.
    """
    occupied = occupied_km2(state, params)
    open_front = (params.index.front_soil_side == 0)[None, :] | (occupied > 0)
    return theater_at_war(state, params) & open_front


def per_actor(values: F64, params: Params) -> F64:
    """Sum (run, front, side) values into (run, actor) by who fights in each slot."""
    return sum_slots(values, params.index.slot_actor_onehot)


def sum_slots(values: F64, onehot: F64) -> F64:
    """(run, front, side) summed into (run, actor) through a (front, side, actor) one-hot."""
    runs = values.shape[0]
    return sum_over(values.reshape(runs, -1), onehot.reshape(-1, onehot.shape[-1]))


def sum_over(values: F64, matrix: NDArray[np.floating] | NDArray[np.bool_]) -> F64:
    """``values @ matrix`` for (run, k) values and a small, sparse (k, n) matrix.

    Adds one column at a time over the matrix's non-zero entries, in a fixed
    order: a BLAS product may round differently with the number of rows,
    which would make run ``i`` depend on its batch; and the matrices here are
    one-hot wiring, so this touches only what matters.
    """
    out = np.zeros((values.shape[0], matrix.shape[1]))
    rows, cols = np.nonzero(matrix)
    for k, j in zip(rows.tolist(), cols.tolist(), strict=True):
        weight = matrix[k, j]
        out[:, j] += values[:, k] if weight == 1 else values[:, k] * weight
    return out


@kernel
def sum_over_run(values: F64, matrix: NDArray[np.floating] | NDArray[np.bool_], out: F64) -> None:
    """:func:`sum_over` in a kernel: ``out`` (n,) = ``values`` (k,) @ ``matrix`` (k, n) for
    one run, over the matrix's non-zero entries in the same order (so the same sums)."""
    out[:] = 0.0
    for k in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            weight = matrix[k, j]
            if weight != 0:
                out[j] += values[k] if weight == 1 else values[k] * weight


@kernel
def per_actor_run(values: F64, onehot: F64, out: F64) -> None:
    """:func:`per_actor` in a kernel: (front, side) ``values`` of one run summed into
    ``out`` (actor,) through the (front, side, actor) one-hot, in :func:`sum_slots`'s order."""
    out[:] = 0.0
    for f in range(onehot.shape[0]):
        for side in range(onehot.shape[1]):
            for j in range(onehot.shape[2]):
                weight = onehot[f, side, j]
                if weight != 0:
                    out[j] += values[f, side] if weight == 1 else values[f, side] * weight


def to_slots(values: NDArray[ScalarT], params: Params) -> NDArray[ScalarT]:
    """Spread (run, actor) values onto (run, front, side): each slot gets its actor's value."""
    return values[:, params.index.front_actor]


def actors_at_war(state: State, params: Params) -> NDArray[np.bool_]:
    """(run, actor): True where the actor fights on at least one active front."""
    active = theater_at_war(state, params).astype(np.float64)
    both_sides = np.repeat(active[:, :, None], 2, axis=2)
    return per_actor(both_sides, params) > 0


# Kernel forms of the helpers above, for one run ``r`` of a state view ``s`` with the index
# view ``ix`` (see :mod:`twofront.engine.compiled`); the NumPy forms stay for phases not
# yet compiled, the recorder and the tests.

_WAR = int(TheaterStatus.WAR)


@inlined
def theater_at_war_run(r: int, s: Any, ix: Any, f: int) -> bool:
    """:func:`theater_at_war` of front ``f`` in run ``r``."""
    return bool(s.theater_status[r, ix.front_theater[f]] == _WAR)


@inlined
def front_active_run(r: int, s: Any, ix: Any, f: int) -> bool:
    """:func:`front_active` of front ``f`` in run ``r``: its theater at war and, on the
    aggressor's soil, some of it held by the defender."""
    soil = ix.front_soil_side[f]
    occupied = s.held_km2[r, f, 1 - soil]
    return theater_at_war_run(r, s, ix, f) and (soil == 0 or occupied > 0)


@inlined
def actors_at_war_run(r: int, s: Any, ix: Any, out: NDArray[np.bool_]) -> None:
    """:func:`actors_at_war` of run ``r`` into ``out`` (actor,)."""
    for a in range(out.shape[0]):
        out[a] = False
    for f in range(ix.front_actor.shape[0]):
        if theater_at_war_run(r, s, ix, f):
            out[ix.front_actor[f, 0]] = True
            out[ix.front_actor[f, 1]] = True


@inlined
def sum_slots_run(values: F64, front_actor: NDArray[np.int64], out: F64) -> None:
    """:func:`sum_slots` of one run's (front, side) ``values`` into ``out`` (actor,), slot by
    slot in the same order (front, then side)."""
    for a in range(out.shape[0]):
        out[a] = 0.0
    for f in range(values.shape[0]):
        for side in range(2):
            out[front_actor[f, side]] += values[f, side]


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


BEGIN_WAR_WRITES = (
    "theater_status",
    "war_start_month",
    "war_start_snapshot",
    "wars_started",
    "war_months",
    "trend_share_per_month",
    "escalation_level",
    "defender_floor_share",
    "aggressor_ceiling_share",
    "belief_error_share",
)
"""The state fields :func:`begin_war` writes (a compiled phase that opens wars copies them)."""

_PEACE, _CRISIS, _WAR, _SETTLED = (int(x) for x in TheaterStatus)


@kernel
def begin_war(s: Any, r: int, t: int, month: int, snapshot: int, reopen: bool) -> bool:
    """:func:`begin_wars` for one cell of a state view ``s``, written in place: open war in
    theater ``t`` of run ``r`` at ``month`` if it is at peace or in crisis, or settled and
    ``reopen`` allows a new war after a settlement; returns whether it opened."""
    status = s.theater_status[r, t]
    if not (status in (_PEACE, _CRISIS) or (status == _SETTLED and reopen)):
        return False
    s.theater_status[r, t] = _WAR
    s.war_start_month[r, t] = month
    s.war_start_snapshot[r, t] = snapshot
    s.wars_started[r, t] += 1
    s.war_months[r, t] = 0
    s.trend_share_per_month[r, t] = 0.0
    s.escalation_level[r, t] = 0
    s.defender_floor_share[r, t] = np.nan
    s.aggressor_ceiling_share[r, t] = np.nan
    for side in range(s.belief_error_share.shape[2]):
        s.belief_error_share[r, t, side] = np.nan
    return True


def writable(state: State, names: tuple[str, ...]) -> State:
    """``state`` with fresh copies of the fields ``names``, for a compiled phase to write
    in place (the other fields are shared with ``state`` and must not be written)."""
    return replace(state, **{name: getattr(state, name).copy() for name in names})


def state_view(state: State, month: NDArray[np.int64] | None = None) -> Any:
    """``state`` as compiled kernels take it: a named tuple of its arrays
    (:func:`twofront.engine.compiled.view`) whose ``month`` is a (run,) array, each run's
    month (``month``, or ``state.month`` for every run): in the compiled month loop runs
    advance through the months independently, so kernels read ``s.month[r]``."""
    if month is None:
        month = np.full(state.status.shape[0], state.month, dtype=np.int64)
    return view(state)._replace(month=month)
