r"""War termination by bargaining over disputed soil.

The stake of a theater is measured in units of the defender's soil in its
sectors, :math:`D` km². Territory held is leverage, and the enemy's own soil
counts most: each km² of the aggressor's soil the defender holds (a
Kursk-like salient) is worth :math:`\lambda \ge 1` km² of its own. The
defender's position is

.. math::
   x_t = (D - O_{def} + \lambda\, O_{agg}) / D \in [0,\ \bar x], \qquad
   \bar x = 1 + \lambda A_{agg} / D

with :math:`O_{def}` the defender's soil the aggressor holds, :math:`O_{agg}`
the aggressor's soil the defender holds and :math:`A_{agg}` the area of the
aggressor's soil in the theater's sectors. Terms :math:`x^*` are in the same
units: up to 1 the defender recovers :math:`x^* D` of its soil and hands
back all of the aggressor's (the salient is traded for occupied land);
above 1 it recovers all of its soil and keeps :math:`(x^* - 1) D / \lambda`
km² of the aggressor's (as Poland kept land the Soviets claimed at Riga, 1921).

Each month each side projects the war ``h`` months ahead from the observed
trend :math:`\tau_t \leftarrow (1-s)\tau_{t-1} + s(x_t - x_{t-1})`, with an
error in its own favour that narrows as fighting reveals information
(Slantchev (2003), "The principle of convergence in wartime negotiations",
APSR 97(4):621-632, doi:10.1017/S0003055403000912):

.. math::
   p = \operatorname{clip}(x_t + h\,\tau_t,\ 0,\ \bar x), \quad
   \sigma_w = \sigma_0 / \sqrt{1 + w / L}, \quad
   \hat p_{def} = p + \sigma_w (b + z_{def}), \quad
   \hat p_{agg} = p - \sigma_w (b + z_{agg})

(:math:`w` months of war, learning time :math:`L`, mutual optimism
:math:`b`, persistent private errors :math:`z \sim N(0, 1)`). **Beliefs also
learn from surprises** (with ``surprise_learning`` :math:`g`): the error
:math:`e_{def} = \sigma_0 (b + z_{def})` in the defender's favour, drawn when its
war begins, makes it expect the lines to move by
:math:`\mu_{def} = \tau_{t-1} + e_{def}/h` a month (the aggressor:
:math:`\tau_{t-1} - e_{agg}/h`); each month it corrects that expectation by a
share :math:`g` of its surprise :math:`\Delta x_t - \mu`:

.. math::
   e_{def} \leftarrow (1-g)\, e_{def} + g h (\Delta x_t - \tau_{t-1}), \qquad
   e_{agg} \leftarrow (1-g)\, e_{agg} - g h (\Delta x_t - \tau_{t-1})

and the beliefs are :math:`\hat p_{def} = p + e_{def}/\sqrt{1 + w/L}`,
:math:`\hat p_{agg} = p - e_{agg}/\sqrt{1 + w/L}` (with :math:`g = 0` exactly the
form above). Both sides see the same battles, so their disagreement
:math:`e_{def} + e_{agg}` shrinks by :math:`(1-g)` a month whatever happens
(Slantchev's convergence), while a battle that goes better than a side expected
makes it more optimistic, one that goes worse less (Smith & Stam (2004),
"Bargaining and the nature of war", JCR 48(6):783-813). Example: :math:`h = 12`,
:math:`g = 0.5`, :math:`e_{def} = 0.1`, :math:`\tau = -0.01`,
:math:`\Delta x = -0.03` → :math:`e_{def} = 0.05 + 6 \times (-0.02) = -0.07`:
a worse month than expected turns optimism into pessimism. Fighting on is
worth, in units of :math:`D`, with discount :math:`\delta` per month and
monthly cost :math:`c` scaled up as will :math:`W` falls:

.. math::
   C = \frac{c}{\max(W, 0.05)} \sum_{k=0}^{h-1} \delta^k, \qquad
   V_{def} = \delta^h \hat p_{def} - C_{def}, \qquad
   V_{agg} = \delta^h (\bar x - \hat p_{agg}) - C_{agg}

A settlement :math:`x` is better than fighting for both iff
:math:`V_{def} \le x \le \bar x - V_{agg}`. With :math:`\delta = 1` and shared
beliefs this is Fearon's bargaining range :math:`[p - C_{def},\ p + C_{agg}]`
(Fearon (1995), "Rationalist explanations for war", International
Organization 49(3):379-414, doi:10.1017/S0020818300033324), never empty: war
goes on only while optimism (:math:`\hat p_{def} > \hat p_{agg}`) exceeds the
costs. Declared war aims cut the range (Reiter (2009), *How Wars End*,
Princeton UP: absolute aims block settlement): the defender's aim sets a floor
:math:`a`, the aggressor's a ceiling :math:`\bar a` (for freeze-the-lines
aims, :math:`x_t \mp` a tolerance); ``total`` aims (regime change) admit no
settlement. Terms split the remaining range by the defender's bargaining
power :math:`\beta`:

.. math::
   \ell = \max(V_{def}, a), \quad u = \min(\bar x - V_{agg}, \bar a), \quad
   x^* = \ell + \beta (u - \ell) \ \text{ if } \ell \le u

**Bottom lines move with the war** (with ``[bargaining.adaptation]``): the
floor :math:`a_t` and ceiling :math:`\bar a_t` start at the declared aims and
each month follow the battlefield and give way to the hurt of fighting on,
damped by each leader's stickiness :math:`\sigma` (Goemans (2000), *War and
Punishment*, Princeton UP: leaders who fear for their survival hold out):

.. math::
   a_{t} = \operatorname{clip}\big(a_{t-1} + (1-\sigma_{def})\,
           [\gamma\,\Delta x_t - \kappa\,H_{def}],\ 0,\ \bar x\big), \qquad
   \bar a_{t} = \max\big(0,\ \bar a_{t-1} + (1-\sigma_{agg})\,
           [\gamma\,\Delta x_t + \kappa\,H_{agg}]\big)

   H_{def} = \frac{c_{def}}{\max(W_{def}, 0.05)}, \qquad
   H_{agg} = \frac{c_{agg}}{\max(W_{agg}, 0.05)}\,\big(1 + \omega\, O_{agg} / A_{agg}\big)

with :math:`\Delta x_t = x_t - x_{t-1}` (battle results revise what each side
thinks it can get: Filson & Werner (2002), "A bargaining model of war and
peace", AJPS 46(4):819-837, doi:10.2307/3088436; Smith & Stam (2004), JCR
48(6):783-813), weariness :math:`\kappa` per unit of the month's cost of
fighting at current will, and occupation pain :math:`\omega` times the share
:math:`O_{agg}/A_{agg}` of the aggressor's own soil in the theater's sectors
that the defender holds (a Kursk-like salient): occupied home soil hurts,
beyond its exchange value :math:`\lambda` (Schelling (1966), *Arms and
Influence*: holding what the other values is compellence). The defender's
occupied soil is the stake itself, already priced in :math:`x`, so it adds no
second pain. Example: :math:`a = 0.6`, :math:`\sigma = 0.5`,
:math:`\gamma = 0.5`, :math:`\Delta x = 0.02`, :math:`\kappa = 0.5`,
:math:`H = 0.02` → :math:`a = 0.6 + 0.5\,(0.01 - 0.01) = 0.6`.

**Aims revised at once** (with ``reconsider_will`` :math:`W_r`): a side whose will
has fallen to :math:`W_r` (above collapse) stops holding out for its aim and accepts
the lines as they stand as its bottom line: :math:`a_t \leftarrow \min(a_t, x_t)` for
the defender, :math:`\bar a_t \leftarrow \max(\bar a_t, x_t)` for the aggressor. This is
the discrete revision that gradual adaptation lacks: Moscow dropped its Terijoki
government within two months of the Winter War (Reiter (2009), *How Wars End*: aims
are revised when costs reveal that they cannot be had; Goemans (2000) on leaders
who can afford to settle). Absent, no side revises at once.

A side whose will falls to the collapse threshold accepts the other's aim:
:math:`x^* = \min(x_t, \bar a)` if the defender collapses,
:math:`\max(x_t, a)` if the aggressor does. Soil changing hands at
settlement is spread over the sectors in proportion to how it was held.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import SAMPLING_MONTH, Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, occupied_km2, sum_over
from twofront.scenario.schema import Aim, Scenario, aim_in_force

F64 = NDArray[np.float64]
WILL_FLOOR = 0.05


@dataclass(frozen=True, slots=True)
class BargainingParams:
    """War termination, run axis first; aims are the strategy's declared end states."""

    horizon_months: F64  # (run,) h
    discount_per_month: F64  # (run,) delta
    enemy_soil_weight: F64  # (run,) lambda
    belief_error_sd: F64  # (run,) sigma_0
    learning_months: F64  # (run,) L
    optimism_bias: F64  # (run,) b
    trend_smoothing: F64  # (run,) s
    collapse_will: F64  # (run,) will at which a side accepts the other's aim
    belief_z: F64  # (run, theater, side) persistent standard-normal private errors z
    war_cost_share_per_month: F64  # (run, actor) c at full will
    defender_bargaining_power: F64  # (run, theater) beta
    defender_floor: F64  # (run, theater) a: lowest terms the defender's aim admits
    defender_floor_tolerance: F64  # (run, theater) NaN unless freeze-the-lines
    aggressor_ceiling: F64  # (run, theater) a-bar: highest terms the aggressor admits (inf)
    aggressor_ceiling_tolerance: F64  # (run, theater) NaN unless freeze-the-lines
    defender_aim_total: NDArray[np.bool_]  # (theater,) admits only the aggressor's collapse
    aggressor_aim_total: NDArray[np.bool_]  # (theater,)
    battle_learning: F64  # (run,) gamma; 0 without [bargaining.adaptation]
    weariness: F64  # (run,) kappa; 0 without adaptation
    occupation_pain: F64  # (run,) omega; 0 without adaptation
    leader_stickiness: F64  # (run, actor) sigma; 1 where not given
    surprise_learning: F64  # (run,) g; 0 without adaptation
    reconsider_will: F64  # (run,) W_r; -inf: never revised at once


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> BargainingParams:
    """Draw the bargaining model, each side's belief errors and the aims in force."""
    b = scenario.bargaining
    # Each side's persistent belief error in each theater: standard normal, one lane a side.
    z = np.zeros((sampler.runs, len(index.theaters), 2))
    for k, t_id in enumerate(index.theaters):
        u = sampler.stream.uniform(SAMPLING_MONTH, f"belief:{t_id}", lanes=2)
        z[:, k, :] = stats.norm.ppf(u)

    def aim_id(t_id: str, role: str) -> str:
        return aim_in_force(scenario, strategy_id, t_id, role)

    def aim(t_id: str, role: str) -> Aim:
        return scenario.aims[aim_id(t_id, role)]

    def aim_bound(role: str, field: str, absent: float) -> F64:
        return sampler.stack(
            [
                sampler.draw(
                    getattr(aim(t_id, role), field),
                    f"aims.{aim_id(t_id, role)}.{field}",
                    absent,
                )
                for t_id in index.theaters
            ]
        )

    def model(name: str) -> F64:
        return sampler.draw(getattr(b, name), f"bargaining.{name}")

    def adapt(name: str) -> F64:
        param = getattr(b.adaptation, name) if b.adaptation is not None else None
        return sampler.draw(param, f"bargaining.adaptation.{name}")

    return BargainingParams(
        horizon_months=model("horizon_months"),
        discount_per_month=model("discount_per_month"),
        enemy_soil_weight=model("enemy_soil_weight"),
        belief_error_sd=model("belief_error_sd"),
        learning_months=model("learning_months"),
        optimism_bias=model("optimism_bias"),
        trend_smoothing=model("trend_smoothing"),
        collapse_will=model("collapse_will"),
        belief_z=z,
        war_cost_share_per_month=sampler.per_actor(
            lambda a: a.war_cost_share_per_month, "war_cost_share_per_month"
        ),
        defender_bargaining_power=sampler.per_theater(
            lambda t: t.defender_bargaining_power, "defender_bargaining_power"
        ),
        defender_floor=aim_bound("defender", "defender_share_at_least", 0.0),
        defender_floor_tolerance=aim_bound("defender", "lines_tolerance", np.nan),
        aggressor_ceiling=aim_bound("aggressor", "defender_share_at_most", np.inf),
        aggressor_ceiling_tolerance=aim_bound("aggressor", "lines_tolerance", np.nan),
        defender_aim_total=np.array([aim(t, "defender").total for t in index.theaters], dtype=bool),
        aggressor_aim_total=np.array(
            [aim(t, "aggressor").total for t in index.theaters], dtype=bool
        ),
        battle_learning=adapt("battle_learning"),
        weariness=adapt("weariness"),
        occupation_pain=adapt("occupation_pain"),
        surprise_learning=adapt("surprise_learning"),
        reconsider_will=sampler.draw(
            b.adaptation.reconsider_will if b.adaptation is not None else None,
            "bargaining.adaptation.reconsider_will",
            -np.inf,
        ),
        leader_stickiness=sampler.per_actor(
            lambda a: a.leader_stickiness, "leader_stickiness", absent=1.0
        ),
    )


