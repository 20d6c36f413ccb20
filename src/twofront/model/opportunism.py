r"""Opportunism: would-be aggressors decide month by month whether to start a war.

For a theater at peace or in crisis with an opportunism block, the monthly
probability that its aggressor opens war is

.. math::
   P = 1 - \exp(-\lambda), \qquad
   \lambda = h_0 \; r(t) \; D^{-\eta} \; (N / N^{ref})^{-\eta_F} \; \beta^{n} \; o

* readiness :math:`r(t) = r_0 + (r_1 - r_0)\min(1, t / T)` ramps over
  :math:`T` months (e.g. the PLA's 2027 readiness goal, US DoD, *Military
  and Security Developments Involving the PRC 2023*);
* deterrence :math:`D = \exp\big(\tfrac{1}{|M|}\sum_{m \in M}
  \ln(S_m / S^{ref}_m)\big)`, the geometric mean over the theater's deterrent
  munitions :math:`M` (anti-ship missiles, interceptors) of the stocks that
  deter relative to a reference, with elasticity :math:`\eta`: depleted
  stocks invite aggression (CSIS, "Empty Bins in a Wartime Environment", Jan
  2023). Stocks count where they stand:

  .. math:: S_m = S_{def,m} + w \sum_{p \in patrons} S_{p,m}

  the defender's own stock fully, a patron's by the theater's
  ``patron_stock_weight`` :math:`w \in [0, 1]` (absent: 1): a patron's
  stocks are far away and spoken for by its other commitments, so a missile
  moved from a patron to the defender before the war deters by
  :math:`(1 - w)` more (assumption; the geometric mean keeps each munition's
  share of the deterrent and makes a stock that halves cost the same
  whatever its size);
* forces and posture :math:`(N / N^{ref})^{-\eta_F}`: :math:`N` is the
  defender's personnel on the theater's fronts plus, for each combatant
  patron (:mod:`twofront.model.manpower`), what it could send now,
  :math:`\min(F, R_p)` with :math:`F` the theater's
  ``patron_forces_personnel`` and :math:`R_p` its reserves (one pool across
  theaters: a patron busy elsewhere deters less). :math:`N^{ref}` is
  ``deterrent_forces_reference`` and :math:`\eta_F`
  ``forces_deterrence_elasticity``; without a reference the term is 1
  (deterrence by denial counts forces that can fight at once:
  Mearsheimer (1983));
* :math:`n` is the number of other theaters at war in which this theater's
  defender or one of its patrons fights or is a patron, and :math:`\beta \ge 1`
  the hazard multiplier per such war: a busy defender or patron deters less
  (the two-front risk; the United States defends the Middle East itself and
  backs Ukraine, so a war in Europe keeps it busy there);
* :math:`o` is the largest opportunism factor of the escalation levels
  reached in the wars under way (1 when there are none).

After a settled war (peace that can fail) the hazard is further multiplied by

.. math:: (1 - g)\; e^{\theta \max(0,\ x^* - \bar a)}

where :math:`g` is the guarantee of the defender's end state (security
guarantees, arms, monitors: Fortna (2003), "Scraps of paper? Agreements and
the durability of peace", International Organization 57(2):337-372, finds that
stronger ceasefire agreements make renewed war markedly less likely),
:math:`x^*` the settlement terms and :math:`\bar a` the aggressor's bottom line
when it settled: terms beyond what it accepted (imposed by its collapse) feed
revisionism :math:`\theta`.

Wars elsewhere are watched (reputation): where another theater's war has
settled and this theater's defender or one of its patrons backed the
defender there, the hazard is multiplied by

.. math:: e^{\kappa\, \ell}, \qquad \ell = \max_k \big(1 - \min(x^*_k, 1)\big)

the largest share of the disputed soil an aggressor kept by force in such a
settled war :math:`k`, with credibility elasticity :math:`\kappa`. Whether
past conduct shapes others' challenges is disputed: Press (2005), *Calculating
Credibility*, Cornell UP, finds leaders judge credibility by present power and
interests; Weisiger & Yarhi-Milo (2015), "Revisiting reputation: how past
actions matter in international politics", International Organization
69(2):473-495, find states that backed down more likely to be challenged
again. :math:`\kappa = 0` is Press's reading. Example: a freeze that leaves
Russia 75% of the disputed soil (:math:`x^* = 0.25`) with
:math:`\kappa = 1` multiplies China's hazard by :math:`e^{0.75} = 2.12`.

This is a proportional-hazards model (Cox 1972); the rational-deterrence
reading is Mearsheimer (1983), *Conventional Deterrence*, Cornell UP. When
it fires the theater's war begins and its fronts fight with
:mod:`twofront.model.combat`. Example: h0 = 0.01, r = 1, D = 0.5, eta = 1,
beta = 1.5, n = 1, o = 1 → lambda = 0.03, P = 0.0296. With a defender stock
of 100 and a patron's 900 at w = 0.5 against a reference of 1,100, D = 550 /
1,100 = 0.5; moving 100 of the patron's to the defender makes D = (200 + 400)
/ 1,100 = 0.545, and lambda 0.0275.
"""

