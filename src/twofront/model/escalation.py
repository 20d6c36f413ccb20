r"""Escalation: a ladder of levels the aggressor may climb, one rung at a time.

In a theater at war with a ladder, each month the aggressor climbs one rung
with probability

.. math::
   P = 1 - \exp\!\big(-(h_0 + h_r R + h_s\, O_{agg} / 1000 + h_w (1 - W_{agg}))\big)

where :math:`R \in \{0, 1\}` says whether restrictions on deep strikes with
donated weapons are lifted, :math:`O_{agg}` is km² of the aggressor's own
soil held by the defender and :math:`W_{agg}` the aggressor's will: a side
that is losing gambles on escalation (Downs & Rocke (1994), "Conflict,
agency, and gambling for resurrection", AJPS 38(2):362-380). The hazards are
monthly rates: a proportional-hazards form, Cox (1972), JRSS B
34(2):187-220. A rung may carry a **doctrine gate**: the aggressor climbs onto
it only while the defender holds at least a share :math:`s_d` of the
aggressor's soil in the theater's sectors, or while the aggressor's will is at
most :math:`w_d` (as Russia's 2024 nuclear doctrine ties use to a critical
threat to sovereignty and territorial integrity).

Each rung :math:`\ell` has effects while the war stands on it, each month:
patrons of the defender lose will :math:`\omega_\ell`, the aggressor loses
will :math:`\alpha_\ell` and a share :math:`\pi_\ell` of its personnel on the
theater's fronts (counted as its casualties), every patron fires
:math:`\mu_{\ell,m}` units of munition :math:`m` from its stock (down to zero),
aid is scaled by :math:`a_\ell` and the hazard that other aggressors open new
wars by :math:`o_\ell` (see :mod:`twofront.model.opportunism`). A rung may mark
a direct clash with the defender's patrons (``patrons_at_war``): while the war
stands on it, that clash is a war of its own among the wars at once. The first
month a run reaches a rung, its ``on_reach`` effects apply once: signed
changes to the will of the defender, the aggressor, the patrons and every
other actor (nuclear use changes everyone's will), and a share of the
defender's personnel on the theater's fronts lost at once. Rungs can also
come back down: with ``descend_hazard_per_month`` :math:`h_d` a theater that
did not climb steps down one rung with probability :math:`1 - e^{-h_d}`. The
ladder is a simplification of Kahn (1965), *On Escalation: Metaphors and
Scenarios*, Praeger.
Example: h0 = 0.01, h_r = 0.02, R = 1, 1,000 km² held, h_s = 0.03, h_w = 0 →
P = 1 − e^(−0.06) = 0.0582; with h_w = 0.1 and W = 0.6 the rate is 0.1 and
P = 1 − e^(−0.1) = 0.0952.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import driver, kernel, view
from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream, draw, site_id
from twofront.engine.sampler import Sampler
from twofront.engine.state import (
    State,
    TheaterStatus,
    occupied_run,
    per_actor_run,
    state_view,
    sum_over_run,
    writable,
)
from twofront.scenario.distributions import Param
from twofront.scenario.schema import EscalationLevel, Scenario

F64 = NDArray[np.float64]
WAR = int(TheaterStatus.WAR)
CLIMB_SITE = np.uint64(site_id("escalation"))
"""The draw site of the monthly climb, one lane a theater."""
DESCENT_SITE = np.uint64(site_id("escalation-down"))
"""The draw site of the monthly step down, one lane a theater."""


@dataclass(frozen=True, slots=True)
class EscalationParams:
    """Each theater's ladder, run axis first; theaters without one never climb.

    Per-level effects past a theater's top rung repeat the top rung, so every
    theater has the same number of levels.
    """

    has_ladder: NDArray[np.bool_]  # (theater,)
    top_level: NDArray[np.int64]  # (theater,) highest level index (0 without a ladder)
    base_hazard: F64  # (run, theater) h0 per month
    restrictions_hazard: F64  # (run, theater) h_r per month
    soil_hazard_per_1000km2: F64  # (run, theater) h_s per month
    losing_hazard: F64  # (run, theater) h_w per month per unit of will lost
    patron_will_loss: F64  # (run, theater, level) omega_l per month
    aggressor_will_loss: F64  # (run, theater, level) alpha_l per month
    aggressor_personnel_loss_share: F64  # (run, theater, level) pi_l per month
    patron_munitions: F64  # (run, theater, level, munition) mu_l,m per patron and month
    aid_factor: F64  # (run, theater, level) a_l, read by the policy's aid orders
    opportunism_factor: F64  # (run, theater, level) o_l, read by opportunism
    patrons_at_war: NDArray[np.bool_]  # (theater, level) the rung is a clash with patrons
    descend_hazard: F64  # (run, theater) h_d per month; 0: rungs only go up
    doctrine_gated: NDArray[np.bool_]  # (theater, level) climbing onto the rung is gated
    doctrine_soil_share: F64  # (run, theater, level) s_d; inf where not given
    doctrine_will: F64  # (run, theater, level) w_d; -inf where not given
    shock_will: F64  # (run, theater, level, role) once on reaching: defender, aggressor,
    # patrons, others
    shock_defender_personnel_share: F64  # (run, theater, level) once on reaching


ROLES = ("defender_will", "aggressor_will", "patron_will", "others_will")
"""The ``on_reach`` will changes, in the order of ``shock_will``'s last axis."""


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> EscalationParams:
    """Draw every theater's ladder."""
    theaters = scenario.theaters
    levels = max((len(t.escalation.levels) for t in theaters.values() if t.escalation), default=1)

    def hazard(name: str) -> F64:
        return sampler.per_theater_in("escalation", name)

    def per_level(get: Callable[[EscalationLevel], Param | None], name: str, absent: float) -> F64:
        out = np.full((sampler.runs, len(theaters), levels), absent)
        for j, (t_id, t) in enumerate(theaters.items()):
            if t.escalation is None:
                continue
            n = len(t.escalation.levels)
            for k, level in enumerate(t.escalation.levels):
                out[:, j, k] = sampler.draw(
                    get(level), f"theaters.{t_id}.escalation.levels[{k}].{name}", absent
                )
            out[:, j, n:] = out[:, j, n - 1 : n]
        return out

    def field(name: str, absent: float) -> F64:
        return per_level(lambda level: getattr(level, name), name, absent)

    def on_reach(name: str) -> F64:
        return per_level(
            lambda level: getattr(level.on_reach, name) if level.on_reach else None,
            f"on_reach.{name}",
            0.0,
        )

    def per_rung(get: Callable[[EscalationLevel], bool]) -> NDArray[np.bool_]:
        out = np.zeros((len(theaters), levels), dtype=np.bool_)
        for j, t in enumerate(theaters.values()):
            if t.escalation is not None:
                flags = [get(level) for level in t.escalation.levels]
                out[j, : len(flags)] = flags
                out[j, len(flags) :] = flags[-1]
        return out

    def fired(m_id: str) -> F64:
        def get(level: EscalationLevel) -> Param | None:
            return level.patron_munitions_per_month.get(m_id)

        return per_level(get, f"patron_munitions_per_month.{m_id}", 0.0)

    munitions = np.stack([fired(m) for m in index.munitions], axis=3)
    return EscalationParams(
        has_ladder=np.array([t.escalation is not None for t in theaters.values()], dtype=np.bool_),
        top_level=np.array(
            [len(t.escalation.levels) - 1 if t.escalation else 0 for t in theaters.values()],
            dtype=np.int64,
        ),
        base_hazard=hazard("base_hazard_per_month"),
        restrictions_hazard=hazard("restrictions_hazard_per_month"),
        soil_hazard_per_1000km2=hazard("soil_hazard_per_1000km2"),
        losing_hazard=hazard("losing_hazard_per_month"),
        patron_will_loss=field("patron_will_loss_per_month", 0.0),
        aggressor_will_loss=field("aggressor_will_loss_per_month", 0.0),
        aggressor_personnel_loss_share=field("aggressor_personnel_loss_share_per_month", 0.0),
        patron_munitions=munitions,
        aid_factor=field("aid_factor", 1.0),
        opportunism_factor=field("opportunism_factor", 1.0),
        patrons_at_war=per_rung(lambda level: level.patrons_at_war),
        descend_hazard=hazard("descend_hazard_per_month"),
        doctrine_gated=per_rung(
            lambda level: (
                level.doctrine_own_soil_share_at_least is not None
                or level.doctrine_aggressor_will_at_most is not None
            )
        ),
        doctrine_soil_share=field("doctrine_own_soil_share_at_least", np.inf),
        doctrine_will=field("doctrine_aggressor_will_at_most", -np.inf),
        shock_will=np.stack([on_reach(role) for role in ROLES], axis=3),
        shock_defender_personnel_share=on_reach("defender_personnel_loss_share"),
    )


