"""The NumPy form of :mod:`twofront.model.economy`, written over the run axis apart from
the kernel, as the oracle the compiled phase is checked against."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State
from twofront.model.economy import EconomyParams


def phase(state: State, params: Params, rng: Stream) -> State:
    """G = k max(P - d, 0); F' = F + G - k P_b - D_o; rho = max(1 - kappa max(-F', 0) / (D/12), 0);
    P' = P exp(sigma z - sigma^2 / 2), z by Box-Muller from two uniforms per actor."""
    p = params.of(EconomyParams)
    n_actors = p.has_war_economy.shape[0]
    discount = np.zeros_like(state.oil_price_usd_per_bbl)
    for k, (target, start) in enumerate(
        zip(p.sanction_target, p.sanction_start_month, strict=True)
    ):
        if state.month >= start:
            discount[:, target] += p.sanction_discount_usd_per_bbl[:, k]
    k = p.revenue_usd_per_usd_per_bbl
    revenue = k * np.maximum(state.oil_price_usd_per_bbl - discount, 0.0)
    revenue = revenue * state.oil_revenue_share
    after = state.reserve_fund_usd + revenue - k * p.budget_price_usd_per_bbl
    after = after - p.fund_draw_usd_per_month
    uncovered = np.maximum(-after, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            p.defence_budget_usd_per_month > 0,
            1.0 - p.defence_share_of_uncovered * uncovered / p.defence_budget_usd_per_month,
            0.0,
        )
    share = np.where(after >= 0.0, 1.0, np.maximum(share, 0.0))
    u = rng.uniform(state.month, "oil-price", lanes=2 * n_actors)
    z = np.sqrt(-2.0 * np.log(u[:, 0::2])) * np.cos(2.0 * np.pi * u[:, 1::2])
    sigma = p.price_volatility_per_month
    moved = state.oil_price_usd_per_bbl * np.exp(sigma * z - 0.5 * sigma * sigma)
    has = p.has_war_economy[None, :]
    return replace(
        state,
        oil_revenue_usd_per_month=np.where(has, revenue, state.oil_revenue_usd_per_month),
        reserve_fund_usd=np.where(has, np.maximum(after, 0.0), state.reserve_fund_usd),
        budget_share=np.where(has, share, 1.0),
        oil_price_usd_per_bbl=np.where(has & (sigma > 0), moved, state.oil_price_usd_per_bbl),
    )
