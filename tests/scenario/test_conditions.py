"""The condition compiler's limits: length and nesting depth, checked before it recurses."""

from __future__ import annotations

import pytest

from twofront.errors import ConditionError
from twofront.scenario.conditions import _PARSER as PARSER
from twofront.scenario.conditions import Names, compile_condition, tree_depth
from twofront.scenario.limits import MAX_CONDITION_CHARS, MAX_CONDITION_DEPTH

NAMES = Names(("a", "b"), ("shell",), ("f",), ("t",), "2024-08")


def test_a_condition_longer_than_the_limit_is_refused_before_parsing():
    text = "month > 1 or " * 200 + "month > 1"
    assert len(text) > MAX_CONDITION_CHARS
    with pytest.raises(ConditionError, match="longer than MAX_CONDITION_CHARS = 2000"):
        compile_condition(text, NAMES)


@pytest.mark.parametrize(
    "text",
    [
        "not " * 400 + "month > 1",
        "(" * 100 + "month > 1" + " and wars>0)" * 100,
    ],
)
def test_deep_nesting_is_refused_naming_the_limit(text):
    assert len(text) <= MAX_CONDITION_CHARS
    with pytest.raises(ConditionError, match="deeper than MAX_CONDITION_DEPTH = 32"):
        compile_condition(text, NAMES)


def test_nesting_within_the_limit_compiles():
    condition = compile_condition("not " * 10 + "month > 1", NAMES)
    assert condition.tree[0] == "not"


def test_depth_counts_each_not():
    assert (
        tree_depth(PARSER.parse("not not month > 1")) == tree_depth(PARSER.parse("month > 1")) + 2
    )
    assert MAX_CONDITION_DEPTH == 32
