"""The policy phase: turn the strategy into this month's orders.

Every rule is data evaluated over observed state (see
:mod:`twofront.policy.conditions`), one run at a time by a compiled program:

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

Every condition reads the state as the month began: a war a ``start_war`` rule opens
this month is not yet seen by the month's other rules (nor by the others of
``start_war``), and the aid factor reads the escalation level before the new war resets
it. Each condition is compiled once, when the parameters are sampled, into a postfix
program (:func:`twofront.policy.conditions.postfix`); all of a strategy's programs are
packed into one table (:func:`twofront.policy.conditions.pack`), each distinct program
once, and the kernel evaluates the whole table once a run
(:func:`twofront.policy.conditions.holds_each`) before it reads the truths.
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
from twofront.engine.state import (
    BEGIN_WAR_WRITES,
    State,
    TheaterStatus,
    begin_war,
    state_view,
    writable,
)
from twofront.model.aid import AidParams
from twofront.model.escalation import EscalationParams
from twofront.model.industry import IndustryParams
from twofront.policy.conditions import holds_each, pack, postfix
from twofront.scenario.conditions import Condition, compile_condition
from twofront.scenario.schema import Scenario, condition_names

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
WAR = int(TheaterStatus.WAR)


@dataclass(frozen=True, slots=True)
class PolicyParams:
    """The strategy's rules, compiled once; identical for every run.

    The conditions are kept as compiled trees (read by the NumPy evaluator,
    :func:`twofront.policy.conditions.evaluate`) and as programs in one table for the
    kernel: a rule's program is rows ``program_start[j]`` to ``program_start[j + 1]`` of
    ``program_ops`` and ``program_constants``, ``j`` being the rule's entry in its
    ``*_program`` field (identical programs, such as the absent rules, are stored once).
    """

    mobilised: NDArray[np.bool_]  # (actor,) the strategy mobilises its industry
    aid_when: tuple[Condition | None, ...]  # (aid line,) condition on each line
    mobilise_when: Condition | None
    restrictions_when: Condition | None
    start_war: tuple[tuple[int, Condition], ...]  # (theater index, condition)
    commit_when: tuple[Condition | None, ...]  # (actor,) commit_reserves_when
    attack_when: tuple[Condition | None, ...]  # (actor,) attack_when
    program_ops: I64  # (instruction, 3) opcode and two arguments, every program in turn
    program_constants: F64  # (instruction,) the number a comparison compares with
    program_start: I64  # (program + 1,) first instruction of each program, then the end
    aid_program: I64  # (aid line,) program of aid_when (true if absent)
    rule_program: I64  # (2,) programs of mobilise_when (true if absent) and
    # restrictions_lifted_when (false if absent)
    start_war_theater: I64  # (start_war rule,) theater the rule opens
    start_war_program: I64  # (start_war rule,) program of its condition
    commit_program: I64  # (actor,) program of commit_reserves_when (true if absent)
    attack_program: I64  # (actor,) program of attack_when (true if absent)


def sample_params(
    scenario: Scenario, strategy_id: str, index: Index, sampler: Sampler
) -> PolicyParams:
    """Compile the strategy's conditions against the scenario's names (no random draws)."""
    strategy = scenario.strategies[strategy_id]
    names = condition_names(scenario)

    def compiled(text: str | None) -> Condition | None:
        return None if text is None else compile_condition(text, names)

    aid_when = tuple(compiled(x.when) for x in [*scenario.supply, *strategy.aid])
    mobilise_when = compiled(strategy.mobilise_when)
    restrictions_when = compiled(strategy.restrictions_lifted_when)
    start_war = tuple(
        (index.theaters.index(x.theater), compile_condition(x.when, names))
        for x in strategy.start_war
    )
    commit_when = tuple(
        compiled(a.forces.commit_reserves_when if a.forces else None)
        for a in scenario.actors.values()
    )
    attack_when = tuple(
        compiled(a.forces.attack_when if a.forces else None) for a in scenario.actors.values()
    )
    groups = [
        [postfix(c) for c in aid_when],
        [postfix(mobilise_when), postfix(restrictions_when, absent=False)],
        [postfix(c) for _, c in start_war],
        [postfix(c) for c in commit_when],
        [postfix(c) for c in attack_when],
    ]
    ops, constants, start, which = pack([x for group in groups for x in group])
    ends = np.cumsum([len(group) for group in groups])
    aid, rules, starts, commit, attack = np.split(which, ends[:-1])
    return PolicyParams(
        mobilised=np.array([a in strategy.mobilise_industry for a in index.actors], dtype=bool),
        aid_when=aid_when,
        mobilise_when=mobilise_when,
        restrictions_when=restrictions_when,
        start_war=start_war,
        commit_when=commit_when,
        attack_when=attack_when,
        program_ops=ops,
        program_constants=constants,
        program_start=start,
        aid_program=aid,
        rule_program=rules,
        start_war_theater=np.array([t for t, _ in start_war], dtype=np.int64),
        start_war_program=starts,
        commit_program=commit,
        attack_program=attack,
    )


@kernel
def step_work(s: Any, p: Any, ix: Any) -> tuple[F64, NDArray[np.bool_], NDArray[np.bool_]]:
    """Scratch space for one run: the stack of the condition programs (room for the
    longest), the truth of each program and the theaters a ``start_war`` rule opens."""
    policy = p[0]
    return (
        np.empty(policy.program_ops.shape[0]),
        np.empty(policy.program_start.shape[0] - 1, dtype=np.bool_),
        np.empty(s.theater_status.shape[1], dtype=np.bool_),
    )


@kernel
def step_run(r: int, s: Any, p: Any, ix: Any, wd: Any, rv: Any, w: Any) -> None:
    """This month's orders for run ``r`` of the state view ``s``; ``p`` is the tuple of
    views (:class:`PolicyParams`, :class:`AidParams`, :class:`IndustryParams`,
    :class:`EscalationParams`), ``w`` the scratch of :func:`step_work` (the world ``wd``
    and random numbers ``rv`` are not read).

    Every condition is evaluated before any war opens (see the module docstring).
    """
    policy, lines, industry, ladder = p
    stack, truth, starting = w
    month = s.month[r]
    holds_each(
        policy.program_ops,
        policy.program_constants,
        policy.program_start,
        stack,
        truth,
        r,
        month,
        s.theater_status,
        s.stockpile,
        s.will,
        s.held_km2,
        s.escalation_level,
        ix.front_soil_side,
    )
    # Aid: per_month in the line's window while its condition holds, times the aid factor
    # of the level reached in the theater its recipient defends, if the donor is a patron
    # of that theater (escalation deters patrons).
    per_month, orders, level = lines.per_month, s.aid_order_per_month, s.escalation_level
    first, last, theater, donor = lines.start_month, lines.end_month, lines.theater, lines.donor
    aid_program, patron, aid_factor = policy.aid_program, ix.theater_patron, ladder.aid_factor
    for line in range(per_month.shape[1]):
        ordered = first[line] <= month and month <= last[line] and truth[aid_program[line]]
        t = theater[line]
        factor = aid_factor[r, t, level[r, t]] if t >= 0 and patron[t, donor[line]] else 1.0
        orders[r, line] = per_month[r, line] * (1.0 if ordered else 0.0) * factor
    # Industry ramps toward mobilised capacity while mobilising, planned otherwise.
    mobilise = truth[policy.rule_program[0]]
    mobilised, target = policy.mobilised, s.capacity_target_per_month
    planned, full = industry.planned_capacity_per_month, industry.mobilised_capacity_per_month
    for a in range(mobilised.shape[0]):
        mobilising = mobilised[a] and mobilise
        s.mobilising[r, a] = mobilising
        for m in range(target.shape[2]):
            target[r, a, m] = full[r, a, m] if mobilising else planned[r, a, m]
    s.restrictions_lifted[r] = truth[policy.rule_program[1]]
    commit, attack = policy.commit_program, policy.attack_program
    for a in range(commit.shape[0]):
        s.committing_reserves[r, a] = truth[commit[a]]
        s.attacking[r, a] = truth[attack[a]]
    # Preemptive wars open at the start of the month: their stocks are this month's.
    starting[:] = False
    for k in range(policy.start_war_theater.shape[0]):
        if truth[policy.start_war_program[k]]:
            starting[policy.start_war_theater[k]] = True
    status = s.theater_status
    for t in range(starting.shape[0]):
        if starting[t]:
            begin_war(s, r, t, month, month, False)
        # First phase of the month: the ledger of wars fought this month starts from the
        # wars under way now, including any the strategy just opened.
        s.fought_this_month[r, t] = status[r, t] == WAR


@driver
def _all(
    s: Any, policy: Any, lines: Any, industry: Any, ladder: Any, ix: Any, wd: Any, rv: Any
) -> None:
    # The views come one by one and are tupled inside the loop: Numba cannot hand a tuple
    # of named tuples to the threads of a prange loop.
    for r in numba.prange(s.stockpile.shape[0]):
        p = (policy, lines, industry, ladder)
        step_run(r, s, p, ix, wd, rv, step_work(s, p, ix))


WRITES = (
    "aid_order_per_month",
    "capacity_target_per_month",
    "mobilising",
    "restrictions_lifted",
    "committing_reserves",
    "attacking",
    "fought_this_month",
    *BEGIN_WAR_WRITES,
)
"""The state fields :func:`step_run` writes."""


def phase(state: State, params: Params, rng: Stream) -> State:
    """Set aid orders, capacity targets, restrictions and preemptive wars for this month."""
    after = writable(state, WRITES)
    _all(
        state_view(after),
        view(params.of(PolicyParams)),
        view(params.of(AidParams)),
        view(params.of(IndustryParams)),
        view(params.of(EscalationParams)),
        view(params.index),
        view(params.world),
        rng.view(),
    )
    return after
