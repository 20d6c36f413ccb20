"""Sampling designs: independent draws, scrambled Sobol' points, nominal values."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from twofront.engine.designs import make_design, uncertain_paths
from twofront.engine.rng import make_stream
from twofront.errors import ExperimentError
from twofront.simulation import run, sample


def test_sobol_runs_are_identical_whatever_the_chunking(toy):
    whole = run(toy, runs=16, seed=5, sampling="sobol")
    chunked = run(toy, runs=16, seed=5, sampling="sobol", chunk_runs=5)
    xr.testing.assert_identical(whole, chunked)


def ks_distance(u):
    """Kolmogorov-Smirnov distance of a sample from the uniform on (0, 1)."""
    x = np.sort(u)
    i = np.arange(1, x.size + 1)
    return max(np.max(i / x.size - x), np.max(x - (i - 1) / x.size))


def test_sobol_points_fill_a_margin_more_evenly_than_independent_draws(toy):
    # blue's stockpile is uniform(100,000, 300,000) in toy.toml.
    n = 1024
    stream = make_stream(2, np.arange(n))
    by = {}
    for method in ("mc", "sobol"):
        params = sample(toy, "steady", stream, make_design(toy, stream, method, 2))
        u = (params.world.stockpile[:, 0, 0] - 100_000.0) / 200_000.0
        by[method] = ks_distance(u)
    assert by["sobol"] < by["mc"] / 3
    assert by["sobol"] < 0.01


def test_nominal_puts_every_number_at_its_central_value(toy):
    stream = make_stream(0, np.arange(4))
    params = sample(toy, "steady", stream, make_design(toy, stream, "nominal", 0))
    np.testing.assert_array_equal(params.world.stockpile[:, 0, 0], 200_000.0)  # uniform midpoint
    # red's will is beta(8, 2): mean 0.8
    np.testing.assert_allclose(params.world.will[:, 1], 0.8)


def test_every_uncertain_number_of_each_shipped_scenario_has_a_sobol_dimension():
    from twofront.scenario.loader import load, shipped_names

    for name in shipped_names():
        scenario = load(name)
        stream = make_stream(0, np.arange(8))
        design = make_design(scenario, stream, "sobol", 0)
        assert design.points.shape == (8, len(uncertain_paths(scenario)))
        for strategy in scenario.strategies:
            sample(scenario, strategy, stream, design)  # a missing path would raise KeyError


def test_unknown_design_and_scattered_runs_are_rejected(toy):
    with pytest.raises(ExperimentError, match="sampling = 'lhs'"):
        run(toy, runs=2, seed=0, sampling="lhs")
    with pytest.raises(ExperimentError, match="contiguous"):
        make_design(toy, make_stream(0, np.array([0, 2, 5])), "sobol", 0)


def test_saltelli_design_varies_the_listed_paths_and_keeps_the_rest_central(toy):
    from twofront.engine.designs import design_runs, saltelli_matrix

    paths = uncertain_paths(toy)
    listed = paths[:2]
    sampling = f"saltelli:4:{','.join(listed)}"
    runs = design_runs(2, sampling)
    assert runs == 4 * (2 * 2 + 2)
    whole = run(toy, runs=runs, seed=3, sampling=sampling)
    chunked = run(toy, runs=runs, seed=3, sampling=sampling, chunk_runs=7)
    xr.testing.assert_identical(whole, chunked)
    stream = make_stream(3, np.arange(runs))
    params = sample(toy, "steady", stream, make_design(toy, stream, sampling, 3))
    nominal = sample(toy, "steady", stream, make_design(toy, stream, "nominal", 3))
    for path in paths[2:]:
        np.testing.assert_array_equal(params.inputs[path], nominal.inputs[path])
    assert np.unique(params.inputs[listed[0]]).size > 1
    rows = saltelli_matrix(2, 4, True, 3)
    assert rows.shape == (runs, 2)


def test_sensitivity_designs_refuse_a_wrong_run_count_and_unknown_paths(toy):
    with pytest.raises(ExperimentError, match="needs exactly 24 runs"):
        run(
            toy,
            runs=10,
            seed=0,
            sampling=f"saltelli:4:{uncertain_paths(toy)[0]},{uncertain_paths(toy)[1]}",
        )
    with pytest.raises(ExperimentError, match="not uncertain parameters"):
        run(toy, runs=8, seed=0, sampling="morris:4:no.such.path")
    with pytest.raises(ExperimentError, match="morris:TRAJECTORIES"):
        run(toy, runs=8, seed=0, sampling="morris:zero")
