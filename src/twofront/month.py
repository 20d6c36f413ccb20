"""The model's months compiled as one loop: each run steps through every month in turn.

:data:`twofront.simulation.MECHANISMS` gives the step order; here the same order is
written out as calls of each mechanism's per-run kernel (``step_run``, see
:mod:`twofront.engine.compiled`), so that one run's whole history is computed while its
state and parameters sit in the processor's cache, and both cores work on different
runs (``prange``). Each month of each run:

1. its state is saved (four rows of the packed state, :mod:`twofront.engine.packed`);
2. policy, strikes, war economy, industry, aid, coalition, manpower, combat, escalation, bargaining
   and opportunism run, in that order;
3. the guard: if a checked field is no longer finite, or a recorded one no longer fits
   float32, the run is put back as it was and marked ``NON_FINITE`` (as
   :func:`twofront.engine.loop.guard` does for the NumPy loop);
4. its month is recorded (:mod:`twofront.engine.capture`).

The results equal the phase-by-phase loop's (:func:`twofront.engine.loop.simulate` over
:data:`~twofront.simulation.PHASES`): the tests compare them on every shipped scenario.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

import numba
import numpy as np

from twofront.engine.capture import plan, record_run
from twofront.engine.compiled import driver, kernel, view
from twofront.engine.loop import RECORDED_AS_FLOAT32, checked_fields
from twofront.engine.packed import pack, restore_rows, save_rows, sound_row
from twofront.engine.params import Params
from twofront.engine.record import Recorder
from twofront.engine.rng import Stream
from twofront.engine.state import RunStatus, State, state_view
from twofront.model import (
    aid,
    bargaining,
    coalition,
    combat,
    economy,
    escalation,
    industry,
    manpower,
    opportunism,
    strikes,
)
from twofront.model.aid import AidParams
from twofront.model.bargaining import BargainingParams
from twofront.model.coalition import CoalitionParams
from twofront.model.combat import CombatParams
from twofront.model.economy import EconomyParams
from twofront.model.escalation import EscalationParams
from twofront.model.industry import IndustryParams
from twofront.model.manpower import ManpowerParams
from twofront.model.opportunism import OpportunismParams
from twofront.model.strikes import StrikesParams
from twofront.policy import schedule
from twofront.policy.schedule import PolicyParams

NON_FINITE = np.int8(RunStatus.NON_FINITE)


@kernel
def history(
    r: int,
    blocks: Any,
    s: Any,
    checked: Any,
    recorded32: Any,
    status_column: int,
    horizon: int,
    record: Any,
    policy: Any,
    economy_p: Any,
    aid_p: Any,
    industry_p: Any,
    escalation_p: Any,
    strikes_p: Any,
    coalition_p: Any,
    combat_p: Any,
    manpower_p: Any,
    bargaining_p: Any,
    opportunism_p: Any,
    ix: Any,
    wd: Any,
    rv: Any,
) -> None:
    """Run ``r`` through every month: save, the eleven mechanisms, guard, record."""
    p_policy = (policy, aid_p, industry_p, escalation_p)
    p_aid = (aid_p, industry_p)
    p_coalition = (coalition_p, combat_p)
    p_opportunism = (opportunism_p, escalation_p)
    w_policy = schedule.step_work(s, p_policy, ix)
    w_economy = economy.step_work(s, economy_p, ix)
    w_strikes = strikes.step_work(s, strikes_p, ix)
    w_industry = industry.step_work(s, industry_p, ix)
    w_aid = aid.step_work(s, p_aid, ix)
    w_coalition = coalition.step_work(s, p_coalition, ix)
    w_manpower = manpower.step_work(s, manpower_p, ix)
    w_combat = combat.step_work(s, combat_p, ix)
    w_escalation = escalation.step_work(s, escalation_p, ix)
    w_bargaining = bargaining.step_work(s, bargaining_p, ix)
    w_opportunism = opportunism.step_work(s, p_opportunism, ix)
    saved = (
        np.empty(blocks[0].shape[1]),
        np.empty(blocks[1].shape[1], dtype=np.int64),
        np.empty(blocks[2].shape[1], dtype=np.int8),
        np.empty(blocks[3].shape[1], dtype=np.bool_),
    )
    record_run(r, 0, blocks, *record)
    for j in range(horizon):
        s.month[r] = j
        save_rows(r, blocks, saved)
        schedule.step_run(r, s, p_policy, ix, wd, rv, w_policy)
        strikes.step_run(r, s, strikes_p, ix, wd, rv, w_strikes)
        economy.step_run(r, s, economy_p, ix, wd, rv, w_economy)
        industry.step_run(r, s, industry_p, ix, wd, rv, w_industry)
        aid.step_run(r, s, p_aid, ix, wd, rv, w_aid)
        coalition.step_run(r, s, p_coalition, ix, wd, rv, w_coalition)
        manpower.step_run(r, s, manpower_p, ix, wd, rv, w_manpower)
        combat.step_run(r, s, combat_p, ix, wd, rv, w_combat)
        escalation.step_run(r, s, escalation_p, ix, wd, rv, w_escalation)
        bargaining.step_run(r, s, bargaining_p, ix, wd, rv, w_bargaining)
        opportunism.step_run(r, s, p_opportunism, ix, wd, rv, w_opportunism)
        if not sound_row(r, blocks[0], checked, recorded32):
            restore_rows(r, blocks, saved, status_column)
            blocks[2][r, status_column] = NON_FINITE
        s.month[r] = j + 1
        record_run(r, j + 1, blocks, *record)


@driver
def _months(
    blocks: Any,
    s: Any,
    checked: Any,
    recorded32: Any,
    status_column: int,
    horizon: int,
    record: Any,
    policy: Any,
    economy_p: Any,
    aid_p: Any,
    industry_p: Any,
    escalation_p: Any,
    strikes_p: Any,
    coalition_p: Any,
    combat_p: Any,
    manpower_p: Any,
    bargaining_p: Any,
    opportunism_p: Any,
    ix: Any,
    wd: Any,
    rv: Any,
) -> None:
    # The loop body only calls a kernel: Numba 0.68 can drop writes made through a named
    # tuple directly inside a prange body (numba issues #5872, #7135), and cannot hand a
    # tuple of named tuples to its threads, so the views go in one by one.
    for r in numba.prange(blocks[0].shape[0]):
        history(
            r,
            blocks,
            s,
            checked,
            recorded32,
            status_column,
            horizon,
            record,
            policy,
            economy_p,
            aid_p,
            industry_p,
            escalation_p,
            strikes_p,
            coalition_p,
            combat_p,
            manpower_p,
            bargaining_p,
            opportunism_p,
            ix,
            wd,
            rv,
        )


def simulate(
    initial: State, params: Params, stream: Stream, keep: Collection[str] | None = None
) -> Recorder:
    """Step every run of ``initial`` over the horizon in the compiled loop and record the
    trajectories ``keep`` (default all); the same :class:`Recorder` as the NumPy loop's."""
    packed = pack(initial)
    layout = plan(packed, params, keep)
    checked = frozenset(checked_fields(initial))
    horizon = params.index.horizon_months
    _, status_column, _ = packed.columns["status"]
    _months(
        packed.blocks,
        state_view(packed.state, packed.month),
        packed.checked_columns(checked),
        packed.checked_columns(checked & RECORDED_AS_FLOAT32),
        status_column,
        horizon,
        layout.arrays(),
        view(params.of(PolicyParams)),
        view(params.of(EconomyParams)),
        view(params.of(AidParams)),
        view(params.of(IndustryParams)),
        view(params.of(EscalationParams)),
        view(params.of(StrikesParams)),
        view(params.of(CoalitionParams)),
        view(params.of(CombatParams)),
        view(params.of(ManpowerParams)),
        view(params.of(BargainingParams)),
        view(params.of(OpportunismParams)),
        view(params.index),
        view(params.world),
        stream.view(),
    )
    return layout.recorder(params, replace(packed.state, month=horizon))
