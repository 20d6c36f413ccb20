r"""Combat on each active front: fires, territory and attrition, one month at a time.

1. **Fires.** An actor at war fires, of each munition :math:`m` of its fires,

   .. math:: f_{a,m} = \min(S_{a,m} / T_{a,m},\ D_{a,m},\ H_{a,m})

   rounds: what it needs to hold, :math:`H` (more adds nothing below), no more
   than its guns, drone crews or aircraft can fire, :math:`D`, and its stock
   :math:`S` spread over :math:`T \ge 1` months (``ration_months``; 1 if absent).
   The enemy :math:`\bar a` defeats a share :math:`c_{\bar a,m}` of the rounds of
   munition :math:`m` (its ``fires.counters``): electronic warfare and
   counter-drone fire against drones; fighters and long-range air defence
   pushing the bombers back against glide bombs (Russia cut its glide-bomb
   sorties in the south after Patriots downed three Su-34s, ISW via RBC-Ukraine,
   2023-12-24). The rounds that count are :math:`\tilde f_{a,m} = f_{a,m}(1 -
   c_{\bar a,m})`; a munition the enemy does not counter has :math:`c = 0`
   (shells). Each munition's fires are effective in proportion to what it
   needs, and a side's fire factor is their weighted arithmetic mean, weights
   :math:`w_{a,m}` normalised to sum to 1:

   .. math:: \phi_a = \sum_m w_{a,m} \min(1, \tilde f_{a,m} / H_{a,m})^{\varepsilon}

   The mean is arithmetic: the munitions substitute for one another at their
   weights (Ukraine's drones made up for its shell shortage in 2024, WSJ via UNN,
   2024-02-04), so running out of one costs its weight, not all fire. With one
   munition (the old ``[actors.<id>.fires]`` form) :math:`w = 1` and
   :math:`\phi_a = \min(1, f_a / H_a)^{\varepsilon}`, bit for bit.

2. **Combat power** of a side on a front is its personnel times its fire
   factor, times the deep-strike multiplier :math:`\kappa` for the defender when
   the strategy lifts restrictions on the use of donated weapons, times the
   surprise factor :math:`\sigma_{eff}` of a side that holds surprise against a
   thinly held enemy (fewer than the front's ``thin_defence_personnel``):
   :math:`P = N \phi \sigma_{eff} \kappa`. Surprise is one-sided and fades from
   the first month :math:`m_0` of the fight (Kursk, Aug 2024: about 1,000 km² in
   the first week, then a stall):

   .. math:: \sigma_{eff} = 1 + (\sigma - 1)\, e^{-(t - m_0)/\tau}

   held by the front's ``surprise_by`` side from the scenario's start, or by the
   aggressor of a war begun during the run. Without ``surprise_decay_months``
   (:math:`\tau = \infty`) either side facing a thin enemy has :math:`\sigma`.

3. **Territory.** With force ratio :math:`x = \ln(P_{def}/P_{agg})` (clipped
   to ±5), the defender gains

   .. math:: \Delta A = r\,\mu\,\operatorname{sign}(x)\max(|x| - \ln d,\ 0)

   km² a month from the aggressor (negative: it loses), bounded by what the
   loser holds. :math:`d \ge 1` is the defence advantage: inside the band
   :math:`1/d < P_{def}/P_{agg} < d` neither side advances, so in positional
   war defence beats offence (the 3:1 rule of thumb, Mearsheimer (1989),
   "Assessing the conventional balance", International Security 13(4),
   doi:10.2307/2538780; Biddle (2004), *Military Power*, Princeton UP).
   :math:`r` is the front's km² per month per unit of log-ratio beyond the
   band and :math:`\mu < 1` in the theater's mud months (rasputitsa).
   Territory on each front is conserved: one side's gain is the other's loss.

4. **Attrition**, the generalised Lanchester law (Lanchester 1916, *Aircraft
   in Warfare*; Engel (1954), "A verification of Lanchester's law", JORSA
   2(2):163-171, doi:10.1287/opre.2.2.163; Helmbold (1965), "A modification
   of Lanchester's equations", Operations Research 13(5):857-859):

   .. math:: L_{def} = k_{agg}\,\phi_{agg}\,N_{agg}^{q}\,N_{def}^{p}\,m_{def}

   with shooter exponent :math:`q`, target exponent :math:`p` (square law
   q=1, p=0; linear law q=p=1), lethality :math:`k` per month, and a loss
   multiplier :math:`m` set by who attacks and whether the attack succeeds. The
   stronger side attacks: it loses :math:`\lambda_s` times its base losses if it
   gains ground, :math:`\lambda_f \ge 1` times if it does not (a failed attack);
   the side it attacks loses :math:`\mu \le 1` times its base losses when it
   holds (a prepared defence), 1 times when it gives ground. Historical
   engagement data show failed attacks cost attackers far more than successful
   ones and prepared defenders out-trade larger attackers (Dupuy (1990),
   *Attrition*, HERO Books; Biddle (2004), *Military Power*). Losses never
   exceed personnel. Casualties count killed and wounded, as published tallies
   do; a share :math:`\rho` of them (the lightly wounded) returns to the
   reserves.

   An actor whose ``attack_when`` rule does not hold this month stands on the
   defensive: where it is stronger it takes no ground and nobody attacks
   (offensives timed by rule, e.g. after the mud seasons).

   Steps 2-4 run ``steps_per_month`` times a month (weekly, daily) with
   :math:`r` and :math:`k` divided by the number of steps, so a battle can turn
   inside a month (a salient lost in week three fights no more); fires, will and
   the recorded flows are the month's.

5. **Will** falls with the month's casualties :math:`K_a` of each actor
   (killed and wounded, all fronts), at :math:`\omega^K_a` per 100,000:

   .. math:: W_a \leftarrow \operatorname{clip}(W_a - \omega^K_a K_a / 10^5,\ 0,\ 1)

   Will is what war termination reads (:mod:`twofront.model.bargaining`: the
   cost of fighting on scales with 1/W; collapse below a threshold).

   Where combatant patrons fight beside the defender (:mod:`twofront.model.coalition`:
   the US in a war over Taiwan), the defender's slots of theater :math:`t` hold
   their personnel too, and the slots' losses :math:`L_t` fall on each in
   proportion to its personnel. Patron :math:`p` counts

   .. math:: K_p \mathrel{+}= \pi_{t,p} L_t, \qquad
             \pi_{t,p} = c_{t,p} / \max(\textstyle\sum_{p'} c_{t,p'},\ N_t)

   as its own casualties (its wounded return to its own reserves, its will falls
   at its own :math:`\omega^K_p`), and the defender the rest;
   :math:`c_{t,p}` is the patron's committed personnel and :math:`N_t` the
   defender slots' personnel on the theater's fronts at the start of the month.
   The coalition fights with the defender's lethality and fire factor: an actor's
   lethality is one number for all its theaters (the US's was set for the Gulf),
   so a patron's own lethality would need one per theater, not modelled.

   Example (hand-computed in the tests): Taiwan's front holds 200,000 of whom
   the US committed 50,000, and loses 20,000: the US counts 5,000 casualties,
   Taiwan 15,000.

Example (hand-computed in the tests): P_def = 100k, P_agg = 400k, d = 2,
r = 100, mu = 1: x = ln 0.25 = −1.386, ln d = 0.693, ΔA = −69.3 km².
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import driver, kernel, view
from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, state_view, writable
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]
MAX_LOG_RATIO = 5.0
MIN_POWER = 1e-9
WAR = int(TheaterStatus.WAR)


@dataclass(frozen=True, slots=True)
class CombatParams:
    """Fires, ground and attrition, run axis first."""

    fire_munition: NDArray[np.int64]  # (actor, line) munition of each fires line, -1 if none
    fire_demand_per_month: F64  # (run, actor, line) D_a,m, rounds it would fire
    fire_needed_per_month: F64  # (run, actor, line) H_a,m, rounds it needs (1 if no line)
    fire_ration_months: F64  # (run, actor, line) T_a,m, months its stock is spread over
    fire_weight: F64  # (run, actor, line) w_a,m, normalised over the actor's lines; 0 none
    counter_share: F64  # (run, actor, munition) c_a,m, share of the enemy's rounds it defeats
    lethality_per_month: F64  # (run, actor) k_a
    will_loss_per_100k_casualties: F64  # (run, actor) omega^K_a
    wounded_return_fraction: F64  # (run, actor) rho_a
    advance_km2_per_month: F64  # (run, front) r
    thin_defence_personnel: F64  # (run, front) below this a side is thinly held
    theater_mud: NDArray[np.bool_]  # (theater, calendar month 0..11) mud months
    mud_advance_factor: F64  # (run, theater) mu
    defence_advantage: F64  # (run,) d
    shooter_exponent: F64  # (run,) q
    target_exponent: F64  # (run,) p
    fire_elasticity: F64  # (run,) epsilon
    surprise_multiplier: F64  # (run,) sigma
    attacker_loss_multiplier: F64  # (run,) lambda_s: an attacker that gains ground
    deep_strike_multiplier: F64  # (run,) kappa
    failed_attack_loss_multiplier: F64  # (run,) lambda_f: an attacker that gains none; 1
    prepared_defence_loss_multiplier: F64  # (run,) mu: a defender that holds; 1
    surprise_decay_months: F64  # (run,) tau; inf where surprise does not decay
    surprise_decays: bool  # a decay time is given: surprise is one-sided
    surprise_side: NDArray[np.int64]  # (front,) side holding surprise at the start, -1 none
    steps_per_month: int  # combat steps inside a month


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> CombatParams:
    """Draw the combat laws, every actor's fires and forces, every front's terrain."""
    mud = np.zeros((len(index.theaters), 12), dtype=np.bool_)
    for i, t in enumerate(scenario.theaters.values()):
        mud[i, [m - 1 for m in t.mud_months]] = True

    def forces(name: str) -> F64:
        return sampler.per_actor_in("forces", name)

    c = scenario.combat

    def law(name: str) -> F64:
        return sampler.draw(getattr(c, name), f"combat.{name}")

    return CombatParams(
        **fires_lines(scenario, index, sampler),
        counter_share=counter_shares(scenario, index, sampler),
        lethality_per_month=forces("lethality_per_month"),
        will_loss_per_100k_casualties=forces("will_loss_per_100k_casualties"),
        wounded_return_fraction=forces("wounded_return_fraction"),
        advance_km2_per_month=sampler.per_front("advance_km2_per_month"),
        thin_defence_personnel=sampler.per_front("thin_defence_personnel"),
        theater_mud=mud,
        mud_advance_factor=sampler.per_theater(
            lambda t: t.mud_advance_factor, "mud_advance_factor"
        ),
        defence_advantage=law("defence_advantage"),
        shooter_exponent=law("shooter_exponent"),
        target_exponent=law("target_exponent"),
        fire_elasticity=law("fire_elasticity"),
        surprise_multiplier=law("surprise_multiplier"),
        attacker_loss_multiplier=law("attacker_loss_multiplier"),
        deep_strike_multiplier=law("deep_strike_multiplier"),
        failed_attack_loss_multiplier=sampler.draw(
            c.failed_attack_loss_multiplier, "combat.failed_attack_loss_multiplier", 1.0
        ),
        prepared_defence_loss_multiplier=sampler.draw(
            c.prepared_defence_loss_multiplier, "combat.prepared_defence_loss_multiplier", 1.0
        ),
        surprise_decay_months=sampler.draw(
            c.surprise_decay_months, "combat.surprise_decay_months", np.inf
        ),
        surprise_decays=c.surprise_decay_months is not None,
        surprise_side=np.array(
            [
                -1
                if f.surprise_by is None
                else (DEFENDER if f.surprise_by == scenario.theaters[f.theater].defender else 1)
                for f in scenario.fronts.values()
            ],
            dtype=np.int64,
        ),
        steps_per_month=c.steps_per_month,
    )


def fires_lines(scenario: Scenario, index: Index, sampler: Sampler) -> dict[str, np.ndarray]:
    """Every actor's fires lines as (actor, line) wiring and (run, actor, line) draws,
    padded to the most lines any actor has (munition -1, weight 0, need and ration 1)."""
    actors = list(scenario.actors.items())
    lines = [a.fires.lines() if a.fires else [] for _, a in actors]
    width = max((len(x) for x in lines), default=0) or 1
    runs = sampler.runs
    munition = np.full((len(actors), width), -1, dtype=np.int64)
    demand = np.zeros((runs, len(actors), width))
    needed = np.ones((runs, len(actors), width))
    ration = np.ones((runs, len(actors), width))
    weight = np.zeros((runs, len(actors), width))
    for i, ((a_id, _), own) in enumerate(zip(actors, lines, strict=True)):
        for k, (m_id, path, line) in enumerate(own):
            at = f"actors.{a_id}.{path}"
            munition[i, k] = index.munitions.index(m_id)
            demand[:, i, k] = sampler.draw(line.demand_per_month, f"{at}.demand_per_month")
            needed[:, i, k] = sampler.draw(line.needed_per_month, f"{at}.needed_per_month")
            ration[:, i, k] = sampler.draw(line.ration_months, f"{at}.ration_months", 1.0)
            weight[:, i, k] = sampler.draw(line.weight, f"{at}.weight", 1.0)
    total = weight.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(total > 0, weight / total, 0.0)
    return {
        "fire_munition": munition,
        "fire_demand_per_month": demand,
        "fire_needed_per_month": needed,
        "fire_ration_months": ration,
        "fire_weight": weight,
    }


def counter_shares(scenario: Scenario, index: Index, sampler: Sampler) -> F64:
    """(run, actor, munition) c_a,m: the share of the enemy's rounds of munition m that actor
    a's ``fires.counters`` defeat; 0 where it names none."""
    shares = np.zeros((sampler.runs, len(index.actors), len(index.munitions)))
    for i, (a_id, actor) in enumerate(scenario.actors.items()):
        for m_id, share in (actor.fires.counters if actor.fires else {}).items():
            at = f"actors.{a_id}.fires.counters.{m_id}"
            shares[:, i, index.munitions.index(m_id)] = sampler.draw(share, at)
    return shares


