"""The engine: reproducible, chunk-invariant, conserving, and a broken run is data."""

from __future__ import annotations

import copy
from dataclasses import fields, replace

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from twofront.engine.loop import checked_fields, guard, step
from twofront.engine.rng import make_stream
from twofront.engine.state import NAN_MEANS_NOT_YET, RunStatus, State
from twofront.errors import ExperimentError
from twofront.simulation import PHASES, initial, run, sample


def simulate_by_hand(scenario, strategy, seed, runs):
    """Step the engine month by month, keeping every state."""
    stream = make_stream(seed, np.arange(runs))
    params = sample(scenario, strategy, stream)
    states = [initial(params)]
    for _ in range(params.index.horizon_months):
        states.append(step(states[-1], params, stream, PHASES))
    return params, states


def test_same_seed_gives_identical_results(toy):
    xr.testing.assert_identical(run(toy, 8, seed=5), run(toy, 8, seed=5))


def test_different_seeds_give_different_worlds(toy):
    a = run(toy, 8, seed=1)["stockpile"].sel(actor="blue", month=0)
    b = run(toy, 8, seed=2)["stockpile"].sel(actor="blue", month=0)
    # Blue's stock is uniform(100k, 300k): equal draws are (almost surely) impossible.
    assert not np.any(a.values == b.values)


def test_run_is_identical_whatever_the_chunk_size(toy):
    whole = run(toy, 7, seed=3, chunk_runs=7)
    chunked = run(toy, 7, seed=3, chunk_runs=3)
    xr.testing.assert_identical(whole, chunked)


def test_run_is_identical_whatever_the_number_of_runs(toy):
    five = run(toy, 5, seed=4)
    nine = run(toy, 9, seed=4)
    xr.testing.assert_equal(five, nine.isel(run=slice(0, 5)))


def test_progress_callback_gets_each_chunks_size(toy):
    done = []
    run(toy, 7, seed=0, chunk_runs=3, on_chunk=done.append)
    assert done == [3, 3, 1]


def test_results_are_labelled(toy):
    results = run(toy, 3, seed=0)
    assert list(results["run"].values) == [0, 1, 2]
    assert list(results["front"].values) == list(toy.fronts)
    assert list(results["actor"].values) == list(toy.actors)
    assert results.sizes["month"] == toy.scenario.horizon_months + 1
    assert results["date"].values[0] == np.datetime64(f"{toy.scenario.start}-01")
    assert results["date"].dtype.kind == "M"
    assert results.attrs["strategy"] == toy.scenario.default_strategy
    assert results.attrs["seed"] == 0


def test_unknown_strategy_is_rejected(toy):
    with pytest.raises(ExperimentError, match="strategy 'nope' is not in scenario 'toy'"):
        run(toy, 3, seed=0, strategy="nope")


@pytest.mark.parametrize(("runs", "chunk_runs"), [(0, 10), (5, 0)])
def test_non_positive_run_counts_are_rejected(toy, runs, chunk_runs):
    with pytest.raises(ExperimentError, match="must be >= 1"):
        run(toy, runs, seed=0, chunk_runs=chunk_runs)


def test_negative_seed_is_rejected(toy):
    with pytest.raises(ExperimentError, match="seed = -1"):
        run(toy, 3, seed=-1)


@pytest.mark.parametrize("strategy", ["steady", "surge"])
def test_territory_is_conserved_on_every_front_and_month(toy, strategy):
    params, states = simulate_by_hand(toy, strategy, seed=11, runs=16)
    for state in states:
        np.testing.assert_allclose(state.held_km2.sum(axis=2), params.world.area_km2, rtol=1e-12)
        assert np.all(state.held_km2 >= 0)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), strategy=st.sampled_from(["steady", "surge"]))
