"""The integer wiring of a scenario: names, who fights where, constant one-hot matrices.

Identical for every run and built once per chunk. Only wiring that several
mechanisms read lives here; a mechanism's own wiring (aid lines, escalation
ladders, deterrent munitions) lives with its parameters in ``model/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from twofront.scenario.conditions import THEATER_STATUSES
from twofront.scenario.schema import Scenario

DEFENDER, AGGRESSOR = 0, 1
SIDES = ("defender", "aggressor")


@dataclass(frozen=True, slots=True)
class Index:
    """Names and integer wiring of a scenario; identical for every run."""

    actors: tuple[str, ...]
    munitions: tuple[str, ...]
    theaters: tuple[str, ...]
    fronts: tuple[str, ...]
    start_year: int
    start_month: int
    horizon_months: int
    front_theater: NDArray[np.int64]  # (front,)
    front_actor: NDArray[np.int64]  # (front, side) actor index of each side
    front_soil_side: NDArray[np.int64]  # (front,) side whose soil the front is on
    theater_status0: NDArray[np.int8]  # (theater,)
    theater_actor: NDArray[np.int64]  # (theater, side) defender and aggressor
    theater_patron: NDArray[np.bool_]  # (theater, actor) patrons of each theater's defender
    front_in_theater: NDArray[np.bool_]  # (front, theater)
    war_months0: NDArray[np.int64]  # (theater,) months at war before the start
    slot_actor_onehot: NDArray[np.float64]  # (front, side, actor) one-hot: who fights in each slot
    defender_soil: NDArray[np.bool_]  # (front, theater) the front is defender soil of the theater
    aggressor_soil: NDArray[np.bool_]  # (front, theater) the front is aggressor soil

    def calendar_month(self, month: int) -> int:
        """Calendar month 0..11 of simulation month ``month`` (0 = start)."""
        return (self.start_month - 1 + month) % 12

    def month_label(self, month: int) -> str:
        """``YYYY-MM`` of simulation month ``month``."""
        total = self.start_year * 12 + self.start_month - 1 + month
        return f"{total // 12:04d}-{total % 12 + 1:02d}"

    def month_index(self, label: str | None, default: int) -> int:
        """Simulation month of ``YYYY-MM`` ``label`` (``default`` when absent)."""
        if label is None:
            return default
        year, month = (int(x) for x in label.split("-"))
        return (year - self.start_year) * 12 + (month - self.start_month)


def build_index(scenario: Scenario) -> Index:
    """The integer wiring of ``scenario`` (the same under every strategy)."""
    actors = tuple(scenario.actors)
    theaters = tuple(scenario.theaters)
    fronts = tuple(scenario.fronts)
    a_of = {n: i for i, n in enumerate(actors)}
    t_of = {n: i for i, n in enumerate(theaters)}
    front_actor = np.array(
        [
            [
                a_of[scenario.theaters[f.theater].defender],
                a_of[scenario.theaters[f.theater].aggressor],
            ]
            for f in scenario.fronts.values()
        ],
        dtype=np.int64,
    ).reshape(len(fronts), 2)
    soil_side = np.array(
        [
            AGGRESSOR if f.soil_of == scenario.theaters[f.theater].aggressor else DEFENDER
            for f in scenario.fronts.values()
        ],
        dtype=np.int64,
    )
    patron = np.zeros((len(theaters), len(actors)), dtype=np.bool_)
    for i, t in enumerate(scenario.theaters.values()):
        patron[i, [a_of[p] for p in t.patrons]] = True
    in_theater = np.array(
        [[f.theater == t for t in theaters] for f in scenario.fronts.values()], dtype=np.bool_
    ).reshape(len(fronts), len(theaters))
    slot_actor = np.zeros((len(fronts), 2, len(actors)))
    for side in (DEFENDER, AGGRESSOR):
        slot_actor[np.arange(len(fronts)), side, front_actor[:, side]] = 1.0
    year, month = (int(x) for x in scenario.scenario.start.split("-"))
    return Index(
        actors=actors,
        munitions=tuple(scenario.munitions),
        theaters=theaters,
        fronts=fronts,
        start_year=year,
        start_month=month,
        horizon_months=scenario.scenario.horizon_months,
        front_theater=np.array([t_of[f.theater] for f in scenario.fronts.values()], dtype=np.int64),
        front_actor=front_actor,
        front_soil_side=soil_side,
        theater_status0=np.array(
            [THEATER_STATUSES.index(t.status) for t in scenario.theaters.values()], dtype=np.int8
        ),
        theater_actor=np.array(
            [[a_of[t.defender], a_of[t.aggressor]] for t in scenario.theaters.values()],
            dtype=np.int64,
        ).reshape(len(theaters), 2),
        theater_patron=patron,
        front_in_theater=in_theater,
        war_months0=np.array(
            [_months_at_war(t.war_began, year, month) for t in scenario.theaters.values()],
            dtype=np.int64,
        ),
        slot_actor_onehot=slot_actor,
        defender_soil=in_theater & (soil_side == DEFENDER)[:, None],
        aggressor_soil=in_theater & (soil_side == AGGRESSOR)[:, None],
    )


def _months_at_war(began: str | None, start_year: int, start_month: int) -> int:
    """Months between a war's start ``YYYY-MM`` and the scenario's start (0 if none)."""
    if began is None:
        return 0
    year, month = (int(x) for x in began.split("-"))
    return max(0, (start_year - year) * 12 + start_month - month)
