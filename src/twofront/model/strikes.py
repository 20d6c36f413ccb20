r"""Strike campaigns and air defence: missiles and long-range drones against cities, grid
and industry, interceptors against them, and what gets through.

Each month, before industry produces (so the month's strikes cut the month's output):

1. **Launches.** An actor at war launches, of each strike munition :math:`m` of its
   ``[actors.<id>.strikes]``,

   .. math:: l_{a,m} = \min(S_{a,m} / T_{a,m},\ D_{a,m})

   (its stock :math:`S` spread over :math:`T \ge 1` months, all of it once under
   one unit; no more than its launch rate :math:`D`), split evenly over the
   enemies it fights in theaters at war. What a target :math:`b` receives is
   :math:`N_{b,m} = \sum_a l_{a,m}/n_a`.
2. **Cheap means.** Guns, mobile fire groups, electronic warfare and other air
   defence stop a share :math:`c_{b,m}` (``cheap_kill_share``) of each threat
   without the interceptor munition: :math:`C_{b,m} = c_{b,m} N_{b,m}`.
3. **Interceptors.** What is left of the threats the defender engages with
   interceptors (``intercepted``), :math:`E_{b,m} = (1 - c_{b,m}) N_{b,m}`, wants
   :math:`k_b` interceptors each (``interceptors_per_engagement``: two per
   ballistic target is the usual Patriot salvo); it fires what its stock
   :math:`S^I_b`, spread over :math:`T^I_b` months, allows,

   .. math::
      I_b = \min\Big(S^I_b / T^I_b,\ k_b \sum_m E_{b,m}\Big), \qquad
      g_b = \frac{I_b}{k_b \sum_m E_{b,m}}

   and an engaged threat is stopped with probability :math:`p_b`
   (``kill_probability``): :math:`K_{b,m} = p_b\, g_b\, E_{b,m}`.
4. **Hits** are what gets through: :math:`H_{b,m} = N_{b,m} - C_{b,m} - K_{b,m}`.
5. **Damage.** Hits on power plants, substations and factories cut the month's
   munitions output of the target (every line, :mod:`twofront.model.industry`)
   by the exponential

   .. math:: s_b = \exp\Big(-\sum_m h_{b,m} H_{b,m} / 1000\Big)

   (``output_loss_per_1000_hits`` :math:`h`: near-linear for few hits, never
   below zero), and its will (read by war termination) by
   :math:`\Delta W_b = -\sum_m \omega_{b,m} H_{b,m} / 1000`
   (``will_loss_per_1000_hits``). Punishment from the air rarely breaks a
   population's will (Pape (1996), *Bombing to Win*, Cornell UP), so the will
   rates are small beside the output rates.

So interceptors given as aid have a use: each one fired stops :math:`p_b/k_b`
missiles that would have cost output and will, and a defender whose stock runs
dry takes every missile its cheap means miss.

Example (hand-computed in the tests): 200 missiles and 2,000 drones a month at a
target with :math:`c` = 0.5 and 0.9, missiles engaged with interceptors,
:math:`k` = 2, :math:`p` = 0.6, 50 interceptors in stock (:math:`T^I` = 1): 100
missiles engaged want 200 interceptors, 50 are fired, :math:`g` = 0.25, 15 missiles
killed, 85 missile and 200 drone hits. With :math:`h` = 2 and 0.5 per 1,000 hits
:math:`s = e^{-0.27}` = 0.763; with :math:`\omega` = 0.05 and 0.01 per 1,000 hits
will falls by 0.00625.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class StrikesParams:
    """Strike lines and air defences, run axis first."""

    strike_munition: NDArray[np.int64]  # (actor, line) munition of each strike line, -1 none
    launches_per_month: F64  # (run, actor, line) D_a,m
    ration_months: F64  # (run, actor, line) T_a,m (1 without a line)
    interceptor: NDArray[np.int64]  # (actor,) its interceptor munition, -1 without air defence
    interceptors_per_engagement: F64  # (run, actor) k_b (1 without air defence)
    kill_probability: F64  # (run, actor) p_b
    interceptor_ration_months: F64  # (run, actor) T^I_b
    intercepted: NDArray[np.bool_]  # (actor, munition) threats engaged with interceptors
    cheap_kill_share: F64  # (run, actor, munition) c_b,m
    output_loss_per_1000_hits: F64  # (run, actor, munition) h_b,m
    will_loss_per_1000_hits: F64  # (run, actor, munition) omega_b,m


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> StrikesParams:
    """Draw every actor's strike lines and air defence."""
    actors = list(scenario.actors.items())
    runs, n_actors, n_munitions = sampler.runs, len(actors), len(index.munitions)
    width = max((len(a.strikes) for _, a in actors), default=0) or 1
    munition = np.full((n_actors, width), -1, dtype=np.int64)
    launches = np.zeros((runs, n_actors, width))
    ration = np.ones((runs, n_actors, width))
    interceptor = np.full(n_actors, -1, dtype=np.int64)
    intercepted = np.zeros((n_actors, n_munitions), dtype=np.bool_)
    threat = {name: np.zeros((runs, n_actors, n_munitions)) for name in _THREAT_FIELDS}
    for i, (a_id, a) in enumerate(actors):
        for k, (m_id, line) in enumerate(a.strikes.items()):
            at = f"actors.{a_id}.strikes.{m_id}"
            munition[i, k] = index.munitions.index(m_id)
            launches[:, i, k] = sampler.draw(line.launches_per_month, f"{at}.launches_per_month")
            ration[:, i, k] = sampler.draw(line.ration_months, f"{at}.ration_months", 1.0)
        if a.air_defence is None:
            continue
        interceptor[i] = index.munitions.index(a.air_defence.interceptor)
        for m_id, t in a.air_defence.against.items():
            m = index.munitions.index(m_id)
            intercepted[i, m] = t.intercepted
            for name in _THREAT_FIELDS:
                threat[name][:, i, m] = sampler.draw(
                    getattr(t, name), f"actors.{a_id}.air_defence.against.{m_id}.{name}"
                )

    def defence(name: str, absent: float) -> F64:
        return sampler.per_actor(
            lambda a: getattr(a.air_defence, name) if a.air_defence else None,
            f"air_defence.{name}",
            absent,
        )

    return StrikesParams(
        strike_munition=munition,
        launches_per_month=launches,
        ration_months=ration,
        interceptor=interceptor,
        interceptors_per_engagement=defence("interceptors_per_engagement", 1.0),
        kill_probability=defence("kill_probability", 0.0),
        interceptor_ration_months=defence("ration_months", 1.0),
        intercepted=intercepted,
        **threat,
    )


_THREAT_FIELDS = ("cheap_kill_share", "output_loss_per_1000_hits", "will_loss_per_1000_hits")


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
        return state
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
        will=np.clip(state.will - will_lost, 0.0, 1.0),
    )