def test_recorded_quantities_stay_in_their_domains(toy, seed, strategy):
    results = run(toy, 16, seed=seed, strategy=strategy)
    area = results["area_km2"]
    occupied = results["occupied_km2"]
    assert (occupied >= 0).all()
    assert (occupied <= area * (1 + 1e-6)).all()  # float32 record of a float64 area
    assert (results["final_occupied_km2"] <= area).all()
    assert (results["stockpile"] >= 0).all()
    assert (results["min_stockpile_seen"] >= 0).all()
    assert (results["personnel"] >= 0).all()
    assert (results["reserves_personnel"] >= 0).all()
    assert (results["casualties_per_month"] >= 0).all()
    assert ((results["will"] >= 0) & (results["will"] <= 1)).all()
    assert (results["run_status"] == RunStatus.OK).all()


def test_recorded_trajectories_are_the_stepped_states(toy):
    _, states = simulate_by_hand(toy, "steady", seed=2, runs=4)
    results = run(toy, 4, seed=2)
    for month, state in enumerate(states):
        np.testing.assert_array_equal(
            results["stockpile"].isel(month=month).values, state.stockpile.astype(np.float32)
        )
        np.testing.assert_array_equal(
            results["personnel"].isel(month=month).values, state.personnel.astype(np.float32)
        )


def test_strategies_share_the_sampled_world(toy):
    # common random numbers: the same run draws the same parameters under every strategy
    stream = make_stream(8, np.arange(6))
    steady, surge = sample(toy, "steady", stream), sample(toy, "surge", stream)
    shared = [path for path in steady.inputs if not path.startswith("strategies.")]
    assert "actors.blue.industry.shell.stockpile" in shared
    for path in shared:
        np.testing.assert_array_equal(steady.inputs[path], surge.inputs[path], err_msg=path)


def _aid_sent(toy, strategy):
    _, states = simulate_by_hand(toy, strategy, seed=6, runs=8)
    return np.stack([s.aid_sent_per_month.sum(axis=1) for s in states[1:]], axis=1)


def test_steady_aid_is_delivered_in_full_every_month(toy):
    # The donor spares 500k - 100k = 400k and produces more than the 30k it sends
    # (31,621 in month 0, rising), so the 30k order is met every month: 12 * 30k.
    sent = _aid_sent(toy, "steady")
    np.testing.assert_allclose(sent, 30_000.0)
    np.testing.assert_allclose(sent.sum(axis=1), 360_000.0)


def test_surge_delivers_more_aid_than_steady(toy):
    steady, surge = _aid_sent(toy, "steady"), _aid_sent(toy, "surge")
    # month 0: spare 400k + 33,783 produced (mobilised ramp) >= 80k ordered
    np.testing.assert_allclose(surge[:, 0], 80_000.0)
    assert np.all(surge >= steady)
    assert np.all(surge.sum(axis=1) > steady.sum(axis=1))


def test_surge_leaves_the_donor_with_less_and_blue_with_more(toy):
    steady = run(toy, 8, seed=6, strategy="steady").isel(month=-1)
    surge = run(toy, 8, seed=6, strategy="surge").isel(month=-1)
    assert (surge["stockpile"].sel(actor="blue") >= steady["stockpile"].sel(actor="blue")).all()


# --- guard: a run that breaks is data -------------------------------------


def test_guard_marks_and_freezes_only_the_run_that_broke(toy):
    _, states = simulate_by_hand(toy, "steady", seed=0, runs=3)
    before, after = states[1], states[2]
    personnel = after.personnel.copy()
    personnel[1, 0, 0] = np.nan
    broken = replace(after, personnel=personnel)
    guarded = guard(before, broken)
    np.testing.assert_array_equal(
        guarded.status, [RunStatus.OK, RunStatus.NON_FINITE, RunStatus.OK]
    )
    for f in fields(type(after)):
        new = getattr(guarded, f.name)
        if not isinstance(new, np.ndarray) or f.name == "status":
            continue
        np.testing.assert_array_equal(new[1], getattr(before, f.name)[1], err_msg=f.name)
        np.testing.assert_array_equal(new[[0, 2]], getattr(broken, f.name)[[0, 2]], err_msg=f.name)


@pytest.mark.parametrize(
    "bad_values", [[np.inf, 1.0], [np.inf, -np.inf], [np.nan, np.inf]], ids=["inf", "+-inf", "nan"]
)
def test_guard_marks_any_non_finite_value_without_raising(toy, bad_values):
    _, states = simulate_by_hand(toy, "steady", seed=0, runs=3)
    personnel = states[2].personnel.copy()
    personnel[1, 0, :] = bad_values
    guarded = guard(states[1], replace(states[2], personnel=personnel))
    np.testing.assert_array_equal(
        guarded.status, [RunStatus.OK, RunStatus.NON_FINITE, RunStatus.OK]
    )


