"""Sampling designs: where each run's uncertain parameters come from.

* ``mc`` (default): independent uniforms from the counter-based stream,
  keyed by (root seed, run, parameter path) — see :mod:`twofront.engine.rng`.
* ``sobol``: run ``i`` takes point ``i`` of one scrambled Sobol' sequence
  (Owen scrambling seeded by the root seed), one dimension per uncertain
  parameter of the scenario in file order. Points are addressed by run
  index, so a run is the same in every chunk; the sequence fills the space
  of parameters more evenly than independent draws, which lowers the error
  of means for the same number of runs (Sobol' 1967; Owen 1998,
  doi:10.1145/272991.273010). Use powers of two for the run count.
* ``nominal``: every uncertain parameter at its central value (the figure
  the source reports, else the mode, median or mean): the "central case",
  with only the monthly chance events left random.
* ``saltelli:BASE[:PATH,PATH,...]``: Saltelli's design for Sobol' indices (first, total and
  second order; Saltelli et al. 2010, doi:10.1016/j.cpc.2009.09.018), from
  SALib: ``BASE * (2D + 2)`` runs for ``D`` uncertain parameters (the listed
  paths, else every uncertain one), run ``i`` taking row ``i``; parameters not
  listed stay at their central values. Use a power of two for ``BASE``.
* ``morris:TRAJECTORIES[:PATH,...]``: Morris's one-at-a-time trajectories on a grid of
  :data:`MORRIS_LEVELS` levels (Morris 1991, doi:10.1080/00401706.1991.10484804):
  ``TRAJECTORIES * (D + 1)`` runs.

Both sensitivity designs are a function of (D, size, root seed) only, so
every chunk rebuilds the same matrix and takes its own rows.

Monthly draws (escalation, opportunism) and the belief errors of
bargaining always come from the counter-based stream.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import qmc

from twofront.engine.rng import SAMPLING_MONTH, Stream
from twofront.errors import ExperimentError
from twofront.scenario.distributions import Param
from twofront.scenario.schema import Scenario
from twofront.scenario.sources import iter_params

DESIGNS = ("mc", "sobol", "nominal")
SENSITIVITY = ("saltelli", "morris")
"""Designs with a size: ``saltelli:BASE``, ``morris:TRAJECTORIES``."""
MORRIS_LEVELS = 4
EDGE = 1e-12
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Design:
    """Uniforms on (0, 1) for a parameter path, one per run; None means 'nominal'."""

    method: str
    stream: Stream
    points: NDArray[np.float64] | None = None  # (run, dimension) for sobol
    dimension: dict[str, int] | None = None  # parameter path -> column of ``points``

    def uniforms(self, param: Param, path: str) -> NDArray[np.float64] | None:
        if self.method == "nominal":
            return None
        if self.points is not None and self.dimension is not None:
            if self.method in SENSITIVITY and path not in self.dimension:
                return None  # not varied by the design: its central value
            return self.points[:, self.dimension[path]]
        return self.stream.uniform(SAMPLING_MONTH, f"param:{path}")[:, 0]


def uncertain_paths(scenario: Scenario) -> list[str]:
    """Paths of every number that is not fixed, in file order."""
    return [path for path, param in iter_params(scenario) if param.dist != "fixed"]


def parse_sampling(text: str) -> tuple[str, int, tuple[str, ...]]:
    """``(method, size, paths)`` of a sampling text: ``mc``, ``sobol``, ``nominal`` (size 0),
    ``saltelli:BASE[:PATHS]`` or ``morris:TRAJECTORIES[:PATHS]`` (PATHS comma-separated;
    none: every uncertain parameter)."""
    method, _, rest = text.partition(":")
    size, _, listed = rest.partition(":")
    if method in DESIGNS and not rest:
        return method, 0, ()
    if method in SENSITIVITY and size.isdigit() and int(size) >= 1:
        return method, int(size), tuple(p for p in listed.split(",") if p)
    raise ExperimentError(
        f"sampling = {text!r}; expected one of {list(DESIGNS)}, saltelli:BASE[:PATHS] or "
        "morris:TRAJECTORIES[:PATHS] (a whole number >= 1, comma-separated paths)"
    )


def design_paths(scenario: Scenario, sampling: str) -> list[str]:
    """The parameters a sensitivity design varies, in order (its dimensions); raises
    :class:`ExperimentError` for a listed path that is not an uncertain parameter."""
    _, _, listed = parse_sampling(sampling)
    uncertain = uncertain_paths(scenario)
    unknown = [p for p in listed if p not in uncertain]
    if unknown:
        raise ExperimentError(
            f"sampling = {sampling!r}: {unknown} are not uncertain parameters of "
            f"{scenario.scenario.name!r}; expected paths with a distribution"
        )
    return list(listed) or uncertain


def design_runs(dimensions: int, sampling: str) -> int | None:
    """Runs a sensitivity design needs for ``dimensions`` parameters (None: any number)."""
    method, size, _ = parse_sampling(sampling)
    if method == "saltelli":
        return size * (2 * dimensions + 2)
    if method == "morris":
        return size * (dimensions + 1)
    return None


def unit_problem(dimensions: int) -> dict[str, object]:
    """A SALib problem of ``dimensions`` inputs on the unit cube."""
    return {
        "num_vars": dimensions,
        "names": [f"x{k}" for k in range(dimensions)],
        "bounds": [[0.0, 1.0]] * dimensions,
    }


def saltelli_matrix(dimensions: int, base: int, second_order: bool, seed: int) -> F64:
    """Saltelli's design on the unit cube: ``base * (2D + 2)`` rows with second order,
    ``base * (D + 2)`` without; ``(row, dimension)`` uniforms. SALib ignores seed 0
    (``if seed:``), so it is given ``seed + 1``."""
    from SALib.sample import sobol as sobol_sample

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a base that is not a power of two
        rows = sobol_sample.sample(
            unit_problem(dimensions), base, calc_second_order=second_order, scramble=True,
            seed=seed + 1,
        )  # fmt: skip
    return np.asarray(rows, dtype=np.float64)


def morris_matrix(dimensions: int, trajectories: int, levels: int, seed: int) -> F64:
    """Morris trajectories on the unit cube: ``trajectories * (D + 1)`` rows of uniforms."""
    from SALib.sample import morris as morris_sample

    rows = morris_sample.sample(
        unit_problem(dimensions), trajectories, num_levels=levels, seed=seed + 1
    )
    return np.asarray(rows, dtype=np.float64)


def make_design(scenario: Scenario, stream: Stream, method: str, root_seed: int) -> Design:
    """The design for the runs of ``stream`` (contiguous global run indices for sobol)."""
    kind, size, _ = parse_sampling(method)
    if kind in SENSITIVITY:
        paths = design_paths(scenario, method)
        matrix = (
            saltelli_matrix(len(paths), size, True, root_seed)
            if kind == "saltelli"
            else morris_matrix(len(paths), size, MORRIS_LEVELS, root_seed)
        )
        runs = stream.runs.astype(np.int64)
        if runs.size and runs.max() >= len(matrix):
            raise ExperimentError(
                f"sampling = {method!r}: run {int(runs.max())} is past the design's "
                f"{len(matrix)} rows; expected --runs {len(matrix)}"
            )
        points = np.clip(matrix[runs], EDGE, 1.0 - EDGE)
        return Design(kind, stream, points, {path: k for k, path in enumerate(paths)})
    if kind != "sobol":
        return Design(method, stream)
    runs = stream.runs.astype(np.int64)
    if runs.size and not np.array_equal(runs, np.arange(runs[0], runs[0] + runs.size)):
        raise ExperimentError("sobol sampling needs contiguous run indices")
    paths = uncertain_paths(scenario)
    if not paths or runs.size == 0:
        return Design(method, stream, np.zeros((runs.size, 0)), {})
    engine = qmc.Sobol(len(paths), scramble=True, rng=np.random.default_rng(root_seed))
    if runs[0] > 0:  # scipy's fast_forward(0) overflows
        engine.fast_forward(int(runs[0]))
    with warnings.catch_warnings():
        # Balance needs a power-of-two total; a chunk is part of the whole sequence.
        warnings.simplefilter("ignore", UserWarning)
        points = np.clip(engine.random(runs.size), EDGE, 1.0 - EDGE)
    return Design(method, stream, points, {path: k for k, path in enumerate(paths)})
