"""Record the state month by month and label it as an xarray Dataset.

Trajectories are stored as float32 (about 7 significant digits, ample for
km², personnel and rounds) to halve memory at 100k runs; per-run outcomes
are float64.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from twofront.engine.params import SIDES, Params
from twofront.engine.state import State

TRAJECTORIES: dict[str, tuple[str, ...]] = {
    "occupied_km2": ("front",),
    "personnel": ("front", "side"),
    "casualties_per_month": ("front", "side"),
    "stockpile": ("actor", "munition"),
    "produced_per_month": ("actor", "munition"),
    "fired_per_month": ("actor",),
    "reserves_personnel": ("actor",),
    "will": ("actor",),
    "theater_status": ("theater",),
}


def occupied_km2(state: State, params: Params) -> NDArray[np.float64]:
    """(run, front) km² held by the side whose soil the front is not."""
    not_owner = 1 - params.index.front_soil_side
    return np.take_along_axis(state.held_km2, not_owner[None, :, None], axis=2)[:, :, 0]


class Recorder:
    """Collects one snapshot per month; ``to_dataset`` labels them."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.snapshots: dict[str, list[NDArray]] = {name: [] for name in TRAJECTORIES}
        self.final: State | None = None

    def record(self, state: State) -> None:
        for name in TRAJECTORIES:
            if name == "occupied_km2":
                value = occupied_km2(state, self.params)
            else:
                value = getattr(state, name)
            dtype = np.int8 if name == "theater_status" else np.float32
            self.snapshots[name].append(value.astype(dtype))
        self.final = state

    def to_dataset(self, run_ids: NDArray[np.integer]) -> xr.Dataset:
        index = self.params.index
        state = self.final
        assert state is not None, "record() was never called"
        months = np.arange(len(self.snapshots["will"]))
        coords = {
            "run": run_ids,
            "month": months,
            "date": ("month", [index.month_label(int(m)) for m in months]),
            "front": list(index.fronts),
            "side": list(SIDES),
            "actor": list(index.actors),
            "munition": list(index.munitions),
            "theater": list(index.theaters),
        }
        data = {
            name: (("run", "month", *dims), np.stack(self.snapshots[name], axis=1))
            for name, dims in TRAJECTORIES.items()
        }
        data["final_occupied_km2"] = (("run", "front"), occupied_km2(state, self.params))
        data["area_km2"] = (("run", "front"), self.params.area_km2)
        data["casualties_total"] = (("run", "actor"), state.casualties_total)
        data["spent_usd"] = (("run", "actor"), state.spent_usd)
        data["min_stockpile_seen"] = (
            ("run", "actor", "munition"),
            np.stack(self.snapshots["stockpile"], axis=1).min(axis=1).astype(np.float64),
        )
        data["run_status"] = (("run",), state.status)
        return xr.Dataset(data, coords=coords)
