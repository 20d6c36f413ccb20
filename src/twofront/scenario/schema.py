"""The typed scenario: what a scenario TOML file may contain.

Units are in field names. Every number is a :class:`~.distributions.Param`
carrying its source or the assumption behind it. Unknown keys are errors.
Cross-references (a front's theater, an aid line's donor) are checked by
:func:`cross_reference_problems`, which returns every problem at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from twofront.errors import ConditionError
from twofront.scenario.conditions import Names, compile_condition
from twofront.scenario.distributions import (
    AtLeastOne,
    Fraction,
    NonNegative,
    Personnel,
    Positive,
    SignedFraction,
)
from twofront.scenario.limits import (
    MAX_ACTORS,
    MAX_AID_LINES,
    MAX_AIMS,
    MAX_CONDITION_CHARS,
    MAX_FRONTS,
    MAX_HORIZON_MONTHS,
    MAX_LIST_ITEMS,
    MAX_MUNITIONS,
    MAX_STRATEGIES,
    MAX_TEXT_CHARS,
    MAX_THEATERS,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
TheaterStatusName = Literal["peace", "crisis", "war", "settled"]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
ConditionText = Annotated[str, StringConstraints(max_length=MAX_CONDITION_CHARS)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(_Strict):
    """``[scenario]``: name, start month and horizon."""

    name: Id
    title: Text
    description: Text = ""
    start: Month
    horizon_months: Annotated[StrictInt, Field(ge=1, le=MAX_HORIZON_MONTHS)]
    default_strategy: Id


class Munition(_Strict):
    """``[munitions.<id>]``: a class of munition counted in ``unit``."""

    title: Text
    unit: Text = "rounds"


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

    reserves_personnel: Personnel
    mobilisation_per_month: Personnel
    deploy_fraction_per_month: Fraction
    redeploy_fraction_per_month: Fraction
    own_soil_priority: AtLeastOne
    lethality_per_month: NonNegative
    will_loss_per_100k_casualties: NonNegative
    will_loss_per_100k_mobilised: NonNegative
    wounded_return_fraction: Fraction
    absent_share_per_month: Fraction | None = None
    """Share of personnel at the fronts that goes missing each month without being hit
    (absence without leave, desertion); absent: none."""
    absent_return_fraction: Fraction | None = None
    """Share of the month's absentees who come back to the reserves (absent: none)."""
    commit_reserves_when: ConditionText | None = None
    """Reserves flow to the fronts only while this holds (absent: always): an actor may
    hold them back and commit them by rule, e.g. ``calendar >= 5 and calendar <= 9``."""
    attack_when: ConditionText | None = None
    """The actor attacks where it is stronger only while this holds (absent: always); held
    back, it stands on the defensive and takes no ground (an offensive timed by rule)."""


class FiresLine(_Strict):
    """``[actors.<id>.fires.munitions.<munition>]``: one munition of a side's fires."""

    demand_per_month: NonNegative
    needed_per_month: Positive
    ration_months: AtLeastOne | None = None
    """Spread the stock in hand over this many months: fire at most S / T a month
    (absent: no rationing beyond need and demand)."""
    weight: Positive | None = None
    """Weight of this munition in the side's fire factor, normalised over its munitions
    (absent: 1); see :mod:`twofront.model.combat`."""


class Fires(_Strict):
    """``[actors.<id>.fires]``: the munitions a side's fires use and how much.

    Either one munition (``munition`` with its ``demand_per_month``,
    ``needed_per_month`` and ``ration_months`` here) or several under
    ``[actors.<id>.fires.munitions.<munition>]``, each a :class:`FiresLine`.
    """

    munition: Id | None = None
    demand_per_month: NonNegative | None = None
    needed_per_month: Positive | None = None
    ration_months: AtLeastOne | None = None
    """Spread the stock in hand over this many months: fire at most S / T a month
    (absent: no rationing beyond need and demand)."""
    munitions: dict[Id, FiresLine] = Field(default_factory=dict, max_length=MAX_MUNITIONS)
    counters: dict[Id, Fraction] = Field(default_factory=dict, max_length=MAX_MUNITIONS)
    """``[actors.<id>.fires.counters]``: for each munition the enemy fires at this side, the
    share of its rounds this side's counters defeat: electronic warfare and counter-drone fire
    against drones, fighters and long-range air defence pushing back the aircraft that drop
    glide bombs (absent munition: none defeated); see :mod:`twofront.model.combat`."""

    @model_validator(mode="after")
    def _one_form(self) -> Fires:
        single = self.munition is not None
        if single == bool(self.munitions):
            raise ValueError(
                "give either munition (with demand_per_month and needed_per_month) or "
                "[fires.munitions.<munition>] tables, not both and not neither"
            )
        if single and (self.demand_per_month is None or self.needed_per_month is None):
            raise ValueError("munition needs demand_per_month and needed_per_month")
        if not single and (
            self.demand_per_month is not None
            or self.needed_per_month is not None
            or self.ration_months is not None
        ):
            raise ValueError(
                "with [fires.munitions.<munition>] tables, give demand_per_month, "
                "needed_per_month and ration_months inside each table"
            )
        return self

    def lines(self) -> list[tuple[str, str, FiresLine]]:
        """(munition id, field path under the actor, line) for each munition fired."""
        if self.munition is not None:
            assert self.demand_per_month is not None and self.needed_per_month is not None
            line = FiresLine(
                demand_per_month=self.demand_per_month,
                needed_per_month=self.needed_per_month,
                ration_months=self.ration_months,
            )
            return [(self.munition, "fires", line)]
        return [(m, f"fires.munitions.{m}", line) for m, line in self.munitions.items()]


