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

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray
from scipy import stats

from twofront.engine.compiled import driver, kernel, view
from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import SAMPLING_MONTH, Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import (
    State,
    TheaterStatus,
    occupied_run,
    state_view,
    sum_over_run,
    writable,
)
from twofront.scenario.schema import Aim, Scenario, aim_in_force

F64 = NDArray[np.float64]
WILL_FLOOR = 0.05
WAR, SETTLED = int(TheaterStatus.WAR), int(TheaterStatus.SETTLED)
_LOWEST = float(-np.finfo(np.float64).max)


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


@kernel
def _maximum(a: float, b: float) -> float:
    """``np.maximum`` of two floats: NaN if either is."""
    return a if a >= b or a != a else b


@kernel
def _minimum(a: float, b: float) -> float:
    """``np.minimum`` of two floats: NaN if either is."""
    return a if a <= b or a != a else b


@kernel
def _fmax(a: float, b: float) -> float:
    """``np.fmax`` of two floats: a NaN gives way to the other."""
    return b if a != a else _maximum(a, b) if b == b else a


@kernel
def _fmin(a: float, b: float) -> float:
    """``np.fmin`` of two floats: a NaN gives way to the other."""
    return b if a != a else _minimum(a, b) if b == b else a


@kernel
def _clip(a: float, low: float, high: float) -> float:
    """``np.clip`` of a float: min(max(a, low), high), NaN kept."""
    return _minimum(_maximum(a, low), high)


@kernel
def _one_if_undefined(a: float) -> float:
    """``np.nan_to_num(a, nan=1.0, posinf=1.0)``: 1 for NaN and +inf, the largest
    negative float for -inf."""
    if a != a or a == np.inf:
        return 1.0
    if a == -np.inf:
        return _LOWEST
    return a


@kernel
def position_share(
    occupied_defender_km2: float,
    occupied_aggressor_km2: float,
    disputed_km2: float,
    enemy_soil_weight: float,
) -> float:
    """x = (D - O_def + lambda O_agg) / D, at least 0 (1 where D = 0)."""
    x = (disputed_km2 - occupied_defender_km2 + enemy_soil_weight * occupied_aggressor_km2) / (
        disputed_km2
    )
    return _maximum(_one_if_undefined(x), 0.0)


@kernel
def stake_top(aggressor_area_km2: float, disputed_km2: float, enemy_soil_weight: float) -> float:
    """x_bar = 1 + lambda A_agg / D: the best terms the defender could hold."""
    return _one_if_undefined(1.0 + enemy_soil_weight * aggressor_area_km2 / disputed_km2)


@kernel
def belief_sd(sd0: float, war_months: float, learning_months: float) -> float:
    """sigma_w = sigma_0 / sqrt(1 + w / L): errors narrow as the war reveals information."""
    return sd0 / np.sqrt(1.0 + war_months / learning_months)


@kernel
def surprised_errors(
    error_defender: float,
    error_aggressor: float,
    position_change: float,
    expected_change: float,
    horizon_months: float,
    gain: float,
) -> tuple[float, float]:
    """(e_def, e_agg) after a month: e <- (1-g) e -/+ g h (dx - tau); see the docstring."""
    news = gain * horizon_months * (position_change - expected_change)
    return (1.0 - gain) * error_defender + news, (1.0 - gain) * error_aggressor - news


@kernel
def cost_of_fighting(
    cost_share_per_month: float, will: float, discount_per_month: float, horizon_months: float
) -> float:
    """C = c / max(W, 0.05) * sum_{k<h} delta^k, in shares of the stake."""
    if discount_per_month < 1.0:
        annuity = (1.0 - discount_per_month**horizon_months) / _maximum(
            1.0 - discount_per_month, 1e-12
        )
    else:
        annuity = horizon_months
    return cost_share_per_month / _maximum(will, WILL_FLOOR) * annuity


@kernel
def hurt_per_month(cost_share_per_month: float, will: float) -> float:
    """H = c / max(W, 0.05): a month of war at current will, in shares of the stake."""
    return cost_share_per_month / _maximum(will, WILL_FLOOR)


