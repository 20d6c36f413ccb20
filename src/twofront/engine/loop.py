"""The month loop: phases in a given order, every run advanced together.

:func:`step` passes the state through each phase, a pure function
``(state, params, rng) -> state``, then lets :func:`guard` freeze any run
whose state stopped being finite. The phases and their order are not known
here: :mod:`twofront.simulation` holds the step order of the model.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import fields, replace
from typing import Any

import numpy as np
import xarray as xr

from twofront.engine.params import Params
from twofront.engine.record import INTEGER_TRAJECTORIES, TRAJECTORIES, Recorder
from twofront.engine.rng import Stream
from twofront.engine.state import NAN_MEANS_NOT_YET, RunStatus, State

Phase = Callable[[State, Params, Stream], State]


def checked_fields(state: State) -> tuple[str, ...]:
    """Float fields the guard checks: all but those where NaN means 'not yet'."""
    return tuple(
        f.name
        for f in fields(state)
        if f.name not in NAN_MEANS_NOT_YET
        and isinstance(value := getattr(state, f.name), np.ndarray)
        and value.dtype.kind == "f"
    )


F32_MAX = float(np.finfo(np.float32).max)
"""Trajectories are stored as float32: a larger value would be stored as inf."""

RECORDED_AS_FLOAT32 = frozenset(
    "held_km2" if name == "occupied_km2" else name
    for name in TRAJECTORIES
    if name not in INTEGER_TRAJECTORIES
)
"""State fields whose values the recorder stores as float32 (occupied km2 from held_km2)."""


def guard(before: State, after: State) -> State:
    """Freeze runs whose new state is not finite, or too large to record, and mark them
    NON_FINITE.

    A failure inside one run is data: the other runs go on untouched. Whole-array sums
    (and extremes of recorded fields) find whether any run broke, without temporaries;
    only then is each run checked.
    """
    if all_sound(after):
        return after
    total = np.zeros(after.status.shape)
    too_large = np.zeros(after.status.shape, dtype=np.bool_)
    # A sum is NaN or infinite iff a term is (or inf - inf gives NaN): one pass per field.
    with np.errstate(invalid="ignore", over="ignore"):
        for name in checked_fields(after):
            flat = getattr(after, name).reshape(after.status.shape[0], -1)
            total += flat.sum(axis=1)
            if name in RECORDED_AS_FLOAT32:
                too_large |= (np.abs(flat) > F32_MAX).any(axis=1)
    bad = ~np.isfinite(total) | too_large
    if not bad.any():
        return after
    frozen: dict[str, Any] = {}
    for f in fields(State):
        new, old = getattr(after, f.name), getattr(before, f.name)
        if isinstance(new, np.ndarray) and f.name != "status":
            mask = bad.reshape((-1,) + (1,) * (new.ndim - 1))
            frozen[f.name] = np.where(mask, old, new)
    status = np.where(bad, np.int8(RunStatus.NON_FINITE), after.status).astype(np.int8)
    return replace(after, **frozen, status=status)


def all_sound(state: State) -> bool:
    """True when every checked field of every run is finite (a sum over the whole array is
    finite iff each term is, barring overflow, which then sends the slow path) and every
    recorded field fits float32."""
    with np.errstate(invalid="ignore", over="ignore"):
        for name in checked_fields(state):
            value = getattr(state, name)
            if not np.isfinite(value.sum()):
                return False
            if (
                name in RECORDED_AS_FLOAT32
                and value.size
                and (value.max() > F32_MAX or value.min() < -F32_MAX)
            ):
                return False
    return True


def step(state: State, params: Params, stream: Stream, phases: Sequence[Phase]) -> State:
    """Advance every run by one month through ``phases``, in order."""
    before = state
    for phase in phases:
        state = phase(state, params, stream)
    return replace(guard(before, state), month=state.month + 1)


def simulate(
    initial: State,
    params: Params,
    stream: Stream,
    phases: Sequence[Phase],
    keep: Collection[str] | None = None,
) -> Recorder:
    """Step from ``initial`` over the horizon and record every month (the trajectories
    ``keep``, default all; see :class:`Recorder`)."""
    state = initial
    recorder = Recorder(params, keep)
    recorder.record(state)
    for _ in range(params.index.horizon_months):
        state = step(state, params, stream, phases)
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
            var.attrs,
        )
        for name, var in first.data_vars.items()
    }
    coords = {name: coord for name, coord in first.coords.items() if "run" not in coord.dims}
    coords["run"] = np.concatenate([p["run"].values for p in parts])
    return xr.Dataset(data, coords=coords)