class StrikeLine(_Strict):
    """``[actors.<id>.strikes.<munition>]``: missiles or long-range drones launched at the
    enemy's cities, grid and industry while at war; see :mod:`twofront.model.strikes`."""

    launches_per_month: NonNegative
    ration_months: AtLeastOne | None = None
    """Spread the stock in hand over this many months (absent: 1)."""


class Threat(_Strict):
    """``[actors.<id>.air_defence.against.<munition>]``: how a side meets one kind of strike
    weapon, and what each one that gets through costs it."""

    cheap_kill_share: Fraction
    """Share stopped without the interceptor munition (guns, mobile fire groups, electronic
    warfare, other air defence)."""
    intercepted: bool = False
    """What the cheap means leave is engaged with the interceptor munition."""
    output_loss_per_1000_hits: NonNegative
    """Rate of the exponential loss of the month's munitions output per 1,000 hits."""
    will_loss_per_1000_hits: NonNegative
    """Will lost per 1,000 hits."""
    oil_loss_per_1000_hits: NonNegative | None = None
    """Rate of the exponential loss of the month's oil revenue per 1,000 hits (refineries,
    export terminals; read by a war economy, :mod:`twofront.model.economy`); absent: 0."""


class AirDefence(_Strict):
    """``[actors.<id>.air_defence]``: interceptors against strikes; see
    :mod:`twofront.model.strikes`."""

    interceptor: Id | None = None
    """The munition its interceptors are (absent: only cheap means, no threat
    ``intercepted``)."""
    interceptors_per_engagement: AtLeastOne | None = None
    kill_probability: Fraction | None = None
    ration_months: AtLeastOne | None = None
    """Spread the interceptor stock over this many months (absent: 1)."""
    against: dict[Id, Threat] = Field(default_factory=dict, max_length=MAX_MUNITIONS)

    @model_validator(mode="after")
    def _interceptors_complete(self) -> AirDefence:
        named = [self.interceptors_per_engagement is not None, self.kill_probability is not None]
        if self.interceptor is not None and not all(named):
            raise ValueError(
                "interceptor is given: interceptors_per_engagement and kill_probability are "
                "required with it"
            )
        if self.interceptor is None:
            if any(named):
                raise ValueError(
                    "interceptors_per_engagement and kill_probability need an interceptor "
                    'munition (interceptor = "<munition>")'
                )
            engaged = [m for m, t in self.against.items() if t.intercepted]
            if engaged:
                raise ValueError(
                    f"against.{engaged[0]}.intercepted = true needs an interceptor munition "
                    '(interceptor = "<munition>")'
                )
        return self


