"""The --where language: parsed, evaluated over arrays, never executed."""

from __future__ import annotations

import numpy as np
import pytest

from twofront.errors import StoreError
from twofront.experiment.where import evaluate_where, parse_where

A = np.array([0.0, 1.0, 1.0, 0.0])
B = np.array([0.0, 0.0, 1.0, 1.0])


def truth(text: str, columns: dict) -> list[bool]:
    return evaluate_where(parse_where(text), columns).tolist()


def test_a_paired_comparison_reads_each_strategy():
    where = parse_where("two_wars_at_once[sequencing] > two_wars_at_once[drip-feed]")
    assert where.refs == (("two_wars_at_once", "sequencing"), ("two_wars_at_once", "drip-feed"))
    columns = {("two_wars_at_once", "sequencing"): A, ("two_wars_at_once", "drip-feed"): B}
    assert evaluate_where(where, columns).tolist() == [False, True, False, False]


def test_connectives_bare_names_sums_and_hyphenated_ids():
    columns = {("settled__europe", None): A, ("war_began__indo-pacific", None): B}
    assert truth("settled__europe == 0 and war_began__indo-pacific", columns) == [
        False, False, False, True
    ]  # fmt: skip
    assert truth("not (settled__europe or war_began__indo-pacific)", columns) == [
        True, False, False, False
    ]  # fmt: skip
    assert truth("settled__europe - war_began__indo-pacific + 1 >= 1", columns) == [
        True, True, True, False
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.b()",
        "a > ",
        "lambda: 1",
        "a ** 2 > 1",
    ],
)
def test_anything_but_the_language_is_refused_not_run(text):
    with pytest.raises(StoreError, match="cannot parse"):
        parse_where(text)


def test_a_sum_alone_is_not_a_condition():
    with pytest.raises(StoreError, match="cannot parse"):
        parse_where("a + 1 - 1")


def test_an_overlong_condition_is_refused():
    with pytest.raises(StoreError, match="longer than"):
        parse_where("a > 0 or " * 100 + "a > 0")
