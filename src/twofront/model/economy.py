r"""War economy: oil export revenue, a reserve fund and a fiscal rule pay the defence budget.

An actor with a ``war_economy`` (Russia in ``world-2024``) plans its defence budget
:math:`D` (USD/year) on the revenue its oil exports bring at the fiscal rule's base
price :math:`P_b`; revenue above that base is saved in a reserve fund :math:`F`, revenue
below it is drawn from the fund, which also pays :math:`D_o` a month toward the rest of
the budget's deficit. Each month, with :math:`k` the budget's oil and gas revenue per
USD of the export price (export volume times the state's take: duties and extraction
tax) and the export price :math:`P_t` less the discount :math:`d_t` that sanctions add:

.. math::
   G_t = k \max(P_t - d_t, 0)\, s^{oil}_t, \qquad G_b = k P_b

   F' = F_t + G_t - G_b - D_o, \qquad
   u_t = \max(-F', 0), \qquad F_{t+1} = \max(F', 0)

   \rho_t = \max\!\Big(1 - \frac{\kappa\, u_t}{D / 12},\ 0\Big)

:math:`u_t` is the shortfall the fund cannot cover once it is empty; a share
:math:`\kappa` of it falls on defence (the rest is borrowed or cut elsewhere), so the
actor pays the share :math:`\rho_t \le 1` of its planned defence budget this month. A
windfall never raises :math:`\rho` above 1: the rule saves it. Russia's budget rule
works this way: oil and gas revenue above the base Urals price goes to the National
Wealth Fund, and the fund pays for the shortfall below it, at a base price of USD 60 a
barrel since 2024 (Putin signs the law returning the rule to its base price, TASS,
2023-11-02; Russian government moves to tighten budget rule as oil income shrinks, The
Moscow Times, 2025-09-18).

What :math:`\rho_t` pays for: every production line's budget and the actor's munitions
limit scale by :math:`\rho_t` (:mod:`twofront.model.industry`, :mod:`twofront.model.aid`),
and its mobilisation by :math:`\rho_t^{\varepsilon}` (:mod:`twofront.model.manpower`;
Russia's recruits are paid volunteers: sign-up bonuses and pay are a budget line).

The export price is a driftless random walk in logs (the month's revenue is paid at
the price the month began with):

.. math::
   P_{t+1} = P_t \exp\!\big(\sigma z_t - \sigma^2/2\big), \qquad z_t \sim N(0, 1)

with :math:`z_t` from two uniforms of the run's counter-based stream (Box and Muller
(1958), *Ann. Math. Statist.* 29(2)). Actors without a war economy pay their budget in
full (:math:`\rho = 1`) and hold no fund.

:math:`s^{oil}_t \le 1` is the share of the month's oil revenue the enemy's strikes on
refineries and export terminals left (:mod:`twofront.model.strikes`; 1 without).
Revenue is linear in the price through the origin: gas revenue and the taxes' fixed
parts are folded into :math:`k` (fitted to the budget's yearly oil and gas revenue over
the yearly Urals price, see the scenario's source for it).

Example: k = 150 M USD per USD/bbl, P = 50, P_b = 60, d = 0, D_o = 1 bn:
G = 7.5 bn USD, G_b = 9 bn; a fund of 2 bn leaves F' = 2 + 7.5 - 9 - 1 = -0.5 bn, so
u = 0.5 bn uncovered; with kappa = 0.4 and D = 120 bn USD/year (10 bn a month),
rho = 1 - 0.2 / 10 = 0.98.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import driver, inlined, kernel, view
from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream, draw, site_id
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, state_view, writable
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]

PRICE_SITE = np.uint64(site_id("oil-price"))
"""Draw site of the export price's monthly shocks (two lanes per actor: Box-Muller)."""