def position_share(
    occupied_defender_km2: F64,
    occupied_aggressor_km2: F64,
    disputed_km2: F64,
    enemy_soil_weight: F64,
) -> F64:
    """x = (D - O_def + lambda O_agg) / D, at least 0 (1 where D = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (disputed_km2 - occupied_defender_km2 + enemy_soil_weight * occupied_aggressor_km2) / (
            disputed_km2
        )
    return np.maximum(np.nan_to_num(x, nan=1.0, posinf=1.0), 0.0)


def stake_top(aggressor_area_km2: F64, disputed_km2: F64, enemy_soil_weight: F64) -> F64:
    """x_bar = 1 + lambda A_agg / D: the best terms the defender could hold."""
    with np.errstate(divide="ignore", invalid="ignore"):
        top = 1.0 + enemy_soil_weight * aggressor_area_km2 / disputed_km2
    return np.nan_to_num(top, nan=1.0, posinf=1.0)


def belief_sd(sd0: F64, war_months: F64 | NDArray[np.int64], learning_months: F64) -> F64:
    """sigma_w = sigma_0 / sqrt(1 + w / L): errors narrow as the war reveals information."""
    return sd0 / np.sqrt(1.0 + war_months / learning_months)


def surprised_errors(
    error_defender: F64,
    error_aggressor: F64,
    position_change: F64,
    expected_change: F64,
    horizon_months: F64,
    gain: F64,
) -> tuple[F64, F64]:
    """(e_def, e_agg) after a month: e <- (1-g) e -/+ g h (dx - tau); see the docstring."""
    news = gain * horizon_months * (position_change - expected_change)
    return (1.0 - gain) * error_defender + news, (1.0 - gain) * error_aggressor - news


def cost_of_fighting(
    cost_share_per_month: F64, will: F64, discount_per_month: F64, horizon_months: F64
) -> F64:
    """C = c / max(W, 0.05) * sum_{k<h} delta^k, in shares of the stake."""
    annuity = np.where(
        discount_per_month < 1.0,
        (1.0 - discount_per_month**horizon_months) / np.maximum(1.0 - discount_per_month, 1e-12),
        horizon_months,
    )
    return cost_share_per_month / np.maximum(will, WILL_FLOOR) * annuity


def hurt_per_month(cost_share_per_month: F64, will: F64) -> F64:
    """H = c / max(W, 0.05): a month of war at current will, in shares of the stake."""
    return cost_share_per_month / np.maximum(will, WILL_FLOOR)


def occupation_multiplier(occupation_pain: F64, own_soil_held_share: F64) -> F64:
    """1 + omega * O_agg / A_agg: how much occupied home soil adds to the aggressor's hurt."""
    return 1.0 + occupation_pain * own_soil_held_share