@kernel
def climb_probability(
    base_hazard: float,
    restrictions_hazard: float,
    restrictions_lifted: bool,
    soil_hazard_per_1000km2: float,
    aggressor_soil_held_km2: float,
    losing_hazard: float,
    aggressor_will: float,
) -> float:
    """P = 1 - exp(-(h0 + h_r R + h_s O / 1000 + h_w (1 - W))) per month."""
    rate = base_hazard + restrictions_hazard * (1.0 if restrictions_lifted else 0.0)
    rate = rate + soil_hazard_per_1000km2 * aggressor_soil_held_km2 / 1000.0
    rate = rate + losing_hazard * (1.0 - aggressor_will)
    return -np.expm1(-rate)


@kernel
def doctrine_allows(
    gated: bool,
    soil_share_needed: float,
    will_needed: float,
    own_soil_held_share: float,
    aggressor_will: float,
) -> bool:
    """True where the rung is ungated, or O_agg / A_agg >= s_d, or W_agg <= w_d."""
    return (
        (not gated) or (own_soil_held_share >= soil_share_needed) or (aggressor_will <= will_needed)
    )


def level_effect(per_level: F64, level: NDArray[np.int64]) -> F64:
    """(run, theater) value of a (run, theater, level) effect at each theater's level
    (NumPy, for :mod:`twofront.model.opportunism`)."""
    return np.take_along_axis(per_level, level[:, :, None], axis=2)[:, :, 0]