@kernel
def rounds_fired(
    stock: float, ration_months: float, demand: float, needed: float, at_war: float
) -> float:
    """f = min(S / T, D, H) rounds of one fires line of an actor at war (``at_war`` 1),
    none at peace (``at_war`` 0); see step 1."""
    return min(stock / ration_months, min(demand, needed) * at_war)


@kernel
def fire_factor(fired: float, needed: float, elasticity: float) -> float:
    """phi = min(1, fired / needed) ** elasticity."""
    return min(1.0, fired / needed) ** elasticity


@kernel
def countered_fires(fired: float, munition: int, enemy_counter_share: F64) -> float:
    """f (1 - c_m): the rounds of a line of munition ``m`` the enemy's counters leave
    (``enemy_counter_share`` (munition,)); an empty line (``m`` -1) fires ``fired``."""
    return fired * (1.0 - enemy_counter_share[munition]) if munition >= 0 else fired


@kernel
def combined_fire_factor(
    fired: F64,
    needed: F64,
    weight: F64,
    munition: NDArray[np.int64],
    enemy_counter_share: F64,
    elasticity: float,
) -> float:
    """phi = sum_m w_m min(1, f~_m / H_m) ** eps over an actor's fires lines, f~ its rounds
    net of the enemy's counters; ``fired``, ``needed``, ``weight`` and ``munition`` are
    (line,), ``enemy_counter_share`` (munition,). See step 1."""
    phi = 0.0
    for m in range(fired.shape[0]):
        net = countered_fires(fired[m], munition[m], enemy_counter_share)
        phi += fire_factor(net, needed[m], elasticity) * weight[m]
    return phi