def moved_bottom_lines(
    floor: F64,
    ceiling: F64,
    position_change: F64,
    hurt_defender: F64,
    hurt_aggressor: F64,
    stickiness_defender: F64,
    stickiness_aggressor: F64,
    battle_learning: F64,
    weariness: F64,
    top: F64,
) -> tuple[F64, F64]:
    """(a_t, a-bar_t): the floor and ceiling after a month of war; see the module docstring.

    An unbounded ceiling (inf: the aggressor declared no bound) stays unbounded.
    """
    learned = battle_learning * position_change
    new_floor = floor + (1.0 - stickiness_defender) * (learned - weariness * hurt_defender)
    new_ceiling = ceiling + (1.0 - stickiness_aggressor) * (learned + weariness * hurt_aggressor)
    return np.clip(new_floor, 0.0, top), np.maximum(new_ceiling, 0.0)


def reconsidered_bottom_lines(
    floor: F64, ceiling: F64, position: F64, will_def: F64, will_agg: F64, reconsider_will: F64
) -> tuple[F64, F64]:
    """At will <= W_r a side accepts the lines: a <- min(a, x), a-bar <- max(a-bar, x)."""
    return (
        np.where(will_def <= reconsider_will, np.minimum(floor, position), floor),
        np.where(will_agg <= reconsider_will, np.maximum(ceiling, position), ceiling),
    )


