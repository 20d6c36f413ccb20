"""The typed scenario: what a scenario TOML file may contain.

Units are in field names. Every number is a :class:`~.distributions.Param`
carrying its source or the assumption behind it. Unknown keys are errors.
Cross-references (a front's theater, an aid line's donor) are checked by
:func:`cross_reference_problems`, which returns every problem at once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from twofront.scenario.distributions import AtLeastOne, Fraction, NonNegative, Positive

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
TheaterStatus = Literal["peace", "crisis", "war", "settled"]
THEATER_STATUSES: tuple[str, ...] = ("peace", "crisis", "war", "settled")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(_Strict):
    """``[scenario]``: name, start month and horizon."""

    name: Id
    title: str
    description: str = ""
    start: Month
    horizon_months: Annotated[int, Field(ge=1, le=600)]
    default_strategy: Id


class Munition(_Strict):
    """``[munitions.<id>]``: a class of munition counted in ``unit``."""

    title: str
    unit: str = "rounds"


class Production(_Strict):
    """``[actors.<id>.industry.<munition>]``: one production line and its stockpile.

    Capacity follows a first-order lag toward its target (planned, or
    mobilised when the strategy mobilises industry); output is capacity
    limited by the line's budget divided by the unit cost.
    """

    stockpile: NonNegative
    min_stockpile: NonNegative
    capacity_per_month: NonNegative
    planned_capacity_per_month: NonNegative
    mobilised_capacity_per_month: NonNegative
    ramp_months: Positive
    unit_cost_usd: Positive
    budget_usd_per_year: NonNegative


class Forces(_Strict):
    """``[actors.<id>.forces]``: manpower outside the fronts and how it moves."""

    reserves_personnel: NonNegative
    mobilisation_per_month: NonNegative
    deploy_fraction_per_month: Fraction
    redeploy_fraction_per_month: Fraction
    own_soil_priority: AtLeastOne
    lethality_per_month: NonNegative
    will_loss_per_100k_casualties: NonNegative
    will_loss_per_100k_mobilised: NonNegative


class Fires(_Strict):
    """``[actors.<id>.fires]``: the munition a side's fires use and how much."""

    munition: Id
    demand_per_month: NonNegative
    needed_per_month: Positive


class Actor(_Strict):
    """``[actors.<id>]``: a state (or bloc) with economy, industry and forces."""

    title: str
    gdp_usd_per_year: NonNegative
    defence_budget_usd_per_year: NonNegative
    will: Fraction
    industry: dict[Id, Production] = Field(default_factory=dict)
    forces: Forces | None = None
    fires: Fires | None = None


class Theater(_Strict):
    """``[theaters.<id>]``: where a war between a defender and an aggressor may be fought."""

    title: str
    status: TheaterStatus
    defender: Id
    aggressor: Id
    patrons: list[Id] = Field(default_factory=list)
    mud_months: list[Annotated[int, Field(ge=1, le=12)]] = Field(default_factory=list)
    mud_months_source: str = ""
    mud_advance_factor: Fraction


class Front(_Strict):
    """``[fronts.<id>]``: a sector of a theater, on one side's soil.

    ``occupied_km2`` is the part held by the side whose soil it is not;
    the owner holds the rest of ``area_km2``.
    """

    title: str
    theater: Id
    soil_of: Id
    area_km2: Positive
    occupied_km2: NonNegative
    personnel: dict[Id, NonNegative]
    advance_km2_per_month: NonNegative
    thin_defence_personnel: NonNegative
    settlements: NonNegative | None = None


class Combat(_Strict):
    """``[combat]``: the laws shared by every front."""

    defence_advantage: AtLeastOne
    shooter_exponent: NonNegative
    target_exponent: NonNegative
    fire_elasticity: NonNegative
    surprise_multiplier: AtLeastOne
    attacker_loss_multiplier: AtLeastOne
    deep_strike_multiplier: AtLeastOne


class AidLine(_Strict):
    """``[[strategies.<id>.aid]]``: a monthly transfer from a donor's stockpile."""

    donor: Id
    recipient: Id
    munition: Id
    per_month: NonNegative
    start: Month | None = None
    end: Month | None = None


