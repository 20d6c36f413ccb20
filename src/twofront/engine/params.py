"""Sample a scenario's uncertain numbers into arrays, one row per run.

Each :class:`Param` at field path ``p`` takes, in run ``i``, the value
``ppf(u)`` with ``u`` drawn at site ``"param:" + p`` of month
:data:`~twofront.engine.rng.SAMPLING_MONTH`. The draw depends only on the
root seed, ``i`` and ``p``: the same run gets the same world under every
strategy (common random numbers) and in every chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from twofront.engine.designs import Design
from twofront.engine.rng import SAMPLING_MONTH, Stream
from twofront.scenario.conditions import THEATER_STATUSES, Condition, compile_condition
from twofront.scenario.distributions import Param
from twofront.scenario.schema import Aim, Scenario, Strategy, condition_names

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
    theater_actor: NDArray[np.int64]  # (theater, side) defender and aggressor
    theater_patron: NDArray[np.bool_]  # (theater, actor) patrons of each theater's defender
    front_in_theater: NDArray[np.bool_]  # (front, theater)
    war_months0: NDArray[np.int64]  # (theater,) months at war before the start
    defender_aim_total: NDArray[np.bool_]  # (theater,) defender admits only collapse
    aggressor_aim_total: NDArray[np.bool_]  # (theater,)
    has_escalation: NDArray[np.bool_]  # (theater,)
    escalation_top: NDArray[np.int64]  # (theater,) highest level index (0 if no ladder)
    has_opportunism: NDArray[np.bool_]  # (theater,)
    can_recur: NDArray[np.bool_]  # (theater,) a settled war may be followed by another
    deterrent_munitions: NDArray[np.bool_]  # (theater, munition) stocks that deter
    aid_theater: NDArray[np.int64]  # (line,) theater whose defender receives, -1 if none
    aid_when: tuple[Condition | None, ...]  # (line,)
    mobilise_when: Condition | None
    restrictions_when: Condition | None
    start_war: tuple[tuple[int, Condition], ...]  # (theater index, condition)

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
    ramp_decay_per_month: F64  # (run, actor, munition) exp(-1 / ramp_months)
    budget_output_per_month: F64  # (run, actor, munition) budget / 12 / unit cost; 0 if no line
    mobilised_budget_output_per_month: F64  # (run, actor, munition) scaled by mobilised/planned
    will: F64  # (run, actor)
    reserves_personnel: F64  # (run, actor)
    mobilisation_per_month: F64  # (run, actor)
    deploy_fraction_per_month: F64  # (run, actor)
    redeploy_fraction_per_month: F64  # (run, actor)
    own_soil_priority: F64  # (run, actor)
    lethality_per_month: F64  # (run, actor)
    will_loss_per_100k_casualties: F64  # (run, actor)
    will_loss_per_100k_mobilised: F64  # (run, actor)
    wounded_return_fraction: F64  # (run, actor)
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
    war_cost_share_per_month: F64  # (run, actor)
    territory_km2: F64  # (run, actor) NaN where not given
    bargaining_horizon_months: F64  # (run,)
    discount_per_month: F64  # (run,)
    enemy_soil_weight: F64  # (run,)
    belief_error_sd: F64  # (run,)
    learning_months: F64  # (run,)
    optimism_bias: F64  # (run,)
    trend_smoothing: F64  # (run,)
    collapse_will: F64  # (run,)
    belief_z: F64  # (run, theater, side) each side's standard-normal private error
    defender_bargaining_power: F64  # (run, theater)
    reference_occupied_km2: F64  # (run, theater) NaN where not given
    defender_floor: F64  # (run, theater) lowest defender share the defender's aim admits
    defender_floor_tolerance: F64  # (run, theater) NaN unless freeze-lines
    aggressor_ceiling: F64  # (run, theater) highest defender share the aggressor admits (inf)
    aggressor_ceiling_tolerance: F64  # (run, theater) NaN unless freeze-lines
    escalation_base_hazard: F64  # (run, theater)
    escalation_restrictions_hazard: F64  # (run, theater)
    escalation_soil_hazard_per_1000km2: F64  # (run, theater)
    escalation_patron_will_loss: F64  # (run, theater, level)
    escalation_aid_factor: F64  # (run, theater, level)
    escalation_opportunism_factor: F64  # (run, theater, level)
    opportunism_base_hazard: F64  # (run, theater)
    readiness_start: F64  # (run, theater)
    readiness_end: F64  # (run, theater)
    readiness_ramp_months: F64  # (run, theater)
    readiness_after_war: F64  # (run, theater) readiness right after a settled war
    deterrent_stock_reference: F64  # (run, theater, munition), 1 where unused
    deterrence_elasticity: F64  # (run, theater)
    busy_multiplier: F64  # (run, theater)
    inputs: dict[str, F64]  # parameter path -> (run,) value sampled for it

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
        **_theater_wiring(scenario, strategy, actors, munitions, fronts),
    )


def _theater_wiring(
    scenario: Scenario,
    strategy: Strategy,
    actors: tuple[str, ...],
    munitions: tuple[str, ...],
    fronts: tuple[str, ...],
) -> dict[str, object]:
    theaters = scenario.theaters
    a_of = {n: i for i, n in enumerate(actors)}
    t_names = list(theaters)
    patron = np.zeros((len(theaters), len(actors)), dtype=np.bool_)
    for i, t in enumerate(theaters.values()):
        patron[i, [a_of[p] for p in t.patrons]] = True
    in_theater = np.array(
        [[f.theater == t for t in t_names] for f in scenario.fronts.values()], dtype=np.bool_
    ).reshape(len(fronts), len(theaters))
    s_year, s_month = (int(x) for x in scenario.scenario.start.split("-"))

    def months_at_war(t_began: str | None) -> int:
        if t_began is None:
            return 0
        year, month = (int(x) for x in t_began.split("-"))
        return max(0, (s_year - year) * 12 + s_month - month)

    def aim(t_id: str, role: str) -> Aim:
        t = theaters[t_id]
        if role == "defender" and t_id in strategy.aims:
            return scenario.aims[strategy.aims[t_id]]
        return scenario.aims[t.defender_aim if role == "defender" else t.aggressor_aim]

    deterrent = np.zeros((len(theaters), len(munitions)), dtype=np.bool_)
    for i, t in enumerate(theaters.values()):
        if t.opportunism is not None:
            for m in t.opportunism.deterrent_stock_reference:
                deterrent[i, munitions.index(m)] = True

    def compiled(text: str | None) -> Condition | None:
        return None if text is None else compile_condition(text, condition_names(scenario))

    def receiving_theater(recipient: str) -> int:
        for i, t in enumerate(theaters.values()):
            if t.defender == recipient:
                return i
        return -1

    return {
        "theater_actor": np.array(
            [[a_of[t.defender], a_of[t.aggressor]] for t in theaters.values()], dtype=np.int64
        ).reshape(len(theaters), 2),
        "theater_patron": patron,
        "front_in_theater": in_theater,
        "war_months0": np.array([months_at_war(t.war_began) for t in theaters.values()]),
        "defender_aim_total": np.array([aim(t, "defender").total for t in theaters], dtype=bool),
        "aggressor_aim_total": np.array([aim(t, "aggressor").total for t in theaters], dtype=bool),
        "has_escalation": np.array([t.escalation is not None for t in theaters.values()]),
        "escalation_top": np.array(
            [len(t.escalation.levels) - 1 if t.escalation else 0 for t in theaters.values()]
        ),
        "has_opportunism": np.array([t.opportunism is not None for t in theaters.values()]),
        "can_recur": np.array(
            [
                t.opportunism is not None and t.opportunism.readiness_after_war is not None
                for t in theaters.values()
            ],
            dtype=np.bool_,
        ),
        "deterrent_munitions": deterrent,
        "aid_theater": np.array(
            [receiving_theater(x.recipient) for x in strategy.aid], dtype=np.int64
        ),
        "aid_when": tuple(compiled(x.when) for x in strategy.aid),
        "mobilise_when": compiled(strategy.mobilise_when),
        "restrictions_when": compiled(strategy.restrictions_lifted_when),
        "start_war": tuple(
            (t_names.index(x.theater), compile_condition(x.when, condition_names(scenario)))
            for x in strategy.start_war
        ),
    }


def industry_limits(
    index: Index, ramp_months: F64, unit_cost: F64, budget: F64, planned: F64, mobilised: F64
) -> dict[str, F64]:
    """Per-month constants of industry derived once from its parameters.

    ``ramp_decay_per_month`` = exp(-1 / ramp); ``budget_output_per_month`` =
    budget / 12 / unit cost (0 without a line); mobilised lines are funded in
    proportion to mobilised / planned capacity (never less than planned).
    """
    output_cap = np.where(index.has_line, budget / 12.0 / unit_cost, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(planned > 0, mobilised / planned, 1.0)
    return {
        "ramp_decay_per_month": np.exp(-1.0 / ramp_months),
        "budget_output_per_month": output_cap,
        "mobilised_budget_output_per_month": output_cap * np.maximum(scale, 1.0),
    }


def rederive(params: Params) -> Params:
    """``params`` with its derived industry constants recomputed (after ``replace``)."""
    return replace(
        params,
        **industry_limits(
            params.index,
            params.ramp_months,
            params.unit_cost_usd,
            params.budget_usd_per_year,
            params.planned_capacity_per_month,
            params.mobilised_capacity_per_month,
        ),
    )


class _Sampler:
    """Draws each Param once per run, from the design's uniforms."""

    def __init__(self, stream: Stream, design: Design) -> None:
        self.stream = stream
        self.design = design
        self.runs = stream.runs.shape[0]
        self.drawn: dict[str, F64] = {}

    def draw(self, param: Param | None, path: str, absent: float = 0.0) -> F64:
        if param is None:
            return np.full(self.runs, absent)
        if param.dist == "fixed":
            values = np.full(self.runs, float(param.value))  # type: ignore[arg-type]
        else:
            u = self.design.uniforms(param, path)
            values = np.full(self.runs, param.nominal()) if u is None else param.ppf(u)
        self.drawn[path] = values
        return values

    def stack(self, columns: list[F64]) -> F64:
        return np.stack(columns, axis=1) if columns else np.zeros((self.runs, 0))


