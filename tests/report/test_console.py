"""Terminal tables: the comparison shows what differs and says what it left out."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console

from twofront.analysis.compare import Comparison, Estimate, Outcome
from twofront.report.console import comparison_table, headline, significant


def _comparison() -> Comparison:
    outcomes = tuple(Outcome(n, "units", lambda d: np.zeros(1)) for n in ("differs", "same"))
    strategies = ("base", "alt")
    estimates = {
        ("base", "differs"): Estimate(1.0, 0.5, 1.5, 10),
        ("alt", "differs"): Estimate(2.0, 1.5, 2.5, 10),
        ("base", "same"): Estimate(3.0, 3.0, 3.0, 10),
        ("alt", "same"): Estimate(3.0, 3.0, 3.0, 10),
    }
    differences = {key: Estimate(0.0, 0.0, 0.0, 10) for key in estimates}
    differences["alt", "differs"] = Estimate(1.0, 0.8, 1.2, 10)
    shares = {key: 0.0 for key in estimates}
    shares["alt", "differs"] = 0.9
    return Comparison(
        "base", strategies, outcomes, estimates, differences, {"base": 0, "alt": 2}, shares, shares
    )


def _text(table) -> str:
    console = Console(record=True, width=200)
    console.print(table)
    return console.export_text()


def test_outcomes_equal_under_every_strategy_are_left_out_and_counted():
    text = _text(comparison_table(_comparison(), runs=10, seed=0))
    assert "differs" in text
    assert "same" not in text.split("not shown")[0].split("\n", 1)[1]
    assert "1 outcome(s) equal under every strategy are not shown" in text


def test_the_title_says_how_many_runs_were_dropped_and_the_shares_are_shown():
    text = " ".join(_text(comparison_table(_comparison(), runs=10, seed=0)).split())
    assert "runs left out (status not OK): alt 2" in text
    assert "90%/90%" in text


def _headline_comparison() -> Comparison:
    """'two wars' (lower is better) drops under alt; 'tiny' moves by less than half a point."""
    outcomes = (
        Outcome("two wars", "share of runs", lambda d: np.zeros(1), "lower", headline=True),
        Outcome("tiny", "share of runs", lambda d: np.zeros(1), "lower", headline=True),
        Outcome("not headline", "km2", lambda d: np.zeros(1), "lower"),
    )
    estimates = {
        ("base", "two wars"): Estimate(0.40, 0.38, 0.42, 1000),
        ("alt", "two wars"): Estimate(0.25, 0.23, 0.27, 1000),
        ("base", "tiny"): Estimate(0.010, 0.005, 0.015, 1000),
        ("alt", "tiny"): Estimate(0.012, 0.007, 0.017, 1000),
        ("base", "not headline"): Estimate(5.0, 4.0, 6.0, 1000),
        ("alt", "not headline"): Estimate(9.0, 8.0, 10.0, 1000),
    }
    differences = {key: Estimate(0.0, 0.0, 0.0, 1000) for key in estimates}
    differences["alt", "two wars"] = Estimate(-0.15, -0.17, -0.13, 1000)
    differences["alt", "tiny"] = Estimate(0.002, 0.001, 0.003, 1000)
    differences["alt", "not headline"] = Estimate(4.0, 3.0, 5.0, 1000)
    higher = {key: 0.0 for key in estimates}
    lower = {key: 0.0 for key in estimates}
    higher["alt", "two wars"], lower["alt", "two wars"] = 0.02, 0.17
    return Comparison(
        "base", ("base", "alt"), outcomes, estimates, differences, {"base": 0, "alt": 0},
        higher, lower,
    )  # fmt: skip


def test_headline_shows_clear_differences_with_units_interval_and_worlds_better_or_worse():
    lines = headline(_headline_comparison(), "title")
    text = "\n".join(lines)
    assert "two wars [% of runs, lower better] base 40.0% [38.0, 42.0]" in text
    row = next(line for line in lines if line.strip().startswith("alt"))
    assert row.split() == ["alt", "25.0%", "-15.0", "[-17.0,", "-13.0]", "pts",
                           "17%", "/", "81%", "/", "2%"]  # fmt: skip
    assert "not headline" not in text
    assert "tiny" not in text
    assert "1 headline outcome(s) with no clear difference" in text
    assert lines[-1].startswith("Answer: two wars is lowest under alt: 25.0% against 40.0%")


def test_headline_with_every_shows_the_small_differences_too():
    text = "\n".join(headline(_headline_comparison(), "title", every=True))
    assert "tiny [% of runs, lower better]" in text
    assert "no clear difference" not in text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.01234, "0.0123"), (45.67, "45.7"), (7890.0, "7,890"), (12_345.0, "12.3k"),
     (-977_000.0, "-977k"), (2_910_000.0, "2.91M"), (0.0, "0")],
)  # fmt: skip
def test_numbers_keep_three_significant_digits_without_exponents(value, text):
    assert significant(value) == text
