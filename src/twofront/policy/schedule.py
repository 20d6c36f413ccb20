"""The policy phase: turn the strategy into this month's orders.

Every rule is data evaluated over observed state (see
:mod:`twofront.policy.conditions`), all runs at once:

* an aid line orders its ``per_month`` in the months from its ``start`` to
  its ``end`` while its ``when`` holds, times the aid factor of the
  escalation level reached in the theater its recipient defends;
* actors listed in ``mobilise_industry`` ramp toward mobilised capacity
  while ``mobilise_when`` holds (always, if it is absent), the others toward
  planned capacity;
* restrictions on deep strikes are lifted while ``restrictions_lifted_when``
  holds;
* ``start_war`` opens a theater's war (e.g. a preemptive strike) when its
  condition first holds in a theater at peace or in crisis;
* each actor's forces commit their reserves while ``commit_reserves_when``
  holds and attack while ``attack_when`` holds (always, if absent): reserves
  held and offensives timed by rule, read by manpower and combat.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from twofront.engine.index import Index
from twofront.engine.params import Params
from twofront.engine.rng import Stream
from twofront.engine.sampler import Sampler
from twofront.engine.state import State, TheaterStatus, begin_wars, occupied_km2
from twofront.model.aid import AidParams
from twofront.model.escalation import EscalationParams
from twofront.model.industry import IndustryParams
from twofront.policy.conditions import Observed, evaluate
from twofront.scenario.conditions import Condition, compile_condition
from twofront.scenario.schema import Scenario, condition_names


@dataclass(frozen=True, slots=True)
class PolicyParams:
    """The strategy's rules, compiled once; identical for every run."""

    mobilised: NDArray[np.bool_]  # (actor,) the strategy mobilises its industry
    aid_when: tuple[Condition | None, ...]  # (aid line,) condition on each line
    mobilise_when: Condition | None
    restrictions_when: Condition | None
    start_war: tuple[tuple[int, Condition], ...]  # (theater index, condition)
    commit_when: tuple[Condition | None, ...]  # (actor,) commit_reserves_when
    attack_when: tuple[Condition | None, ...]  # (actor,) attack_when


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> PolicyParams:
    """Compile the strategy's conditions against the scenario's names (no random draws)."""
    strategy = scenario.strategies[strategy_id]
    names = condition_names(scenario)

    def compiled(text: str | None) -> Condition | None:
        return None if text is None else compile_condition(text, names)

    return PolicyParams(
        mobilised=np.array([a in strategy.mobilise_industry for a in index.actors], dtype=bool),
        aid_when=tuple(compiled(x.when) for x in [*scenario.supply, *strategy.aid]),
        mobilise_when=compiled(strategy.mobilise_when),
        restrictions_when=compiled(strategy.restrictions_lifted_when),
        start_war=tuple(
            (index.theaters.index(x.theater), compile_condition(x.when, names))
            for x in strategy.start_war
        ),
        commit_when=tuple(
            compiled(a.forces.commit_reserves_when if a.forces else None)
            for a in scenario.actors.values()
        ),
        attack_when=tuple(
            compiled(a.forces.attack_when if a.forces else None) for a in scenario.actors.values()
        ),
    )


def observe(state: State, params: Params) -> Observed:
    """The state as conditions see it."""
    return Observed(
        month=state.month,
        theater_status=state.theater_status,
        stockpile=state.stockpile,
        will=state.will,
        occupied_km2=occupied_km2(state, params),
        escalation_level=state.escalation_level,
    )


def holds(condition: Condition | None, seen: Observed, runs: int) -> NDArray[np.bool_]:
    """(run,) truth of an optional condition; an absent condition always holds."""
    if condition is None:
        return np.ones(runs, dtype=np.bool_)
    return evaluate(condition, seen)


def aid_factor(state: State, params: Params) -> NDArray[np.float64]:
    """(run, line) escalation aid factor for each line's recipient theater (1 if none).

    Only aid from a patron of that theater is scaled (escalation deters patrons).
    """
    lines, ladder = params.of(AidParams), params.of(EscalationParams)
    theater = np.where(lines.theater >= 0, lines.theater, 0)
    level = state.escalation_level[:, theater]
    runs = np.arange(params.runs)[:, None]
    factor = ladder.aid_factor[runs, theater[None, :], level]
    donor_is_patron = params.index.theater_patron[theater, lines.donor]
    return np.where((lines.theater >= 0) & donor_is_patron, factor, 1.0)


def phase(state: State, params: Params, rng: Stream) -> State:
    """Set aid orders, capacity targets, restrictions and preemptive wars for this month."""
    p, lines, industry = params.of(PolicyParams), params.of(AidParams), params.of(IndustryParams)
    runs = params.runs
    seen = observe(state, params)
    in_window = (lines.start_month <= state.month) & (state.month <= lines.end_month)
    when = (
        np.stack([holds(c, seen, runs) for c in p.aid_when], axis=1)
        if p.aid_when
        else np.zeros((runs, 0), dtype=np.bool_)
    )
    orders = lines.per_month * (in_window[None, :] & when) * aid_factor(state, params)
    mobilising = p.mobilised[None, :] & holds(p.mobilise_when, seen, runs)[:, None]
    target = np.where(
        mobilising[:, :, None],
        industry.mobilised_capacity_per_month,
        industry.planned_capacity_per_month,
    )
    restrictions = (
        holds(p.restrictions_when, seen, runs)
        if p.restrictions_when is not None
        else np.zeros(runs, dtype=np.bool_)
    )
    starting = np.zeros(state.theater_status.shape, dtype=np.bool_)
    for theater, condition in p.start_war:
        starting[:, theater] |= evaluate(condition, seen)
    state = begin_wars(state, starting, snapshot=state.month)
    committing = np.stack([holds(c, seen, runs) for c in p.commit_when], axis=1)
    attacking = np.stack([holds(c, seen, runs) for c in p.attack_when], axis=1)
    return replace(
        state,
        # First phase of the month: the ledger of wars fought this month starts from the
        # wars under way now, including any the strategy just opened.
        fought_this_month=state.theater_status == TheaterStatus.WAR,
        aid_order_per_month=orders,
        capacity_target_per_month=target,
        mobilising=mobilising,
        restrictions_lifted=restrictions,
        committing_reserves=committing,
        attacking=attacking,
    )
