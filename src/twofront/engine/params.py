"""Sample a scenario's uncertain numbers into arrays, one row per run.

Each :class:`Param` at field path ``p`` takes, in run ``i``, the value
``ppf(u)`` with ``u`` drawn at site ``"param:" + p`` of month
:data:`~twofront.engine.rng.SAMPLING_MONTH`. The draw depends only on the
root seed, ``i`` and ``p``: the same run gets the same world under every
strategy (common random numbers) and in every chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from twofront.engine.rng import SAMPLING_MONTH, Stream
from twofront.scenario.distributions import Param
from twofront.scenario.schema import THEATER_STATUSES, Scenario, Strategy

F64 = NDArray[np.float64]
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
    theater_mud: NDArray[np.bool_]  # (theater, calendar month 0..11)
    has_line: NDArray[np.bool_]  # (actor, munition) actor has a production line
    fire_munition: NDArray[np.int64]  # (actor,) munition its fires use, -1 if none
    aid_donor: NDArray[np.int64]  # (line,)
    aid_recipient: NDArray[np.int64]  # (line,)
    aid_munition: NDArray[np.int64]  # (line,)
    aid_start: NDArray[np.int64]  # (line,) first month index the line runs
    aid_end: NDArray[np.int64]  # (line,) last month index the line runs
    mobilised: NDArray[np.bool_]  # (actor,) the strategy mobilises its industry
    restrictions_lifted: bool

    def calendar_month(self, month: int) -> int:
        """Calendar month 0..11 of simulation month ``month`` (0 = start)."""
        return (self.start_month - 1 + month) % 12

    def month_label(self, month: int) -> str:
        """``YYYY-MM`` of simulation month ``month``."""
        total = self.start_year * 12 + self.start_month - 1 + month
        return f"{total // 12:04d}-{total % 12 + 1:02d}"


@dataclass(frozen=True, slots=True)
class Params:
    """Every sampled number, run axis first. Shapes are in the comments."""

    index: Index
    stockpile: F64  # (run, actor, munition) units
    min_stockpile: F64  # (run, actor, munition) units a donor keeps
    capacity_per_month: F64  # (run, actor, munition)
    planned_capacity_per_month: F64  # (run, actor, munition)
    mobilised_capacity_per_month: F64  # (run, actor, munition)
    ramp_months: F64  # (run, actor, munition)
    unit_cost_usd: F64  # (run, actor, munition)
    budget_usd_per_year: F64  # (run, actor, munition)
    will: F64  # (run, actor)
    reserves_personnel: F64  # (run, actor)
    mobilisation_per_month: F64  # (run, actor)
    deploy_fraction_per_month: F64  # (run, actor)
    redeploy_fraction_per_month: F64  # (run, actor)
    own_soil_priority: F64  # (run, actor)
    lethality_per_month: F64  # (run, actor)
    will_loss_per_100k_casualties: F64  # (run, actor)
    will_loss_per_100k_mobilised: F64  # (run, actor)
    fire_demand_per_month: F64  # (run, actor)
    fire_needed_per_month: F64  # (run, actor)
    area_km2: F64  # (run, front)
    occupied_km2: F64  # (run, front)
    personnel: F64  # (run, front, side)
    advance_km2_per_month: F64  # (run, front)
    thin_defence_personnel: F64  # (run, front)
    mud_advance_factor: F64  # (run, theater)
    defence_advantage: F64  # (run,)
    shooter_exponent: F64  # (run,)
    target_exponent: F64  # (run,)
    fire_elasticity: F64  # (run,)
    surprise_multiplier: F64  # (run,)
    attacker_loss_multiplier: F64  # (run,)
    deep_strike_multiplier: F64  # (run,)
    aid_per_month: F64  # (run, line)

    @property
    def runs(self) -> int:
        return self.will.shape[0]


def _month_index(scenario: Scenario, label: str | None, default: int) -> int:
    if label is None:
        return default
    year, month = (int(x) for x in label.split("-"))
    s_year, s_month = (int(x) for x in scenario.scenario.start.split("-"))
    return (year - s_year) * 12 + (month - s_month)


def build_index(scenario: Scenario, strategy: Strategy) -> Index:
    """The integer wiring of ``scenario`` under ``strategy``."""
    actors = tuple(scenario.actors)
    munitions = tuple(scenario.munitions)
    theaters = tuple(scenario.theaters)
    fronts = tuple(scenario.fronts)
    a_of, m_of, t_of = (
        {n: i for i, n in enumerate(names)} for names in (actors, munitions, theaters)
    )
    front_actor = np.array(
        [
            [a_of[scenario.theaters[f.theater].defender], a_of[scenario.theaters[f.theater].aggressor]]
            for f in scenario.fronts.values()
        ],
        dtype=np.int64,
    ).reshape(len(fronts), 2)
    soil_side = np.array(
        [AGGRESSOR if f.soil_of == scenario.theaters[f.theater].aggressor else DEFENDER
         for f in scenario.fronts.values()],
        dtype=np.int64,
    )
    mud = np.zeros((len(theaters), 12), dtype=np.bool_)
    for i, t in enumerate(scenario.theaters.values()):
        mud[i, [m - 1 for m in t.mud_months]] = True
    lines = strategy.aid
    year, month = (int(x) for x in scenario.scenario.start.split("-"))
    horizon = scenario.scenario.horizon_months
    return Index(
        actors=actors,
        munitions=munitions,
        theaters=theaters,
        fronts=fronts,
        start_year=year,
        start_month=month,
        horizon_months=horizon,
        front_theater=np.array([t_of[f.theater] for f in scenario.fronts.values()], dtype=np.int64),
        front_actor=front_actor,
        front_soil_side=soil_side,
        theater_status0=np.array(
            [THEATER_STATUSES.index(t.status) for t in scenario.theaters.values()], dtype=np.int8
        ),
        theater_mud=mud,
        has_line=np.array(
            [[m in a.industry for m in munitions] for a in scenario.actors.values()], dtype=np.bool_
        ).reshape(len(actors), len(munitions)),
        fire_munition=np.array(
            [m_of[a.fires.munition] if a.fires else -1 for a in scenario.actors.values()],
            dtype=np.int64,
        ),
        aid_donor=np.array([a_of[x.donor] for x in lines], dtype=np.int64),
        aid_recipient=np.array([a_of[x.recipient] for x in lines], dtype=np.int64),
        aid_munition=np.array([m_of[x.munition] for x in lines], dtype=np.int64),
        aid_start=np.array([_month_index(scenario, x.start, 0) for x in lines], dtype=np.int64),
        aid_end=np.array([_month_index(scenario, x.end, horizon) for x in lines], dtype=np.int64),
        mobilised=np.array([a in strategy.mobilise_industry for a in actors], dtype=np.bool_),
        restrictions_lifted=strategy.restrictions_lifted,
    )


class _Sampler:
    """Draws each Param once per run from the run's own stream."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.runs = stream.runs.shape[0]

    def draw(self, param: Param | None, path: str, absent: float = 0.0) -> F64:
        if param is None:
            return np.full(self.runs, absent)
        if param.dist == "fixed":
            return np.full(self.runs, float(param.value))  # type: ignore[arg-type]
        return param.ppf(self.stream.uniform(SAMPLING_MONTH, f"param:{path}")[:, 0])

    def stack(self, columns: list[F64]) -> F64:
        return np.stack(columns, axis=1) if columns else np.zeros((self.runs, 0))