class WarEconomy(_Strict):
    """``[actors.<id>.war_economy]``: oil export revenue, a reserve fund and a fiscal rule
    decide how much of its planned defence budget the actor can pay each month; see
    :mod:`twofront.model.economy`."""

    revenue_usd_per_month_per_usd_per_bbl: Positive
    """k: the budget's oil and gas revenue in a month per USD of the export price (export
    volume times the state's take: duties and extraction taxes)."""
    export_price_usd_per_bbl: Positive
    """The price its exports fetch at the start (e.g. Urals, after the market's discount)."""
    price_volatility_per_month: NonNegative
    """Standard deviation of the monthly log change of that price (a driftless random walk)."""
    budget_price_usd_per_bbl: NonNegative
    """The fiscal rule's base price: revenue above it is saved in the reserve fund, revenue
    below it is drawn from the fund."""
    reserve_fund_usd: NonNegative
    """Liquid assets of the reserve fund at the start."""
    fund_draw_usd_per_month: NonNegative
    """What the fund pays each month for the rest of the budget's deficit (beyond the oil
    shortfall)."""
    defence_share_of_uncovered: Fraction
    """Share of a shortfall the empty fund cannot cover that falls on defence spending (the
    rest is borrowed or cut elsewhere)."""
    recruitment_budget_elasticity: NonNegative
    """epsilon: mobilisation scales by (budget share)^epsilon (paid volunteers follow pay)."""


class Actor(_Strict):
    """``[actors.<id>]``: a state (or bloc) with economy, industry and forces.

    ``war_cost_share_per_month`` is what a month of war costs it, as a share
    of the stake of the war (the disputed territory), at full will;
    ``leader_stickiness`` (0..1) how little its leader's bottom line moves with the
    war (1: never; Goemans (2000), *War and Punishment*); see
    :mod:`twofront.model.bargaining`.
    """

    title: Text
    gdp_usd_per_year: NonNegative
    defence_budget_usd_per_year: NonNegative
    will: Fraction
    war_cost_share_per_month: NonNegative | None = None
    leader_stickiness: Fraction | None = None
    munitions_budget_share: Fraction | None = None
    """Share of ``defence_budget_usd_per_year`` that pays for its munition lines' output and
    the aid it gives (at unit cost): a hard monthly limit on both together (absent: no
    limit beyond each line's own budget); see :mod:`twofront.model.industry`."""
    territory_km2: Positive | None = None
    industry: dict[Id, Production] = Field(default_factory=dict, max_length=MAX_MUNITIONS)
    forces: Forces | None = None
    fires: Fires | None = None
    strikes: dict[Id, StrikeLine] = Field(default_factory=dict, max_length=MAX_MUNITIONS)
    air_defence: AirDefence | None = None
    war_economy: WarEconomy | None = None
    """Absent: the actor always pays its planned defence budget."""


class Opportunism(_Strict):
    """``[theaters.<id>.opportunism]``: the aggressor's monthly decision to start a war.

    With ``readiness_after_war`` a settled war may be followed by another: the
    aggressor's readiness restarts from that value at settlement and ramps
    again; without it a settled theater stays settled. After a settlement the
    hazard is cut by the guarantee of the defender's end state and raised by
    ``revisionism`` times how far the terms exceed the aggressor's bottom line
    (an imposed peace invites revenge).
    """

    base_hazard_per_month: Fraction
    readiness_start: Fraction
    readiness_end: Fraction
    readiness_ramp_months: Positive
    readiness_after_war: Fraction | None = None
    revisionism: NonNegative | None = None
    credibility_elasticity: NonNegative | None = None
    """kappa: how much a settled war elsewhere in which this theater's defender or a patron
    backed the losing side raises the hazard here, per share of the disputed soil the
    aggressor kept there (absent: 0, no reputation effect)."""
    deterrent_stock_reference: dict[Id, Positive] = Field(max_length=MAX_MUNITIONS)
    deterrence_elasticity: NonNegative
    busy_multiplier: AtLeastOne
    patron_stock_weight: Fraction | None = None
    """How much a unit of a patron's stock deters here against one held by the defender
    itself (absent: 1, every holder's stock counts fully)."""
    deterrent_forces_reference: Positive | None = None
    """Personnel of the defender on the theater's fronts plus the forces its combatant
    patrons can send, at which the forces term is 1 (absent: forces do not deter)."""
    forces_deterrence_elasticity: NonNegative | None = None
    """Elasticity of the hazard in that forces ratio (absent: 0)."""


class OnReach(_Strict):
    """``[theaters.<id>.escalation.levels.on_reach]``: what happens once, the first
    month a run reaches the rung (nuclear use breaks a taboo once).

    Will changes are signed and added to each actor's will (then kept in [0, 1]):
    the defender's, the aggressor's, the defender's patrons' and every other
    actor's. ``defender_personnel_loss_share`` of the defender's personnel on the
    theater's fronts is lost at once.
    """

    defender_will: SignedFraction | None = None
    aggressor_will: SignedFraction | None = None
    patron_will: SignedFraction | None = None
    others_will: SignedFraction | None = None
    defender_personnel_loss_share: Fraction | None = None


