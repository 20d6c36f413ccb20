"""optuna finds a known optimum of a noisy function, and a two-objective front."""

from __future__ import annotations

import numpy as np
import pytest

from twofront.analysis.optimise import (
    Choice,
    Knob,
    noisy_bowl,
    parse_choice,
    parse_knob,
    search,
)
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


def test_a_choice_lists_its_distinct_options():
    choice = parse_choice("strategies.a.restrictions_lifted_when=month >= 0|month < 0")
    assert choice == Choice("strategies.a.restrictions_lifted_when", ("month >= 0", "month < 0"))
    assert parse_choice("end_state=freeze|essay|vague").options == ("freeze", "essay", "vague")


@pytest.mark.parametrize("text", ["end_state=freeze", "end_state=a|a", "=a|b", "end_state=a||b"])
def test_a_bad_choice_says_what_is_expected(text):
    with pytest.raises(UsageError, match="--choose"):
        parse_choice(text)


def test_search_picks_the_better_option_of_a_choice():
    # One objective, the option's index: TPE must find "low" within a few trials.
    score = {"high": 1.0, "mid": 0.5, "low": 0.0}
    every, best = search(
        [], lambda s: [score[str(s["pick"])]], ["minimize"], 12, seed=3,
        choices=[Choice("pick", ("high", "mid", "low"))],
    )  # fmt: skip
    assert set(every["pick"]) == {"high", "mid", "low"}
    assert best["pick"].tolist() == ["low"] * len(best)