class Strategy(_Strict):
    """``[strategies.<id>]``: a policy as data."""

    title: str
    description: str = ""
    aid: list[AidLine] = Field(default_factory=list)
    mobilise_industry: list[Id] = Field(default_factory=list)
    restrictions_lifted: bool = False


class Scenario(_Strict):
    """A whole scenario file."""

    scenario: Meta
    combat: Combat
    munitions: dict[Id, Munition]
    actors: dict[Id, Actor]
    theaters: dict[Id, Theater]
    fronts: dict[Id, Front]
    strategies: dict[Id, Strategy]


def cross_reference_problems(s: Scenario) -> list[tuple[str, str]]:
    """Every dangling or inconsistent reference, as (field path, what is wrong)."""
    problems: list[tuple[str, str]] = []

    def need(ok: bool, path: str, message: str) -> None:
        if not ok:
            problems.append((path, message))

    def one_of(value: str, known: dict, path: str, what: str) -> None:
        need(value in known, path, f"{value!r} is not a known {what}; expected one of {sorted(known)}")

    need(s.scenario.default_strategy in s.strategies, "scenario.default_strategy",
         f"{s.scenario.default_strategy!r} is not defined under [strategies]")
    for a_id, actor in s.actors.items():
        for m_id in actor.industry:
            one_of(m_id, s.munitions, f"actors.{a_id}.industry.{m_id}", "munition")
        if actor.fires is not None:
            one_of(actor.fires.munition, s.munitions, f"actors.{a_id}.fires.munition", "munition")
    for t_id, t in s.theaters.items():
        for role in ("defender", "aggressor"):
            a_id = getattr(t, role)
            path = f"theaters.{t_id}.{role}"
            one_of(a_id, s.actors, path, "actor")
            if a_id in s.actors:
                actor = s.actors[a_id]
                need(actor.forces is not None and actor.fires is not None, path,
                     f"{a_id!r} fights here, so actors.{a_id} needs [forces] and [fires]")
        need(t.defender != t.aggressor, f"theaters.{t_id}.aggressor", "must differ from defender")
        for i, p in enumerate(t.patrons):
            one_of(p, s.actors, f"theaters.{t_id}.patrons[{i}]", "actor")
        need(not t.mud_months or bool(t.mud_months_source.strip()),
             f"theaters.{t_id}.mud_months_source", "mud_months needs a source")
    for f_id, f in s.fronts.items():
        one_of(f.theater, s.theaters, f"fronts.{f_id}.theater", "theater")
        if f.theater not in s.theaters:
            continue
        t = s.theaters[f.theater]
        sides = {t.defender, t.aggressor}
        need(f.soil_of in sides, f"fronts.{f_id}.soil_of",
             f"{f.soil_of!r} must be one of the theater's sides {sorted(sides)}")
        need(set(f.personnel) == sides, f"fronts.{f_id}.personnel",
             f"must give exactly the theater's sides {sorted(sides)}; got {sorted(f.personnel)}")
        need(f.occupied_km2.support()[1] <= f.area_km2.support()[0], f"fronts.{f_id}.occupied_km2",
             f"can reach {f.occupied_km2.support()[1]:g} km2, more than area_km2 "
             f"(at least {f.area_km2.support()[0]:g})")
    for g_id, g in s.strategies.items():
        for i, line in enumerate(g.aid):
            path = f"strategies.{g_id}.aid[{i}]"
            one_of(line.donor, s.actors, f"{path}.donor", "actor")
            one_of(line.recipient, s.actors, f"{path}.recipient", "actor")
            one_of(line.munition, s.munitions, f"{path}.munition", "munition")
            donor = s.actors.get(line.donor)
            need(donor is None or line.munition in donor.industry, f"{path}.munition",
                 f"donor {line.donor!r} has no actors.{line.donor}.industry.{line.munition}")
            need(line.donor != line.recipient, f"{path}.recipient", "must differ from donor")
        for i, a_id in enumerate(g.mobilise_industry):
            one_of(a_id, s.actors, f"strategies.{g_id}.mobilise_industry[{i}]", "actor")
    return problems