class EscalationLevel(_Strict):
    """One rung of ``[[theaters.<id>.escalation.levels]]``, level 0 first."""

    title: Text
    patron_will_loss_per_month: NonNegative
    aid_factor: Fraction
    opportunism_factor: NonNegative
    patrons_at_war: bool = False
    """At this rung the aggressor fights the defender's patrons directly (a NATO-Russia
    clash): a war of its own, counted among the wars at once."""
    aggressor_will_loss_per_month: NonNegative | None = None
    """What holding the rung costs the aggressor's will each month (absent: nothing)."""
    aggressor_personnel_loss_share_per_month: Fraction | None = None
    """Share of the aggressor's personnel on the theater's fronts lost each month on this
    rung (the patrons' forces in a clash)."""
    patron_munitions_per_month: dict[Id, NonNegative] = Field(
        default_factory=dict, max_length=MAX_MUNITIONS
    )
    """Units of each munition every patron spends a month on this rung, from its stock."""
    doctrine_own_soil_share_at_least: Fraction | None = None
    """The aggressor climbs onto this rung only while the defender holds at least this
    share of the aggressor's soil in the theater's sectors, or (with the next field) while
    its will is at most the given level; absent both: no doctrine gate."""
    doctrine_aggressor_will_at_most: Fraction | None = None
    on_reach: OnReach | None = None


class Escalation(_Strict):
    """``[theaters.<id>.escalation]``: hazards of climbing the ladder and its rungs."""

    base_hazard_per_month: Fraction
    restrictions_hazard_per_month: Fraction
    soil_hazard_per_1000km2: NonNegative
    descend_hazard_per_month: Fraction | None = None
    """Monthly hazard of stepping one rung back down (absent: rungs only go up)."""
    losing_hazard_per_month: NonNegative | None = None
    """Monthly hazard added per unit of will the aggressor has lost, h_w (1 - W_agg):
    a side that is losing gambles (absent: 0)."""
    levels: list[EscalationLevel] = Field(min_length=2, max_length=MAX_LIST_ITEMS)


class Theater(_Strict):
    """``[theaters.<id>]``: where a war between a defender and an aggressor may be fought.

    ``defender_aim``/``aggressor_aim`` name entries of ``[aims]``; the
    defender's may be overridden by the strategy's declared end state.
    """

    title: Text
    status: TheaterStatusName
    defender: Id
    aggressor: Id
    patrons: list[Id] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    mud_months: list[Annotated[StrictInt, Field(ge=1, le=12)]] = Field(
        default_factory=list, max_length=12
    )
    mud_months_source: Text = ""
    mud_advance_factor: Fraction
    war_began: Month | None = None
    defender_aim: Id
    aggressor_aim: Id
    defender_bargaining_power: Fraction
    reference_occupied_km2: NonNegative | None = None
    combatant_patrons: list[Id] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    """Patrons whose forces join the defender on the theater's fronts when its war begins
    (see :mod:`twofront.model.manpower`)."""
    patron_forces_personnel: Personnel | None = None
    """Personnel each combatant patron sends from its reserves when the war begins (less
    if its reserves are short)."""
    patron_munitions_per_month: dict[Id, NonNegative] = Field(
        default_factory=dict, max_length=MAX_MUNITIONS
    )
    """Units of each munition every combatant patron fires a month from its own stock while
    the war lasts; the defender's fires munition joins the defender's fires."""
    opportunism: Opportunism | None = None
    escalation: Escalation | None = None


class Aim(_Strict):
    """``[aims.<id>]``: a declared war aim, as the settlements it admits.

    Terms are in units of the defender's disputed soil (see
    :mod:`twofront.model.bargaining`: 1 = all of it back; above 1 it also
    keeps some of the aggressor's soil). A defender's
    aim sets a floor on ``x``, an aggressor's a ceiling; ``lines_tolerance``
    makes the bound relative to the current position (freeze the lines);
    ``total`` admits no settlement short of the opponent's collapse.
    """

    title: Text
    total: bool = False
    defender_share_at_least: NonNegative | None = None
    defender_share_at_most: NonNegative | None = None
    lines_tolerance: Fraction | None = None
    guarantee: Fraction | None = None
    """As a defender's end state: the share by which its security guarantees cut the
    hazard of a renewed war after a settlement (0 or absent: a bare ceasefire)."""


