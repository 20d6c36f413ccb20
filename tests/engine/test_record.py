"""The recorder: trajectories month by month and outcomes read from them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.hand_world import hand_world, load_world
from tests.model.worlds import toy_world
from twofront.engine.record import Recorder, WarEnding
from twofront.errors import ExperimentError
from twofront.simulation import run


def test_stock_at_war_start_is_read_from_the_recorded_month_the_war_began_with(toy):
    params, _, state = toy_world(toy, runs=3)
    recorder = Recorder(params)
    for month in range(4):
        # a distinct stock per run and month: (run + 1) * 1000 + month
        stock = np.full_like(state.stockpile, 0.0)
        stock += ((np.arange(3) + 1) * 1000.0 + month)[:, None, None]
        snapshot = np.full_like(state.war_start_snapshot, -1)
        snapshot[0, 0] = 2  # run 0: its war began with the stocks recorded at index 2
        snapshot[2, 0] = 0  # run 2: a war under way from the start
        recorder.record(replace(state, month=month, stockpile=stock, war_start_snapshot=snapshot))
    results = recorder.to_dataset(np.arange(3))
    at_start = results["stock_at_war_start"].isel(theater=0).values
    np.testing.assert_array_equal(at_start[0], 1002.0)  # run 0, index 2
    assert np.isnan(at_start[1]).all()  # run 1: no war began
    np.testing.assert_array_equal(at_start[2], 3000.0)  # run 2, index 0


def test_recording_more_months_than_the_horizon_is_an_error(toy):
    params, _, state = toy_world(toy, runs=1)
    recorder = Recorder(params)
    for _ in range(params.index.horizon_months + 1):
        recorder.record(state)
    with pytest.raises(ExperimentError, match="months recorded"):
        recorder.record(state)


def test_a_war_opened_and_settled_within_one_month_counts_among_wars_at_once(tmp_path):
    # East never settles (blue's aim is regime change). In month 1 the strategy opens
    # the west, which settles at once: x = 1, V_def = 1 - 0.01 / 0.7 * 12 = 0.829,
    # x_bar - V_agg = 1 + 0.01 / 0.9 * 12 = 1.133; aims cut to [0.829, 0.9]: agreed.
    raw = hand_world(with_west=True)
    raw["theaters"]["east"]["defender_aim"] = "total"
    raw["strategies"]["strike"] = {
        "title": "open the west in month 1",
        "start_war": [{"theater": "west", "when": "month >= 1"}],
    }
    results = run(load_world(raw, tmp_path), 2, seed=0, strategy="strike")
    west = results.sel(theater="west")
    assert west["war_start_month"].values.tolist() == [1.0, 1.0]
    assert west["months_to_settlement"].values.tolist() == [1.0, 1.0]  # settled in month 1
    assert results["fought_this_month"].sel(theater="west").values[:, 1:3].tolist() == [
        [0, 1],
        [0, 1],
    ]
    assert results["max_wars_at_once"].values.tolist() == [2, 2]
    assert results["two_wars_at_once"].values.all()


def test_war_endings_say_how_each_war_ended(tmp_path):
    # East settles by negotiation in month 0 (hand world: terms 0.75); the west never opens.
    raw = hand_world(with_west=True)
    results = run(load_world(raw, tmp_path), 2, seed=0)
    endings = results["war_ending"]
    assert endings.sel(theater="east").values.tolist() == [WarEnding.NEGOTIATED] * 2
    assert endings.sel(theater="west").values.tolist() == [WarEnding.NO_WAR] * 2
    # Terms 0.75 of 1,000 km2 of Blue's soil: Red keeps 250 of the 300 it held -> 50 regained.
    np.testing.assert_allclose(results["soil_regained_km2"].sel(theater="east"), [50.0, 50.0])


def test_a_war_still_running_at_the_horizon_is_censored(tmp_path):
    raw = hand_world()
    raw["theaters"]["east"]["defender_aim"] = "total"  # no terms are ever acceptable
    results = run(load_world(raw, tmp_path), 2, seed=0)
    assert results["war_ending"].sel(theater="east").values.tolist() == [WarEnding.RUNNING] * 2
    assert np.isnan(results["soil_regained_km2"].sel(theater="east")).all()


def test_every_variable_has_cf_units_or_flags_and_a_long_name(toy):
    results = run(toy, 5, seed=2, chunk_runs=3)  # two chunks: the attributes survive the join
    for name, var in results.data_vars.items():
        attrs = var.attrs
        assert attrs.get("long_name"), name
        if "flag_values" in attrs:
            assert "units" not in attrs, name
            assert len(attrs["flag_meanings"].split()) == len(attrs["flag_values"]), name
            present = np.unique(var.values.astype(np.int64))
            assert set(present) <= set(attrs["flag_values"]), (name, present)
        else:
            assert attrs.get("units"), name


def test_status_codes_are_labelled_with_their_meanings(toy):
    results = run(toy, 2, seed=0)
    status = results["theater_status"].attrs
    assert dict(zip(status["flag_values"], status["flag_meanings"].split(), strict=True)) == {
        0: "peace", 1: "crisis", 2: "war", 3: "settled"
    }  # fmt: skip
    ending = results["war_ending"].attrs
    assert ending["flag_values"][0] == WarEnding.NO_WAR
    assert ending["flag_meanings"].split()[0] == "no_war"


def test_date_is_the_first_day_of_each_month_as_datetime(toy):
    results = run(toy, 2, seed=0)
    dates = results["date"].values
    assert dates.dtype == np.dtype("datetime64[ns]")
    year, month = (int(x) for x in toy.scenario.start.split("-"))
    expected = []
    for k in range(results.sizes["month"]):
        total = month - 1 + k
        expected.append(np.datetime64(f"{year + total // 12:04d}-{total % 12 + 1:02d}-01"))
    np.testing.assert_array_equal(dates, np.array(expected, dtype="datetime64[ns]"))


def test_outcomes_are_the_same_whatever_trajectories_are_kept():
    from twofront.experiment.store import outcome_names
    from twofront.scenario.loader import load
    from twofront.simulation import run_chunk

    scenario = load("world-2024")
    strategy = scenario.scenario.default_strategy
    full = run_chunk(scenario, strategy, 4, 0, 60).results
    lean = run_chunk(scenario, strategy, 4, 0, 60, keep=("occupied_km2",)).results
    assert [n for n in lean.data_vars if "month" in lean[n].dims] == ["occupied_km2"]
    assert outcome_names(lean) == outcome_names(full)
    for name in outcome_names(full):
        np.testing.assert_array_equal(lean[name].values, full[name].values, err_msg=name)


def test_a_war_opened_after_the_last_record_began_with_the_last_recorded_stocks(toy):
    params, _, state = toy_world(toy, runs=2)
    recorder = Recorder(params, keep=())
    months = params.index.horizon_months + 1
    for month in range(months):
        stock = np.full_like(state.stockpile, 10.0 + month)
        snapshot = np.full_like(state.war_start_snapshot, -1)
        if month == months - 1:
            snapshot[1, 0] = months  # opened at the end of the last month
        recorder.record(replace(state, month=month, stockpile=stock, war_start_snapshot=snapshot))
    at_start = recorder.to_dataset(np.arange(2))["stock_at_war_start"].isel(theater=0).values
    assert np.isnan(at_start[0]).all()
    np.testing.assert_array_equal(at_start[1], 10.0 + months - 1)


def test_keeping_an_unknown_trajectory_is_refused(toy):
    params, _, _ = toy_world(toy, runs=1)
    with pytest.raises(ExperimentError, match="unknown trajectories \\['bogus'\\]"):
        Recorder(params, keep=("bogus",))