def sample(
    scenario: Scenario, strategy_name: str, stream: Stream, design: Design | None = None
) -> Params:
    """Sample every parameter of ``scenario`` under strategy ``strategy_name``.

    ``design`` says where the uniforms come from (:mod:`twofront.engine.designs`);
    by default independent draws from ``stream``.
    """
    strategy = scenario.strategies[strategy_name]
    index = build_index(scenario, strategy)
    s = _Sampler(stream, design or Design("mc", stream))
    actors, munitions = scenario.actors, index.munitions

    def line_field(name: str, absent: float = 0.0) -> F64:
        per_actor = [
            s.stack(
                [
                    s.draw(
                        getattr(a.industry[m], name) if m in a.industry else None,
                        f"actors.{a_id}.industry.{m}.{name}",
                        absent,
                    )
                    for m in munitions
                ]
            )
            for a_id, a in actors.items()
        ]
        return np.stack(per_actor, axis=1)

    def forces_field(name: str) -> F64:
        return s.stack(
            [
                s.draw(
                    getattr(a.forces, name) if a.forces else None, f"actors.{a_id}.forces.{name}"
                )
                for a_id, a in actors.items()
            ]
        )

    def fires_field(name: str, absent: float) -> F64:
        return s.stack(
            [
                s.draw(
                    getattr(a.fires, name) if a.fires else None,
                    f"actors.{a_id}.fires.{name}",
                    absent,
                )
                for a_id, a in actors.items()
            ]
        )

    def front_field(name: str) -> F64:
        return s.stack(
            [
                s.draw(getattr(f, name), f"fronts.{f_id}.{name}")
                for f_id, f in scenario.fronts.items()
            ]
        )

    def combat_field(name: str) -> F64:
        return s.draw(getattr(scenario.combat, name), f"combat.{name}")

    ramp_months = line_field("ramp_months", absent=1.0)
    unit_cost = line_field("unit_cost_usd", absent=1.0)
    budget = line_field("budget_usd_per_year")
    planned = line_field("planned_capacity_per_month")
    mobilised = line_field("mobilised_capacity_per_month")
    derived = industry_limits(index, ramp_months, unit_cost, budget, planned, mobilised)
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
        planned_capacity_per_month=planned,
        mobilised_capacity_per_month=mobilised,
        ramp_months=ramp_months,
        unit_cost_usd=unit_cost,
        budget_usd_per_year=budget,
        **derived,
        will=s.stack([s.draw(a.will, f"actors.{a_id}.will") for a_id, a in actors.items()]),
        reserves_personnel=forces_field("reserves_personnel"),
        mobilisation_per_month=forces_field("mobilisation_per_month"),
        deploy_fraction_per_month=forces_field("deploy_fraction_per_month"),
        redeploy_fraction_per_month=forces_field("redeploy_fraction_per_month"),
        own_soil_priority=forces_field("own_soil_priority"),
        lethality_per_month=forces_field("lethality_per_month"),
        will_loss_per_100k_casualties=forces_field("will_loss_per_100k_casualties"),
        will_loss_per_100k_mobilised=forces_field("will_loss_per_100k_mobilised"),
        wounded_return_fraction=forces_field("wounded_return_fraction"),
        fire_demand_per_month=fires_field("demand_per_month", 0.0),
        fire_needed_per_month=fires_field("needed_per_month", 1.0),
        area_km2=area,
        occupied_km2=np.minimum(front_field("occupied_km2"), area),
        personnel=personnel,
        advance_km2_per_month=front_field("advance_km2_per_month"),
        thin_defence_personnel=front_field("thin_defence_personnel"),
        mud_advance_factor=s.stack(
            [
                s.draw(t.mud_advance_factor, f"theaters.{t_id}.mud_advance_factor")
                for t_id, t in scenario.theaters.items()
            ]
        ),
        defence_advantage=combat_field("defence_advantage"),
        shooter_exponent=combat_field("shooter_exponent"),
        target_exponent=combat_field("target_exponent"),
        fire_elasticity=combat_field("fire_elasticity"),
        surprise_multiplier=combat_field("surprise_multiplier"),
        attacker_loss_multiplier=combat_field("attacker_loss_multiplier"),
        deep_strike_multiplier=combat_field("deep_strike_multiplier"),
        aid_per_month=s.stack(
            [
                s.draw(line.per_month, f"strategies.{strategy_name}.aid[{i}].per_month")
                for i, line in enumerate(strategy.aid)
            ]
        ),
        territory_km2=s.stack(
            [
                s.draw(a.territory_km2, f"actors.{a_id}.territory_km2", np.nan)
                for a_id, a in actors.items()
            ]
        ),
        war_cost_share_per_month=s.stack(
            [
                s.draw(a.war_cost_share_per_month, f"actors.{a_id}.war_cost_share_per_month")
                for a_id, a in actors.items()
            ]
        ),
        **_bargaining_fields(scenario, s, index),
        **_theater_fields(scenario, strategy, s),
        inputs=s.drawn,
    )


