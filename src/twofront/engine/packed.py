"""A state packed run by run: every field a view into one (run, columns) block per dtype.

The compiled month loop (:mod:`twofront.engine.month`) keeps a copy of each run's state
from the start of the month, to restore it if the month leaves the run non-finite (the
guard of :mod:`twofront.engine.loop`). Copying 45 arrays field by field costs more than a
month of the model; copying four rows of numbers costs almost nothing. So the state is
packed: one C-ordered (run, columns) block per dtype (float64, int64, int8, bool), and
each field of :class:`~twofront.engine.state.State` is a view of its columns,
reshaped to the field's shape. Kernels index the views as they would the arrays.

``month``, an int in the state, becomes a (run,) int64 block of its own: runs advance
through the months independently inside the compiled loop.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import kernel
from twofront.engine.state import State

DTYPES = (np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.int8), np.dtype(np.bool_))
"""The dtypes of the state's fields, one block each, in this order."""


@dataclass(frozen=True, slots=True)
class Packed:
    """A state whose fields are views into ``blocks``.

    Attributes
    ----------
    state : State
        The fields as views (``month`` an int, as in any state).
    month : ndarray of int64, shape (run,)
        Each run's month, for compiled code.
    blocks : tuple of four ndarrays, shape (run, columns)
        float64, int64, int8 and bool columns of every field.
    columns : dict
        Field name -> (block index, first column, last column + 1).
    """

    state: State
    month: NDArray[np.int64]
    blocks: tuple[NDArray[Any], ...]
    columns: dict[str, tuple[int, int, int]]

    def checked_columns(self, names: frozenset[str]) -> NDArray[np.int64]:
        """float64 columns of the fields ``names``."""
        out = [
            np.arange(start, stop)
            for name, (block, start, stop) in self.columns.items()
            if block == 0 and name in names
        ]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def pack(state: State) -> Packed:
    """Copy ``state`` into packed blocks and return it with its fields as views of them."""
    arrays = {
        f.name: getattr(state, f.name)
        for f in fields(state)
        if isinstance(getattr(state, f.name), np.ndarray)
    }
    runs = state.status.shape[0]
    widths = [0] * len(DTYPES)
    columns: dict[str, tuple[int, int, int]] = {}
    for name, value in arrays.items():
        if value.dtype not in DTYPES:
            raise TypeError(f"state field {name} has dtype {value.dtype}; expected one of {DTYPES}")
        block = DTYPES.index(value.dtype)
        size = int(np.prod(value.shape[1:], dtype=np.int64))
        columns[name] = (block, widths[block], widths[block] + size)
        widths[block] += size
    blocks = tuple(
        np.empty((runs, max(w, 1)), dtype=d) for w, d in zip(widths, DTYPES, strict=True)
    )
    views: dict[str, Any] = {}
    for name, value in arrays.items():
        block, start, stop = columns[name]
        target = blocks[block][:, start:stop].reshape(value.shape)
        if target.size and not np.shares_memory(target, blocks[block]):
            raise AssertionError(f"{name}: the packed view is a copy")
        target[...] = value
        views[name] = target
    month = np.full(runs, state.month, dtype=np.int64)
    return Packed(replace(state, **views), month, blocks, columns)


F32_MAX = float(np.finfo(np.float32).max)
"""Trajectories are stored as float32: a larger value would be stored as inf."""


@kernel
def save_rows(r: int, blocks: Any, saved: Any) -> None:
    """Copy run ``r``'s row of each block into the one-run rows ``saved``."""
    for k in range(blocks[0].shape[1]):
        saved[0][k] = blocks[0][r, k]
    for k in range(blocks[1].shape[1]):
        saved[1][k] = blocks[1][r, k]
    for k in range(blocks[2].shape[1]):
        saved[2][k] = blocks[2][r, k]
    for k in range(blocks[3].shape[1]):
        saved[3][k] = blocks[3][r, k]


@kernel
def restore_rows(r: int, blocks: Any, saved: Any, status_column: int) -> None:
    """Put ``saved`` back into run ``r``'s rows, all but the int8 ``status_column``."""
    for k in range(blocks[0].shape[1]):
        blocks[0][r, k] = saved[0][k]
    for k in range(blocks[1].shape[1]):
        blocks[1][r, k] = saved[1][k]
    for k in range(blocks[2].shape[1]):
        if k != status_column:
            blocks[2][r, k] = saved[2][k]
    for k in range(blocks[3].shape[1]):
        blocks[3][r, k] = saved[3][k]


@kernel
def sound_row(
    r: int, floats: NDArray[np.float64], checked: NDArray[np.int64], recorded: NDArray[np.int64]
) -> bool:
    """True when run ``r``'s ``checked`` float columns are finite and its ``recorded``
    ones fit float32 (the guard of :func:`twofront.engine.loop.guard`)."""
    for c in checked:
        if not np.isfinite(floats[r, c]):
            return False
    for c in recorded:  # noqa: SIM110 (a loop, not a generator, in compiled code)
        if abs(floats[r, c]) > F32_MAX:
            return False
    return True
