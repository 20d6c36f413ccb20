"""optuna finds a known optimum of a noisy function, and a two-objective front."""

from __future__ import annotations

import numpy as np
import pytest

from twofront.analysis.optimise import Knob, noisy_bowl, parse_knob, search
from twofront.errors import UsageError


def test_search_finds_the_minimum_of_a_noisy_bowl():
    rng = np.random.default_rng(0)
    knobs = [Knob("x", -1, 1), Knob("y", -1, 1)]
    trials, best = search(knobs, lambda s: [noisy_bowl(s, rng)], ["minimize"], 60, seed=1)
    assert len(trials) == 60
    assert best["x"].iloc[0] == pytest.approx(0.3, abs=0.15)
    assert best["y"].iloc[0] == pytest.approx(-0.2, abs=0.15)


def test_two_objectives_give_a_pareto_front_of_trade_offs():
    knobs = [Knob("x", 0, 1)]
    _, front = search(
        knobs, lambda s: [s["x"], (1 - s["x"]) ** 2], ["minimize", "minimize"], 30, seed=0
    )
    assert len(front) > 3
    ordered = front.sort_values("objective_0")
    assert ordered["objective_1"].is_monotonic_decreasing


def test_a_bad_range_is_refused():
    with pytest.raises(UsageError, match="PATH=LOW:HIGH"):
        parse_knob("combat.x=3:1")
