r"""Combat on each active front: fires, territory and attrition, one month at a time.

1. **Fires.** An actor at war fires :math:`f_a = \min(S_{a,m}, D_a)` rounds of
   its fires munition :math:`m` (stock :math:`S`, demand :math:`D`), and its
   fires are effective in proportion to what it needs to hold, :math:`H_a`:

   .. math:: \phi_a = \min(1, f_a / H_a)^{\varepsilon}

2. **Combat power** of a side on a front is its personnel times its fire
   factor, times the surprise multiplier :math:`\sigma` when the enemy there
   is thinly held (fewer than the front's ``thin_defence_personnel``), times
   the deep-strike multiplier :math:`\kappa` for the defender when the
   strategy lifts restrictions on the use of donated weapons:
   :math:`P = N \phi \sigma \kappa`.

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

   .. math:: L_{def} = k_{agg}\,\phi_{agg}\,N_{agg}^{q}\,N_{def}^{p}\,\lambda_{def}

   with shooter exponent :math:`q`, target exponent :math:`p` (square law
   q=1, p=0; linear law q=p=1), lethality :math:`k` per month, and
   :math:`\lambda = ` the attacker-loss multiplier for the side that gained
   ground this month (1 otherwise). Losses never exceed personnel.
   Casualties count killed and wounded, as published tallies do; a share
   :math:`\rho` of them (the lightly wounded) returns to the reserves.

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
from twofront.engine.state import State, actors_at_war, front_active, per_actor, to_slots
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]
MAX_LOG_RATIO = 5.0
MIN_POWER = 1e-9


@dataclass(frozen=True, slots=True)
class CombatParams:
    """Fires, ground and attrition, run axis first."""

    fire_munition: NDArray[np.int64]  # (actor,) munition its fires use, -1 if none
    fire_demand_per_month: F64  # (run, actor) D_a, rounds it would fire
    fire_needed_per_month: F64  # (run, actor) H_a, rounds it needs to hold (1 if no fires)
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
    attacker_loss_multiplier: F64  # (run,) lambda
    deep_strike_multiplier: F64  # (run,) kappa


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> CombatParams:
    """Draw the combat laws, every actor's fires and forces, every front's terrain."""
    m_of = {n: i for i, n in enumerate(index.munitions)}
    mud = np.zeros((len(index.theaters), 12), dtype=np.bool_)
    for i, t in enumerate(scenario.theaters.values()):
        mud[i, [m - 1 for m in t.mud_months]] = True

    def forces(name: str) -> F64:
        return sampler.per_actor_in("forces", name)

    def fires(name: str, absent: float) -> F64:
        return sampler.per_actor_in("fires", name, absent)

    def law(name: str) -> F64:
        return sampler.draw(getattr(scenario.combat, name), f"combat.{name}")

    return CombatParams(
        fire_munition=np.array(
            [m_of[a.fires.munition] if a.fires else -1 for a in scenario.actors.values()],
            dtype=np.int64,
        ),
        fire_demand_per_month=fires("demand_per_month", 0.0),
        fire_needed_per_month=fires("needed_per_month", 1.0),
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
    )


def fire_factor(fired: F64, needed: F64, elasticity: F64) -> F64:
    """phi = min(1, fired / needed) ** elasticity (any matching shapes)."""
    return np.minimum(1.0, fired / needed) ** elasticity


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


def phase(state: State, params: Params, rng: Stream) -> State:
    """Fire, move the lines and bleed, on every front whose theater is at war."""
    index, p, area_km2 = params.index, params.of(CombatParams), params.world.area_km2
    at_war = actors_at_war(state, params)
    active = front_active(state, params)

    # 1. Fires: what each actor at war can shoot of its fires munition.
    has_fires = p.fire_munition >= 0
    munition = np.where(has_fires, p.fire_munition, 0)
    actors = np.arange(len(index.actors))
    stock = state.stockpile[:, actors, munition] * has_fires
    fired = np.minimum(stock, p.fire_demand_per_month * at_war)
    stockpile = state.stockpile.copy()
    stockpile[:, actors, munition] = np.where(
        has_fires, stock - fired, stockpile[:, actors, munition]
    )
    phi = fire_factor(fired, p.fire_needed_per_month, p.fire_elasticity[:, None])

    # 2. Combat power per slot.
    personnel = state.personnel
    enemy = personnel[:, :, ::-1]
    thin = enemy < p.thin_defence_personnel[:, :, None]
    surprise = np.where(thin, p.surprise_multiplier[:, None, None], 1.0)
    deep_strike = np.where(state.restrictions_lifted, p.deep_strike_multiplier, 1.0)
    side_multiplier = np.stack([deep_strike, np.ones_like(deep_strike)], axis=1)[:, None, :]
    power = personnel * to_slots(phi, params) * surprise * side_multiplier

    # 3. Territory.
    calendar = index.calendar_month(state.month)
    mud = np.where(p.theater_mud[:, calendar], p.mud_advance_factor, 1.0)
    gain = defender_gain_km2(
        power[:, :, DEFENDER],
        power[:, :, 1],
        p.defence_advantage[:, None],
        p.advance_km2_per_month,
        mud[:, index.front_theater],
    )
    gain = bounded_gain_km2(gain * active, state.held_km2)
    # The aggressor holds the rest of the front: exactly conserved, never above the area.
    held_defender = np.clip(state.held_km2[:, :, DEFENDER] + gain, 0.0, area_km2)
    held = np.stack([held_defender, area_km2 - held_defender], axis=2)

    # 4. Attrition: each side is shot by the other.
    advanced = np.stack([gain > 0, gain < 0], axis=2)
    losses = lanchester_losses(
        enemy,
        personnel,
        to_slots(p.lethality_per_month * phi, params)[:, :, ::-1],
        p.shooter_exponent[:, None, None],
        p.target_exponent[:, None, None],
    )
    losses = losses * np.where(advanced, p.attacker_loss_multiplier[:, None, None], 1.0)
    losses = np.minimum(losses, personnel) * active[:, :, None]
    casualties = per_actor(losses, params)
    returning = casualties * p.wounded_return_fraction
    will = state.will - p.will_loss_per_100k_casualties * casualties / 1e5
    return replace(
        state,
        stockpile=stockpile,
        fired_per_month=fired,
        reserves_personnel=state.reserves_personnel + returning,
        personnel=personnel - losses,
        held_km2=held,
        casualties_per_month=losses,
        casualties_total=state.casualties_total + casualties,
        will=np.clip(will, 0.0, 1.0),
    )