@kernel
def soft_threshold(x: float, threshold: float) -> float:
    """sign(x) * max(|x| - threshold, 0): zero inside the band."""
    return np.sign(x) * max(abs(x) - threshold, 0.0)


@kernel
def defender_gain_km2(
    power_defender: float,
    power_aggressor: float,
    defence_advantage: float,
    advance_km2_per_month: float,
    mud_factor: float,
) -> float:
    """Unbounded km² the defender gains (negative: loses) at the rate
    ``advance_km2_per_month``; see step 3."""
    x = np.log(max(power_defender, MIN_POWER)) - np.log(max(power_aggressor, MIN_POWER))
    x = min(max(x, -MAX_LOG_RATIO), MAX_LOG_RATIO)
    return advance_km2_per_month * mud_factor * soft_threshold(x, np.log(defence_advantage))


@kernel
def bounded_gain_km2(gain_km2: float, held_defender_km2: float, held_aggressor_km2: float) -> float:
    """Clip the defender's gain so neither side's holding goes below zero."""
    return min(max(gain_km2, -held_defender_km2), held_aggressor_km2)


@kernel
def lanchester_losses(
    shooters: float,
    targets: float,
    lethality_per_month: float,
    shooter_exponent: float,
    target_exponent: float,
) -> float:
    """Losses of ``targets``: k * shooters**q * targets**p (capped at targets); see step 4.

    Where either side is empty there are no losses (0 ** a negative exponent is undefined).
    """
    if not (shooters > 0 and targets > 0):
        return 0.0
    losses = (
        lethality_per_month * _power(shooters, shooter_exponent) * _power(targets, target_exponent)
    )
    return min(losses, targets)


