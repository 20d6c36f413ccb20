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
   (``will_loss_per_1000_hits``). Hits on refineries and oil export terminals cut
   the month's oil revenue of a target with a war economy by
   :math:`e^{-\sum_m q_{b,m} H_{b,m} / 1000}` (``oil_loss_per_1000_hits``, read by
   :mod:`twofront.model.economy`). Punishment from the air rarely breaks a
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

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import driver, kernel, view
from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, state_view, writable
from twofront.scenario.schema import Scenario

F64 = NDArray[np.float64]
WAR = int(TheaterStatus.WAR)


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
    oil_loss_per_1000_hits: F64  # (run, actor, munition) q_b,m (0 without a war economy)


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
        if a.air_defence.interceptor is not None:
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


_THREAT_FIELDS = (
    "cheap_kill_share",
    "output_loss_per_1000_hits",
    "will_loss_per_1000_hits",
    "oil_loss_per_1000_hits",
)


@kernel
def rationed_units(stock: float, months: float) -> float:
    """S / T of a stock spread over T months; all of it once under one unit."""
    return stock if stock < 1.0 else stock / months


@kernel
def aim_shares(
    theater_status: NDArray[np.int8], theater_actor: NDArray[np.int64], aim: F64
) -> None:
    """aim[a, b]: the share of actor a's launches aimed at b, split evenly over the
    enemies a fights in theaters at war (0 at peace); ``theater_status`` of one run."""
    for t in range(theater_actor.shape[0]):
        if theater_status[t] == WAR:
            defender, aggressor = theater_actor[t, 0], theater_actor[t, 1]
            aim[aggressor, defender] += 1.0
            aim[defender, aggressor] += 1.0
    for a in range(aim.shape[0]):
        count = aim[a].sum()
        for b in range(aim.shape[1]):
            aim[a, b] = aim[a, b] / count if count > 0 else 0.0


@kernel
def intercept(
    threats: F64,
    cheap_kill_share: F64,
    intercepted: NDArray[np.bool_],
    interceptors_available: float,
    per_engagement: float,
    kill_probability: float,
    hits: F64,
) -> float:
    """Steps 2-4 at one target: writes ``hits`` (munition,) and returns interceptors fired.

    ``threats`` N, ``cheap_kill_share`` c and ``intercepted`` are (munition,).
    """
    engaged = 0.0
    for m in range(threats.shape[0]):
        if intercepted[m]:
            engaged += threats[m] - cheap_kill_share[m] * threats[m]
    wanted = per_engagement * engaged
    fired = min(interceptors_available, wanted)
    share = fired / wanted if wanted > 0 else 0.0
    for m in range(threats.shape[0]):
        left = threats[m] - cheap_kill_share[m] * threats[m]
        killed = kill_probability * share * left if intercepted[m] else 0.0
        hits[m] = max(left - killed, 0.0)
    return fired


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[F64, F64, F64]:
    """Scratch space for one run: aim (actor, actor), threats and hits (actor, munition)."""
    n_actors, n_munitions = s.stockpile.shape[1], s.stockpile.shape[2]
    return (
        np.empty((n_actors, n_actors)),
        np.empty((n_actors, n_munitions)),
        np.empty((n_actors, n_munitions)),
    )


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """Steps 1-5 of the module docstring for run ``r`` of the state view ``s``, with the
    parameter view ``p`` (:class:`StrikesParams`), index view ``ix`` and the scratch
    ``w`` of :func:`step_work` (the world ``wd`` and random numbers ``rv`` are not read).

    Reads and overwrites ``stockpile`` and ``will``; overwrites ``launched_per_month``,
    ``strike_hits_per_month`` and ``output_share``.
    """
    aim, threats, hits = w
    stockpile, launched = s.stockpile, s.launched_per_month
    n_actors, n_munitions = stockpile.shape[1], stockpile.shape[2]
    aim[:] = 0.0
    aim_shares(s.theater_status[r], ix.theater_actor, aim)
    # 1. Launches, from stock, at the enemies of theaters at war.
    launched[r] = 0.0
    for line in range(p.strike_munition.shape[1]):
        for a in range(n_actors):
            m = p.strike_munition[a, line]
            if m < 0:
                continue
            stock = stockpile[r, a, m]
            rate = p.launches_per_month[r, a, line] if aim[a].sum() > 0 else 0.0
            shot = min(rationed_units(stock, p.ration_months[r, a, line]), rate)
            stockpile[r, a, m] = stock - shot
            launched[r, a, m] += shot
    threats[:] = 0.0
    for b in range(n_actors):
        for m in range(n_munitions):
            for a in range(n_actors):
                threats[b, m] += aim[a, b] * launched[r, a, m]
    for b in range(n_actors):
        # 2-4. Cheap means, interceptors from the target's own stock, hits.
        i = p.interceptor[b]
        in_stock = stockpile[r, b, i] if i >= 0 else 0.0
        fired = intercept(
            threats[b],
            p.cheap_kill_share[r, b],
            p.intercepted[b],
            rationed_units(in_stock, p.interceptor_ration_months[r, b]),
            p.interceptors_per_engagement[r, b],
            p.kill_probability[r, b],
            hits[b],
        )
        if i >= 0:
            stockpile[r, b, i] = in_stock - fired
            launched[r, b, i] += fired
        # 5. What got through costs the month's output and will.
        output_loss, will_lost, oil_loss = 0.0, 0.0, 0.0
        for m in range(n_munitions):
            output_loss += p.output_loss_per_1000_hits[r, b, m] * hits[b, m]
            will_lost += p.will_loss_per_1000_hits[r, b, m] * hits[b, m]
            oil_loss += p.oil_loss_per_1000_hits[r, b, m] * hits[b, m]
        s.strike_hits_per_month[r, b] = hits[b].sum()
        s.output_share[r, b] = np.exp(-output_loss / 1000.0)
        s.oil_revenue_share[r, b] = np.exp(-oil_loss / 1000.0)
        s.will[r, b] = min(max(s.will[r, b] - will_lost / 1000.0, 0.0), 1.0)
    for a in range(n_actors):
        for m in range(n_munitions):
            stockpile[r, a, m] = max(stockpile[r, a, m], 0.0)


@driver
def _all(s: Any, p: Any, ix: Any, wd: Any, rv: Any) -> None:
    for r in numba.prange(s.stockpile.shape[0]):
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = (
    "stockpile",
    "will",
    "launched_per_month",
    "strike_hits_per_month",
    "output_share",
    "oil_revenue_share",
)
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Launch strikes at the enemies of every theater at war, intercept them, count the hits
    and what they cost the targets' output this month and their will."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(StrikesParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
