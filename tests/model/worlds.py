"""Sampled toy worlds for model tests: parameters, a stream and the month-0 state."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from twofront.engine.params import Params
from twofront.engine.rng import Stream, make_stream
from twofront.engine.state import State
from twofront.scenario.schema import Scenario
from twofront.simulation import initial, sample


def toy_world(
    scenario: Scenario, strategy: str = "steady", runs: int = 2, seed: int = 0
) -> tuple[Params, Stream, State]:
    stream = make_stream(seed, np.arange(runs))
    params = sample(scenario, strategy, stream)
    return params, stream, initial(params)


def changed(params: Params, kind: type, **values: object) -> Params:
    """``params`` with fields of the mechanism part ``kind`` replaced."""
    return params.with_part(replace(params.of(kind), **values))


def actor(params: Params, name: str) -> int:
    return params.index.actors.index(name)


def front(params: Params, name: str) -> int:
    return params.index.fronts.index(name)
