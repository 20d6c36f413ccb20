"""Sampled toy worlds for model tests: parameters, a stream and the month-0 state."""

from __future__ import annotations

import numpy as np

from twofront.engine.params import Params, sample
from twofront.engine.rng import Stream, make_stream
from twofront.engine.state import State, initial_state
from twofront.scenario.schema import Scenario


def toy_world(
    scenario: Scenario, strategy: str = "steady", runs: int = 2, seed: int = 0
) -> tuple[Params, Stream, State]:
    stream = make_stream(seed, np.arange(runs))
    params = sample(scenario, strategy, stream)
    return params, stream, initial_state(params)


def actor(params: Params, name: str) -> int:
    return params.index.actors.index(name)


def front(params: Params, name: str) -> int:
    return params.index.fronts.index(name)