from __future__ import annotations

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
    BEGIN_WAR_WRITES,
    State,
    TheaterStatus,
    begin_war,
    state_view,
    writable,
)
from twofront.model.escalation import EscalationParams
from twofront.scenario.schema import Scenario, aim_in_force

F64 = NDArray[np.float64]
PEACE, CRISIS, WAR, SETTLED = (int(x) for x in TheaterStatus)
SITE = np.uint64(site_id("opportunism"))
"""The draw site of the monthly decisions; lanes are theaters."""
BIG = float(np.finfo(np.float64).max)


@dataclass(frozen=True, slots=True)
class OpportunismParams:
    """Would-be aggressors' decisions, run axis first; theaters without a block never open."""

    has_block: NDArray[np.bool_]  # (theater,) the theater has an opportunism block
    can_recur: NDArray[np.bool_]  # (theater,) a settled war may be followed by another
    deterrent_munitions: NDArray[np.bool_]  # (theater, munition) M: stocks that deter
    holders: NDArray[np.bool_]  # (theater, actor) defender and patrons, whose stocks deter
    patron_stock_weight: F64  # (run, theater) w: a patron's unit against the defender's
    combatants: NDArray[np.bool_]  # (theater, actor) combatant patrons
    patron_forces: F64  # (run, theater) F, personnel each combatant patron would send
    forces_reference: F64  # (run, theater) N_ref; inf where forces do not deter
    forces_elasticity: F64  # (run, theater) eta_F; 0 where not given
    shares_patron: NDArray[np.bool_]  # (theater, other theater) the first's defender or a
    # patron fights in the second or is a patron there
    backs_same: NDArray[np.bool_]  # (theater, other theater) the first's defender or a
    # patron is the second's defender or a patron (watches how its wars end)
    base_hazard: F64  # (run, theater) h0 per month
    readiness_start: F64  # (run, theater) r0
    readiness_end: F64  # (run, theater) r1
    readiness_ramp_months: F64  # (run, theater) T
    readiness_after_war: F64  # (run, theater) r0 again after a settled war
    guarantee: F64  # (run, theater) g of the defender's end state in force; 0 if none
    revisionism: F64  # (run, theater) theta; 0 if not given
    credibility: F64  # (run, theater) kappa; 0 if not given
    deterrent_stock_reference: F64  # (run, theater, munition) S_ref, 1 where unused
    deterrence_elasticity: F64  # (run, theater) eta
    busy_multiplier: F64  # (run, theater) beta


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> OpportunismParams:
    """Draw every opportunism block and wire who deters and who is busy where."""
    theaters = scenario.theaters
    munitions = list(index.munitions)
    n_theaters = len(index.theaters)
    used = np.zeros((n_theaters, len(munitions)), dtype=np.bool_)
    reference = np.ones((sampler.runs, n_theaters, len(munitions)))
    for j, (t_id, t) in enumerate(theaters.items()):
        if t.opportunism is None:
            continue
        for m_id, param in t.opportunism.deterrent_stock_reference.items():
            used[j, munitions.index(m_id)] = True
            reference[:, j, munitions.index(m_id)] = sampler.draw(
                param, f"theaters.{t_id}.opportunism.deterrent_stock_reference.{m_id}"
            )
    holders = index.theater_patron.copy()
    holders[np.arange(n_theaters), index.theater_actor[:, DEFENDER]] = True
    involved = holders.copy()
    involved[np.arange(n_theaters), index.theater_actor[:, AGGRESSOR]] = True
    shares = (holders.astype(np.float64) @ involved.T.astype(np.float64)) > 0
    np.fill_diagonal(shares, False)
    backs = (holders.astype(np.float64) @ holders.T.astype(np.float64)) > 0
    np.fill_diagonal(backs, False)

    combatants = np.zeros_like(holders)
    for j, t in enumerate(theaters.values()):
        combatants[j, [index.actors.index(a) for a in t.combatant_patrons]] = True

    def end_state(t_id: str) -> str:
        return aim_in_force(scenario, strategy_id, t_id, "defender")

    guarantee = sampler.stack(
        [
            sampler.draw(
                scenario.aims[end_state(t_id)].guarantee,
                f"aims.{end_state(t_id)}.guarantee",
            )
            for t_id in theaters
        ]
    )

    def block(name: str, absent: float = 0.0) -> F64:
        return sampler.per_theater_in("opportunism", name, absent)

    return OpportunismParams(
        has_block=np.array([t.opportunism is not None for t in theaters.values()], dtype=bool),
        can_recur=np.array(
            [
                t.opportunism is not None and t.opportunism.readiness_after_war is not None
                for t in theaters.values()
            ],
            dtype=np.bool_,
        ),
        deterrent_munitions=used,
        holders=holders,
        patron_stock_weight=block("patron_stock_weight", 1.0),
        combatants=combatants,
        patron_forces=sampler.per_theater(
            lambda t: t.patron_forces_personnel, "patron_forces_personnel"
        ),
        forces_reference=block("deterrent_forces_reference", np.inf),
        forces_elasticity=block("forces_deterrence_elasticity"),
        shares_patron=shares,
        backs_same=backs,
        base_hazard=block("base_hazard_per_month"),
        readiness_start=block("readiness_start"),
        readiness_end=block("readiness_end"),
        readiness_ramp_months=block("readiness_ramp_months", 1.0),
        readiness_after_war=block("readiness_after_war"),
        guarantee=guarantee,
        revisionism=block("revisionism"),
        credibility=block("credibility_elasticity"),
        deterrent_stock_reference=reference,
        deterrence_elasticity=block("deterrence_elasticity"),
        busy_multiplier=block("busy_multiplier", 1.0),
    )


