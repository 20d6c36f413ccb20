r"""Combat on each active front: fires, territory and attrition, one month at a time.

1. **Fires.** An actor at war fires, of each munition :math:`m` of its fires,

   .. math:: f_{a,m} = \min(S_{a,m} / T_{a,m},\ D_{a,m},\ H_{a,m})

   rounds: what it needs to hold, :math:`H` (more adds nothing below), no more
   than its guns, drone crews or aircraft can fire, :math:`D`, and its stock
   :math:`S` spread over :math:`T \ge 1` months (``ration_months``; 1 if absent).
   Drones (``countered`` munitions) are partly defeated by the enemy's electronic
   warfare and counter-drone means, a share :math:`c_{\bar a}` (the enemy's
   ``counter_share``): the rounds that count are :math:`\tilde f_{a,m} =
   f_{a,m}(1 - c_{\bar a})`, all of them for uncountered munitions (shells;
   glide bombs, whose counter would be fighters and long-range air defence near
   the front, are not modelled). Each munition's fires are effective in
   proportion to what it needs, and a side's fire factor is their weighted
   arithmetic mean, weights :math:`w_{a,m}` normalised to sum to 1:

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

Example (hand-computed in the tests): P_def = 100k, P_agg = 400k, d = 2,
r = 100, mu = 1: x = ln 0.25 = −1.386, ln d = 0.693, ΔA = −69.3 km².
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, actors_at_war, per_actor, theater_at_war, to_slots
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]
MAX_LOG_RATIO = 5.0
MIN_POWER = 1e-9


@dataclass(frozen=True, slots=True)
class CombatParams:
    """Fires, ground and attrition, run axis first."""

    fire_munition: NDArray[np.int64]  # (actor, line) munition of each fires line, -1 if none
    fire_countered: NDArray[np.bool_]  # (actor, line) the enemy's counter_share degrades it
    fire_demand_per_month: F64  # (run, actor, line) D_a,m, rounds it would fire
    fire_needed_per_month: F64  # (run, actor, line) H_a,m, rounds it needs (1 if no line)
    fire_ration_months: F64  # (run, actor, line) T_a,m, months its stock is spread over
    fire_weight: F64  # (run, actor, line) w_a,m, normalised over the actor's lines; 0 none
    counter_share: F64  # (run, actor) c_a, share of the enemy's countered rounds it defeats
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
        counter_share=sampler.per_actor(
            lambda a: a.fires.counter_share if a.fires else None, "fires.counter_share"
        ),
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
    countered = np.zeros((len(actors), width), dtype=np.bool_)
    demand = np.zeros((runs, len(actors), width))
    needed = np.ones((runs, len(actors), width))
    ration = np.ones((runs, len(actors), width))
    weight = np.zeros((runs, len(actors), width))
    for i, ((a_id, _), own) in enumerate(zip(actors, lines, strict=True)):
        for k, (m_id, path, line) in enumerate(own):
            at = f"actors.{a_id}.{path}"
            munition[i, k] = index.munitions.index(m_id)
            countered[i, k] = line.countered
            demand[:, i, k] = sampler.draw(line.demand_per_month, f"{at}.demand_per_month")
            needed[:, i, k] = sampler.draw(line.needed_per_month, f"{at}.needed_per_month")
            ration[:, i, k] = sampler.draw(line.ration_months, f"{at}.ration_months", 1.0)
            weight[:, i, k] = sampler.draw(line.weight, f"{at}.weight", 1.0)
    total = weight.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(total > 0, weight / total, 0.0)
    return {
        "fire_munition": munition,
        "fire_countered": countered,
        "fire_demand_per_month": demand,
        "fire_needed_per_month": needed,
        "fire_ration_months": ration,
        "fire_weight": weight,
    }


def fire_factor(fired: F64, needed: F64, elasticity: F64) -> F64:
    """phi = min(1, fired / needed) ** elasticity (any matching shapes)."""
    return np.minimum(1.0, fired / needed) ** elasticity


def countered_fires(fired: F64, countered: NDArray[np.bool_], enemy_counter_share: F64) -> F64:
    """f (1 - c) for countered lines, f otherwise; ``fired`` (..., line), ``countered``
    broadcastable to it, ``enemy_counter_share`` (...)."""
    return np.where(countered, fired * (1.0 - enemy_counter_share[..., None]), fired)


def combined_fire_factor(fired: F64, needed: F64, weight: F64, elasticity: F64) -> F64:
    """phi = sum_m w_m min(1, f_m / H_m) ** eps over the last (line) axis; see step 1."""
    return (fire_factor(fired, needed, elasticity[..., None]) * weight).sum(axis=-1)


def soft_threshold(x: F64, threshold: F64) -> F64:
    """sign(x) * max(|x| - threshold, 0): zero inside the band."""
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0.0)


def defender_gain_km2(
    power_defender: F64,
    power_aggressor: F64,
    defence_advantage: F64,
    advance_km2_per_month: F64,
    mud_factor: F64,
) -> F64:
    """Unbounded km² the defender gains this month (negative: loses); see step 3."""
    x = np.log(np.maximum(power_defender, MIN_POWER)) - np.log(
        np.maximum(power_aggressor, MIN_POWER)
    )
    x = np.clip(x, -MAX_LOG_RATIO, MAX_LOG_RATIO)
    return advance_km2_per_month * mud_factor * soft_threshold(x, np.log(defence_advantage))


def bounded_gain_km2(gain_km2: F64, held_km2: F64) -> F64:
    """Clip the defender's gain so neither side's holding goes below zero.

    ``held_km2`` is (..., side) with side 0 the defender.
    """
    return np.clip(gain_km2, -held_km2[..., 0], held_km2[..., 1])


def lanchester_losses(
    shooters: F64,
    targets: F64,
    lethality_per_month: F64,
    shooter_exponent: F64,
    target_exponent: F64,
) -> F64:
    """Losses of ``targets`` in a month: k * shooters**q * targets**p (capped at targets).

    Where either side is empty there are no losses (0 ** a negative exponent is undefined).
    """
    alive = (shooters > 0) & (targets > 0)
    losses = (
        lethality_per_month
        * _power(np.where(alive, shooters, 1.0), shooter_exponent)
        * _power(np.where(alive, targets, 1.0), target_exponent)
    )
    return np.where(alive, np.minimum(losses, targets), 0.0)


def _power(base: F64, exponent: F64) -> F64:
    """base ** exponent, skipping the costly pow when every exponent is 0 or every one is 1."""
    if np.all(exponent == 1.0):
        return base
    if np.all(exponent == 0.0):
        return np.ones_like(base)
    return base**exponent


def loss_multipliers(
    power_defender: F64,
    power_aggressor: F64,
    gain_km2: F64,
    success: F64,
    failure: F64,
    prepared: F64,
    may_attack: NDArray[np.bool_] | None = None,
) -> tuple[F64, F64]:
    """(defender side, aggressor side) loss multipliers of a front; see step 4.

    The stronger side attacks, if ``may_attack`` (..., side) lets it (its actor's
    ``attack_when``; absent: always). It loses ``success`` times its base losses if it
    gained ground, ``failure`` times if it did not; the side it attacks loses
    ``prepared`` times its base losses when it holds, 1 times when it gives ground.
    Equal power, or a stronger side held back: nobody attacks, both 1.
    """
    defender_attacks = power_defender > power_aggressor
    aggressor_attacks = power_aggressor > power_defender
    if may_attack is not None:
        defender_attacks = defender_attacks & may_attack[..., DEFENDER]
        aggressor_attacks = aggressor_attacks & may_attack[..., 1]
    defender_won, aggressor_won = gain_km2 > 0, gain_km2 < 0
    one = np.ones_like(gain_km2)
    defender = np.where(
        defender_attacks,
        np.where(defender_won, success, failure),
        np.where(aggressor_attacks & ~aggressor_won, prepared, one),
    )
    aggressor = np.where(
        aggressor_attacks,
        np.where(aggressor_won, success, failure),
        np.where(defender_attacks & ~defender_won, prepared, one),
    )
    return defender, aggressor


def surprise_factor(
    multiplier: F64,
    holds_surprise: NDArray[np.bool_],
    enemy_thin: NDArray[np.bool_],
    months: F64,
    decay_months: F64,
) -> F64:
    """sigma_eff = 1 + (sigma - 1) e^(-m / tau) for the side that holds surprise against a
    thin enemy, m months into the fight; 1 otherwise (tau = inf: no decay)."""
    fading = np.exp(-np.maximum(months, 0.0) / decay_months)
    faded = np.where(fading == 1.0, multiplier, 1.0 + (multiplier - 1.0) * fading)
    return np.where(holds_surprise & enemy_thin, faded, 1.0)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Fire, then move the lines and bleed in ``steps_per_month`` steps, on every front whose
    theater is at war."""
    index, p, area_km2 = params.index, params.of(CombatParams), params.world.area_km2
    at_war = actors_at_war(state, params)

    # 1. Fires: what each actor at war can shoot of each munition of its fires this month.
    actors = np.arange(len(index.actors))
    stockpile = state.stockpile.copy()
    fired = np.zeros_like(p.fire_demand_per_month)
    fired_by_munition = np.zeros_like(state.stockpile)
    for line in range(p.fire_munition.shape[1]):
        has_line = p.fire_munition[:, line] >= 0
        munition = np.where(has_line, p.fire_munition[:, line], 0)
        stock = stockpile[:, actors, munition] * has_line
        shot = np.minimum(
            stock / p.fire_ration_months[:, :, line],
            np.minimum(p.fire_demand_per_month[:, :, line], p.fire_needed_per_month[:, :, line])
            * at_war,
        )
        stockpile[:, actors, munition] = np.where(
            has_line, stock - shot, stockpile[:, actors, munition]
        )
        fired[:, :, line] = shot
        fired_by_munition[:, actors[has_line], munition[has_line]] += shot[:, has_line]
    enemy_actor = index.front_actor[:, ::-1]
    phi = combined_fire_factor(
        countered_fires(
            fired[:, index.front_actor],
            p.fire_countered[index.front_actor],
            p.counter_share[:, enemy_actor],
        ),
        p.fire_needed_per_month[:, index.front_actor],
        p.fire_weight[:, index.front_actor],
        p.fire_elasticity[:, None, None],
    )
    deep_strike = np.where(state.restrictions_lifted, p.deep_strike_multiplier, 1.0)
    side_multiplier = np.stack([deep_strike, np.ones_like(deep_strike)], axis=1)[:, None, :]
    calendar = index.calendar_month(state.month)
    mud = np.where(p.theater_mud[:, calendar], p.mud_advance_factor, 1.0)[:, index.front_theater]
    lethality = to_slots(p.lethality_per_month, params) * phi
    holder, since = surprise_holders(state, params, p)
    may_attack = to_slots(state.attacking, params)

    # 2-4. Power, territory and attrition, step by step.
    steps = p.steps_per_month
    personnel, held = state.personnel, state.held_km2
    losses_month = np.zeros_like(personnel)
    at_war_front = theater_at_war(state, params)
    for step in range(steps):
        active = at_war_front & open_fronts(held, params)
        enemy = personnel[:, :, ::-1]
        surprise = surprise_factor(
            p.surprise_multiplier[:, None, None],
            holder,
            enemy < p.thin_defence_personnel[:, :, None],
            (state.month + step / steps - since)[:, :, None],
            p.surprise_decay_months[:, None, None],
        )
        power = personnel * phi * surprise * side_multiplier
        gain = defender_gain_km2(
            power[:, :, DEFENDER],
            power[:, :, 1],
            p.defence_advantage[:, None],
            p.advance_km2_per_month / steps,
            mud,
        )
        gain = np.where(gain > 0, gain * may_attack[:, :, DEFENDER], gain * may_attack[:, :, 1])
        gain = bounded_gain_km2(gain * active, held)
        # The aggressor holds the rest of the front: exactly conserved, never above the area.
        held_defender = np.clip(held[:, :, DEFENDER] + gain, 0.0, area_km2)
        held = np.stack([held_defender, area_km2 - held_defender], axis=2)
        losses = lanchester_losses(
            enemy,
            personnel,
            lethality[:, :, ::-1] / steps,
            p.shooter_exponent[:, None, None],
            p.target_exponent[:, None, None],
        )
        multiplier = np.stack(
            loss_multipliers(
                power[:, :, DEFENDER],
                power[:, :, 1],
                gain,
                p.attacker_loss_multiplier[:, None],
                p.failed_attack_loss_multiplier[:, None],
                p.prepared_defence_loss_multiplier[:, None],
                may_attack,
            ),
            axis=2,
        )
        losses = np.minimum(losses * multiplier, personnel) * active[:, :, None]
        personnel = personnel - losses
        losses_month = losses_month + losses

    # 5. Casualties, returning wounded and will, for the month.
    casualties = per_actor(losses_month, params)
    returning = casualties * p.wounded_return_fraction
    will = state.will - p.will_loss_per_100k_casualties * casualties / 1e5
    return replace(
        state,
        stockpile=stockpile,
        fired_per_month=fired_by_munition,
        reserves_personnel=state.reserves_personnel + returning,
        personnel=personnel,
        held_km2=held,
        casualties_per_month=losses_month,
        casualties_total=state.casualties_total + casualties,
        will=np.clip(will, 0.0, 1.0),
    )


