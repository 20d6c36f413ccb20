"""PRIM and CART find a planted box."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twofront.analysis.discovery import Prim, box_table, cart_leaves


def planted(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Five uniform inputs; the runs of interest are those with a > 0.6 and b < 0.3
    (plus 2% noise)."""
    rng = np.random.default_rng(seed)
    inputs = pd.DataFrame(rng.uniform(size=(n, 5)), columns=list("abcde"))
    hit = ((inputs["a"] > 0.6) & (inputs["b"] < 0.3)).to_numpy() | (rng.uniform(size=n) < 0.02)
    return inputs, hit


def test_prim_finds_the_planted_box_and_calls_only_its_inputs_significant():
    inputs, hit = planted()
    prim = Prim(alpha=0.05, min_coverage=0.8).fit(inputs, hit)
    box = prim.boxes_[prim.chosen_]
    assert set(box.limits) == {"a", "b"}
    assert abs(box.limits["a"][0] - 0.6) < 0.05
    assert abs(box.limits["b"][1] - 0.3) < 0.05
    assert box.density > 0.85 and box.coverage > 0.8
    table = box_table(box, inputs, hit)
    assert (table["quasi_p"] < 1e-6).all()
    trajectory = prim.trajectory_
    assert trajectory["coverage"].iloc[0] == 1.0
    assert trajectory["density"].iloc[0] == hit.mean()
    assert trajectory["mass"].is_monotonic_decreasing


def test_cart_densest_leaf_is_the_planted_box():
    inputs, hit = planted()
    leaves, rules = cart_leaves(inputs, hit, max_depth=2)
    best = leaves[0].box
    assert set(best.limits) == {"a", "b"}
    assert abs(best.limits["a"][0] - 0.6) < 0.03 and abs(best.limits["b"][1] - 0.3) < 0.03
    assert best.density > 0.85
    assert "a <=" in rules
