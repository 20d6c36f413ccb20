"""Property-based fuzz of every input twofront reads, within a fixed CI budget.

Each test feeds generated hostile inputs (see :mod:`tests.fuzz.inputs`) and
asserts that each ends in a clean result: accepted (with finite results, or
runs marked by their status) or refused with exit 2 and a message, never a
traceback and never past the time limit of :mod:`tests.fuzz.harness`.
Examples are derandomized, so CI sees the same inputs every time;
``run_many.py`` explores 10,000 more outside CI.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import inputs
from tests.fuzz.harness import (
    FAILURES,
    Outcome,
    try_battle,
    try_command,
    try_condition,
    try_scenario,
)


def budget(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _clean(outcome: Outcome, shown: str) -> None:
    assert outcome.category not in FAILURES, f"{outcome.category}: {outcome.detail}\n{shown!r}"


@budget(300)
@given(rng=st.randoms(use_true_random=False), simulate=st.booleans())
def test_mutated_scenario_files_load_cleanly_and_simulate_finite(rng: random.Random, simulate):
    text = inputs.scenario_text(rng)
    with tempfile.TemporaryDirectory() as folder:
        _clean(try_scenario(text, Path(folder), simulate), text[:400])


@budget(100)
@given(rng=st.randoms(use_true_random=False))
def test_files_that_extend_others_load_cleanly(rng: random.Random):
    with tempfile.TemporaryDirectory() as folder:
        text = inputs.child_text(rng, Path(folder))
        _clean(try_scenario(text, Path(folder), simulate=False), text)


@budget(500)
@given(rng=st.randoms(use_true_random=False))
def test_generated_conditions_compile_or_fail_cleanly(rng: random.Random):
    text = inputs.condition(rng)
    _clean(try_condition(text), text[:400])


@budget(200)
@given(
    text=st.text(alphabet=st.sampled_from(list("()<>=!. notadrwm0123456789-_\x00")), max_size=300)
)
def test_any_text_over_the_condition_alphabet_compiles_or_fails_cleanly(text: str):
    _clean(try_condition(text), text)


@budget(100)
@given(rng=st.randoms(use_true_random=False))
def test_battle_csvs_calibrate_or_fail_cleanly(rng: random.Random):
    csv, meta = inputs.battle_csv(rng)
    with tempfile.TemporaryDirectory() as folder:
        _clean(try_battle(csv, meta, Path(folder)), csv[:300] + meta)


@budget(150)
@given(rng=st.randoms(use_true_random=False))
def test_command_lines_exit_0_or_2_without_a_traceback(rng: random.Random):
    with tempfile.TemporaryDirectory() as folder:
        args = inputs.command(rng, Path(folder))
        outcome = try_command(args)
    _clean(outcome, repr(args))
    assert outcome.category != "failure reported", f"{args}: {outcome.detail}"