@kernel
def readiness(start: float, end: float, ramp_months: float, months: int) -> float:
    """r(t) = r0 + (r1 - r0) min(1, t / T); after a settled war t counts from the settlement
    and r0 is ``readiness_after_war``."""
    return start + (end - start) * np.minimum(1.0, months / ramp_months)


@kernel
def deterrence_of_holders(
    stockpile: F64,
    holders: NDArray[np.bool_],
    reference: F64,
    used: NDArray[np.bool_],
    defender: int,
    patron_weight: float,
) -> float:
    """Geometric-mean deterrence D of the stocks held by a theater's holders, in one run.

    ``stockpile`` is the run's (actor, munition), ``holders`` (actor,) the theater's
    defender and patrons, ``reference`` (munition,) and ``used`` (munition,) the theater's
    deterrent munitions; a unit of the defender's stock counts 1, a patron's
    ``patron_weight`` w. Sums the munitions that deter, holder by holder.
    """
    log_sum = 0.0
    count = 0
    for m in range(used.shape[0]):
        if not used[m]:
            continue
        count += 1
        stock = 0.0
        for a in range(holders.shape[0]):
            if holders[a]:
                weight = 1.0 if a == defender else patron_weight
                stock += weight * stockpile[a, m]
        log_sum += np.log(np.maximum(stock, 1e-9) / reference[m])
    return np.exp(log_sum / max(count, 1))


