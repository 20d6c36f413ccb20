"""What the compiled month loop records of each run, and the :class:`Recorder` it fills.

The compiled loop (:mod:`twofront.month`) steps one run through every month, so it
records inside the loop: a :class:`Plan` names the packed columns
(:mod:`twofront.engine.packed`) of each kept trajectory and of what the per-run outcomes
need (the lowest stock, the stocks each war began with, the lines at month 0), and
:func:`record_run` writes run ``r``'s month ``j`` into month-major buffers with the same
rules as :meth:`Recorder.record`. :meth:`Plan.recorder` then hands the buffers to a
:class:`Recorder`, whose ``to_dataset`` labels them as for the NumPy loop.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import kernel
from twofront.engine.packed import Packed
from twofront.engine.params import Params
from twofront.engine.record import (
    ALWAYS_RECORDED,
    INTEGER_TRAJECTORIES,
    TRAJECTORIES,
    Recorder,
)
from twofront.engine.state import State

I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Plan:
    """Columns to record and the buffers they go to, for one chunk of runs.

    ``float_columns`` are float64 columns written as float32 to ``floats`` (month, run,
    column); ``from_int64``, ``from_int8`` and ``from_bool`` are (source column, target
    column) pairs written as int8 to ``integers``. ``layout`` maps each recorded
    trajectory to (float or integer buffer, first target column, shape after the run).
    """

    keep: tuple[str, ...]
    float_columns: I64
    from_int64: I64
    from_int8: I64
    from_bool: I64
    stock_columns: I64
    snapshot_columns: I64
    occupied_columns: I64
    layout: dict[str, tuple[bool, int, tuple[int, ...]]]
    floats: NDArray[np.float32]
    integers: NDArray[np.int8]
    min_stock: NDArray[np.float32]
    last_stock: NDArray[np.float32]
    at_war_start: NDArray[np.float32]
    captured: I64
    occupied_start: NDArray[np.float32]

    def arrays(self) -> tuple[Any, ...]:
        """The arrays :func:`record_run` takes, in its order."""
        return (
            self.float_columns,
            self.from_int64,
            self.from_int8,
            self.from_bool,
            self.stock_columns,
            self.snapshot_columns,
            self.occupied_columns,
            self.floats,
            self.integers,
            self.min_stock,
            self.last_stock,
            self.at_war_start,
            self.captured,
            self.occupied_start,
        )

    def recorder(self, params: Params, final: State) -> Recorder:
        """A :class:`Recorder` holding what was recorded, ``final`` its last state."""
        recorder = Recorder(params, self.keep)
        months, runs = self.floats.shape[0], self.floats.shape[1]
        for name, (is_float, first, shape) in self.layout.items():
            size = int(np.prod(shape, dtype=np.int64))
            source = self.floats if is_float else self.integers
            recorder.buffers[name] = source[:, :, first : first + size].reshape(
                months, runs, *shape
            )
        stock_shape = final.stockpile.shape
        recorder.recorded = months
        recorder.final = final
        recorder._min_stock = self.min_stock.reshape(stock_shape)
        recorder._last_stock = self.last_stock.reshape(stock_shape)
        recorder._at_war_start = self.at_war_start.reshape(
            runs, self.captured.shape[1], *stock_shape[1:]
        )
        recorder._captured = self.captured
        recorder._occupied_start = self.occupied_start
        return recorder


def _columns(packed: Packed, name: str) -> I64:
    _, start, stop = packed.columns[name]
    return np.arange(start, stop, dtype=np.int64)


def plan(packed: Packed, params: Params, keep: Collection[str] | None) -> Plan:
    """The recording plan of ``packed``'s runs over ``params``' horizon."""
    names = tuple(TRAJECTORIES) if keep is None else tuple(n for n in TRAJECTORIES if n in keep)
    recorded = tuple(dict.fromkeys((*names, *ALWAYS_RECORDED)))
    state = packed.state
    runs = state.status.shape[0]
    months = params.index.horizon_months + 1
    n_fronts = state.held_km2.shape[1]
    not_owner = 1 - params.index.front_soil_side
    held = _columns(packed, "held_km2").reshape(n_fronts, 2)
    occupied = held[np.arange(n_fronts), not_owner]
    float_columns: list[I64] = []
    pairs: dict[int, list[tuple[int, int]]] = {1: [], 2: [], 3: []}
    layout: dict[str, tuple[bool, int, tuple[int, ...]]] = {}
    width_f = width_i = 0
    for name in recorded:
        if name in INTEGER_TRAJECTORIES:
            block, start, stop = packed.columns[name]
            shape = getattr(state, name).shape[1:]
            layout[name] = (False, width_i, shape)
            for k in range(stop - start):
                pairs[block].append((start + k, width_i + k))
            width_i += stop - start
        else:
            columns = occupied if name == "occupied_km2" else _columns(packed, name)
            shape = (n_fronts,) if name == "occupied_km2" else getattr(state, name).shape[1:]
            layout[name] = (True, width_f, shape)
            float_columns.append(columns)
            width_f += columns.size
    stock = _columns(packed, "stockpile")
    theaters = state.war_start_snapshot.shape[1]

    def as_pairs(block: int) -> I64:
        return np.array(pairs[block], dtype=np.int64).reshape(-1, 2)

    return Plan(
        keep=names,
        float_columns=(
            np.concatenate(float_columns) if float_columns else np.zeros(0, dtype=np.int64)
        ),
        from_int64=as_pairs(1),
        from_int8=as_pairs(2),
        from_bool=as_pairs(3),
        stock_columns=stock,
        snapshot_columns=_columns(packed, "war_start_snapshot"),
        occupied_columns=occupied.astype(np.int64),
        layout=layout,
        floats=np.empty((months, runs, width_f), dtype=np.float32),
        integers=np.empty((months, runs, width_i), dtype=np.int8),
        min_stock=np.empty((runs, stock.size), dtype=np.float32),
        last_stock=np.empty((runs, stock.size), dtype=np.float32),
        at_war_start=np.full((runs, theaters, stock.size), np.nan, dtype=np.float32),
        captured=np.full((runs, theaters), -1, dtype=np.int64),
        occupied_start=np.empty((runs, occupied.size), dtype=np.float32),
    )


@kernel
def record_run(
    r: int,
    j: int,
    blocks: Any,
    float_columns: I64,
    from_int64: I64,
    from_int8: I64,
    from_bool: I64,
    stock_columns: I64,
    snapshot_columns: I64,
    occupied_columns: I64,
    floats: NDArray[np.float32],
    integers: NDArray[np.int8],
    min_stock: NDArray[np.float32],
    last_stock: NDArray[np.float32],
    at_war_start: NDArray[np.float32],
    captured: I64,
    occupied_start: NDArray[np.float32],
) -> None:
    """Record run ``r``'s state as month ``j``: the trajectories, the lowest stock seen and
    the stocks of wars begun since the last record (``war_start_snapshot`` names this
    record or the one before), as :meth:`Recorder.record` does for every run."""
    f, i64, i8, b = blocks[0], blocks[1], blocks[2], blocks[3]
    for c in range(float_columns.shape[0]):
        floats[j, r, c] = np.float32(f[r, float_columns[c]])
    for k in range(from_int64.shape[0]):
        integers[j, r, from_int64[k, 1]] = np.int8(i64[r, from_int64[k, 0]])
    for k in range(from_int8.shape[0]):
        integers[j, r, from_int8[k, 1]] = i8[r, from_int8[k, 0]]
    for k in range(from_bool.shape[0]):
        integers[j, r, from_bool[k, 1]] = np.int8(1) if b[r, from_bool[k, 0]] else np.int8(0)
    if j == 0:
        for c in range(occupied_columns.shape[0]):
            occupied_start[r, c] = np.float32(f[r, occupied_columns[c]])
    for t in range(snapshot_columns.shape[0]):
        snapshot = i64[r, snapshot_columns[t]]
        if snapshot < 0 or snapshot == captured[r, t]:
            continue
        if snapshot == j:
            for c in range(stock_columns.shape[0]):
                at_war_start[r, t, c] = np.float32(f[r, stock_columns[c]])
            captured[r, t] = j
        elif snapshot == j - 1:
            for c in range(stock_columns.shape[0]):
                at_war_start[r, t, c] = last_stock[r, c]
            captured[r, t] = j - 1
    for c in range(stock_columns.shape[0]):
        value = np.float32(f[r, stock_columns[c]])
        last_stock[r, c] = value
        if j == 0 or value < min_stock[r, c] or np.isnan(value):
            min_stock[r, c] = value