PATRONS, OTHERS, N_ROLES = 2, 3, len(ROLES)
"""Roles of :data:`ROLES` beyond the defender (0) and the aggressor (1), and their number."""


@kernel
def has_role(
    theater_actor: NDArray[np.int64],
    theater_patron: NDArray[np.bool_],
    t: int,
    a: int,
    role: int,
) -> bool:
    """Whether actor ``a`` plays ``role`` (an index of :data:`ROLES`) in theater ``t``:
    its defender, aggressor, a patron of the defender, or none of these (others)."""
    defender = theater_actor[t, DEFENDER] == a
    aggressor = theater_actor[t, AGGRESSOR] == a
    patron = theater_patron[t, a]
    if role == DEFENDER:
        return defender
    if role == AGGRESSOR:
        return aggressor
    if role == PATRONS:
        return patron
    return not (defender or aggressor or patron)


@kernel
def role_sum(
    per_level: F64,
    level: NDArray[np.int64],
    on: NDArray[np.bool_],
    theater_actor: NDArray[np.int64],
    theater_patron: NDArray[np.bool_],
    role: int,
    a: int,
) -> float:
    """What actor ``a`` gets of a (theater, level) effect of one run at each theater's
    level, summed over the theaters where ``on`` and it plays ``role`` (in theater order)."""
    total = 0.0
    for t in range(level.shape[0]):
        if has_role(theater_actor, theater_patron, t, a, role):
            total += per_level[t, level[t]] * (1.0 if on[t] else 0.0)
    return total