class Adaptation(_Strict):
    """``[bargaining.adaptation]``: bottom lines that the war moves (absent: aims stay put).

    Each month a side's bottom line follows the battlefield (``battle_learning``,
    the share of the month's change in position it takes in) and gives way to the
    hurt of fighting on (``weariness`` per unit of the month's cost at current will,
    raised by ``occupation_pain`` times the share of its own soil in the theater
    that the enemy holds), damped by its leader's ``leader_stickiness``; see
    :mod:`twofront.model.bargaining`.
    """

    battle_learning: Fraction
    weariness: NonNegative
    occupation_pain: NonNegative
    surprise_learning: Fraction | None = None
    """Gain with which each side corrects its expected monthly change of the lines by the
    month's surprise (absent: 0, beliefs only narrow with time)."""
    reconsider_will: Fraction | None = None
    """Will at or below which a side drops its aim and accepts the lines as they stand as
    its bottom line (absent: aims are never revised at once)."""


class Bargaining(_Strict):
    """``[bargaining]``: the war-termination model shared by every theater."""

    horizon_months: Positive
    discount_per_month: Fraction
    enemy_soil_weight: AtLeastOne
    belief_error_sd: NonNegative
    learning_months: Positive
    optimism_bias: NonNegative
    trend_smoothing: Fraction
    collapse_will: Fraction
    adaptation: Adaptation | None = None


class Front(_Strict):
    """``[fronts.<id>]``: a sector of a theater, on one side's soil.

    ``occupied_km2`` is the part held by the side whose soil it is not;
    the owner holds the rest of ``area_km2``.
    """

    title: Text
    theater: Id
    soil_of: Id
    area_km2: Positive
    occupied_km2: NonNegative
    personnel: dict[Id, Personnel] = Field(max_length=2)
    advance_km2_per_month: NonNegative
    thin_defence_personnel: Personnel
    settlements: NonNegative | None = None
    surprise_by: Id | None = None
    """The side that achieved surprise on this front when the scenario starts (e.g. Ukraine
    at Kursk in August 2024); with ``combat.surprise_decay_months`` only it, or the aggressor
    of a war begun during the run, fights with surprise, decaying from the first month."""


class Combat(_Strict):
    """``[combat]``: the laws shared by every front."""

    defence_advantage: AtLeastOne
    shooter_exponent: NonNegative
    target_exponent: NonNegative
    fire_elasticity: NonNegative
    surprise_multiplier: AtLeastOne
    attacker_loss_multiplier: AtLeastOne
    deep_strike_multiplier: AtLeastOne
    failed_attack_loss_multiplier: AtLeastOne | None = None
    """Loss multiplier of an attacker that gains no ground (absent: 1)."""
    prepared_defence_loss_multiplier: Fraction | None = None
    """Loss multiplier of a defender that holds its ground against an attack (absent: 1)."""
    surprise_decay_months: Positive | None = None
    """e-folding time of surprise, from the first month of the fight (absent: surprise never
    decays and either side facing a thin enemy has it)."""
    steps_per_month: Annotated[StrictInt, Field(ge=1, le=31)] = 1
    """Combat steps inside a month (4 = weekly, 30 = daily); monthly outputs are sums."""


class AidLine(_Strict):
    """``[[strategies.<id>.aid]]``: a monthly transfer from a donor's stockpile.

    The line runs in the months from ``start`` to ``end`` while its ``when``
    condition holds (see :mod:`twofront.policy.conditions`).
    """

    donor: Id
    recipient: Id
    munition: Id
    per_month: NonNegative
    start: Month | None = None
    end: Month | None = None
    when: ConditionText | None = None


class StartWar(_Strict):
    """``[[strategies.<id>.start_war]]``: open a theater's war when a condition holds."""

    theater: Id
    when: ConditionText


class Sanctions(_Strict):
    """``[[strategies.<id>.sanctions]]``: a wider discount on a war economy's oil exports
    (a lower price cap, enforcement against the shadow fleet) from ``start``."""

    target: Id
    discount_usd_per_bbl: NonNegative
    start: Month | None = None


class Strategy(_Strict):
    """``[strategies.<id>]``: a policy as data plus conditions over observed state.

    ``mobilise_industry`` actors ramp to mobilised capacity while
    ``mobilise_when`` holds (always if absent); restrictions on deep strikes
    are lifted while ``restrictions_lifted_when`` holds; ``aims`` is the
    defender's end state per theater that the strategy declares when no
    end state is chosen apart from it (see :class:`EndState`).
    """

    title: Text
    description: Text = ""
    aid: list[AidLine] = Field(default_factory=list, max_length=MAX_AID_LINES)
    mobilise_industry: list[Id] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    mobilise_when: ConditionText | None = None
    restrictions_lifted_when: ConditionText | None = None
    aims: dict[Id, Id] = Field(default_factory=dict, max_length=MAX_THEATERS)
    start_war: list[StartWar] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    sanctions: list[Sanctions] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)


