"""The recorder: trajectories month by month and outcomes read from them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.model.worlds import toy_world
from twofront.engine.record import Recorder
from twofront.errors import ExperimentError


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