@kernel
def lose_personnel(
    personnel: F64,
    casualties_per_month: F64,
    casualties_total: F64,
    slot_actor_onehot: F64,
    side: int,
    share: F64,
    lost: F64,
    by_actor: F64,
) -> None:
    """``side`` loses ``share`` (front,) of its personnel on each front, counted as
    casualties of the month and of its actors; the first three are one run's rows,
    written in place; ``lost`` (front, side) and ``by_actor`` (actor,) are scratch."""
    lost[:] = 0.0
    for f in range(share.shape[0]):
        lost[f, side] = personnel[f, side] * share[f]
    per_actor_run(lost, slot_actor_onehot, by_actor)
    for f in range(share.shape[0]):
        for k in range(2):
            personnel[f, k] = personnel[f, k] - lost[f, k]
            casualties_per_month[f, k] = casualties_per_month[f, k] + lost[f, k]
    for a in range(by_actor.shape[0]):
        casualties_total[a] = casualties_total[a] + by_actor[a]


@kernel
def step_work(s: Any, p: Any, ix: Any) -> Any:
    """Scratch space for one run: occupied km² and a share per front, held soil and area
    per theater, lost personnel (front, side), a sum per actor, and per theater the level,
    whether it is at war with a ladder and whether it reached a rung for the first time."""
    n_fronts, n_theaters = s.held_km2.shape[1], s.theater_status.shape[1]
    return (
        np.empty(n_fronts),
        np.empty(n_theaters),
        np.empty(n_theaters),
        np.empty(n_fronts),
        np.empty((n_fronts, 2)),
        np.empty(s.will.shape[1]),
        np.empty(n_theaters, dtype=np.int64),
        np.empty(n_theaters, dtype=np.bool_),
        np.empty(n_theaters, dtype=np.bool_),
    )


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """Climb or descend the ladder of every theater of run ``r`` at war, then apply each
    rung's monthly costs and the shocks of rungs reached for the first time.

    ``p`` is the :class:`EscalationParams` view; draws at sites ``escalation`` and
    ``escalation-down`` (one lane a theater) from ``rv``; ``w`` from :func:`step_work`.
    """
    occupied, held, area, share, lost, by_actor, level, at_war, reached = w
    n_theaters = level.shape[0]
    any_war = False
    for t in range(n_theaters):
        at_war[t] = s.theater_status[r, t] == WAR and p.has_ladder[t]
        any_war = any_war or at_war[t]
    if not any_war:
        for t in range(n_theaters):
            s.patrons_at_war[r, t] = False
        return

    # Climb one rung, or step down one.
    occupied_run(s.held_km2[r], ix.front_soil_side, occupied)
    sum_over_run(occupied, ix.aggressor_soil, held)
    sum_over_run(wd.area_km2[r], ix.aggressor_soil, area)
    any_reached = False
    for t in range(n_theaters):
        level[t] = s.escalation_level[r, t]
        reached[t] = False
        if not at_war[t]:
            continue
        held_share = held[t] / max(area[t], 1e-12) if area[t] > 0 else 0.0
        will_agg = s.will[r, ix.theater_actor[t, AGGRESSOR]]
        probability = climb_probability(
            p.base_hazard[r, t],
            p.restrictions_hazard[r, t],
            s.restrictions_lifted[r],
            p.soil_hazard_per_1000km2[r, t],
            held[t],
            p.losing_hazard[r, t],
            will_agg,
        )
        top = p.top_level[t]
        above = min(level[t] + 1, top)
        allowed = doctrine_allows(
            p.doctrine_gated[t, above],
            p.doctrine_soil_share[r, t, above],
            p.doctrine_will[r, t, above],
            held_share,
            will_agg,
        )
        u = draw(rv, r, s.month[r], CLIMB_SITE, t)
        climbs = u < probability and level[t] < top and allowed
        if climbs:
            level[t] += 1
        elif level[t] > 0 and p.descend_hazard[r, t] > 0:
            down = draw(rv, r, s.month[r], DESCENT_SITE, t)
            if down < -np.expm1(-p.descend_hazard[r, t]):
                level[t] -= 1
        reached[t] = climbs and level[t] > s.max_escalation_level[r, t]
        any_reached = any_reached or reached[t]

    # What the rung each theater stands on costs this month: will, personnel, munitions.
    will = s.will[r]
    for a in range(will.shape[0]):
        patron_loss = role_sum(
            p.patron_will_loss[r], level, at_war, ix.theater_actor, ix.theater_patron, PATRONS, a
        )
        aggressor_loss = role_sum(
            p.aggressor_will_loss[r],
            level,
            at_war,
            ix.theater_actor,
            ix.theater_patron,
            AGGRESSOR,
            a,
        )
        will[a] = min(max(will[a] - patron_loss - aggressor_loss, 0.0), 1.0)
    losing = False
    for f in range(share.shape[0]):
        t = ix.front_theater[f]
        share[f] = p.aggressor_personnel_loss_share[r, t, level[t]] * (1.0 if at_war[t] else 0.0)
        losing = losing or share[f] != 0.0
    if losing:
        lose_personnel(
            s.personnel[r],
            s.casualties_per_month[r],
            s.casualties_total[r],
            ix.slot_actor_onehot,
            AGGRESSOR,
            share,
            lost,
            by_actor,
        )
    firing = False
    for t in range(n_theaters):
        for m in range(p.patron_munitions.shape[3]):
            firing = firing or (at_war[t] and p.patron_munitions[r, t, level[t], m] != 0.0)
    if firing:
        stockpile = s.stockpile[r]
        for a in range(stockpile.shape[0]):
            for m in range(stockpile.shape[1]):
                spent = role_sum(
                    p.patron_munitions[r, :, :, m],
                    level,
                    at_war,
                    ix.theater_actor,
                    ix.theater_patron,
                    PATRONS,
                    a,
                )
                stockpile[a, m] = max(stockpile[a, m] - spent, 0.0)

    # The once-only effects of rungs reached for the first time this month.
    if any_reached:
        for f in range(share.shape[0]):
            t = ix.front_theater[f]
            share[f] = p.shock_defender_personnel_share[r, t, level[t]] * (
                1.0 if reached[t] else 0.0
            )
        lose_personnel(
            s.personnel[r],
            s.casualties_per_month[r],
            s.casualties_total[r],
            ix.slot_actor_onehot,
            DEFENDER,
            share,
            lost,
            by_actor,
        )
        for a in range(will.shape[0]):
            change = 0.0
            for role in range(N_ROLES):
                change = change + role_sum(
                    p.shock_will[r, :, :, role],
                    level,
                    reached,
                    ix.theater_actor,
                    ix.theater_patron,
                    role,
                    a,
                )
            will[a] = min(max(will[a] + change, 0.0), 1.0)

    for t in range(n_theaters):
        s.escalation_level[r, t] = level[t]
        s.max_escalation_level[r, t] = max(s.max_escalation_level[r, t], level[t])
        s.patrons_at_war[r, t] = at_war[t] and p.patrons_at_war[t, level[t]]


@driver
def _all(s: Any, p: Any, ix: Any, wd: Any, rv: Any) -> None:
    for r in numba.prange(s.will.shape[0]):
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = (
    "escalation_level",
    "max_escalation_level",
    "patrons_at_war",
    "will",
    "personnel",
    "casualties_per_month",
    "casualties_total",
    "stockpile",
)
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Climb or descend the ladder; apply each rung's monthly costs and first-reach shocks."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(EscalationParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
