"""The compiled month loop against the NumPy reference: every phase's oracle
(``tests/oracles``) stepped phase by phase, on every shipped scenario and strategy."""

from __future__ import annotations

import importlib
from pathlib import Path

import numba
import numpy as np
import pytest

from twofront import month
from twofront.engine.compiled import set_threads
from twofront.engine.loop import simulate
from twofront.engine.rng import make_stream
from twofront.scenario.loader import load, shipped_names
from twofront.simulation import MECHANISMS, initial, sample

RUNS = 24


def reference_phases() -> tuple:
    """The NumPy form of every mechanism's phase, in the step order."""
    return tuple(
        importlib.import_module(f"tests.oracles.{m.__name__.rsplit('.', 1)[1]}").phase
        for m in MECHANISMS
    )


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CASES = [(n, s) for n in shipped_names() for s in load(n).strategies] + [
    (str(EXAMPLES / "world-2024-oil-sanctions.toml"), "drip-feed")  # sanctions in force
]


@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_the_compiled_loop_gives_the_numpy_reference_results(name, strategy):
    scenario = load(name)
    stream = make_stream(11, np.arange(RUNS))
    params = sample(scenario, strategy, stream)
    got = month.simulate(initial(params), params, stream).to_dataset(np.arange(RUNS))
    expected = simulate(initial(params), params, stream, reference_phases())
    expected_set = expected.to_dataset(np.arange(RUNS))
    assert sorted(got.data_vars) == sorted(expected_set.data_vars)
    for var in expected_set.data_vars:
        a, b = got[var].values, expected_set[var].values
        if a.dtype.kind == "f":
            # libm and NumPy's own pow/exp/log may differ in the last bit (see
            # twofront.engine.compiled); float32 trajectories round the same either way.
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=var)
        else:
            np.testing.assert_array_equal(a, b, err_msg=var)


def test_results_do_not_depend_on_the_number_of_threads():
    scenario = load("world-2024")
    stream = make_stream(3, np.arange(64))
    params = sample(scenario, "sequencing", stream)
    ceiling = numba.config.NUMBA_NUM_THREADS
    try:
        set_threads(1)
        one = month.simulate(initial(params), params, stream).to_dataset(np.arange(64))
        set_threads(2)
        two = month.simulate(initial(params), params, stream).to_dataset(np.arange(64))
    finally:
        set_threads(ceiling)
    for var in one.data_vars:
        np.testing.assert_array_equal(one[var].values, two[var].values, err_msg=var)


def test_a_run_that_breaks_is_frozen_and_marked_while_the_others_go_on(toy):
    from dataclasses import replace

    from tests.model.worlds import toy_world
    from twofront.engine.state import RunStatus

    params, stream, state = toy_world(toy, runs=3)
    will = state.will.copy()
    will[1, 0] = np.nan  # run 1 starts broken: its first month is undone and it is marked
    recorder = month.simulate(replace(state, will=will), params, stream)
    status = recorder.final.status
    assert status.tolist() == [RunStatus.OK, RunStatus.NON_FINITE, RunStatus.OK]
    reference = simulate(replace(state, will=will), params, stream, reference_phases())
    np.testing.assert_array_equal(recorder.final.stockpile, reference.final.stockpile)