@kernel
def _power(base: float, exponent: float) -> float:
    """base ** exponent, skipping the costly pow for the exponents 1 and 0 (exact either way:
    pow(x, 1) = x, pow(x, 0) = 1)."""
    if exponent == 1.0:
        return base
    if exponent == 0.0:
        return 1.0
    return base**exponent


@kernel
def loss_multipliers(
    power_defender: float,
    power_aggressor: float,
    gain_km2: float,
    success: float,
    failure: float,
    prepared: float,
    defender_may_attack: bool,
    aggressor_may_attack: bool,
) -> tuple[float, float]:
    """(defender side, aggressor side) loss multipliers of a front; see step 4.

    The stronger side attacks, if it may (its actor's ``attack_when``). It loses
    ``success`` times its base losses if it gained ground, ``failure`` times if it did not;
    the side it attacks loses ``prepared`` times its base losses when it holds, 1 times
    when it gives ground. Equal power, or a stronger side held back: nobody attacks, both 1.
    """
    defender_attacks = power_defender > power_aggressor and defender_may_attack
    aggressor_attacks = power_aggressor > power_defender and aggressor_may_attack
    defender_won, aggressor_won = gain_km2 > 0, gain_km2 < 0
    if defender_attacks:
        defender = success if defender_won else failure
    elif aggressor_attacks and not aggressor_won:
        defender = prepared
    else:
        defender = 1.0
    if aggressor_attacks:
        aggressor = success if aggressor_won else failure
    elif defender_attacks and not defender_won:
        aggressor = prepared
    else:
        aggressor = 1.0
    return defender, aggressor