class EndState(_Strict):
    """``[end_states.<id>]``: a declared end state, an axis apart from the strategy.

    ``aims`` gives the defender's aim (an entry of ``[aims]``) per theater; run with
    an end state, every strategy declares these aims instead of its own.
    """

    title: Text
    description: Text = ""
    aims: dict[Id, Id] = Field(max_length=MAX_THEATERS)


class Scenario(_Strict):
    """A whole scenario file."""

    scenario: Meta
    combat: Combat
    bargaining: Bargaining
    aims: Annotated[dict[Id, Aim], Field(max_length=MAX_AIMS)]
    munitions: Annotated[dict[Id, Munition], Field(max_length=MAX_MUNITIONS)]
    actors: Annotated[dict[Id, Actor], Field(max_length=MAX_ACTORS)]
    theaters: Annotated[dict[Id, Theater], Field(max_length=MAX_THEATERS)]
    fronts: Annotated[dict[Id, Front], Field(max_length=MAX_FRONTS)]
    supply: list[AidLine] = Field(default_factory=list, max_length=MAX_AID_LINES)
    """Third-party supply that is part of the world (e.g. North Korean shells to Russia):
    the same lines, sampled once per run, under every strategy."""
    strategies: Annotated[dict[Id, Strategy], Field(max_length=MAX_STRATEGIES)]
    end_states: Annotated[dict[Id, EndState], Field(max_length=MAX_STRATEGIES)] = Field(
        default_factory=dict
    )


