"""Every run's sampled numbers: the world at month 0 plus each mechanism's own parameters.

Each mechanism under ``model/`` (and the policy) declares a frozen dataclass
of the parameters it reads and a ``sample_params`` function that draws them
(:mod:`twofront.engine.sampler`); :mod:`twofront.simulation` collects them
into one :class:`Params`. A phase reads its own part with
``params.of(CombatParams)``, and another mechanism's part only where the
model links the two (aid reads industry's unit costs). Derived values are
computed from their inputs where they are used, never cached beside them,
so a ``replace`` of any parameter takes effect.

:class:`World` holds the initial conditions that the state starts from and
that several mechanisms and the recorder read (areas, territory).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import Index
from twofront.engine.sampler import Sampler
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]
Part = TypeVar("Part")


@dataclass(frozen=True, slots=True)
class World:
    """Initial conditions, run axis first."""

    stockpile: F64  # (run, actor, munition) units at month 0
    capacity_per_month: F64  # (run, actor, munition) production capacity at month 0
    reserves_personnel: F64  # (run, actor)
    personnel: F64  # (run, front, side) at the front at month 0
    will: F64  # (run, actor) domestic will to fight, 0..1
    area_km2: F64  # (run, front)
    occupied_km2: F64  # (run, front) held by the side whose soil it is not, at month 0
    territory_km2: F64  # (run, actor) NaN where not given
    reference_occupied_km2: F64  # (run, theater) a reference line (e.g. Feb 2022); NaN if none
    oil_price_usd_per_bbl: F64  # (run, actor) export price at month 0; 0 without a war economy
    reserve_fund_usd: F64  # (run, actor) reserve fund at month 0; 0 without a war economy


def sample_world(scenario: Scenario, index: Index, sampler: Sampler) -> World:
    """Draw the initial conditions of ``scenario``."""
    personnel = np.zeros((sampler.runs, len(index.fronts), 2))
    for j, (f_id, f) in enumerate(scenario.fronts.items()):
        theater = scenario.theaters[f.theater]
        for side, a_id in enumerate((theater.defender, theater.aggressor)):
            personnel[:, j, side] = sampler.draw(
                f.personnel[a_id], f"fronts.{f_id}.personnel.{a_id}"
            )
    area = sampler.per_front("area_km2")
    return World(
        stockpile=sampler.per_line("stockpile"),
        capacity_per_month=sampler.per_line("capacity_per_month"),
        reserves_personnel=sampler.per_actor(
            lambda a: a.forces.reserves_personnel if a.forces else None,
            "forces.reserves_personnel",
        ),
        personnel=personnel,
        will=sampler.per_actor(lambda a: a.will, "will"),
        area_km2=area,
        occupied_km2=np.minimum(sampler.per_front("occupied_km2"), area),
        territory_km2=sampler.per_actor(lambda a: a.territory_km2, "territory_km2", np.nan),
        reference_occupied_km2=sampler.per_theater(
            lambda t: t.reference_occupied_km2, "reference_occupied_km2", np.nan
        ),
        oil_price_usd_per_bbl=sampler.per_actor_in("war_economy", "export_price_usd_per_bbl"),
        reserve_fund_usd=sampler.per_actor_in("war_economy", "reserve_fund_usd"),
    )


@dataclass(frozen=True, slots=True)
class Params:
    """Every sampled number of a chunk of runs, grouped by owner."""

    index: Index
    world: World
    parts: Mapping[type, object]  # mechanism parameter class -> its sampled instance
    inputs: Mapping[str, F64]  # parameter path -> (run,) value drawn for it

    @property
    def runs(self) -> int:
        return self.world.will.shape[0]

    def of(self, kind: type[Part]) -> Part:
        """The part of the parameters owned by the mechanism whose class is ``kind``."""
        if kind not in self.parts:
            raise LookupError(f"no {kind.__name__} among the sampled parameters")
        return cast(Part, self.parts[kind])

    def with_part(self, part: object) -> Params:
        """These parameters with one mechanism's part replaced (for tests and sweeps)."""
        return replace(self, parts={**self.parts, type(part): part})