@kernel
def surprise_factor(
    multiplier: float,
    holds_surprise: bool,
    enemy_thin: bool,
    months: float,
    decay_months: float,
) -> float:
    """sigma_eff = 1 + (sigma - 1) e^(-m / tau) for the side that holds surprise against a
    thin enemy, m months into the fight; 1 otherwise (tau = inf: no decay)."""
    if not (holds_surprise and enemy_thin):
        return 1.0
    fading = np.exp(-max(months, 0.0) / decay_months)
    return multiplier if fading == 1.0 else 1.0 + (multiplier - 1.0) * fading


@kernel
def surprise_holders(
    decays: bool, surprise_side: int, war_start_month: int, war_start_snapshot: int
) -> tuple[bool, bool, float]:
    """(defender, aggressor) may fight with surprise on a front, and the month its fight
    began. Without decay, both sides (the old rule); with decay, the front's ``surprise_by``
    side (``surprise_side``, -1 none) from the scenario's start, or the aggressor of a war
    begun during the run (``war_start_month`` >= 0) from its first month of fighting (the
    recorded month ``war_start_snapshot``)."""
    if not decays:
        return True, True, 0.0
    by_scenario = surprise_side >= 0
    defender = surprise_side == DEFENDER
    aggressor = (war_start_month >= 0 and not by_scenario) or surprise_side == AGGRESSOR
    return defender, aggressor, 0.0 if by_scenario else float(war_start_snapshot)