@kernel
def forces_in_reach(
    defender_personnel: float, reserves: F64, patron_forces: float, combatants: NDArray[np.bool_]
) -> float:
    """N: the defender's personnel on the theater's fronts plus min(F, R_p) for each
    combatant patron p (``reserves`` and ``combatants`` are (actor,))."""
    out = defender_personnel
    for a in range(combatants.shape[0]):
        if combatants[a]:
            out += np.minimum(patron_forces, reserves[a])
    return out


@kernel
def forces_factor(forces: float, reference: float, elasticity: float) -> float:
    """(N / N_ref)^-eta_F; 1 where there is no reference (``reference`` = inf)."""
    if not np.isfinite(reference):
        return 1.0
    return (np.maximum(forces, 1e-9) / reference) ** -elasticity


@kernel
def start_probability(
    base_hazard: float,
    ready: float,
    deterrent: float,
    elasticity: float,
    busy: float,
    busy_wars: float,
    opportunity: float,
) -> float:
    """P = 1 - exp(-h0 r D^-eta beta^n o); the forces term comes in with ``opportunity``."""
    rate = base_hazard * ready * deterrent ** (-elasticity) * busy**busy_wars * opportunity
    return -np.expm1(-rate)


@kernel
def _nan_to_num(x: float, nan: float) -> float:
    """``np.nan_to_num(x, nan=nan)`` of one number (infinities to the largest floats)."""
    if np.isnan(x):
        return nan
    if x == np.inf:
        return BIG
    if x == -np.inf:
        return -BIG
    return x


@kernel
def aggression_paid(
    status: NDArray[np.int8], settlement_share: F64, backs_same: NDArray[np.bool_]
) -> float:
    """l = max over settled wars k that the theater's backers also backed (``backs_same``,
    (theater,)) of 1 - min(x*_k, 1): the share of disputed soil an aggressor kept by force;
    0 if none. ``status`` and ``settlement_share`` are the run's (theater,)."""
    out = 0.0
    for k in range(backs_same.shape[0]):
        if backs_same[k]:
            kept = (
                1.0 - np.minimum(_nan_to_num(settlement_share[k], 1.0), 1.0)
                if status[k] == SETTLED
                else 0.0
            )
            out = np.maximum(out, kept)
    return out


@kernel
def opportunity(
    r: int,
    theater_status: NDArray[np.int8],
    escalation_level: NDArray[np.int64],
    opportunism_factor: F64,
) -> float:
    """o: the largest opportunism factor (``opportunism_factor``, (run, theater, level)) of
    the escalation levels reached in the wars under way in run ``r``; 1 when there are
    none."""
    strongest = -np.inf
    for t in range(theater_status.shape[1]):
        if theater_status[r, t] == WAR:
            strongest = np.maximum(strongest, opportunism_factor[r, t, escalation_level[r, t]])
    return strongest if np.isfinite(strongest) else 1.0


