"""The compiled loop's recording equals the Recorder's, month by month and run by run."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from twofront.engine.capture import plan, record_run
from twofront.engine.loop import step
from twofront.engine.packed import pack
from twofront.engine.record import Recorder
from twofront.engine.rng import make_stream
from twofront.scenario.loader import load
from twofront.simulation import PHASES, initial, sample


@pytest.mark.parametrize("keep", [None, ("occupied_km2", "will"), ()])
def test_recording_run_by_run_gives_the_recorders_dataset(keep):
    scenario = load("world-2024")
    stream = make_stream(2, np.arange(12))
    params = sample(scenario, "drip-feed", stream)
    state = initial(params)
    recorder = Recorder(params, keep)
    layout = plan(pack(state), params, keep)
    for month in range(params.index.horizon_months + 1):
        recorder.record(state)
        packed = pack(state)
        for r in range(12):
            record_run(r, month, packed.blocks, *layout.arrays())
        if month < params.index.horizon_months:
            state = step(state, params, stream, PHASES)
    expected = recorder.to_dataset(np.arange(12))
    got = layout.recorder(params, state).to_dataset(np.arange(12))
    assert sorted(got.data_vars) == sorted(expected.data_vars)
    xr.testing.assert_identical(got, expected)