@dataclass(frozen=True, slots=True)
class EconomyParams:
    """Each actor's war economy, (run, actor) unless noted; 0 where it has none (its
    recruitment elasticity is manpower's, :class:`~twofront.model.manpower.ManpowerParams`).

    Sanctions are lines (line,) of the strategy: a target actor, a first month and a
    discount (run, line).
    """

    has_war_economy: NDArray[np.bool_]  # (actor,)
    revenue_usd_per_usd_per_bbl: F64  # k, USD a month per USD/bbl of the export price
    price_volatility_per_month: F64  # sigma
    budget_price_usd_per_bbl: F64  # P_b
    fund_draw_usd_per_month: F64  # D_o
    defence_budget_usd_per_month: F64  # D / 12
    defence_share_of_uncovered: F64  # kappa
    sanction_target: NDArray[np.int64]  # (line,) actor index
    sanction_start_month: NDArray[np.int64]  # (line,) first month index in force
    sanction_discount_usd_per_bbl: F64  # (run, line) d


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> EconomyParams:
    """Draw every actor's war economy and the strategy's sanctions."""

    def economy(name: str) -> F64:
        return sampler.per_actor_in("war_economy", name)

    sanctions = scenario.strategies[strategy_id].sanctions
    runs = sampler.runs
    discount = [
        sampler.draw(
            x.discount_usd_per_bbl,
            f"strategies.{strategy_id}.sanctions[{i}].discount_usd_per_bbl",
        )
        for i, x in enumerate(sanctions)
    ]
    return EconomyParams(
        has_war_economy=np.array(
            [a.war_economy is not None for a in scenario.actors.values()], dtype=np.bool_
        ),
        revenue_usd_per_usd_per_bbl=economy("revenue_usd_per_month_per_usd_per_bbl"),
        price_volatility_per_month=economy("price_volatility_per_month"),
        budget_price_usd_per_bbl=economy("budget_price_usd_per_bbl"),
        fund_draw_usd_per_month=economy("fund_draw_usd_per_month"),
        defence_budget_usd_per_month=sampler.per_actor(
            lambda a: a.defence_budget_usd_per_year if a.war_economy else None,
            "defence_budget_usd_per_year",
        )
        / 12.0,
        defence_share_of_uncovered=economy("defence_share_of_uncovered"),
        sanction_target=np.array([index.actors.index(x.target) for x in sanctions], dtype=np.int64),
        sanction_start_month=np.array(
            [index.month_index(x.start, 0) for x in sanctions], dtype=np.int64
        ),
        sanction_discount_usd_per_bbl=(
            np.stack(discount, axis=1) if discount else np.zeros((runs, 0))
        ),
    )


@inlined
def standard_normal(u1: float, u2: float) -> float:
    """z = sqrt(-2 ln u1) cos(2 pi u2): a standard normal from two uniforms on (0, 1)
    (Box and Muller, 1958)."""
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@inlined
def budget_share(
    fund_usd: float,
    revenue_usd: float,
    base_revenue_usd: float,
    draw_usd: float,
    defence_usd: float,
    defence_share: float,
) -> tuple[float, float]:
    """(F_{t+1}, rho_t): the fund after the month's revenue G against the base G_b and its
    draw D_o (``draw_usd``), and the share of the planned defence budget D / 12
    (``defence_usd``) paid, the share kappa (``defence_share``) of the uncovered
    shortfall falling on defence."""
    after = fund_usd + revenue_usd - base_revenue_usd - draw_usd
    if after >= 0.0:
        return after, 1.0
    cut = defence_share * -after
    share = 1.0 - cut / defence_usd if defence_usd > 0.0 else 0.0
    return 0.0, max(share, 0.0)


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[()]:
    """No scratch space."""
    return ()


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """The module's equations for run ``r`` of the state view ``s``, with the parameter
    view ``p`` (:class:`EconomyParams`) and the random numbers ``rv`` (the index ``ix``,
    world ``wd`` and scratch ``w`` are not read).

    Writes ``oil_revenue_usd_per_month``, ``reserve_fund_usd``, ``budget_share`` and
    ``oil_price_usd_per_bbl`` (the price the next month begins with).
    """
    month = s.month[r]
    for a in range(s.budget_share.shape[1]):
        if not p.has_war_economy[a]:
            s.budget_share[r, a] = 1.0
            continue
        discount = 0.0
        for k in range(p.sanction_target.shape[0]):
            if p.sanction_target[k] == a and month >= p.sanction_start_month[k]:
                discount += p.sanction_discount_usd_per_bbl[r, k]
        price = s.oil_price_usd_per_bbl[r, a]
        k = p.revenue_usd_per_usd_per_bbl[r, a]
        revenue = k * max(price - discount, 0.0) * s.oil_revenue_share[r, a]
        fund, share = budget_share(
            s.reserve_fund_usd[r, a],
            revenue,
            k * p.budget_price_usd_per_bbl[r, a],
            p.fund_draw_usd_per_month[r, a],
            p.defence_budget_usd_per_month[r, a],
            p.defence_share_of_uncovered[r, a],
        )
        s.oil_revenue_usd_per_month[r, a] = revenue
        s.reserve_fund_usd[r, a] = fund
        s.budget_share[r, a] = share
        sigma = p.price_volatility_per_month[r, a]
        if sigma > 0.0:
            z = standard_normal(
                draw(rv, r, month, PRICE_SITE, 2 * a), draw(rv, r, month, PRICE_SITE, 2 * a + 1)
            )
            s.oil_price_usd_per_bbl[r, a] = price * math.exp(sigma * z - 0.5 * sigma * sigma)


@driver
def _all(s: Any, p: Any, ix: Any, wd: Any, rv: Any) -> None:
    for r in numba.prange(s.budget_share.shape[0]):
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = ("oil_revenue_usd_per_month", "reserve_fund_usd", "budget_share", "oil_price_usd_per_bbl")
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Collect the month's oil revenue, save or draw on the fund, set each actor's share
    of its planned defence budget, move the export price."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(EconomyParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