@kernel
def war_probability(
    r: int, s: Any, p: Any, ix: Any, opportunity: float, asked: NDArray[np.bool_], out: F64
) -> None:
    """Writes ``out[j]`` for each theater ``j`` that is ``asked``: the probability that its
    aggressor opens war in run ``r`` this month, were it eligible (the equation of the
    module docstring), with ``opportunity`` o of :func:`opportunity`; ``p`` is the
    :class:`OpportunismParams` view. One call per run, the theaters inside: a kernel that
    takes views of the state and parameters costs more per call than a theater's maths."""
    status = s.theater_status[r]
    for j in range(status.shape[0]):
        if not asked[j]:
            continue
        after_war = status[j] == SETTLED and p.can_recur[j]
        deterrent = deterrence_of_holders(
            s.stockpile[r],
            p.holders[j],
            p.deterrent_stock_reference[r, j],
            p.deterrent_munitions[j],
            ix.theater_actor[j, DEFENDER],
            p.patron_stock_weight[r, j],
        )
        on_fronts = 0.0
        for f in range(ix.front_in_theater.shape[0]):
            if ix.front_in_theater[f, j]:
                on_fronts += s.personnel[r, f, DEFENDER]
        forces = forces_factor(
            forces_in_reach(
                on_fronts, s.reserves_personnel[r], p.patron_forces[r, j], p.combatants[j]
            ),
            p.forces_reference[r, j],
            p.forces_elasticity[r, j],
        )
        # Other wars that keep this theater's defender or patrons busy.
        busy_wars = 0.0
        for k in range(status.shape[0]):
            if p.shares_patron[j, k]:
                busy_wars += 1.0 if status[k] == WAR else 0.0
        if after_war:
            imposed = np.maximum(
                _nan_to_num(s.settlement_share[r, j] - s.aggressor_ceiling_share[r, j], 0.0), 0.0
            )
            peace_factor = (1.0 - p.guarantee[r, j]) * np.exp(p.revisionism[r, j] * imposed)
            ready = readiness(
                p.readiness_after_war[r, j],
                p.readiness_end[r, j],
                p.readiness_ramp_months[r, j],
                s.month[r] - s.settled_month[r, j],
            )
        else:
            peace_factor = 1.0
            ready = readiness(
                p.readiness_start[r, j],
                p.readiness_end[r, j],
                p.readiness_ramp_months[r, j],
                s.month[r],
            )
        reputation = np.exp(
            p.credibility[r, j] * aggression_paid(status, s.settlement_share[r], p.backs_same[j])
        )
        out[j] = start_probability(
            p.base_hazard[r, j],
            ready,
            deterrent,
            p.deterrence_elasticity[r, j],
            p.busy_multiplier[r, j],
            busy_wars,
            opportunity * peace_factor * reputation * forces,
        )


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[NDArray[np.bool_], F64]:
    """Scratch space for one run: the theaters that may open war this month and the
    probability that each does."""
    n = s.theater_status.shape[1]
    return (np.empty(n, dtype=np.bool_), np.empty(n))


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """Let each would-be aggressor of run ``r`` decide whether to open its war this month;
    ``p`` is the tuple of views (:class:`OpportunismParams`, :class:`EscalationParams`),
    ``rv`` the random stream (one uniform per theater at the site ``opportunism``), ``w``
    the scratch of :func:`step_work` (the world ``wd`` is not read).

    Every theater decides on the state as the month left it: a war opened in one theater
    this month does not yet make another's defender busy.
    """
    eligible, probability = w
    chance, ladder = p
    month = s.month[r]
    any_eligible = False
    for j in range(eligible.shape[0]):
        status = s.theater_status[r, j]
        calm = status in (PEACE, CRISIS)
        after_war = status == SETTLED and chance.can_recur[j]
        eligible[j] = (calm or after_war) and chance.has_block[j]
        any_eligible = any_eligible or eligible[j]
    if not any_eligible:
        return
    o = opportunity(r, s.theater_status, s.escalation_level, ladder.opportunism_factor)
    war_probability(r, s, chance, ix, o, eligible, probability)
    # Opened at the end of the month: its stocks are those recorded after it.
    for j in range(eligible.shape[0]):
        if eligible[j] and draw(rv, r, month, SITE, j) < probability[j]:
            begin_war(s, r, j, month, month + 1, chance.can_recur[j])


@driver
def _all(s: Any, chance: Any, ladder: Any, ix: Any, wd: Any, rv: Any) -> None:
    # The views come one by one and are tupled inside the loop: Numba cannot hand a tuple
    # of named tuples to the threads of a prange loop.
    for r in numba.prange(s.stockpile.shape[0]):
        p = (chance, ladder)
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = BEGIN_WAR_WRITES
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Let each would-be aggressor decide whether to open its war this month."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(OpportunismParams)),
        view(params.of(EscalationParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