def cross_reference_problems(s: Scenario) -> list[tuple[str, str]]:
    """Every dangling or inconsistent reference, as (field path, what is wrong)."""
    problems: list[tuple[str, str]] = []

    def need(ok: bool, path: str, message: str) -> None:
        if not ok:
            problems.append((path, message))

    def one_of(value: str, known: dict, path: str, what: str) -> None:
        need(
            value in known,
            path,
            f"{value!r} is not a known {what}; expected one of {sorted(known)}",
        )

    need(
        s.scenario.default_strategy in s.strategies,
        "scenario.default_strategy",
        f"{s.scenario.default_strategy!r} is not defined under [strategies]",
    )
    for a_id, actor in s.actors.items():
        for m_id in actor.industry:
            one_of(m_id, s.munitions, f"actors.{a_id}.industry.{m_id}", "munition")
        if actor.fires is not None:
            for m_id, path, _ in actor.fires.lines():
                where = (
                    f"actors.{a_id}.fires.munition" if path == "fires" else f"actors.{a_id}.{path}"
                )
                one_of(m_id, s.munitions, where, "munition")
            for m_id in actor.fires.counters:
                one_of(m_id, s.munitions, f"actors.{a_id}.fires.counters.{m_id}", "munition")
        for m_id in actor.strikes:
            one_of(m_id, s.munitions, f"actors.{a_id}.strikes.{m_id}", "munition")
        if actor.air_defence is not None and actor.air_defence.interceptor is not None:
            one_of(
                actor.air_defence.interceptor,
                s.munitions,
                f"actors.{a_id}.air_defence.interceptor",
                "munition",
            )
        if actor.air_defence is not None:
            for m_id, threat in actor.air_defence.against.items():
                one_of(m_id, s.munitions, f"actors.{a_id}.air_defence.against.{m_id}", "munition")
                need(
                    threat.oil_loss_per_1000_hits is None or actor.war_economy is not None,
                    f"actors.{a_id}.air_defence.against.{m_id}.oil_loss_per_1000_hits",
                    f"actor {a_id!r} has no actors.{a_id}.war_economy whose revenue it could cut",
                )
    for t_id, t in s.theaters.items():
        for role in ("defender", "aggressor"):
            a_id = getattr(t, role)
            path = f"theaters.{t_id}.{role}"
            one_of(a_id, s.actors, path, "actor")
            if a_id in s.actors:
                actor = s.actors[a_id]
                need(
                    actor.forces is not None and actor.fires is not None,
                    path,
                    f"{a_id!r} fights here, so actors.{a_id} needs [forces] and [fires]",
                )
        need(t.defender != t.aggressor, f"theaters.{t_id}.aggressor", "must differ from defender")
        for i, p in enumerate(t.patrons):
            one_of(p, s.actors, f"theaters.{t_id}.patrons[{i}]", "actor")
        for i, p in enumerate(t.combatant_patrons):
            path = f"theaters.{t_id}.combatant_patrons[{i}]"
            need(p in t.patrons, path, f"{p!r} must be one of the theater's patrons {t.patrons}")
            need(
                p not in s.actors or s.actors[p].forces is not None,
                path,
                f"{p!r} fights here, so actors.{p} needs [forces]",
            )
        need(
            not t.combatant_patrons or t.patron_forces_personnel is not None,
            f"theaters.{t_id}.patron_forces_personnel",
            "required with combatant_patrons",
        )
        for m_id in t.patron_munitions_per_month:
            one_of(
                m_id, s.munitions, f"theaters.{t_id}.patron_munitions_per_month.{m_id}", "munition"
            )
        for role in ("defender_aim", "aggressor_aim"):
            one_of(getattr(t, role), s.aims, f"theaters.{t_id}.{role}", "aim")
        need(
            t.war_began is None or t.war_began <= s.scenario.start,
            f"theaters.{t_id}.war_began",
            f"{t.war_began} is after the scenario's start {s.scenario.start}; a war under "
            "way must have begun by then",
        )
        need(
            (t.status == "war") == (t.war_began is not None),
            f"theaters.{t_id}.war_began",
            "give war_began (YYYY-MM) exactly when status = 'war'",
        )
        if t.opportunism is not None:
            for m_id in t.opportunism.deterrent_stock_reference:
                one_of(
                    m_id,
                    s.munitions,
                    f"theaters.{t_id}.opportunism.deterrent_stock_reference.{m_id}",
                    "munition",
                )
        for k, level in enumerate(t.escalation.levels if t.escalation else []):
            for m_id in level.patron_munitions_per_month:
                one_of(
                    m_id,
                    s.munitions,
                    f"theaters.{t_id}.escalation.levels[{k}].patron_munitions_per_month.{m_id}",
                    "munition",
                )
        for role in ("defender", "aggressor"):
            a = s.actors.get(getattr(t, role))
            need(
                a is None or a.war_cost_share_per_month is not None,
                f"actors.{getattr(t, role)}.war_cost_share_per_month",
                f"required: the actor fights in theaters.{t_id}",
            )
            need(
                a is None or s.bargaining.adaptation is None or a.leader_stickiness is not None,
                f"actors.{getattr(t, role)}.leader_stickiness",
                f"required with [bargaining.adaptation]: the actor fights in theaters.{t_id}",
            )
        need(
            not t.mud_months or bool(t.mud_months_source.strip()),
            f"theaters.{t_id}.mud_months_source",
            "mud_months needs a source",
        )
    for f_id, f in s.fronts.items():
        one_of(f.theater, s.theaters, f"fronts.{f_id}.theater", "theater")
        if f.theater not in s.theaters:
            continue
        t = s.theaters[f.theater]
        sides = {t.defender, t.aggressor}
        need(
            f.soil_of in sides,
            f"fronts.{f_id}.soil_of",
            f"{f.soil_of!r} must be one of the theater's sides {sorted(sides)}",
        )
        need(
            f.surprise_by is None or f.surprise_by in sides,
            f"fronts.{f_id}.surprise_by",
            f"{f.surprise_by!r} must be one of the theater's sides {sorted(sides)}",
        )
        need(
            set(f.personnel) == sides,
            f"fronts.{f_id}.personnel",
            f"must give exactly the theater's sides {sorted(sides)}; got {sorted(f.personnel)}",
        )
        need(
            f.occupied_km2.support()[1] <= f.area_km2.support()[0],
            f"fronts.{f_id}.occupied_km2",
            f"can reach {f.occupied_km2.support()[1]:g} km2, more than area_km2 "
            f"(at least {f.area_km2.support()[0]:g})",
        )
    lines = [(f"supply[{i}]", line) for i, line in enumerate(s.supply)]
    lines += [
        (f"strategies.{g_id}.aid[{i}]", line)
        for g_id, g in s.strategies.items()
        for i, line in enumerate(g.aid)
    ]
    for path, line in lines:
        one_of(line.donor, s.actors, f"{path}.donor", "actor")
        one_of(line.recipient, s.actors, f"{path}.recipient", "actor")
        one_of(line.munition, s.munitions, f"{path}.munition", "munition")
        donor = s.actors.get(line.donor)
        need(
            donor is None or line.munition in donor.industry,
            f"{path}.munition",
            f"donor {line.donor!r} has no actors.{line.donor}.industry.{line.munition}",
        )
        need(line.donor != line.recipient, f"{path}.recipient", "must differ from donor")
        if line.when is not None:
            try:
                compile_condition(line.when, condition_names(s))
            except ConditionError as err:
                problems.append((f"{path}.when", str(err)))
    for g_id, g in s.strategies.items():
        for i, a_id in enumerate(g.mobilise_industry):
            one_of(a_id, s.actors, f"strategies.{g_id}.mobilise_industry[{i}]", "actor")
        for t_id, aim in g.aims.items():
            one_of(t_id, s.theaters, f"strategies.{g_id}.aims", "theater")
            one_of(aim, s.aims, f"strategies.{g_id}.aims.{t_id}", "aim")
        for i, start in enumerate(g.start_war):
            one_of(
                start.theater, s.theaters, f"strategies.{g_id}.start_war[{i}].theater", "theater"
            )
        for i, sanction in enumerate(g.sanctions):
            path = f"strategies.{g_id}.sanctions[{i}].target"
            one_of(sanction.target, s.actors, path, "actor")
            target = s.actors.get(sanction.target)
            need(
                target is None or target.war_economy is not None,
                path,
                f"actor {sanction.target!r} has no actors.{sanction.target}.war_economy",
            )
        problems.extend(condition_problems(s, g_id, g))
    for path, text in actor_conditions(s):
        try:
            compile_condition(text, condition_names(s))
        except ConditionError as err:
            problems.append((path, str(err)))
    for e_id, e in s.end_states.items():
        need(e_id not in s.strategies, f"end_states.{e_id}", "must not share a strategy's id")
        for t_id, aim in e.aims.items():
            one_of(t_id, s.theaters, f"end_states.{e_id}.aims", "theater")
            one_of(aim, s.aims, f"end_states.{e_id}.aims.{t_id}", "aim")
    return problems


