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

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import AGGRESSOR, DEFENDER, Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, begin_wars, sum_over
from twofront.model.escalation import EscalationParams, level_effect
from twofront.scenario.schema import Scenario, aim_in_force

F64 = NDArray[np.float64]


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


def readiness(start: F64, end: F64, ramp_months: F64, month: int | NDArray[np.int64]) -> F64:
    """r(t) = r0 + (r1 - r0) min(1, t / T); after a settled war t counts from the settlement
    and r0 is ``readiness_after_war``."""
    return start + (end - start) * np.minimum(1.0, month / ramp_months)


def deterrence_of_holders(
    stockpile: F64,
    holders: NDArray[np.bool_],
    reference: F64,
    used: NDArray[np.bool_],
    weight: F64 | None = None,
) -> F64:
    """(run, theater) geometric-mean deterrence D of the stocks held by each theater's holders.

    ``stockpile`` is (run, actor, munition), ``holders`` (theater, actor),
    ``reference`` (run, theater, munition) and ``used`` (theater, munition);
    ``weight`` (run, theater, actor) is what a unit of each holder's stock counts
    (default 1). Sums only the (theater, munition) pairs that deter, holder by holder.
    """
    log_sum = np.zeros((stockpile.shape[0], used.shape[0]))
    for theater, munition in zip(*np.nonzero(used), strict=True):
        stock = np.zeros(stockpile.shape[0])
        for actor in np.nonzero(holders[theater])[0]:
            held = stockpile[:, actor, munition]
            stock += held if weight is None else weight[:, theater, actor] * held
        ratio = np.maximum(stock, 1e-9) / reference[:, theater, munition]
        log_sum[:, theater] += np.log(ratio)
    return np.exp(log_sum / np.maximum(used.sum(axis=1), 1))


def holder_weights(p: OpportunismParams, defender: NDArray[np.int64]) -> F64:
    """(run, theater, actor) what a unit of each holder's stock deters: 1 for the defender,
    w for a patron (0 for the others)."""
    weight = p.holders[None, :, :] * p.patron_stock_weight[:, :, None]
    weight[:, np.arange(defender.shape[0]), defender] = 1.0
    return weight


def forces_in_reach(
    defender_personnel: F64, reserves: F64, patron_forces: F64, combatants: NDArray[np.bool_]
) -> F64:
    """(run, theater) N: the defender's personnel on the theater's fronts plus min(F, R_p)
    for each combatant patron p.

    ``defender_personnel`` is (run, theater), ``reserves`` (run, actor),
    ``patron_forces`` (run, theater) and ``combatants`` (theater, actor).
    """
    out = defender_personnel.copy()
    for theater, actor in zip(*np.nonzero(combatants), strict=True):
        out[:, theater] += np.minimum(patron_forces[:, theater], reserves[:, actor])
    return out


def forces_factor(forces: F64, reference: F64, elasticity: F64) -> F64:
    """(N / N_ref)^-eta_F; 1 where there is no reference (``reference`` = inf)."""
    given = np.isfinite(reference)
    ratio = np.maximum(forces, 1e-9) / np.where(given, reference, 1.0)
    return np.where(given, ratio ** np.where(given, -elasticity, 0.0), 1.0)


def start_probability(
    base_hazard: F64,
    ready: F64,
    deterrent: F64,
    elasticity: F64,
    busy: F64,
    busy_wars: F64,
    opportunity: F64,
) -> F64:
    """P = 1 - exp(-h0 r D^-eta beta^n o); the forces term comes in with ``opportunity``."""
    rate = base_hazard * ready * deterrent ** (-elasticity) * busy**busy_wars * opportunity
    return -np.expm1(-rate)


def aggression_paid(
    status: NDArray[np.int8], settlement_share: F64, backs_same: NDArray[np.bool_]
) -> F64:
    """(run, theater) l = max over settled wars k that the theater's backers also backed of
    1 - min(x*_k, 1): the share of disputed soil an aggressor kept by force; 0 if none."""
    kept = np.where(
        status == TheaterStatus.SETTLED,
        1.0 - np.minimum(np.nan_to_num(settlement_share, nan=1.0), 1.0),
        0.0,
    )
    out = np.zeros(kept.shape)
    for j, k in zip(*np.nonzero(backs_same), strict=True):
        out[:, j] = np.maximum(out[:, j], kept[:, k])
    return out


def war_probability(state: State, params: Params) -> F64:
    """(run, theater) probability that each theater's aggressor opens war this month,
    were it eligible (the equation of the module docstring)."""
    p = params.of(OpportunismParams)
    status = state.theater_status
    after_war = (status == TheaterStatus.SETTLED) & p.can_recur[None, :]
    at_war = status == TheaterStatus.WAR
    index = params.index
    deterrent = deterrence_of_holders(
        state.stockpile,
        p.holders,
        p.deterrent_stock_reference,
        p.deterrent_munitions,
        holder_weights(p, index.theater_actor[:, DEFENDER]),
    )
    on_fronts = sum_over(state.personnel[:, :, DEFENDER], index.front_in_theater)
    forces = forces_factor(
        forces_in_reach(on_fronts, state.reserves_personnel, p.patron_forces, p.combatants),
        p.forces_reference,
        p.forces_elasticity,
    )
    # Other wars that keep this theater's defender or patrons busy.
    busy_wars = sum_over(at_war.astype(np.float64), p.shares_patron.T)
    factors = level_effect(params.of(EscalationParams).opportunism_factor, state.escalation_level)
    strongest = np.where(at_war, factors, -np.inf).max(axis=1, keepdims=True)
    opportunity = np.where(np.isfinite(strongest), strongest, 1.0)
    imposed = np.maximum(
        np.nan_to_num(state.settlement_share - state.aggressor_ceiling_share, nan=0.0), 0.0
    )
    peace_factor = np.where(after_war, (1.0 - p.guarantee) * np.exp(p.revisionism * imposed), 1.0)
    reputation = np.exp(
        p.credibility * aggression_paid(status, state.settlement_share, p.backs_same)
    )
    return start_probability(
        p.base_hazard,
        np.where(
            after_war,
            readiness(
                p.readiness_after_war,
                p.readiness_end,
                p.readiness_ramp_months,
                state.month - state.settled_month,
            ),
            readiness(p.readiness_start, p.readiness_end, p.readiness_ramp_months, state.month),
        ),
        deterrent,
        p.deterrence_elasticity,
        p.busy_multiplier,
        busy_wars,
        opportunity * peace_factor * reputation * forces,
    )


def phase(state: State, params: Params, rng: Stream) -> State:
    """Let each would-be aggressor decide whether to open its war this month."""
    p = params.of(OpportunismParams)
    status = state.theater_status
    calm = (status == TheaterStatus.PEACE) | (status == TheaterStatus.CRISIS)
    after_war = (status == TheaterStatus.SETTLED) & p.can_recur[None, :]
    eligible = (calm | after_war) & p.has_block[None, :]
    if not eligible.any():
        return state
    probability = war_probability(state, params)
    u = rng.uniform(state.month, "opportunism", lanes=len(params.index.theaters))
    return begin_wars(
        state, eligible & (u < probability), snapshot=state.month + 1, reopen=p.can_recur
    )
