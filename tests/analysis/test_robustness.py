"""Regret, satisficing and worst cases on hand-computed tables."""

from __future__ import annotations

import pandas as pd
import pytest

from twofront.analysis.robustness import (
    HIGHER,
    parse_threshold,
    regret,
    satisficing,
    worst_case,
)
from twofront.errors import UsageError

# Three worlds, three strategies; lower is better.
TABLE = pd.DataFrame({"A": [1.0, 4.0, 2.0], "B": [2.0, 1.0, 2.0], "C": [3.0, 3.0, 0.0]})


def test_regret_on_a_hand_computed_table():
    # best per world: 1, 1, 0 -> regrets A: 0,3,2  B: 1,0,2  C: 2,2,0
    table = regret(TABLE).set_index("strategy")
    assert table.loc["A", "mean_regret"] == pytest.approx(5 / 3)
    assert table.loc["B", "mean_regret"] == pytest.approx(1.0)
    assert table.loc["C", "mean_regret"] == pytest.approx(4 / 3)
    assert list(table["max_regret"]) == [3.0, 2.0, 2.0]
    assert list(table["share_best"]) == pytest.approx([1 / 3, 1 / 3, 1 / 3])


def test_regret_when_higher_is_better_measures_from_the_maximum():
    # best per world: 3, 4, 2 -> regrets A: 2,0,0
    table = regret(TABLE, HIGHER).set_index("strategy")
    assert table.loc["A", "mean_regret"] == pytest.approx(2 / 3)


def test_satisficing_needs_every_threshold_at_once():
    frames = {
        "A": pd.DataFrame({"wars": [0, 1, 0], "cost": [5, 1, 9]}),
        "B": pd.DataFrame({"wars": [0, 0, 0], "cost": [9, 9, 1]}),
    }
    thresholds = [parse_threshold("wars<=0"), parse_threshold("cost < 6")]
    shares = satisficing(frames, thresholds)
    assert shares["A"] == pytest.approx(1 / 3)
    assert shares["B"] == pytest.approx(1 / 3)


def test_worst_case_quantiles_and_a_bad_threshold():
    table = worst_case(TABLE, (0.5, 1.0)).set_index("strategy")
    assert table.loc["A", "q100"] == 4.0 and table.loc["C", "q50"] == 3.0
    with pytest.raises(UsageError, match="expected OUTCOME<=NUMBER"):
        parse_threshold("two wars")