def _bargaining_fields(scenario: Scenario, s: _Sampler, index: Index) -> dict[str, F64]:
    b = scenario.bargaining
    # Each side's persistent belief error in each theater: standard normal, one lane a side.
    z = np.zeros((s.runs, len(index.theaters), 2))
    for k, t_id in enumerate(index.theaters):
        z[:, k, :] = stats.norm.ppf(s.stream.uniform(SAMPLING_MONTH, f"belief:{t_id}", lanes=2))
    return {
        "bargaining_horizon_months": s.draw(b.horizon_months, "bargaining.horizon_months"),
        "discount_per_month": s.draw(b.discount_per_month, "bargaining.discount_per_month"),
        "enemy_soil_weight": s.draw(b.enemy_soil_weight, "bargaining.enemy_soil_weight"),
        "belief_error_sd": s.draw(b.belief_error_sd, "bargaining.belief_error_sd"),
        "learning_months": s.draw(b.learning_months, "bargaining.learning_months"),
        "optimism_bias": s.draw(b.optimism_bias, "bargaining.optimism_bias"),
        "trend_smoothing": s.draw(b.trend_smoothing, "bargaining.trend_smoothing"),
        "collapse_will": s.draw(b.collapse_will, "bargaining.collapse_will"),
        "belief_z": z,
    }