def open_fronts(held_km2: F64, params: Params) -> NDArray[np.bool_]:
    """(run, front): fronts on the defender's soil, or on the aggressor's while the defender
    holds some of it (an incursion closes when it is lost); see ``state.front_active``."""
    on_aggressor = params.index.front_soil_side == 1
    return ~on_aggressor[None, :] | (held_km2[:, :, DEFENDER] > 0)


def surprise_holders(
    state: State, params: Params, p: CombatParams
) -> tuple[NDArray[np.bool_], F64]:
    """(run, front, side) who may fight with surprise, and (run, front) the month its fight
    began. Without decay, both sides (the old rule); with decay, the front's ``surprise_by``
    side from the scenario's start, or the aggressor of a war begun during the run from its
    first month of fighting."""
    index = params.index
    runs, fronts = state.personnel.shape[:2]
    if not p.surprise_decays:
        return np.ones((runs, fronts, 2), dtype=np.bool_), np.zeros((runs, fronts))
    begun = state.war_start_month[:, index.front_theater] >= 0
    by_scenario = p.surprise_side >= 0
    holder = np.zeros((runs, fronts, 2), dtype=np.bool_)
    holder[:, :, 1] = begun & ~by_scenario[None, :]
    for side in (DEFENDER, 1):
        holder[:, :, side] |= (p.surprise_side == side)[None, :]
    since = np.where(
        by_scenario[None, :], 0.0, state.war_start_snapshot[:, index.front_theater]
    ).astype(np.float64)
    return holder, since
