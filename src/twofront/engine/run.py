"""The engine: phases in a fixed order, every run advanced together, month by month.

``run(scenario, runs, seed)`` samples each run's parameters from its own
counter-based stream (see :mod:`twofront.engine.rng`), steps all runs through
:data:`PHASES` for ``horizon_months`` months and returns labelled results.
Runs are processed in chunks only to bound memory; run ``i`` is identical
whatever the chunk size, because every draw is keyed by its global index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from twofront.engine.designs import DESIGNS, make_design
from twofront.engine.params import Params, sample
from twofront.engine.record import Recorder
from twofront.engine.rng import Stream, make_stream
from twofront.engine.state import NAN_MEANS_NOT_YET, RunStatus, State, initial_state
from twofront.errors import ExperimentError
from twofront.model import aid, bargaining, combat, escalation, industry, manpower, opportunism
from twofront.policy import schedule
from twofront.scenario.schema import Scenario

Phase = Callable[[State, Params, Stream], State]

PHASES: tuple[Phase, ...] = (
    schedule.phase,
    industry.phase,
    aid.phase,
    manpower.phase,
    combat.phase,
    escalation.phase,
    bargaining.phase,
    opportunism.phase,
)


CHECKED_FIELDS = tuple(
    f.name for f in fields(State) if f.name not in NAN_MEANS_NOT_YET and f.type == "F64"
)
"""Float fields the guard checks: all but those where NaN means 'not yet'."""


def guard(before: State, after: State) -> State:
    """Freeze runs whose new state is not finite and mark them NON_FINITE.

    A failure inside one run is data: the other runs go on untouched.
    """
    total = np.zeros(after.status.shape)
    # A sum is NaN or infinite iff a term is (or inf - inf gives NaN): one pass per field.
    with np.errstate(invalid="ignore", over="ignore"):
        for name in CHECKED_FIELDS:
            value = getattr(after, name)
            total += value.reshape(value.shape[0], -1).sum(axis=1)
    bad = ~np.isfinite(total)
    if not bad.any():
        return after
    frozen = {}
    for f in fields(State):
        new, old = getattr(after, f.name), getattr(before, f.name)
        if isinstance(new, np.ndarray) and f.name != "status":
            mask = bad.reshape((-1,) + (1,) * (new.ndim - 1))
            frozen[f.name] = np.where(mask, old, new)
    status = np.where(bad, np.int8(RunStatus.NON_FINITE), after.status).astype(np.int8)
    return replace(after, **frozen, status=status)


def step(state: State, params: Params, stream: Stream) -> State:
    """Advance every run by one month through all phases."""
    before = state
    for phase in PHASES:
        state = phase(state, params, stream)
    return replace(guard(before, state), month=state.month + 1)


def simulate(params: Params, stream: Stream) -> Recorder:
    """Step ``params``' runs over the horizon and record every month."""
    state = initial_state(params)
    recorder = Recorder(params)
    recorder.record(state)
    for _ in range(params.index.horizon_months):
        state = step(state, params, stream)
        recorder.record(state)
    return recorder


def concat_runs(parts: list[xr.Dataset]) -> xr.Dataset:
    """Join chunk results along ``run`` with one NumPy concatenation per variable.

    (``xr.concat`` aligns every coordinate and is several times slower here.)
    """
    first = parts[0]
    data = {
        name: (
            var.dims,
            np.concatenate([p[name].values for p in parts], axis=var.dims.index("run")),
        )
        for name, var in first.data_vars.items()
    }
    coords = {name: coord for name, coord in first.coords.items() if "run" not in coord.dims}
    coords["run"] = np.concatenate([p["run"].values for p in parts])
    return xr.Dataset(data, coords=coords)


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
    if chunk_runs < 1:
        raise ExperimentError(f"chunk_runs = {chunk_runs}; must be >= 1")
    if sampling not in DESIGNS:
        raise ExperimentError(f"sampling = {sampling!r}; expected one of {list(DESIGNS)}")
    name = strategy or scenario.scenario.default_strategy
    if name not in scenario.strategies:
        raise ExperimentError(
            f"strategy {name!r} is not in scenario {scenario.scenario.name!r}; "
            f"expected one of {sorted(scenario.strategies)}"
        )
    return name


def run_chunk(
    scenario: Scenario, strategy: str, seed: int, start: int, stop: int, sampling: str = "mc"
) -> Chunk:
    """Simulate global runs ``start .. stop - 1`` of ``scenario`` under ``strategy``.

    Run ``i`` is bit-identical whatever chunk it is simulated in: this is the
    unit of work an evaluator (in-process, process pool, cluster) hands out.
    """
    run_ids = np.arange(start, stop)
    stream = make_stream(seed, run_ids)
    params = sample(scenario, strategy, stream, make_design(scenario, stream, sampling, seed))
    return Chunk(simulate(params, stream).to_dataset(run_ids), dict(params.inputs))


def run(
    scenario: Scenario,
    runs: int,
    seed: int,
    strategy: str | None = None,
    chunk_runs: int = 10_000,
    on_chunk: Callable[[int], None] | None = None,
    sampling: str = "mc",
) -> xr.Dataset:
    """Simulate ``runs`` runs of ``scenario`` under ``strategy`` (default: the scenario's).

    ``on_chunk(n)`` is called after each chunk with the number of runs done
    in it (for progress bars).
    """
    name = check_request(scenario, runs, chunk_runs, sampling, strategy)
    parts = []
    for start in range(0, runs, chunk_runs):
        stop = min(start + chunk_runs, runs)
        parts.append(run_chunk(scenario, name, seed, start, stop, sampling).results)
        if on_chunk is not None:
            on_chunk(stop - start)
    results = parts[0] if len(parts) == 1 else concat_runs(parts)
    return results.assign_attrs(
        scenario=scenario.scenario.name, strategy=name, seed=seed, runs=runs, sampling=sampling
    )
