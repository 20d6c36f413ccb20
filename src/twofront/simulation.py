"""The model's step order, and running it: sample each mechanism, step every run, record.

Each month every run goes through the phases of :data:`MECHANISMS`, in
order; each mechanism module declares its parameters (``sample_params``) and
its phase (``phase``). Adding a mechanism touches its module, its test, its
schema section and this tuple.

``run(scenario, runs, seed)`` samples each run's parameters from its own
counter-based stream (see :mod:`twofront.engine.rng`), steps all runs for
``horizon_months`` months and returns labelled results. Runs are processed
in chunks only to bound memory; run ``i`` is identical whatever the chunk
size, because every draw is keyed by its global index.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from twofront import month
from twofront.engine.designs import (
    Design,
    design_paths,
    design_runs,
    make_design,
    parse_sampling,
)
from twofront.engine.index import build_index
from twofront.engine.loop import Phase, concat_runs
from twofront.engine.params import Params, sample_world
from twofront.engine.rng import Stream, make_stream
from twofront.engine.sampler import Sampler, sampled_inputs
from twofront.engine.state import State, initial_state
from twofront.errors import ExperimentError
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
from twofront.policy import schedule
from twofront.scenario.limits import MAX_RUNS
from twofront.scenario.schema import Scenario, with_end_state

MECHANISMS: tuple[ModuleType, ...] = (
    schedule,
    strikes,
    economy,
    industry,
    aid,
    coalition,
    manpower,
    combat,
    escalation,
    bargaining,
    opportunism,
)
"""The step order: policy, strikes, war economy, industry, aid, coalition, manpower, combat,
escalation, bargaining, opportunism."""

PHASES: tuple[Phase, ...] = tuple(m.phase for m in MECHANISMS)


def sample(
    scenario: Scenario, strategy: str, stream: Stream, design: Design | None = None
) -> Params:
    """Sample the world and every mechanism's parameters of ``scenario`` under ``strategy``.

    ``design`` says where the uniforms come from (:mod:`twofront.engine.designs`);
    by default independent draws from ``stream``.
    """
    index = build_index(scenario)
    sampler = Sampler(scenario, stream, design or Design("mc", stream))
    world = sample_world(scenario, index, sampler)
    parts = {}
    for mechanism in MECHANISMS:
        part = mechanism.sample_params(scenario, strategy, index, sampler)
        parts[type(part)] = part
    return Params(index, world, parts, sampled_inputs(sampler))


def initial(params: Params) -> State:
    """The state at month 0 of ``params``' runs."""
    return initial_state(params, aid_lines=params.of(AidParams).lines)


@dataclass(frozen=True, slots=True)
class Chunk:
    """The results of a contiguous block of runs and the inputs sampled for them."""

    results: xr.Dataset  # per-run outcomes and (run, month, ...) trajectories
    inputs: dict[str, NDArray[np.float64]]  # parameter path -> (run,) sampled value


def check_request(
    scenario: Scenario, runs: int, chunk_runs: int, sampling: str, strategy: str | None
) -> str:
    """The strategy name to run; raises :class:`ExperimentError` on impossible settings."""
    if runs < 1:
        raise ExperimentError(f"runs = {runs}; must be >= 1")
    if runs > MAX_RUNS:
        raise ExperimentError(f"runs = {runs}: more than MAX_RUNS = {MAX_RUNS:,} per call")
    if chunk_runs < 1:
        raise ExperimentError(f"chunk_runs = {chunk_runs}; must be >= 1")
    parse_sampling(sampling)
    dimensions = len(design_paths(scenario, sampling))
    needed = design_runs(dimensions, sampling)
    if needed is not None and runs != needed:
        raise ExperimentError(
            f"runs = {runs}; sampling = {sampling!r} over {dimensions} uncertain parameters "
            f"needs exactly {needed} runs"
        )
    name = strategy or scenario.scenario.default_strategy
    if name not in scenario.strategies:
        raise ExperimentError(
            f"strategy {name!r} is not in scenario {scenario.scenario.name!r}; "
            f"expected one of {sorted(scenario.strategies)}"
        )
    return name


def run_chunk(
    scenario: Scenario,
    strategy: str,
    seed: int,
    start: int,
    stop: int,
    sampling: str = "mc",
    keep: Collection[str] | None = None,
) -> Chunk:
    """Simulate global runs ``start .. stop - 1`` of ``scenario`` under ``strategy``,
    recording the trajectories ``keep`` (default all; per-run outcomes always).

    Run ``i`` is bit-identical whatever chunk it is simulated in: this is the
    unit of work an evaluator (in-process, process pool, cluster) hands out.
    """
    run_ids = np.arange(start, stop)
    stream = make_stream(seed, run_ids)
    params = sample(scenario, strategy, stream, make_design(scenario, stream, sampling, seed))
    recorder = month.simulate(initial(params), params, stream, keep)
    return Chunk(recorder.to_dataset(run_ids), dict(params.inputs))


def run(
    scenario: Scenario,
    runs: int,
    seed: int,
    strategy: str | None = None,
    chunk_runs: int = 10_000,
    on_chunk: Callable[[int], None] | None = None,
    sampling: str = "mc",
    end_state: str | None = None,
) -> xr.Dataset:
    """Simulate ``runs`` runs of ``scenario`` under ``strategy`` (default: the scenario's)
    and declared ``end_state`` (default: the strategy's own aims).

    ``on_chunk(n)`` is called after each chunk with the number of runs done
    in it (for progress bars).
    """
    name = check_request(scenario, runs, chunk_runs, sampling, strategy)
    if end_state is not None:
        if end_state not in scenario.end_states:
            raise ExperimentError(
                f"end state {end_state!r} is not in scenario {scenario.scenario.name!r}; "
                f"expected one of {sorted(scenario.end_states)}"
            )
        scenario = with_end_state(scenario, end_state)
    parts = []
    for first in range(0, runs, chunk_runs):
        stop = min(first + chunk_runs, runs)
        parts.append(run_chunk(scenario, name, seed, first, stop, sampling).results)
        if on_chunk is not None:
            on_chunk(stop - first)
    results = parts[0] if len(parts) == 1 else concat_runs(parts)
    return results.assign_attrs(
        scenario=scenario.scenario.name,
        strategy=name,
        end_state=end_state or "as declared by the strategy",
        seed=seed,
        runs=runs,
        sampling=sampling,
    )


def warm() -> None:
    """Compile every kernel and the month loop (written to the compiled-code cache, see
    :mod:`twofront.engine.compiled`), so that later runs start in seconds. ``make`` runs
    it at set-up."""
    from twofront.scenario.loader import load

    scenario = load("world-2024")
    run(scenario, runs=2, seed=0, strategy=scenario.scenario.default_strategy)
