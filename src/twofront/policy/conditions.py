"""Evaluate compiled strategy conditions over observed state.

The language itself (grammar, compiler, name checks) is part of the scenario
file format: :mod:`twofront.scenario.conditions`. Here a compiled
:class:`~twofront.scenario.conditions.Condition` is evaluated month by month,
in two forms that give the same truth:

* :func:`evaluate`, over every run at once (each value an array over runs), for
  callers in NumPy;
* :func:`holds`, a kernel for one run: the condition's tree is turned once into a
  flat postfix program (:func:`postfix`; programs of several rules packed into one
  table by :func:`pack`) that a small stack machine runs, since compiled code
  cannot walk a tree of Python tuples.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from twofront.engine.compiled import kernel
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


# --- compiled form: a postfix program per condition, evaluated one run at a time ---------

(
    OP_FALSE,
    OP_TRUE,
    OP_OR,
    OP_AND,
    OP_NOT,
    OP_STATUS,
    OP_CMP,
    OP_MONTH,
    OP_CALENDAR,
    OP_WARS,
    OP_STOCK,
    OP_WILL,
    OP_OCCUPIED,
    OP_ESCALATION,
) = range(14)
"""Opcodes of a compiled condition. Each instruction is a row ``(opcode, a, b)`` with
integer arguments and one float constant; in postfix order, each pushes one value:

* ``FALSE``, ``TRUE``: a constant truth (an absent rule);
* ``OR``/``AND`` ``a``: pops ``a`` truths, pushes whether any/all hold; ``NOT`` pops one;
* ``STATUS`` ``a b``: whether theater ``a``'s status code is ``b``;
* ``CMP`` ``a``: pops a quantity, pushes ``quantity OPERATORS[a] constant``;
* quantities: ``MONTH``; ``CALENDAR`` ``a`` (``a`` the start month - 1); ``WARS``;
  ``STOCK`` ``a b`` (actor, munition); ``WILL`` ``a``; ``OCCUPIED`` ``a`` (front);
  ``ESCALATION`` ``a`` (theater).

Truths are pushed as 1.0 and 0.0 on one float stack.
"""

OPERATORS: tuple[str, ...] = tuple(COMPARISONS)
"""The comparison operators, in the order of their codes in ``CMP`` instructions."""

_QUANTITIES = {
    "month": OP_MONTH,
    "calendar": OP_CALENDAR,
    "wars": OP_WARS,
    "stock": OP_STOCK,
    "will": OP_WILL,
    "occupied": OP_OCCUPIED,
    "escalation": OP_ESCALATION,
}

Instruction = tuple[int, int, int, float]


def postfix(condition: Condition | None, absent: bool = True) -> tuple[Instruction, ...]:
    """The condition's tree as postfix instructions ``(opcode, a, b, constant)``; a
    condition that is absent is the constant ``absent``."""
    if condition is None:
        return ((OP_TRUE if absent else OP_FALSE, 0, 0, 0.0),)
    out: list[Instruction] = []
    _emit(condition.tree, out)
    return tuple(out)


def _emit(node: Node, out: list[Instruction]) -> None:
    kind = node[0]
    if kind in ("or", "and"):
        for child in node[1:]:
            _emit(child, out)
        out.append((OP_OR if kind == "or" else OP_AND, len(node) - 1, 0, 0.0))
    elif kind == "not":
        _emit(node[1], out)
        out.append((OP_NOT, 0, 0, 0.0))
    elif kind == "status":
        out.append((OP_STATUS, int(node[1]), int(node[2]), 0.0))
    elif kind == "cmp":
        _emit(node[1], out)
        out.append((OP_CMP, OPERATORS.index(node[2]), 0, float(node[3])))
    elif kind in _QUANTITIES:
        args = [int(x) for x in node[1:]] + [0, 0]
        out.append((_QUANTITIES[kind], args[0], args[1], 0.0))
    else:
        raise ConditionError(f"unknown node {kind!r}")


def pack(
    programs: list[tuple[Instruction, ...]],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Programs of different lengths in one table: ``(ops (instruction, 3), constants
    (instruction,), start (program + 1,), which (len(programs),))``; program ``k`` of the
    table is instructions ``start[k]`` to ``start[k + 1]``, and ``programs[i]`` is program
    ``which[i]`` (identical programs are stored once)."""
    unique: dict[tuple[Instruction, ...], int] = {}
    which = np.array([unique.setdefault(x, len(unique)) for x in programs], dtype=np.int64)
    rows = [row for program in unique for row in program]
    ops = np.array([row[:3] for row in rows], dtype=np.int64).reshape(len(rows), 3)
    constants = np.array([row[3] for row in rows], dtype=np.float64)
    start = np.cumsum([0, *(len(x) for x in unique)], dtype=np.int64)
    return ops, constants, start, which