@kernel
def occupation_multiplier(occupation_pain: float, own_soil_held_share: float) -> float:
    """1 + omega * O_agg / A_agg: how much occupied home soil adds to the aggressor's hurt."""
    return 1.0 + occupation_pain * own_soil_held_share


@kernel
def moved_bottom_lines(
    floor: float,
    ceiling: float,
    position_change: float,
    hurt_defender: float,
    hurt_aggressor: float,
    stickiness_defender: float,
    stickiness_aggressor: float,
    battle_learning: float,
    weariness: float,
    top: float,
) -> tuple[float, float]:
    """(a_t, a-bar_t): the floor and ceiling after a month of war; see the module docstring.

    An unbounded ceiling (inf: the aggressor declared no bound) stays unbounded.
    """
    learned = battle_learning * position_change
    new_floor = floor + (1.0 - stickiness_defender) * (learned - weariness * hurt_defender)
    new_ceiling = ceiling + (1.0 - stickiness_aggressor) * (learned + weariness * hurt_aggressor)
    return _clip(new_floor, 0.0, top), _maximum(new_ceiling, 0.0)


@kernel
def reconsidered_bottom_lines(
    floor: float,
    ceiling: float,
    position: float,
    will_def: float,
    will_agg: float,
    reconsider_will: float,
) -> tuple[float, float]:
    """At will <= W_r a side accepts the lines: a <- min(a, x), a-bar <- max(a-bar, x)."""
    return (
        _minimum(floor, position) if will_def <= reconsider_will else floor,
        _maximum(ceiling, position) if will_agg <= reconsider_will else ceiling,
    )


@kernel
def bargaining_range(
    p_defender: float,
    p_aggressor: float,
    cost_defender: float,
    cost_aggressor: float,
    discount_per_month: float,
    horizon_months: float,
    top: float = 1.0,
) -> tuple[float, float]:
    """(lowest, highest) terms both prefer to fighting: [V_def, x_bar - V_agg]."""
    d = discount_per_month**horizon_months
    value_defender = d * p_defender - cost_defender
    value_aggressor = d * (top - p_aggressor) - cost_aggressor
    return value_defender, top - value_aggressor


@kernel
def split_terms(low: float, high: float, defender_power: float) -> float:
    """x* = low + beta (high - low)."""
    return low + defender_power * (high - low)


@kernel
def spread(
    total_km2: float,
    current_km2: float,
    area_km2: float,
    theater_total_km2: float,
    theater_area_km2: float,
) -> float:
    """A front's part of ``total_km2`` of its theater, in proportion to what it holds now
    of ``theater_total_km2`` (where nothing is held now, to its area's part of
    ``theater_area_km2``); capped at the front's area."""
    if theater_total_km2 > 0:
        share = current_km2 / _maximum(theater_total_km2, 1e-12)
    else:
        share = area_km2 / _maximum(theater_area_km2, 1e-12)
    return _minimum(total_km2 * share, area_km2)


@kernel
def settle_fronts(
    held_km2: F64,
    area_km2: F64,
    front_theater: NDArray[np.int64],
    front_soil_side: NDArray[np.int64],
    t: int,
    occupied: F64,
    kept_by_aggressor: float,
    kept_by_defender: float,
    disputed: float,
    aggressor_area: float,
    held_def: float,
    held_agg: float,
) -> None:
    """Hand over the soil of the fronts of theater ``t`` at settlement, in one run's
    ``held_km2`` (front, side): the aggressor keeps ``kept_by_aggressor`` km² of the
    defender's soil and the defender ``kept_by_defender`` of the aggressor's, each spread
    over the fronts as it was held (``occupied`` (front,), km² held by the side whose soil
    each front is not; the rest are the theater's km²: D, A_agg, O_def, O_agg)."""
    for f in range(occupied.shape[0]):
        if front_theater[f] != t:
            continue
        owner = front_soil_side[f]
        on_defender_soil = owner == DEFENDER
        from_defender = (
            spread(kept_by_aggressor, occupied[f], area_km2[f], held_def, disputed)
            if on_defender_soil
            else 0.0
        )
        from_aggressor = (
            0.0
            if on_defender_soil
            else spread(kept_by_defender, occupied[f], area_km2[f], held_agg, aggressor_area)
        )
        now = from_defender + from_aggressor
        held_km2[f, owner] = area_km2[f] - now
        held_km2[f, 1 - owner] = now