def aim_in_force(s: Scenario, strategy_id: str, theater_id: str, role: str) -> str:
    """The id of the aim ``role`` ('defender' or 'aggressor') declares in a theater under a
    strategy: the strategy's end state for the defender where it names one, else the
    theater's own aim."""
    theater = s.theaters[theater_id]
    if role == "defender":
        return s.strategies[strategy_id].aims.get(theater_id, theater.defender_aim)
    return theater.aggressor_aim


def with_end_state(s: Scenario, end_state: str) -> Scenario:
    """``s`` with every strategy declaring the aims of ``end_state`` (its other theaters
    keep the strategy's own aims). Sampling paths do not change, so runs stay paired
    across end states (common random numbers)."""
    aims = s.end_states[end_state].aims
    strategies = {
        g_id: g.model_copy(update={"aims": {**g.aims, **aims}}) for g_id, g in s.strategies.items()
    }
    return s.model_copy(update={"strategies": strategies})


def strategy_conditions(g_id: str, g: Strategy) -> Iterator[tuple[str, str]]:
    """Every condition text of a strategy with its field path."""
    if g.mobilise_when is not None:
        yield f"strategies.{g_id}.mobilise_when", g.mobilise_when
    if g.restrictions_lifted_when is not None:
        yield f"strategies.{g_id}.restrictions_lifted_when", g.restrictions_lifted_when
    for i, start in enumerate(g.start_war):
        yield f"strategies.{g_id}.start_war[{i}].when", start.when


def actor_conditions(s: Scenario) -> Iterator[tuple[str, str]]:
    """Every condition text of the actors' forces with its field path."""
    for a_id, a in s.actors.items():
        if a.forces is None:
            continue
        for name in ("commit_reserves_when", "attack_when"):
            text = getattr(a.forces, name)
            if text is not None:
                yield f"actors.{a_id}.forces.{name}", text


def condition_problems(s: Scenario, g_id: str, g: Strategy) -> list[tuple[str, str]]:
    """Parse every condition of strategy ``g`` against the scenario's names."""
    problems = []
    for path, text in strategy_conditions(g_id, g):
        try:
            compile_condition(text, condition_names(s))
        except ConditionError as err:
            problems.append((path, str(err)))
    return problems


def condition_names(s: Scenario) -> Names:
    """The ids a strategy condition of ``s`` may name."""
    return Names(
        actors=tuple(s.actors),
        munitions=tuple(s.munitions),
        fronts=tuple(s.fronts),
        theaters=tuple(s.theaters),
        start=s.scenario.start,
    )