@kernel
def open_front(soil_side: int, held_defender_km2: float) -> bool:
    """A front on the defender's soil, or on the aggressor's while the defender holds some
    of it (an incursion closes when it is lost); see ``state.front_active``."""
    return soil_side != AGGRESSOR or held_defender_km2 > 0


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[F64, F64, F64, F64]:
    """Scratch space for one run: rounds fired (actor, line), at war and casualties (actor,),
    the defender slots' personnel on each theater's fronts (theater,)."""
    n_actors = s.stockpile.shape[1]
    return (
        np.empty((n_actors, p.fire_munition.shape[1])),
        np.empty(n_actors),
        np.empty(n_actors),
        np.empty(s.theater_status.shape[1]),
    )


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """Steps 1-5 of the module docstring for run ``r`` of the state view ``s``, with the
    parameter view ``p`` (:class:`CombatParams`), index view ``ix``, world view ``wd`` (the
    fronts' areas) and the scratch ``w`` of :func:`step_work` (random numbers ``rv`` are
    not read). One kernel, no sub-kernel taking the views: a call that passes the views
    takes and drops a reference to each of their arrays, which costs more than a step.

    Reads and overwrites ``stockpile``, ``personnel``, ``held_km2``, ``reserves_personnel``,
    ``casualties_total`` and ``will``; overwrites ``fired_per_month`` and
    ``casualties_per_month``; reads ``committed_personnel`` (the patrons' share of step 5).
    """
    fired, at_war, casualties, on_fronts = w
    stockpile = s.stockpile
    n_actors, n_fronts = stockpile.shape[1], s.personnel.shape[1]
    on_fronts[:] = 0.0
    for f in range(n_fronts):
        on_fronts[ix.front_theater[f]] += s.personnel[r, f, DEFENDER]
    # Actors at war: those with a side on a front whose theater is at war.
    at_war[:] = 0.0
    for f in range(n_fronts):
        if s.theater_status[r, ix.front_theater[f]] == WAR:
            at_war[ix.front_actor[f, DEFENDER]] = 1.0
            at_war[ix.front_actor[f, AGGRESSOR]] = 1.0
    # 1. Fires: what each actor at war can shoot of each munition of its fires this month.
    s.fired_per_month[r] = 0.0
    for line in range(p.fire_munition.shape[1]):
        for a in range(n_actors):
            m = p.fire_munition[a, line]
            stock = stockpile[r, a, m] if m >= 0 else 0.0
            shot = rounds_fired(
                stock,
                p.fire_ration_months[r, a, line],
                p.fire_demand_per_month[r, a, line],
                p.fire_needed_per_month[r, a, line],
                at_war[a],
            )
            fired[a, line] = shot
            if m >= 0:
                stockpile[r, a, m] = stock - shot
                s.fired_per_month[r, a, m] += shot
    # 2-4. Power, territory and attrition in steps_per_month steps, front by front (the
    # fronts do not interact). Every number the steps read is read once, before them.
    for f in range(n_fronts):
        t = ix.front_theater[f]
        defender, aggressor = ix.front_actor[f, DEFENDER], ix.front_actor[f, AGGRESSOR]
        elasticity = p.fire_elasticity[r]
        phi_defender = combined_fire_factor(
            fired[defender],
            p.fire_needed_per_month[r, defender],
            p.fire_weight[r, defender],
            p.fire_munition[defender],
            p.counter_share[r, aggressor],
            elasticity,
        )
        phi_aggressor = combined_fire_factor(
            fired[aggressor],
            p.fire_needed_per_month[r, aggressor],
            p.fire_weight[r, aggressor],
            p.fire_munition[aggressor],
            p.counter_share[r, defender],
            elasticity,
        )
        deep_strike = p.deep_strike_multiplier[r] if s.restrictions_lifted[r] else 1.0
        calendar = (ix.start_month - 1 + s.month[r]) % 12
        mud = p.mud_advance_factor[r, t] if p.theater_mud[t, calendar] else 1.0
        lethality_defender = p.lethality_per_month[r, defender] * phi_defender
        lethality_aggressor = p.lethality_per_month[r, aggressor] * phi_aggressor
        holds_defender, holds_aggressor, since = surprise_holders(
            p.surprise_decays,
            p.surprise_side[f],
            s.war_start_month[r, t],
            s.war_start_snapshot[r, t],
        )
        may_defender, may_aggressor = s.attacking[r, defender], s.attacking[r, aggressor]
        war, soil_side, month = s.theater_status[r, t] == WAR, ix.front_soil_side[f], s.month[r]
        sigma, tau = p.surprise_multiplier[r], p.surprise_decay_months[r]
        thin, area = p.thin_defence_personnel[r, f], wd.area_km2[r, f]
        defence_advantage, advance = p.defence_advantage[r], p.advance_km2_per_month[r, f]
        shooter_exponent, target_exponent = p.shooter_exponent[r], p.target_exponent[r]
        success, failure = p.attacker_loss_multiplier[r], p.failed_attack_loss_multiplier[r]
        prepared = p.prepared_defence_loss_multiplier[r]
        steps = p.steps_per_month
        n_defender, n_aggressor = s.personnel[r, f, DEFENDER], s.personnel[r, f, AGGRESSOR]
        held_defender, held_aggressor = s.held_km2[r, f, DEFENDER], s.held_km2[r, f, AGGRESSOR]
        lost_defender, lost_aggressor = 0.0, 0.0
        for step in range(steps):
            if not (war and open_front(soil_side, held_defender)):
                # No fighting: no ground changes hands and nobody bleeds (the aggressor holds
                # the rest of the front, as below).
                held_defender = min(max(held_defender, 0.0), area)
                held_aggressor = area - held_defender
                continue
            months = month + step / steps - since
            power_defender = (
                n_defender
                * phi_defender
                * surprise_factor(sigma, holds_defender, n_aggressor < thin, months, tau)
                * deep_strike
            )
            power_aggressor = (
                n_aggressor
                * phi_aggressor
                * surprise_factor(sigma, holds_aggressor, n_defender < thin, months, tau)
            )
            gain = defender_gain_km2(
                power_defender, power_aggressor, defence_advantage, advance / steps, mud
            )
            # A side its attack_when rule holds back takes no ground where it is stronger.
            gain = gain * (1.0 if (may_defender if gain > 0 else may_aggressor) else 0.0)
            gain = bounded_gain_km2(gain, held_defender, held_aggressor)
            # The aggressor holds the rest of the front: exactly conserved, never above the area.
            held_defender = min(max(held_defender + gain, 0.0), area)
            held_aggressor = area - held_defender
            loss_defender = lanchester_losses(
                n_aggressor,
                n_defender,
                lethality_aggressor / steps,
                shooter_exponent,
                target_exponent,
            )
            loss_aggressor = lanchester_losses(
                n_defender,
                n_aggressor,
                lethality_defender / steps,
                shooter_exponent,
                target_exponent,
            )
            multiplier_defender, multiplier_aggressor = loss_multipliers(
                power_defender,
                power_aggressor,
                gain,
                success,
                failure,
                prepared,
                may_defender,
                may_aggressor,
            )
            loss_defender = min(loss_defender * multiplier_defender, n_defender)
            loss_aggressor = min(loss_aggressor * multiplier_aggressor, n_aggressor)
            n_defender, n_aggressor = n_defender - loss_defender, n_aggressor - loss_aggressor
            lost_defender, lost_aggressor = (
                lost_defender + loss_defender,
                lost_aggressor + loss_aggressor,
            )
        s.personnel[r, f, DEFENDER], s.personnel[r, f, AGGRESSOR] = n_defender, n_aggressor
        s.held_km2[r, f, DEFENDER], s.held_km2[r, f, AGGRESSOR] = held_defender, held_aggressor
        s.casualties_per_month[r, f, DEFENDER] = lost_defender
        s.casualties_per_month[r, f, AGGRESSOR] = lost_aggressor
    # 5. Casualties, returning wounded and will, for the month.
    casualties[:] = 0.0
    committed = s.committed_personnel
    for f in range(n_fronts):
        t = ix.front_theater[f]
        casualties[ix.front_actor[f, AGGRESSOR]] += s.casualties_per_month[r, f, AGGRESSOR]
        lost = s.casualties_per_month[r, f, DEFENDER]
        coalition = max(committed[r, t].sum(), on_fronts[t])
        kept = lost
        for a in range(n_actors):
            if committed[r, t, a] > 0:
                part = lost * committed[r, t, a] / coalition
                casualties[a] += part
                kept -= part
        casualties[ix.front_actor[f, DEFENDER]] += kept
    for a in range(n_actors):
        s.reserves_personnel[r, a] += casualties[a] * p.wounded_return_fraction[r, a]
        s.casualties_total[r, a] += casualties[a]
        will = s.will[r, a] - p.will_loss_per_100k_casualties[r, a] * casualties[a] / 1e5
        s.will[r, a] = min(max(will, 0.0), 1.0)


@driver
def _all(s: Any, p: Any, ix: Any, wd: Any, rv: Any) -> None:
    for r in numba.prange(s.stockpile.shape[0]):
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = (
    "stockpile",
    "fired_per_month",
    "reserves_personnel",
    "personnel",
    "held_km2",
    "casualties_per_month",
    "casualties_total",
    "will",
)
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Fire, then move the lines and bleed in ``steps_per_month`` steps, on every front whose
    theater is at war."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(CombatParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
