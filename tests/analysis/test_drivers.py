"""Global sensitivity on functions with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import pawn as salib_pawn
from SALib.test_functions import Ishigami

from twofront.analysis.drivers import (
    NOISE,
    morris_indices,
    noise_level,
    pawn,
    problem,
    rank_drivers,
    sobol_indices,
)
from twofront.engine.designs import morris_matrix, saltelli_matrix


def test_pawn_equals_salibs_statistic_on_continuous_and_binary_outcomes():
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(600, 3))
    for y in (x[:, 0] ** 2 + 0.3 * x[:, 1], (x[:, 0] + 0.2 * rng.uniform(size=600) > 0.7) * 1.0):
        ours = pawn(x, y)
        with np.errstate(all="ignore"):
            theirs = salib_pawn.analyze(problem(["a", "b", "c"]), x, y, S=10)["median"]
        np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_rank_drivers_puts_the_active_inputs_first_and_the_inert_one_with_the_noise():
    rng = np.random.default_rng(0)
    n = 4000
    inputs = pd.DataFrame({"strong": rng.uniform(size=n), "weak": rng.uniform(size=n),
                           "inert": rng.uniform(size=n)})  # fmt: skip
    y = (2 * inputs["strong"] + 0.5 * inputs["weak"] + 0.3 * rng.normal(size=n)).to_numpy()
    ranking = rank_drivers(inputs, y, seed=1, resamples=30)
    table = ranking.table.set_index("input")
    assert list(ranking.table["input"][:2]) == ["strong", "weak"]
    assert table.loc["strong", "rho"] > 0.8
    assert (
        table.loc["strong", "rho_low"]
        < table.loc["strong", "rho"]
        < table.loc["strong", "rho_high"]
    )
    # swing of y = 2x over the thirds: 2 * (5/6 - 1/6) = 1.33
    assert table.loc["strong", "swing"] == pytest.approx(4 / 3, abs=0.05)
    assert table.loc["inert", "pawn_low"] < noise_level(ranking) + 0.01
    assert table.loc["weak", "pawn_low"] > noise_level(ranking)
    assert NOISE in set(ranking.table["input"])


def test_sobol_indices_of_ishigami_within_salibs_tolerance():
    names = ["x1", "x2", "x3"]
    uniforms = saltelli_matrix(3, 1024, second_order=True, seed=0)
    x = -np.pi + 2 * np.pi * uniforms
    first, second = sobol_indices(Ishigami.evaluate(x), names, second_order=True, seed=0)
    first = first.set_index("input")
    # Analytic values (Ishigami & Homma 1990; a=7, b=0.1), tolerance as SALib's own tests.
    np.testing.assert_allclose(first.loc[names, "S1"], [0.3139, 0.4424, 0.0], atol=5e-2)
    np.testing.assert_allclose(first.loc[names, "ST"], [0.5576, 0.4424, 0.2437], atol=5e-2)
    s13 = second.set_index(["input", "with"]).loc[("x1", "x3"), "S2"]
    assert s13 == pytest.approx(0.2437, abs=5e-2)


def test_morris_ranks_known_inactive_inputs_last():
    uniforms = morris_matrix(5, 40, levels=4, seed=0)
    y = 5 * uniforms[:, 0] + 3 * uniforms[:, 1] ** 2 + uniforms[:, 2] * uniforms[:, 0]
    table = morris_indices(uniforms, y, ["a", "b", "c", "d", "e"], levels=4, seed=0)
    assert list(table["input"][:3]) == ["a", "b", "c"]
    inactive = table.set_index("input").loc[["d", "e"]]
    assert (inactive["mu_star"] == 0).all()
    assert uniforms.shape == (40 * 6, 5)
