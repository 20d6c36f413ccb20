"""Will a simulation fit the machine? An estimate of memory and time before it starts.

Results are held in memory as float32 trajectories of shape
(run, month, ...) plus float64 per-run outcomes (see
:mod:`twofront.engine.record`); chunks are joined at the end, which holds
the last strategy's results twice. Measured on world-2024 (119 trajectory
cells a month, 36 months): 18.5 kB of results a run, a peak of 1.7 GB at
40,000 runs, about 100,000 run-months a second on one core.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from twofront.errors import ResourceError
from twofront.scenario.limits import MAX_RUNS
from twofront.scenario.schema import Scenario

BASE_BYTES = 300e6
"""Interpreter, NumPy, pandas, xarray and matplotlib loaded, before any run."""

RUN_MONTHS_PER_SECOND = 100_000 * 119
"""Throughput in run-months x trajectory cells per second (measured, see above)."""

MEMORY_SHARE = 0.8
"""Share of the available memory a run may plan to use; the rest is left to others."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """Peak memory and wall time of a simulation, both rough (within a factor of 2)."""

    peak_bytes: float
    seconds: float

    def describe(self) -> str:
        return f"about {self.peak_bytes / 1e9:.1f} GB of memory and {self.seconds:.0f} s"


def cells_per_month(spec: Scenario) -> int:
    """Trajectory values recorded per run and month."""
    actors, munitions = len(spec.actors), len(spec.munitions)
    return 5 * len(spec.fronts) + 2 * actors * munitions + 3 * actors + 2 * len(spec.theaters)


def estimate(spec: Scenario, runs: int, strategies: int = 1) -> Estimate:
    """Memory and time to run ``strategies`` strategies of ``runs`` runs each on ``spec``."""
    months = spec.scenario.horizon_months + 1
    cells = cells_per_month(spec)
    outcomes = len(spec.theaters) * (8 + len(spec.actors) * len(spec.munitions)) + 16
    per_run = 4.0 * months * cells + 8.0 * outcomes
    peak = BASE_BYTES + per_run * runs * (strategies + 1)
    seconds = runs * strategies * months * cells / RUN_MONTHS_PER_SECOND
    return Estimate(peak, seconds)


def available_bytes() -> float:
    """Memory available to a new process now (``MemAvailable``), else physical memory."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return float("inf")


def check_fits(spec: Scenario, runs: int, strategies: int = 1, force: bool = False) -> Estimate:
    """Refuse, before any work, a run count above ``MAX_RUNS`` or one that cannot fit in memory.

    With ``force`` the memory check is skipped (the estimate may be pessimistic).
    """
    if runs > MAX_RUNS:
        raise ResourceError(f"--runs {runs}: more than MAX_RUNS = {MAX_RUNS:,} per call")
    needed = estimate(spec, runs, strategies)
    free = available_bytes()
    if not force and needed.peak_bytes > MEMORY_SHARE * free:
        raise ResourceError(
            f"{runs:,} runs x {strategies} strateg{'y' if strategies == 1 else 'ies'} of "
            f"{spec.scenario.name} need {needed.describe()}; this machine has "
            f"{free / 1e9:.1f} GB available. Use fewer --runs (or several calls with other "
            "--seed values), or --force to try anyway"
        )
    return needed
