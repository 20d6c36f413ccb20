"""Record the state month by month and label it as an xarray Dataset.

Trajectories are stored as float32 (about 7 significant digits, ample for
km², personnel and rounds) to halve memory at 100k runs; per-run outcomes
are float64.

Every variable carries CF-style attributes (CF Conventions 1.11, §3.1 units and
long_name, §3.5 flag_values and flag_meanings): ``units`` is a UDUNITS string
where one exists (``km2``, ``month``, ``1`` for a fraction or index) and otherwise
names what is counted (``personnel``, ``munition units``, ``USD``); coded
variables (status, how a war ended) have ``flag_values`` and ``flag_meanings``
instead. The ``date`` coordinate is the first day of each simulated month
(datetime64).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import IntEnum

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from twofront.engine.index import SIDES
from twofront.engine.params import Params
from twofront.engine.state import NEVER, RunStatus, State, TheaterStatus, occupied_km2, sum_over
from twofront.errors import ExperimentError

TRAJECTORIES: dict[str, tuple[str, ...]] = {
    "occupied_km2": ("front",),
    "personnel": ("front", "side"),
    "casualties_per_month": ("front", "side"),
    "stockpile": ("actor", "munition"),
    "produced_per_month": ("actor", "munition"),
    "fired_per_month": ("actor", "munition"),
    "launched_per_month": ("actor", "munition"),
    "strike_hits_per_month": ("actor",),
    "reserve_fund_usd": ("actor",),
    "budget_share": ("actor",),
    "reserves_personnel": ("actor",),
    "will": ("actor",),
    "theater_status": ("theater",),
    "escalation_level": ("theater",),
    "fought_this_month": ("theater",),
    "patrons_at_war": ("theater",),
}
INTEGER_TRAJECTORIES = (
    "theater_status",
    "escalation_level",
    "fought_this_month",
    "patrons_at_war",
)


class WarEnding(IntEnum):
    """How the last war in a theater ended, as of the horizon."""

    NO_WAR = -1
    RUNNING = 0  # censored: still at war at the horizon
    NEGOTIATED = 1  # both sides preferred the terms to fighting on
    DEFENDER_COLLAPSED = 2  # the aggressor's aim imposed
    AGGRESSOR_COLLAPSED = 3  # the defender's aim imposed


class CollapsedSide(IntEnum):
    """Which side of a settled theater collapsed (``collapsed_side``)."""

    NONE = -1
    DEFENDER = 0
    AGGRESSOR = 1


VARIABLES: dict[str, tuple[str, str]] = {
    "occupied_km2": ("km2", "area of each front held by the aggressor, end of month"),
    "personnel": ("personnel", "personnel at each front per side, end of month"),
    "casualties_per_month": ("personnel/month", "casualties at each front per side in the month"),
    "stockpile": ("munition units", "stock of each munition held by each actor, end of month"),
    "produced_per_month": ("munition units/month", "munitions produced by each actor in the month"),
    "fired_per_month": (
        "munition units/month",
        "units of each munition each actor fired at the fronts in the month",
    ),
    "launched_per_month": (
        "munition units/month",
        "strike weapons each actor launched at its enemies and interceptors it fired in the month",
    ),
    "strike_hits_per_month": (
        "munition units/month",
        "enemy missiles and long-range drones that got through to each actor in the month",
    ),
    "reserve_fund_usd": ("USD", "liquid assets of each war economy's reserve fund, end of month"),
    "budget_share": ("1", "share of its planned defence budget each actor paid in the month"),
    "reserves_personnel": ("personnel", "trained reserves not yet at a front, end of month"),
    "will": ("1", "domestic will to fight, 0 (none) to 1"),
    "escalation_level": ("1", "rung of the theater's escalation ladder (0: as fought)"),
    "final_occupied_km2": ("km2", "area of each front held by the aggressor at the horizon"),
    "area_km2": ("km2", "area of each front (sampled)"),
    "casualties_total": ("personnel", "casualties of each actor over the horizon"),
    "absent_total": (
        "personnel",
        "personnel gone missing from the fronts (absence without leave, desertion), net of"
        " returns, over the horizon",
    ),
    "spent_usd": ("USD", "production spending of each actor over the horizon"),
    "aid_given_usd": ("USD", "aid given by each actor at replacement cost over the horizon"),
    "min_stockpile_seen": ("munition units", "lowest end-of-month stock of each munition"),
    "max_wars_at_once": ("1", "most theaters at war in the same month"),
    "wars_started": ("1", "wars begun in each theater over the horizon"),
    "war_start_month": ("month", "simulation month the last war in each theater began"),
    "months_to_settlement": ("month", "months from the war's start to its settlement"),
    "settlement_share": ("1", "defender's share of the disputed territory in the settlement"),
    "occupied_at_settlement_km2": ("km2", "defender soil the aggressor kept at settlement"),
    "enemy_soil_traded_km2": ("km2", "aggressor soil held by the defender traded at settlement"),
    "enemy_soil_kept_km2": ("km2", "aggressor soil the defender kept at settlement"),
    "restored_share": ("1", "share of lost territory restored at settlement (may be < 0)"),
    "defender_territory_lost_share": ("1", "share of the defender's territory lost at settlement"),
    "soil_regained_km2": ("km2", "defender soil regained at settlement against the start"),
    "max_escalation_level": ("1", "highest escalation rung reached in each theater"),
    "stock_at_war_start": ("munition units", "each actor's stock when each theater's war began"),
}
"""(units, long_name) of each recorded variable with a physical or counted quantity."""

BOOLEAN_VARIABLES: dict[str, str] = {
    "fought_this_month": "the theater was at war at some moment of the month",
    "patrons_at_war": "the aggressor fights the defender's patrons in the month",
    "two_wars_at_once": "two or more theaters at war in the same month at some point",
    "three_wars_at_once": "three or more theaters at war in the same month at some point",
    "war_began": "a war began in the theater within the horizon",
    "settled": "the theater ended the horizon settled",
}
"""long_name of each yes/no variable (flag_values 0 1: 'no yes')."""

FLAGGED_VARIABLES: dict[str, tuple[str, type[IntEnum]]] = {
    "theater_status": ("status of each theater, end of month", TheaterStatus),
    "run_status": ("health of the run (a run that broke is data, not an exception)", RunStatus),
    "war_ending": ("how the last war in each theater ended, as of the horizon", WarEnding),
    "collapsed_side": ("which side of a settled theater collapsed", CollapsedSide),
}
"""(long_name, codes) of each coded variable."""


def variable_attrs(name: str) -> dict[str, object]:
    """CF attributes of recorded variable ``name`` ({} for an unknown name)."""
    if name in VARIABLES:
        units, long_name = VARIABLES[name]
        return {"units": units, "long_name": long_name}
    if name in BOOLEAN_VARIABLES:
        return {
            "long_name": BOOLEAN_VARIABLES[name],
            "flag_values": [0, 1],
            "flag_meanings": "no yes",
        }
    if name in FLAGGED_VARIABLES:
        long_name, codes = FLAGGED_VARIABLES[name]
        return {
            "long_name": long_name,
            "flag_values": [int(c) for c in codes],
            "flag_meanings": " ".join(c.name.lower() for c in codes),
        }
    return {}


def wars_at_once(
    theater_status: NDArray, fought_this_month: NDArray, patrons_at_war: NDArray
) -> NDArray[np.int64]:
    """(run, month) number of wars in a month from (run, month, theater) trajectories.

    A theater counts if it was at war at any moment of the month or is at its end (an
    aggressor's war opened at the end of the month); a war the aggressor fights against
    the defender's patrons counts as one more.
    """
    at_war = (theater_status == TheaterStatus.WAR) | (fought_this_month > 0)
    return at_war.sum(axis=2) + (patrons_at_war > 0).sum(axis=2)


def month_starts(index_start: str, months: int) -> NDArray[np.datetime64]:
    """First day of each of ``months`` simulated months from ``YYYY-MM`` (datetime64[ns])."""
    first = np.datetime64(index_start, "M")
    return (first + np.arange(months)).astype("datetime64[D]").astype("datetime64[ns]")


def war_ending(
    state: State, settled: NDArray[np.bool_], war_began: NDArray[np.bool_]
) -> NDArray[np.int8]:
    """(run, theater) :class:`WarEnding` codes of the last war in each theater."""
    ending = np.where(war_began, WarEnding.RUNNING, WarEnding.NO_WAR)
    ending = np.where(settled & (state.collapsed < 0), WarEnding.NEGOTIATED, ending)
    ending = np.where(settled & (state.collapsed == 0), WarEnding.DEFENDER_COLLAPSED, ending)
    ending = np.where(settled & (state.collapsed == 1), WarEnding.AGGRESSOR_COLLAPSED, ending)
    return ending.astype(np.int8)


ALWAYS_RECORDED = ("theater_status", "fought_this_month", "patrons_at_war")
"""Trajectories recorded whatever is kept: the wars-at-once outcomes are read from them
(three small integer fields per theater)."""


class Recorder:
    """Writes one snapshot per month of the kept trajectories into preallocated buffers,
    and keeps running what the per-run outcomes need from the others.

    The buffers are month-major, (month, run, ...), so each month's snapshot is one
    contiguous block; :attr:`snapshots` gives them as (run, month, ...) views. A
    trajectory not kept is not written at all: the large (actor, munition) ones are most
    of an engine run's memory traffic. What outcomes read from them is kept running
    instead: the lowest stockpile seen, the stocks each war began with (at the recorded
    month ``war_start_snapshot`` names), and the lines at month 0.
    """

    def __init__(self, params: Params, keep: Collection[str] | None = None) -> None:
        unknown = sorted(set(keep or ()) - set(TRAJECTORIES))
        if unknown:
            raise ExperimentError(
                f"keep: unknown trajectories {unknown}; expected names from {list(TRAJECTORIES)}"
            )
        self.params = params
        self.keep = (
            tuple(TRAJECTORIES) if keep is None else tuple(n for n in TRAJECTORIES if n in keep)
        )
        self.months = params.index.horizon_months + 1
        self.buffers: dict[str, NDArray] = {}
        self.recorded = 0
        self.final: State | None = None
        self._min_stock: NDArray[np.float32] | None = None
        self._last_stock: NDArray[np.float32] | None = None
        self._at_war_start: NDArray[np.float32] | None = None
        self._captured: NDArray[np.int64] | None = None
        self._occupied_start: NDArray[np.float32] | None = None

    def record(self, state: State) -> None:
        if self.recorded >= self.months:
            raise ExperimentError(f"more than {self.months} months recorded")
        for name in dict.fromkeys((*self.keep, *ALWAYS_RECORDED)):
            value = (
                occupied_km2(state, self.params) if name == "occupied_km2" else getattr(state, name)
            )
            if name not in self.buffers:
                dtype = np.int8 if name in INTEGER_TRAJECTORIES else np.float32
                self.buffers[name] = np.empty((self.months, *value.shape), dtype=dtype)
            self.buffers[name][self.recorded] = value
        self._keep_running(state)
        self.recorded += 1
        self.final = state

    def _keep_running(self, state: State) -> None:
        """Update the lowest stock seen and capture the stocks of wars begun since the last
        record (``war_start_snapshot`` names this record or the one before)."""
        stock = state.stockpile.astype(np.float32)
        month = self.recorded
        if self._min_stock is None or self._captured is None or self._at_war_start is None:
            runs, theaters = state.war_start_snapshot.shape
            self._min_stock = stock.copy()
            self._at_war_start = np.full((runs, theaters, *stock.shape[1:]), np.nan, np.float32)
            self._captured = np.full((runs, theaters), -1, dtype=np.int64)
            self._occupied_start = occupied_km2(state, self.params).astype(np.float32)
        else:
            np.minimum(self._min_stock, stock, out=self._min_stock)
        snapshot = state.war_start_snapshot
        pending = (snapshot >= 0) & (snapshot != self._captured)
        for source, at in ((stock, month), (self._last_stock, month - 1)):
            runs, theaters = np.nonzero(pending & (snapshot == at))
            if runs.size and source is not None:
                self._at_war_start[runs, theaters] = source[runs]
                self._captured[runs, theaters] = at
        self._last_stock = stock

    @property
    def snapshots(self) -> dict[str, NDArray]:
        """The recorded months of each trajectory, (run, month, ...)."""
        return {
            name: np.moveaxis(buffer[: self.recorded], 0, 1)
            for name, buffer in self.buffers.items()
        }

    def to_dataset(self, run_ids: NDArray[np.integer]) -> xr.Dataset:
        index = self.params.index
        state = self.final
        if state is None:
            raise ExperimentError("no month was recorded; call record() before to_dataset()")
        snapshots = self.snapshots
        months = np.arange(self.recorded)
        coords = {
            "run": run_ids,
            "month": months,
            "date": ("month", month_starts(index.month_label(0), self.recorded)),
            "front": list(index.fronts),
            "side": list(SIDES),
            "actor": list(index.actors),
            "munition": list(index.munitions),
            "theater": list(index.theaters),
        }
        data = {
            name: (("run", "month", *dims), snapshots[name])
            for name, dims in TRAJECTORIES.items()
            if name in self.keep
        }
        data["final_occupied_km2"] = (("run", "front"), occupied_km2(state, self.params))
        data["area_km2"] = (("run", "front"), self.params.world.area_km2)
        data["casualties_total"] = (("run", "actor"), state.casualties_total)
        data["absent_total"] = (("run", "actor"), state.absent_total)
        data["spent_usd"] = (("run", "actor"), state.spent_usd)
        data["aid_given_usd"] = (("run", "actor"), state.aid_given_usd)
        data["min_stockpile_seen"] = (
            ("run", "actor", "munition"),
            np.asarray(self._min_stock, dtype=np.float64),
        )
        data["run_status"] = (("run",), state.status)
        data.update(self._war_outcomes(state))
        results = xr.Dataset(data, coords=coords)
        for name, var in results.data_vars.items():
            var.attrs.update(variable_attrs(str(name)))
        results["month"].attrs.update(units="month", long_name="months since the start")
        results["date"].attrs.update(long_name="first day of the simulated month")
        return results

    def _war_outcomes(self, state: State) -> dict[str, tuple[tuple[str, ...], NDArray]]:
        """Per-run outcomes of war and peace; see the README's outcome table."""
        index = self.params.index
        status = self.snapshots["theater_status"]
        wars = wars_at_once(
            status, self.snapshots["fought_this_month"], self.snapshots["patrons_at_war"]
        )
        started = np.maximum(state.war_start_month, 0)
        settled = state.theater_status == TheaterStatus.SETTLED
        months_to_settlement = np.where(settled, state.settled_month + 1 - started, np.nan)
        occupied_start = sum_over(
            np.asarray(self._occupied_start, dtype=np.float64), index.defender_soil
        )
        reference = self.params.world.reference_occupied_km2
        with np.errstate(divide="ignore", invalid="ignore"):
            restored = (occupied_start - state.occupied_at_settlement_km2) / (
                occupied_start - reference
            )
        war_began = state.war_start_month != NEVER

        def if_settled(values: NDArray) -> NDArray:
            """Terms of the last settlement, NaN where the theater is not settled at the end."""
            return np.where(settled, values, np.nan)

        return {
            "max_wars_at_once": (("run",), wars.max(axis=1)),
            "two_wars_at_once": (("run",), wars.max(axis=1) >= 2),
            "three_wars_at_once": (("run",), wars.max(axis=1) >= 3),
            "war_began": (("run", "theater"), war_began),
            "wars_started": (("run", "theater"), state.wars_started),
            "war_start_month": (
                ("run", "theater"),
                np.where(war_began, state.war_start_month, np.nan),
            ),
            "settled": (("run", "theater"), settled),
            "months_to_settlement": (("run", "theater"), months_to_settlement),
            "settlement_share": (("run", "theater"), if_settled(state.settlement_share)),
            "occupied_at_settlement_km2": (
                ("run", "theater"),
                if_settled(state.occupied_at_settlement_km2),
            ),
            "enemy_soil_traded_km2": (("run", "theater"), if_settled(state.enemy_soil_traded_km2)),
            "enemy_soil_kept_km2": (("run", "theater"), if_settled(state.enemy_soil_kept_km2)),
            "restored_share": (("run", "theater"), if_settled(restored)),
            "defender_territory_lost_share": (
                ("run", "theater"),
                if_settled(
                    state.occupied_at_settlement_km2
                    / self.params.world.territory_km2[:, index.theater_actor[:, 0]]
                ),
            ),
            "collapsed_side": (("run", "theater"), np.where(settled, state.collapsed, -1)),
            "war_ending": (("run", "theater"), war_ending(state, settled, war_began)),
            "soil_regained_km2": (
                ("run", "theater"),
                if_settled(occupied_start - state.occupied_at_settlement_km2),
            ),
            "max_escalation_level": (("run", "theater"), state.max_escalation_level),
            "stock_at_war_start": (
                ("run", "theater", "actor", "munition"),
                self._stock_at_war_start(state),
            ),
        }

    def _stock_at_war_start(self, state: State) -> NDArray[np.float64]:
        """(run, theater, actor, munition) stockpiles when each war began; NaN if none began.

        A war opened at the end of the last month names a record after the horizon: it
        began with the last recorded stocks.
        """
        if self._at_war_start is None or self._captured is None or self._last_stock is None:
            raise ExperimentError("no month was recorded; call record() before to_dataset()")
        snapshot = state.war_start_snapshot
        late = (snapshot >= self.recorded) & (snapshot != self._captured)
        stocks = self._at_war_start.copy()
        runs, theaters = np.nonzero(late)
        stocks[runs, theaters] = self._last_stock[runs]
        missed = (snapshot >= 0) & (snapshot < self.recorded) & (snapshot != self._captured)
        if missed.any():
            raise ExperimentError(
                "war_start_snapshot names a recorded month other than the current or the last"
            )
        return np.where((snapshot >= 0)[:, :, None, None], stocks.astype(np.float64), np.nan)
