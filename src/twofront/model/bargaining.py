r"""War termination by bargaining over the defender's disputed soil.

The good at stake in a theater is the defender's soil in its sectors,
:math:`D` km². Terms are the defender's share :math:`x \in [0, 1]` of it.
Territory held is leverage, and the enemy's own soil counts most: each km²
of the aggressor's soil the defender holds (a Kursk-like salient) can be
traded at settlement for :math:`\lambda \ge 1` km² of its own:

.. math::
   x_t = \operatorname{clip}\big((D - O_{def} + \lambda\, O_{agg}) / D,\ 0,\ 1\big)

with :math:`O_{def}` the defender's soil the aggressor holds and
:math:`O_{agg}` the aggressor's soil the defender holds.

Each month each side projects the war ``h`` months ahead from the observed
trend :math:`\tau_t \leftarrow (1-s)\tau_{t-1} + s(x_t - x_{t-1})`, with an
error in its own favour that narrows as fighting reveals information
(Slantchev (2003), "The principle of convergence in wartime negotiations",
APSR 97(4):621-632, doi:10.1017/S0003055403000912):

.. math::
   p = \operatorname{clip}(x_t + h\,\tau_t), \quad
   \sigma_w = \sigma_0 / \sqrt{1 + w / L}, \quad
   \hat p_{def} = p + \sigma_w (b + z_{def}), \quad
   \hat p_{agg} = p - \sigma_w (b + z_{agg})

(:math:`w` months of war, learning time :math:`L`, mutual optimism
:math:`b`, persistent private errors :math:`z \sim N(0, 1)`). Fighting on is
worth, in shares of the stake, with discount :math:`\delta` per month and
monthly cost :math:`c` scaled up as will :math:`W` falls:

.. math::
   C = \frac{c}{\max(W, 0.05)} \sum_{k=0}^{h-1} \delta^k, \qquad
   V_{def} = \delta^h \hat p_{def} - C_{def}, \qquad
   V_{agg} = \delta^h (1 - \hat p_{agg}) - C_{agg}

A settlement :math:`x` is better than fighting for both iff
:math:`V_{def} \le x \le 1 - V_{agg}`. With :math:`\delta = 1` and shared
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
   \ell = \max(V_{def}, a), \quad u = \min(1 - V_{agg}, \bar a), \quad
   x^* = \ell + \beta (u - \ell) \ \text{ if } \ell \le u

A side whose will falls to the collapse threshold accepts the other's aim:
:math:`x^* = \min(x_t, \bar a)` if the defender collapses,
:math:`\max(x_t, a)` if the aggressor does. At settlement the defender
returns the aggressor's soil it holds and the aggressor keeps
:math:`(1 - x^*) D` of the defender's soil, spread over the sectors as it
was held.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.params import AGGRESSOR, DEFENDER, Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus, occupied_km2

F64 = NDArray[np.float64]
WILL_FLOOR = 0.05


def position_share(
    occupied_defender_km2: F64,
    occupied_aggressor_km2: F64,
    disputed_km2: F64,
    enemy_soil_weight: F64,
) -> F64:
    """x = clip((D - O_def + lambda O_agg) / D, 0, 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (disputed_km2 - occupied_defender_km2 + enemy_soil_weight * occupied_aggressor_km2) / (
            disputed_km2
        )
    return np.clip(np.nan_to_num(x, nan=1.0), 0.0, 1.0)


def belief_sd(sd0: F64, war_months: F64, learning_months: F64) -> F64:
    """sigma_w = sigma_0 / sqrt(1 + w / L): errors narrow as the war reveals information."""
    return sd0 / np.sqrt(1.0 + war_months / learning_months)


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


def bargaining_range(
    p_defender: F64,
    p_aggressor: F64,
    cost_defender: F64,
    cost_aggressor: F64,
    discount_per_month: F64,
    horizon_months: F64,
) -> tuple[F64, F64]:
    """(lowest, highest) defender share both prefer to fighting: [V_def, 1 - V_agg]."""
    d = discount_per_month**horizon_months
    value_defender = d * p_defender - cost_defender
    value_aggressor = d * (1.0 - p_aggressor) - cost_aggressor
    return value_defender, 1.0 - value_aggressor


def split_terms(low: F64, high: F64, defender_power: F64) -> F64:
    """x* = low + beta (high - low)."""
    return low + defender_power * (high - low)


def _theater_sums(values: F64, mask: NDArray[np.bool_]) -> F64:
    """(run, front) values summed into (run, theater) over a (front, theater) mask."""
    return values @ mask.astype(np.float64)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Settle wars whose sides find terms both prefer to fighting, or whose side collapses."""
    index = params.index
    at_war = state.theater_status == TheaterStatus.WAR
    if not at_war.any():
        return state
    defender_soil = index.front_in_theater & (index.front_soil_side == DEFENDER)[:, None]
    aggressor_soil = index.front_in_theater & (index.front_soil_side == AGGRESSOR)[:, None]
    occupied = occupied_km2(state, params)
    disputed = _theater_sums(params.area_km2, defender_soil)
    held_def = _theater_sums(occupied, defender_soil)
    held_agg = _theater_sums(occupied, aggressor_soil)
    lam = params.enemy_soil_weight[:, None]

    # 1. Position and its smoothed trend.
    x = position_share(held_def, held_agg, disputed, lam)
    previous = np.where(np.isnan(state.position_share), x, state.position_share)
    s = params.trend_smoothing[:, None]
    trend = np.where(at_war, (1 - s) * state.trend_share_per_month + s * (x - previous), 0.0)

    # 2. Beliefs and the value of fighting on.
    h = params.bargaining_horizon_months[:, None]
    p = np.clip(x + h * trend, 0.0, 1.0)
    sigma = belief_sd(
        params.belief_error_sd[:, None], state.war_months, params.learning_months[:, None]
    )
    bias = params.optimism_bias[:, None]
    p_def = p + sigma * (bias + params.belief_z[:, :, DEFENDER])
    p_agg = p - sigma * (bias + params.belief_z[:, :, AGGRESSOR])
    delta = params.discount_per_month[:, None]
    actor_def, actor_agg = index.theater_actor[:, DEFENDER], index.theater_actor[:, AGGRESSOR]
    will_def, will_agg = state.will[:, actor_def], state.will[:, actor_agg]
    cost_def = cost_of_fighting(params.war_cost_share_per_month[:, actor_def], will_def, delta, h)
    cost_agg = cost_of_fighting(params.war_cost_share_per_month[:, actor_agg], will_agg, delta, h)
    low, high = bargaining_range(p_def, p_agg, cost_def, cost_agg, delta, h)

    # 3. War aims cut the range; totals admit nothing.
    floor = np.fmax(params.defender_floor, x - params.defender_floor_tolerance)
    ceiling = np.fmin(params.aggressor_ceiling, x + params.aggressor_ceiling_tolerance)
    low, high = np.maximum(low, floor), np.minimum(high, ceiling)
    total = index.defender_aim_total | index.aggressor_aim_total
    agree = at_war & (low <= high) & ~total[None, :]
    terms = split_terms(low, high, params.defender_bargaining_power)

    # 4. Collapse of will ends the war on the other side's aim.
    collapse = params.collapse_will[:, None]
    def_collapses = at_war & (will_def <= collapse)
    agg_collapses = at_war & (will_agg <= collapse) & ~def_collapses
    terms = np.where(def_collapses, np.minimum(x, ceiling), terms)
    terms = np.where(agg_collapses, np.maximum(x, floor), terms)
    settling = agree | def_collapses | agg_collapses
    terms = np.clip(terms, 0.0, 1.0)

    state = replace(
        state,
        position_share=np.where(at_war, x, state.position_share),
        trend_share_per_month=trend,
        war_months=state.war_months + at_war,
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
        np.where(def_collapses, DEFENDER, np.where(agg_collapses, AGGRESSOR, -1)),
    )


def _settle(
    state: State,
    params: Params,
    settling: NDArray[np.bool_],
    terms: F64,
    disputed: F64,
    held_def: F64,
    held_agg: F64,
    collapsed: NDArray[np.int64],
) -> State:
    """Apply terms x* to the fronts of the settling (run, theater) cells."""
    index = params.index
    front_theater = index.front_theater
    settling_f = settling[:, front_theater]
    kept_km2 = (1.0 - terms) * disputed
    occupied = occupied_km2(state, params)
    on_def_soil = (index.front_soil_side == DEFENDER)[None, :]
    share = np.where(
        held_def[:, front_theater] > 0,
        occupied / np.maximum(held_def[:, front_theater], 1e-12),
        params.area_km2 / np.maximum(disputed[:, front_theater], 1e-12),
    )
    new_occupied = np.where(
        on_def_soil, np.minimum(kept_km2[:, front_theater] * share, params.area_km2), 0.0
    )
    occupied = np.where(settling_f, new_occupied, occupied)
    owner = index.front_soil_side
    held = np.empty_like(state.held_km2)
    fronts = np.arange(len(index.fronts))
    held[:, fronts, owner] = params.area_km2 - occupied
    held[:, fronts, 1 - owner] = occupied
    return replace(
        state,
        held_km2=held,
        theater_status=np.where(
            settling, np.int8(TheaterStatus.SETTLED), state.theater_status
        ).astype(np.int8),
        settled_month=np.where(settling, state.month, state.settled_month),
        settlement_share=np.where(settling, terms, state.settlement_share),
        occupied_at_settlement_km2=np.where(settling, kept_km2, state.occupied_at_settlement_km2),
        enemy_soil_traded_km2=np.where(settling, held_agg, state.enemy_soil_traded_km2),
        collapsed=np.where(settling, collapsed, state.collapsed),
    )