def bargaining_range(
    p_defender: F64,
    p_aggressor: F64,
    cost_defender: F64,
    cost_aggressor: F64,
    discount_per_month: F64,
    horizon_months: F64,
    top: F64 | float = 1.0,
) -> tuple[F64, F64]:
    """(lowest, highest) terms both prefer to fighting: [V_def, x_bar - V_agg]."""
    d = discount_per_month**horizon_months
    value_defender = d * p_defender - cost_defender
    value_aggressor = d * (top - p_aggressor) - cost_aggressor
    return value_defender, top - value_aggressor


def split_terms(low: F64, high: F64, defender_power: F64) -> F64:
    """x* = low + beta (high - low)."""
    return low + defender_power * (high - low)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Settle wars whose sides find terms both prefer to fighting, or whose side collapses."""
    index, bp = params.index, params.of(BargainingParams)
    at_war = state.theater_status == TheaterStatus.WAR
    if not at_war.any():
        return state
    occupied = occupied_km2(state, params)
    disputed = sum_over(params.world.area_km2, index.defender_soil)
    aggressor_area = sum_over(params.world.area_km2, index.aggressor_soil)
    held_def = sum_over(occupied, index.defender_soil)
    held_agg = sum_over(occupied, index.aggressor_soil)
    lam = bp.enemy_soil_weight[:, None]

    # 1. Position and its smoothed trend.
    top = stake_top(aggressor_area, disputed, lam)
    x = np.minimum(position_share(held_def, held_agg, disputed, lam), top)
    previous = np.where(np.isnan(state.position_share), x, state.position_share)
    s = bp.trend_smoothing[:, None]
    trend = np.where(
        at_war,
        (1 - s) * state.trend_share_per_month + s * (x - previous),
        state.trend_share_per_month,
    )

    # 2. Beliefs, corrected by the month's surprise, and the value of fighting on.
    h = bp.horizon_months[:, None]
    p = np.clip(x + h * trend, 0.0, top)
    drawn = bp.belief_error_sd[:, None, None] * (bp.optimism_bias[:, None, None] + bp.belief_z)
    first = np.isnan(state.belief_error_share)
    surprised = surprised_errors(
        state.belief_error_share[:, :, DEFENDER],
        state.belief_error_share[:, :, AGGRESSOR],
        x - previous,
        state.trend_share_per_month,
        h,
        bp.surprise_learning[:, None],
    )
    errors = np.where(first, drawn, np.stack(surprised, axis=2))
    errors = np.where(at_war[:, :, None], errors, state.belief_error_share)
    shrink = belief_sd(np.ones_like(p), state.war_months, bp.learning_months[:, None])
    p_def = p + shrink * errors[:, :, DEFENDER]
    p_agg = p - shrink * errors[:, :, AGGRESSOR]
    delta = bp.discount_per_month[:, None]
    actor_def, actor_agg = index.theater_actor[:, DEFENDER], index.theater_actor[:, AGGRESSOR]
    will_def, will_agg = state.will[:, actor_def], state.will[:, actor_agg]
    cost_def = cost_of_fighting(bp.war_cost_share_per_month[:, actor_def], will_def, delta, h)
    cost_agg = cost_of_fighting(bp.war_cost_share_per_month[:, actor_agg], will_agg, delta, h)
    low, high = bargaining_range(p_def, p_agg, cost_def, cost_agg, delta, h, top)

    # 3. Bottom lines: the declared aims, moved by the war; totals admit nothing.
    own_held_agg = np.where(aggressor_area > 0, held_agg / np.maximum(aggressor_area, 1e-12), 0.0)
    omega = bp.occupation_pain[:, None]
    moved_floor, moved_ceiling = moved_bottom_lines(
        np.where(
            np.isnan(state.defender_floor_share), bp.defender_floor, state.defender_floor_share
        ),
        np.where(
            np.isnan(state.aggressor_ceiling_share),
            bp.aggressor_ceiling,
            state.aggressor_ceiling_share,
        ),
        x - previous,
        hurt_per_month(bp.war_cost_share_per_month[:, actor_def], will_def),
        hurt_per_month(bp.war_cost_share_per_month[:, actor_agg], will_agg)
        * occupation_multiplier(omega, own_held_agg),
        bp.leader_stickiness[:, actor_def],
        bp.leader_stickiness[:, actor_agg],
        bp.battle_learning[:, None],
        bp.weariness[:, None],
        top,
    )
    moved_floor, moved_ceiling = reconsidered_bottom_lines(
        moved_floor, moved_ceiling, x, will_def, will_agg, bp.reconsider_will[:, None]
    )
    floor_now = np.where(at_war, moved_floor, state.defender_floor_share)
    ceiling_now = np.where(at_war, moved_ceiling, state.aggressor_ceiling_share)
    floor = np.fmax(moved_floor, x - bp.defender_floor_tolerance)
    ceiling = np.fmin(moved_ceiling, x + bp.aggressor_ceiling_tolerance)
    low, high = np.maximum(low, floor), np.minimum(high, ceiling)
    total = bp.defender_aim_total | bp.aggressor_aim_total
    agree = at_war & (low <= high) & ~total[None, :]
    terms = split_terms(low, high, bp.defender_bargaining_power)

    # 4. Collapse of will ends the war on the other side's aim.
    collapse = bp.collapse_will[:, None]
    def_collapses = at_war & (will_def <= collapse)
    agg_collapses = at_war & (will_agg <= collapse) & ~def_collapses
    terms = np.where(def_collapses, np.minimum(x, ceiling), terms)
    terms = np.where(agg_collapses, np.maximum(x, floor), terms)
    settling = agree | def_collapses | agg_collapses
    terms = np.clip(terms, 0.0, top)

    state = replace(
        state,
        position_share=np.where(at_war, x, state.position_share),
        defender_floor_share=floor_now,
        aggressor_ceiling_share=ceiling_now,
        trend_share_per_month=trend,
        war_months=state.war_months + at_war,
        belief_error_share=errors,
    )
    if not settling.any():
        return state
    return _settle(
        state,
        params,
        settling,
        terms,
        disputed,
        held_def,
        held_agg,
        lam,
        np.where(def_collapses, DEFENDER, np.where(agg_collapses, AGGRESSOR, -1)),
    )


def _spread(
    total_km2: F64,
    current_km2: F64,
    area_km2: F64,
    on_fronts: NDArray[np.bool_],
    front_theater: NDArray[np.int64],
    theater_total_km2: F64,
    theater_area_km2: F64,
) -> F64:
    """Spread (run, theater) km² over the theater's fronts in ``on_fronts``, as now held.

    Where nothing is held now, in proportion to the fronts' areas. Capped at
    each front's area.
    """
    held = theater_total_km2[:, front_theater]
    share = np.where(
        held > 0,
        current_km2 / np.maximum(held, 1e-12),
        area_km2 / np.maximum(theater_area_km2[:, front_theater], 1e-12),
    )
    return np.where(
        on_fronts[None, :], np.minimum(total_km2[:, front_theater] * share, area_km2), 0.0
    )


def _settle(
    state: State,
    params: Params,
    settling: NDArray[np.bool_],
    terms: F64,
    disputed: F64,
    held_def: F64,
    held_agg: F64,
    lam: F64,
    collapsed: NDArray[np.int64],
) -> State:
    """Apply terms x* to the fronts of the settling (run, theater) cells."""
    index = params.index
    ft = index.front_theater
    on_def = index.front_soil_side == DEFENDER
    area_km2 = params.world.area_km2
    aggressor_area = sum_over(area_km2, index.front_in_theater & ~on_def[:, None])
    kept_by_aggressor = (1.0 - np.minimum(terms, 1.0)) * disputed
    kept_by_defender = np.maximum(terms - 1.0, 0.0) * disputed / lam
    occupied = occupied_km2(state, params)
    new_occupied = _spread(
        kept_by_aggressor, occupied, area_km2, on_def, ft, held_def, disputed
    ) + _spread(kept_by_defender, occupied, area_km2, ~on_def, ft, held_agg, aggressor_area)
    occupied = np.where(settling[:, ft], new_occupied, occupied)
    owner = index.front_soil_side
    rebuilt = np.empty_like(state.held_km2)
    fronts = np.arange(len(index.fronts))
    rebuilt[:, fronts, owner] = area_km2 - occupied
    rebuilt[:, fronts, 1 - owner] = occupied
    # Only settling cells change: rebuilding the others from area - occupied
    # would alter their last bits and make a run depend on its batch.
    held = np.where(settling[:, ft, None], rebuilt, state.held_km2)
    return replace(
        state,
        held_km2=held,
        theater_status=np.where(
            settling, np.int8(TheaterStatus.SETTLED), state.theater_status
        ).astype(np.int8),
        settled_month=np.where(settling, state.month, state.settled_month),
        settlement_share=np.where(settling, terms, state.settlement_share),
        occupied_at_settlement_km2=np.where(
            settling, kept_by_aggressor, state.occupied_at_settlement_km2
        ),
        enemy_soil_traded_km2=np.where(
            settling, np.maximum(held_agg - kept_by_defender, 0.0), state.enemy_soil_traded_km2
        ),
        enemy_soil_kept_km2=np.where(settling, kept_by_defender, state.enemy_soil_kept_km2),
        collapsed=np.where(settling, collapsed, state.collapsed),
    )