def sample(scenario: Scenario, strategy_name: str, stream: Stream) -> Params:
    """Sample every parameter of ``scenario`` under strategy ``strategy_name``."""
    strategy = scenario.strategies[strategy_name]
    index = build_index(scenario, strategy)
    s = _Sampler(stream)
    actors, munitions = scenario.actors, index.munitions

    def line_field(name: str, absent: float = 0.0) -> F64:
        per_actor = [
            s.stack([
                s.draw(getattr(a.industry[m], name) if m in a.industry else None,
                       f"actors.{a_id}.industry.{m}.{name}", absent)
                for m in munitions
            ])
            for a_id, a in actors.items()
        ]
        return np.stack(per_actor, axis=1)

    def forces_field(name: str) -> F64:
        return s.stack([
            s.draw(getattr(a.forces, name) if a.forces else None, f"actors.{a_id}.forces.{name}")
            for a_id, a in actors.items()
        ])

    def fires_field(name: str, absent: float) -> F64:
        return s.stack([
            s.draw(getattr(a.fires, name) if a.fires else None, f"actors.{a_id}.fires.{name}",
                   absent)
            for a_id, a in actors.items()
        ])

    def front_field(name: str) -> F64:
        return s.stack([
            s.draw(getattr(f, name), f"fronts.{f_id}.{name}") for f_id, f in scenario.fronts.items()
        ])

    def combat_field(name: str) -> F64:
        return s.draw(getattr(scenario.combat, name), f"combat.{name}")

    personnel = np.zeros((s.runs, len(index.fronts), 2))
    for j, (f_id, f) in enumerate(scenario.fronts.items()):
        theater = scenario.theaters[f.theater]
        for side, a_id in enumerate((theater.defender, theater.aggressor)):
            personnel[:, j, side] = s.draw(f.personnel[a_id], f"fronts.{f_id}.personnel.{a_id}")
    area = front_field("area_km2")
    return Params(
        index=index,
        stockpile=line_field("stockpile"),
        min_stockpile=line_field("min_stockpile"),
        capacity_per_month=line_field("capacity_per_month"),
        planned_capacity_per_month=line_field("planned_capacity_per_month"),
        mobilised_capacity_per_month=line_field("mobilised_capacity_per_month"),
        ramp_months=line_field("ramp_months", absent=1.0),
        unit_cost_usd=line_field("unit_cost_usd", absent=1.0),
        budget_usd_per_year=line_field("budget_usd_per_year"),
        will=s.stack([s.draw(a.will, f"actors.{a_id}.will") for a_id, a in actors.items()]),
        reserves_personnel=forces_field("reserves_personnel"),
        mobilisation_per_month=forces_field("mobilisation_per_month"),
        deploy_fraction_per_month=forces_field("deploy_fraction_per_month"),
        redeploy_fraction_per_month=forces_field("redeploy_fraction_per_month"),
        own_soil_priority=forces_field("own_soil_priority"),
        lethality_per_month=forces_field("lethality_per_month"),
        will_loss_per_100k_casualties=forces_field("will_loss_per_100k_casualties"),
        will_loss_per_100k_mobilised=forces_field("will_loss_per_100k_mobilised"),
        fire_demand_per_month=fires_field("demand_per_month", 0.0),
        fire_needed_per_month=fires_field("needed_per_month", 1.0),
        area_km2=area,
        occupied_km2=np.minimum(front_field("occupied_km2"), area),
        personnel=personnel,
        advance_km2_per_month=front_field("advance_km2_per_month"),
        thin_defence_personnel=front_field("thin_defence_personnel"),
        mud_advance_factor=s.stack([
            s.draw(t.mud_advance_factor, f"theaters.{t_id}.mud_advance_factor")
            for t_id, t in scenario.theaters.items()
        ]),
        defence_advantage=combat_field("defence_advantage"),
        shooter_exponent=combat_field("shooter_exponent"),
        target_exponent=combat_field("target_exponent"),
        fire_elasticity=combat_field("fire_elasticity"),
        surprise_multiplier=combat_field("surprise_multiplier"),
        attacker_loss_multiplier=combat_field("attacker_loss_multiplier"),
        deep_strike_multiplier=combat_field("deep_strike_multiplier"),
        aid_per_month=s.stack([
            s.draw(line.per_month, f"strategies.{strategy_name}.aid[{i}].per_month")
            for i, line in enumerate(strategy.aid)
        ]),
    )
