"""The NumPy form of :mod:`twofront.model.strikes` (the engine's phase before it was
compiled), kept as the oracle the compiled phase is checked against."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.state import State, TheaterStatus
from twofront.model.strikes import StrikesParams

F64 = NDArray[np.float64]


def targets(theater_status: NDArray[np.int8], index: Index) -> F64:
    """(run, actor, target actor): the share of an actor's launches aimed at each enemy,
    split evenly over the enemies it fights in theaters at war (0 at peace)."""
    at_war = (theater_status == TheaterStatus.WAR).astype(np.float64)
    n_actors = len(index.actors)
    enemies = np.zeros((at_war.shape[0], n_actors, n_actors))
    for t, (defender, aggressor) in enumerate(index.theater_actor.tolist()):
        enemies[:, aggressor, defender] += at_war[:, t]
        enemies[:, defender, aggressor] += at_war[:, t]
    count = enemies.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, enemies / count, 0.0)


def incoming(aim: F64, launched: F64) -> F64:
    """(run, target, munition) N_b,m = sum_a aim[a, b] l_a,m, one target at a time (a fixed
    order of sums, so a run's numbers do not depend on its batch)."""
    out = np.zeros_like(launched)
    for b in range(aim.shape[2]):
        out[:, b, :] = (aim[:, :, b, None] * launched).sum(axis=1)
    return out


def interception(
    threats: F64,
    cheap_kill_share: F64,
    intercepted: NDArray[np.bool_],
    interceptors_available: F64,
    per_engagement: F64,
    kill_probability: F64,
) -> tuple[F64, F64]:
    """(hits (run, target, munition), interceptors fired (run, target)); steps 2-4.

    ``threats`` N and ``cheap_kill_share`` c are (run, target, munition),
    ``intercepted`` (target, munition), the rest (run, target).
    """
    cheap = cheap_kill_share * threats
    engaged = np.where(intercepted, threats - cheap, 0.0)
    wanted = per_engagement * engaged.sum(axis=2)
    fired = np.minimum(interceptors_available, wanted)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(wanted > 0, fired / wanted, 0.0)
    killed = (kill_probability * share)[:, :, None] * engaged
    return np.maximum(threats - cheap - killed, 0.0), fired


def rationed(stock: F64, months: F64) -> F64:
    """S / T of a stock spread over T months; all of it once under one unit (a stock that
    only ever fired S / T would shrink geometrically toward zero without reaching it)."""
    return np.where(stock < 1.0, stock, stock / months)


def output_share(hits: F64, output_loss_per_1000_hits: F64) -> F64:
    """(run, actor) s = exp(-sum_m h_m H_m / 1000); step 5."""
    return np.exp(-(output_loss_per_1000_hits * hits).sum(axis=2) / 1000.0)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Launch strikes at the enemies of every theater at war, intercept them, count the hits
    and what they cost the targets' output this month and their will."""
    p, index = params.of(StrikesParams), params.index
    if not (p.strike_munition >= 0).any():
        return replace(state, oil_revenue_share=np.ones_like(state.oil_revenue_share))
    actors = np.arange(len(index.actors))
    aim = targets(state.theater_status, index)
    fighting = aim.sum(axis=2) > 0

    # 1. Launches, from stock, at the enemies of theaters at war.
    stockpile = state.stockpile.copy()
    launched = np.zeros_like(stockpile)
    for line in range(p.strike_munition.shape[1]):
        has_line = p.strike_munition[:, line] >= 0
        munition = np.where(has_line, p.strike_munition[:, line], 0)
        stock = stockpile[:, actors, munition] * has_line
        shot = np.minimum(
            rationed(stock, p.ration_months[:, :, line]),
            p.launches_per_month[:, :, line] * fighting,
        )
        stockpile[:, actors, munition] = np.where(
            has_line, stock - shot, stockpile[:, actors, munition]
        )
        launched[:, actors[has_line], munition[has_line]] += shot[:, has_line]
    threats = incoming(aim, launched)

    # 2-4. Cheap means, interceptors from the target's own stock, hits.
    defended = p.interceptor >= 0
    interceptor = np.where(defended, p.interceptor, 0)
    in_stock = stockpile[:, actors, interceptor] * defended
    hits, intercepting = interception(
        threats,
        p.cheap_kill_share,
        p.intercepted,
        rationed(in_stock, p.interceptor_ration_months),
        p.interceptors_per_engagement,
        p.kill_probability,
    )
    stockpile[:, actors, interceptor] = np.where(
        defended, in_stock - intercepting, stockpile[:, actors, interceptor]
    )
    launched[:, actors[defended], interceptor[defended]] += intercepting[:, defended]

    # 5. What got through costs the month's output and will.
    will_lost = (p.will_loss_per_1000_hits * hits).sum(axis=2) / 1000.0
    return replace(
        state,
        stockpile=np.maximum(stockpile, 0.0),
        launched_per_month=launched,
        strike_hits_per_month=hits.sum(axis=2),
        output_share=output_share(hits, p.output_loss_per_1000_hits),
        oil_revenue_share=output_share(hits, p.oil_loss_per_1000_hits),
        will=np.clip(state.will - will_lost, 0.0, 1.0),
    )