@kernel
def holds_each(
    ops: NDArray[np.int64],
    constants: NDArray[np.float64],
    start: NDArray[np.int64],
    stack: NDArray[np.float64],
    truth: NDArray[np.bool_],
    r: int,
    month: int,
    theater_status: NDArray[np.int8],
    stockpile: NDArray[np.float64],
    will: NDArray[np.float64],
    held_km2: NDArray[np.float64],
    escalation_level: NDArray[np.int64],
    soil_side: NDArray[np.int64],
) -> None:
    """The truth in run ``r`` at ``month`` of every program of a packed table (``ops``,
    ``constants`` and ``start`` of :func:`pack`): writes ``truth`` (program,), the same
    truths as :func:`evaluate`. ``stack`` has room for the longest program.

    One pass over the table's instructions, each program starting on an empty stack. The
    state comes as the fields a condition reads (run axis first, as in
    :class:`~twofront.engine.state.State`); ``soil_side`` is the index's
    ``front_soil_side`` (a front's occupied soil is held by the other side).
    """
    program, top = 0, 0
    for i in range(start[0], start[start.shape[0] - 1]):
        code, a, b = ops[i, 0], ops[i, 1], ops[i, 2]
        if code in (OP_OR, OP_AND):
            top -= a
            found = code == OP_OR  # the value that decides: any true, or any false
            result = not found
            for k in range(top, top + a):
                if (stack[k] != 0.0) == found:
                    result = found
            stack[top] = 1.0 if result else 0.0
        elif code == OP_NOT:
            top -= 1
            stack[top] = 1.0 if stack[top] == 0.0 else 0.0
        elif code == OP_CMP:
            top -= 1
            x, c = stack[top], constants[i]
            if a == 0:
                yes = x < c
            elif a == 1:
                yes = x <= c
            elif a == 2:
                yes = x > c
            elif a == 3:
                yes = x >= c
            elif a == 4:
                yes = x == c
            else:
                yes = x != c
            stack[top] = 1.0 if yes else 0.0
        elif code == OP_STATUS:
            stack[top] = 1.0 if theater_status[r, a] == b else 0.0
        elif code == OP_MONTH:
            stack[top] = float(month)
        elif code == OP_CALENDAR:
            stack[top] = float((a + month) % 12 + 1)
        elif code == OP_WARS:
            wars = 0
            for t in range(theater_status.shape[1]):
                if theater_status[r, t] == WAR_CODE:
                    wars += 1
            stack[top] = float(wars)
        elif code == OP_STOCK:
            stack[top] = stockpile[r, a, b]
        elif code == OP_WILL:
            stack[top] = will[r, a]
        elif code == OP_OCCUPIED:
            stack[top] = held_km2[r, a, 1 - soil_side[a]]
        elif code == OP_ESCALATION:
            stack[top] = float(escalation_level[r, a])
        else:
            stack[top] = 1.0 if code == OP_TRUE else 0.0
        top += 1
        if i + 1 == start[program + 1]:  # the program's last instruction: its truth
            truth[program] = stack[0] != 0.0
            program, top = program + 1, 0


@kernel
def holds(
    ops: NDArray[np.int64],
    constants: NDArray[np.float64],
    first: int,
    last: int,
    r: int,
    month: int,
    theater_status: NDArray[np.int8],
    stockpile: NDArray[np.float64],
    will: NDArray[np.float64],
    held_km2: NDArray[np.float64],
    escalation_level: NDArray[np.int64],
    soil_side: NDArray[np.int64],
) -> bool:
    """The truth of one program, instructions ``first`` to ``last`` of ``ops`` and
    ``constants``, by :func:`holds_each` (allocates its stack: not for the month's loop)."""
    truth = np.empty(1, dtype=np.bool_)
    holds_each(
        ops,
        constants,
        np.array([first, last]),
        np.empty(last - first),
        truth,
        r,
        month,
        theater_status,
        stockpile,
        will,
        held_km2,
        escalation_level,
        soil_side,
    )
    return truth[0]