@kernel
def step_work(s: Any, p: Any, ix: Any) -> Any:
    """Scratch space for one run: occupied km² per front; disputed soil D, the aggressor's
    soil A_agg and what is held of each, O_def and O_agg, per theater."""
    n_fronts, n_theaters = s.held_km2.shape[1], s.theater_status.shape[1]
    return (
        np.empty(n_fronts),
        np.empty(n_theaters),
        np.empty(n_theaters),
        np.empty(n_theaters),
        np.empty(n_theaters),
    )


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """Steps 1-4 of the module docstring for every theater of run ``r`` at war, and the
    settlement where the sides agree or one collapses.

    ``p`` is the :class:`BargainingParams` view, ``w`` the scratch of :func:`step_work`
    (random numbers ``rv`` are not read: belief errors are drawn with the parameters).
    Writes, for each theater at war, its position, trend, beliefs, bottom lines and months
    at war; for each that settles, its fronts' soil and the settlement's record.
    """
    occupied, disputed_km2, aggressor_km2, held_def_km2, held_agg_km2 = w
    any_war = False
    for t in range(disputed_km2.shape[0]):
        any_war = any_war or s.theater_status[r, t] == WAR
    if not any_war:
        return
    occupied_run(s.held_km2[r], ix.front_soil_side, occupied)
    sum_over_run(wd.area_km2[r], ix.defender_soil, disputed_km2)
    sum_over_run(wd.area_km2[r], ix.aggressor_soil, aggressor_km2)
    sum_over_run(occupied, ix.defender_soil, held_def_km2)
    sum_over_run(occupied, ix.aggressor_soil, held_agg_km2)
    lam = p.enemy_soil_weight[r]
    h = p.horizon_months[r]
    delta = p.discount_per_month[r]
    for t in range(disputed_km2.shape[0]):
        if s.theater_status[r, t] != WAR:
            continue
        disputed, aggressor_area = disputed_km2[t], aggressor_km2[t]
        held_def, held_agg = held_def_km2[t], held_agg_km2[t]
        actor_def, actor_agg = ix.theater_actor[t, DEFENDER], ix.theater_actor[t, AGGRESSOR]

        # 1. Position and its smoothed trend.
        top = stake_top(aggressor_area, disputed, lam)
        x = _minimum(position_share(held_def, held_agg, disputed, lam), top)
        last = s.position_share[r, t]
        previous = x if np.isnan(last) else last
        smoothing = p.trend_smoothing[r]
        trend_before = s.trend_share_per_month[r, t]
        trend = (1 - smoothing) * trend_before + smoothing * (x - previous)

        # 2. Beliefs, corrected by the month's surprise, and the value of fighting on.
        projected = _clip(x + h * trend, 0.0, top)
        error_def = s.belief_error_share[r, t, DEFENDER]
        error_agg = s.belief_error_share[r, t, AGGRESSOR]
        surprised_def, surprised_agg = surprised_errors(
            error_def, error_agg, x - previous, trend_before, h, p.surprise_learning[r]
        )
        sd0, bias = p.belief_error_sd[r], p.optimism_bias[r]
        if np.isnan(error_def):
            error_def = sd0 * (bias + p.belief_z[r, t, DEFENDER])
        else:
            error_def = surprised_def
        if np.isnan(error_agg):
            error_agg = sd0 * (bias + p.belief_z[r, t, AGGRESSOR])
        else:
            error_agg = surprised_agg
        shrink = belief_sd(1.0, s.war_months[r, t], p.learning_months[r])
        p_def = projected + shrink * error_def
        p_agg = projected - shrink * error_agg
        will_def, will_agg = s.will[r, actor_def], s.will[r, actor_agg]
        cost_def = cost_of_fighting(p.war_cost_share_per_month[r, actor_def], will_def, delta, h)
        cost_agg = cost_of_fighting(p.war_cost_share_per_month[r, actor_agg], will_agg, delta, h)
        low, high = bargaining_range(p_def, p_agg, cost_def, cost_agg, delta, h, top)

        # 3. Bottom lines: the declared aims, moved by the war; totals admit nothing.
        own_held_agg = held_agg / _maximum(aggressor_area, 1e-12) if aggressor_area > 0 else 0.0
        floor_before = s.defender_floor_share[r, t]
        ceiling_before = s.aggressor_ceiling_share[r, t]
        moved_floor, moved_ceiling = moved_bottom_lines(
            p.defender_floor[r, t] if np.isnan(floor_before) else floor_before,
            p.aggressor_ceiling[r, t] if np.isnan(ceiling_before) else ceiling_before,
            x - previous,
            hurt_per_month(p.war_cost_share_per_month[r, actor_def], will_def),
            hurt_per_month(p.war_cost_share_per_month[r, actor_agg], will_agg)
            * occupation_multiplier(p.occupation_pain[r], own_held_agg),
            p.leader_stickiness[r, actor_def],
            p.leader_stickiness[r, actor_agg],
            p.battle_learning[r],
            p.weariness[r],
            top,
        )
        moved_floor, moved_ceiling = reconsidered_bottom_lines(
            moved_floor, moved_ceiling, x, will_def, will_agg, p.reconsider_will[r]
        )
        floor = _fmax(moved_floor, x - p.defender_floor_tolerance[r, t])
        ceiling = _fmin(moved_ceiling, x + p.aggressor_ceiling_tolerance[r, t])
        low, high = _maximum(low, floor), _minimum(high, ceiling)
        total = p.defender_aim_total[t] or p.aggressor_aim_total[t]
        agree = low <= high and not total
        terms = split_terms(low, high, p.defender_bargaining_power[r, t])

        # 4. Collapse of will ends the war on the other side's aim.
        collapse = p.collapse_will[r]
        collapsed = -1
        if will_def <= collapse:
            collapsed = DEFENDER
            terms = _minimum(x, ceiling)
        elif will_agg <= collapse:
            collapsed = AGGRESSOR
            terms = _maximum(x, floor)
        terms = _clip(terms, 0.0, top)

        s.position_share[r, t] = x
        s.defender_floor_share[r, t] = moved_floor
        s.aggressor_ceiling_share[r, t] = moved_ceiling
        s.trend_share_per_month[r, t] = trend
        s.war_months[r, t] += 1
        s.belief_error_share[r, t, DEFENDER] = error_def
        s.belief_error_share[r, t, AGGRESSOR] = error_agg
        if not (agree or collapsed >= 0):
            continue

        # Settlement on terms x*: soil changing hands is spread over the fronts as it was held.
        kept_by_aggressor = (1.0 - _minimum(terms, 1.0)) * disputed
        kept_by_defender = _maximum(terms - 1.0, 0.0) * disputed / lam
        settle_fronts(
            s.held_km2[r],
            wd.area_km2[r],
            ix.front_theater,
            ix.front_soil_side,
            t,
            occupied,
            kept_by_aggressor,
            kept_by_defender,
            disputed,
            aggressor_area,
            held_def,
            held_agg,
        )
        s.theater_status[r, t] = SETTLED
        s.settled_month[r, t] = s.month[r]
        s.settlement_share[r, t] = terms
        s.occupied_at_settlement_km2[r, t] = kept_by_aggressor
        s.enemy_soil_traded_km2[r, t] = _maximum(held_agg - kept_by_defender, 0.0)
        s.enemy_soil_kept_km2[r, t] = kept_by_defender
        s.collapsed[r, t] = collapsed


@driver
def _all(s: Any, p: Any, ix: Any, wd: Any, rv: Any) -> None:
    for r in numba.prange(s.will.shape[0]):
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = (
    "position_share",
    "defender_floor_share",
    "aggressor_ceiling_share",
    "trend_share_per_month",
    "war_months",
    "belief_error_share",
    "held_km2",
    "theater_status",
    "settled_month",
    "settlement_share",
    "occupied_at_settlement_km2",
    "enemy_soil_traded_km2",
    "enemy_soil_kept_km2",
    "collapsed",
)
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Settle wars whose sides find terms both prefer to fighting, or whose side collapses."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(BargainingParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
