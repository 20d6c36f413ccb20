"""Evaluate compiled strategy conditions over observed state, every run at once.

The language itself (grammar, compiler, name checks) is part of the scenario
file format: :mod:`twofront.scenario.conditions`. Here a compiled
:class:`~twofront.scenario.conditions.Condition` is evaluated month by month;
each value is an array over runs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from twofront.errors import ConditionError
from twofront.scenario.conditions import THEATER_STATUSES, Condition, Node

WAR_CODE = THEATER_STATUSES.index("war")


@dataclass(frozen=True, slots=True)
class Observed:
    """What a condition may look at, each an array with the run axis first."""

    month: int
    theater_status: NDArray[np.int8]  # (run, theater)
    stockpile: NDArray[np.float64]  # (run, actor, munition)
    will: NDArray[np.float64]  # (run, actor)
    occupied_km2: NDArray[np.float64]  # (run, front)
    escalation_level: NDArray[np.int64]  # (run, theater)


COMPARISONS = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}
"""The comparison operators of every condition language, as NumPy functions."""


def evaluate(condition: Condition, seen: Observed) -> NDArray[np.bool_]:
    """The condition's truth in every run, shape (run,)."""
    runs = seen.will.shape[0]
    return np.broadcast_to(_eval(condition.tree, seen), (runs,)).copy()


def _eval(node: Node, seen: Observed) -> NDArray[Any]:
    match node[0]:
        case "or":
            return functools.reduce(np.logical_or, (_eval(n, seen) for n in node[1:]))
        case "and":
            return functools.reduce(np.logical_and, (_eval(n, seen) for n in node[1:]))
        case "not":
            return ~_eval(node[1], seen)
        case "status":
            return seen.theater_status[:, node[1]] == node[2]
        case "cmp":
            return COMPARISONS[node[2]](_eval(node[1], seen), node[3])
        case "month":
            return np.asarray(float(seen.month))
        case "calendar":
            return np.asarray(float((node[1] + seen.month) % 12 + 1))
        case "wars":
            return (seen.theater_status == WAR_CODE).sum(axis=1)
        case "stock":
            return seen.stockpile[:, node[1], node[2]]
        case "will":
            return seen.will[:, node[1]]
        case "occupied":
            return seen.occupied_km2[:, node[1]]
        case "escalation":
            return seen.escalation_level[:, node[1]]
    raise ConditionError(f"unknown node {node[0]!r}")