def test_guard_passes_a_finite_state_through(toy):
    _, states = simulate_by_hand(toy, "steady", seed=0, runs=3)
    assert guard(states[0], states[1]) is states[1]


def test_step_freezes_a_broken_run_while_the_others_advance(toy):
    stream = make_stream(0, np.arange(3))
    params = sample(toy, "steady", stream)
    clean = initial(params)
    personnel = clean.personnel.copy()
    personnel[1, 0, 0] = np.nan
    broken = replace(clean, personnel=personnel)
    # NaN arithmetic in the broken run is expected here; the guard must contain it.
    with np.errstate(invalid="ignore"):
        once = step(broken, params, stream, PHASES)
        twice = step(once, params, stream, PHASES)
    reference = step(step(clean, params, stream, PHASES), params, stream, PHASES)
    np.testing.assert_array_equal(twice.status, [RunStatus.OK, RunStatus.NON_FINITE, RunStatus.OK])
    np.testing.assert_array_equal(twice.stockpile[1], clean.stockpile[1])
    np.testing.assert_array_equal(twice.stockpile[[0, 2]], reference.stockpile[[0, 2]])
    np.testing.assert_array_equal(twice.held_km2[[0, 2]], reference.held_km2[[0, 2]])
    assert twice.month == 2


# --- the phase contract (every phase in PHASES) ----------------------------


def _arrays(state):
    return {
        f.name: getattr(state, f.name)
        for f in fields(type(state))
        if isinstance(getattr(state, f.name), np.ndarray)
    }


@pytest.fixture(scope="module")
def mid_war(toy):
    params, states = simulate_by_hand(toy, "surge", seed=3, runs=5)
    return params, make_stream(3, np.arange(5)), states[4]


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.__module__.rsplit(".", 1)[-1])
def test_phase_is_pure_shape_stable_and_deterministic(mid_war, phase):
    params, stream, state = mid_war
    snapshot = copy.deepcopy(_arrays(state))
    first = phase(state, params, stream)
    second = phase(state, params, stream)
    for name, value in _arrays(state).items():
        np.testing.assert_array_equal(value, snapshot[name], err_msg=f"{name} was mutated")
    assert first.month == state.month
    for name, value in _arrays(first).items():
        assert value.shape == snapshot[name].shape, name
        assert value.dtype == snapshot[name].dtype, name
        assert value.tobytes() == getattr(second, name).tobytes(), name


@pytest.mark.parametrize(
    "name", [f.name for f in fields(State) if f.name not in ("month", "status")]
)
def test_guard_catches_nan_in_every_float_field_except_those_where_nan_means_not_yet(toy, name):
    before = initial(sample(toy, "steady", make_stream(0, range(2))))
    value = getattr(before, name)
    if value.dtype.kind != "f":
        assert name not in checked_fields(before)
        return
    broken = value.copy()
    broken.reshape(2, -1)[1, 0] = np.nan
    guarded = guard(before, replace(before, **{name: broken}))
    expected = RunStatus.OK if name in NAN_MEANS_NOT_YET else RunStatus.NON_FINITE
    assert guarded.status.tolist() == [RunStatus.OK, expected]


def test_guard_marks_a_value_too_large_for_the_float32_record(toy):
    _, states = simulate_by_hand(toy, "steady", seed=0, runs=3)
    stockpile = states[2].stockpile.copy()
    stockpile[2, 0, 0] = 1e39  # finite in float64, inf once recorded as float32
    guarded = guard(states[1], replace(states[2], stockpile=stockpile))
    assert guarded.status.tolist() == [RunStatus.OK, RunStatus.OK, RunStatus.NON_FINITE]


def test_the_python_api_refuses_more_runs_than_the_limit(toy):
    with pytest.raises(ExperimentError, match="more than MAX_RUNS"):
        run(toy, 10**9, seed=0)
