"""Terminal tables: the comparison shows what differs and says what it left out."""

from __future__ import annotations

import numpy as np
from rich.console import Console

from twofront.analysis.compare import Comparison, Estimate, Outcome
from twofront.report.console import comparison_table


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