def _theater_fields(scenario: Scenario, strategy: Strategy, s: _Sampler) -> dict[str, F64]:
    theaters = scenario.theaters
    nan = np.nan
    levels = max((len(t.escalation.levels) for t in theaters.values() if t.escalation), default=1)

    def per_theater(get, path: str, absent: float = 0.0) -> F64:  # type: ignore[no-untyped-def]
        return s.stack(
            [s.draw(get(t), f"theaters.{t_id}.{path}", absent) for t_id, t in theaters.items()]
        )

    def aim_bound(role: str, field: str, absent: float) -> F64:
        cols = []
        for t_id, t in theaters.items():
            aim_id = t.defender_aim if role == "defender" else t.aggressor_aim
            if role == "defender" and t_id in strategy.aims:
                aim_id = strategy.aims[t_id]
            cols.append(
                s.draw(getattr(scenario.aims[aim_id], field), f"aims.{aim_id}.{field}", absent)
            )
        return s.stack(cols)

    def level_field(name: str, absent: float) -> F64:
        out = np.full((s.runs, len(theaters), levels), absent)
        for j, (t_id, t) in enumerate(theaters.items()):
            if t.escalation is None:
                continue
            for k, level in enumerate(t.escalation.levels):
                out[:, j, k] = s.draw(
                    getattr(level, name), f"theaters.{t_id}.escalation.levels[{k}].{name}"
                )
            out[:, j, len(t.escalation.levels) :] = out[:, j, len(t.escalation.levels) - 1 :][:, :1]
        return out

    def esc(name: str):  # type: ignore[no-untyped-def]
        return lambda t: getattr(t.escalation, name) if t.escalation else None

    def opp(name: str):  # type: ignore[no-untyped-def]
        return lambda t: getattr(t.opportunism, name) if t.opportunism else None

    munitions = list(scenario.munitions)
    reference = np.ones((s.runs, len(theaters), len(munitions)))
    for j, (t_id, t) in enumerate(theaters.items()):
        if t.opportunism is not None:
            for m_id, param in t.opportunism.deterrent_stock_reference.items():
                reference[:, j, munitions.index(m_id)] = s.draw(
                    param, f"theaters.{t_id}.opportunism.deterrent_stock_reference.{m_id}"
                )
    return {
        "defender_bargaining_power": per_theater(
            lambda t: t.defender_bargaining_power, "defender_bargaining_power"
        ),
        "reference_occupied_km2": per_theater(
            lambda t: t.reference_occupied_km2, "reference_occupied_km2", nan
        ),
        "defender_floor": aim_bound("defender", "defender_share_at_least", 0.0),
        "defender_floor_tolerance": aim_bound("defender", "lines_tolerance", nan),
        "aggressor_ceiling": aim_bound("aggressor", "defender_share_at_most", np.inf),
        "aggressor_ceiling_tolerance": aim_bound("aggressor", "lines_tolerance", nan),
        "escalation_base_hazard": per_theater(
            esc("base_hazard_per_month"), "escalation.base_hazard_per_month"
        ),
        "escalation_restrictions_hazard": per_theater(
            esc("restrictions_hazard_per_month"), "escalation.restrictions_hazard_per_month"
        ),
        "escalation_soil_hazard_per_1000km2": per_theater(
            esc("soil_hazard_per_1000km2"), "escalation.soil_hazard_per_1000km2"
        ),
        "escalation_patron_will_loss": level_field("patron_will_loss_per_month", 0.0),
        "escalation_aid_factor": level_field("aid_factor", 1.0),
        "escalation_opportunism_factor": level_field("opportunism_factor", 1.0),
        "opportunism_base_hazard": per_theater(
            opp("base_hazard_per_month"), "opportunism.base_hazard_per_month"
        ),
        "readiness_start": per_theater(opp("readiness_start"), "opportunism.readiness_start"),
        "readiness_end": per_theater(opp("readiness_end"), "opportunism.readiness_end"),
        "readiness_after_war": per_theater(
            opp("readiness_after_war"), "opportunism.readiness_after_war"
        ),
        "readiness_ramp_months": per_theater(
            opp("readiness_ramp_months"), "opportunism.readiness_ramp_months", 1.0
        ),
        "deterrent_stock_reference": reference,
        "deterrence_elasticity": per_theater(
            opp("deterrence_elasticity"), "opportunism.deterrence_elasticity"
        ),
        "busy_multiplier": per_theater(opp("busy_multiplier"), "opportunism.busy_multiplier", 1.0),
    }
