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
EDGE = 1e-12


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
        if self.method == "sobol" and self.points is not None and self.dimension is not None:
            return self.points[:, self.dimension[path]]
        return self.stream.uniform(SAMPLING_MONTH, f"param:{path}")[:, 0]


def uncertain_paths(scenario: Scenario) -> list[str]:
    """Paths of every number that is not fixed, in file order."""
    return [path for path, param in iter_params(scenario) if param.dist != "fixed"]


def make_design(scenario: Scenario, stream: Stream, method: str, root_seed: int) -> Design:
    """The design for the runs of ``stream`` (contiguous global run indices for sobol)."""
    if method not in DESIGNS:
        raise ExperimentError(f"sampling = {method!r}; expected one of {list(DESIGNS)}")
    if method != "sobol":
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
