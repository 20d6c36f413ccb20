"""The ``--where`` language of ``twofront explore``: conditions over stored outcomes.

Parsed by lark and evaluated over arrays, never as Python (as the strategy
conditions of :mod:`twofront.scenario.conditions`)::

    two_wars_at_once[sequencing] > two_wars_at_once[drip-feed]
    settled__europe == 0 and war_began__indo-pacific
    casualties_total__ukraine[sequencing] - casualties_total__ukraine[drip-feed] > 100000

A name is a stored outcome column; ``name[S]`` reads it under strategy ``S``, a
bare name under the default strategy. Terms: sums and differences of names and
numbers (``-`` between two names needs spaces: ids may hold ``-``), compared with
``< <= > >= == !=``; a bare name alone is true where it is non-zero; connectives
``and``, ``or``, ``not`` and parentheses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from lark import Lark, Token, UnexpectedInput
from numpy.typing import NDArray

from twofront.errors import StoreError
from twofront.policy.conditions import COMPARISONS
from twofront.scenario.conditions import Connectives

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr ("or" and_expr)*
?and_expr: not_expr ("and" not_expr)*
?not_expr: "not" not_expr -> negate
         | atom
?atom: comparison
     | ref -> truth
     | "(" or_expr ")"
comparison: sum OP sum
sum: value (SIGN value)*
?value: ref
      | NUMBER -> number
ref: NAME ("[" NAME "]")?
OP: ">=" | "<=" | "==" | "!=" | ">" | "<"
SIGN: "+" | "-"
NAME: /(?!(and|or|not)\b)[A-Za-z_][A-Za-z0-9_.\-]*/
%import common.NUMBER
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr")
MAX_WHERE_CHARS = 500

Node = tuple[Any, ...]
Ref = tuple[str, str | None]
"""(outcome, strategy or None for the default)."""


@dataclass(frozen=True, slots=True)
class Where:
    """A parsed condition: its text, its tree and the outcomes it reads."""

    text: str
    tree: Node
    refs: tuple[Ref, ...]


class _Build(Connectives):
    def truth(self, items: list[Node]) -> Node:
        return ("truth", items[0])

    def comparison(self, items: list[Any]) -> Node:
        left, op, right = items
        return ("cmp", str(op), left, right)

    def sum(self, items: list[Any]) -> Node:
        terms: list[tuple[float, Node]] = [(1.0, items[0])]
        for sign, value in zip(items[1::2], items[2::2], strict=True):
            terms.append((-1.0 if str(sign) == "-" else 1.0, value))
        return ("sum", tuple(terms))

    def number(self, items: list[Token]) -> Node:
        return ("number", float(items[0]))

    def ref(self, items: list[Token]) -> Node:
        return ("ref", str(items[0]), str(items[1]) if len(items) > 1 else None)


def parse_where(text: str) -> Where:
    """Parse ``text``; a :class:`~twofront.errors.StoreError` says what was expected."""
    if len(text) > MAX_WHERE_CHARS:
        raise StoreError(f"--where of {len(text)} characters; longer than {MAX_WHERE_CHARS}")
    try:
        tree = _Build().transform(_PARSER.parse(text))
    except UnexpectedInput as err:
        raise StoreError(
            f"--where {text!r}: cannot parse at column {err.column}; expected a comparison of "
            "outcome columns, e.g. 'two_wars_at_once[sequencing] > two_wars_at_once[drip-feed]'"
        ) from None
    return Where(text, tree, tuple(dict.fromkeys(_refs(tree))))


def _refs(node: Any) -> list[Ref]:
    """Every ``("ref", name, strategy)`` in the tree, in reading order."""
    if not isinstance(node, tuple):
        return []
    if node and node[0] == "ref":
        return [(node[1], node[2])]
    return [ref for child in node for ref in _refs(child)]


def evaluate_where(where: Where, columns: dict[Ref, NDArray[Any]]) -> NDArray[np.bool_]:
    """The condition per run, given each referenced outcome's values (one array per ref)."""
    values = np.asarray(_eval(where.tree, columns))
    if values.dtype != np.bool_:
        raise StoreError(
            f"--where {where.text!r}: gives numbers, not one true/false per run; expected a "
            "condition (a comparison)"
        )
    return values


def _eval(node: Node, columns: dict[Ref, NDArray[Any]]) -> NDArray[Any]:
    match node[0]:
        case "or":
            return functools.reduce(np.logical_or, (_eval(n, columns) for n in node[1:]))
        case "and":
            return functools.reduce(np.logical_and, (_eval(n, columns) for n in node[1:]))
        case "not":
            return ~_eval(node[1], columns)
        case "truth":
            return _eval(node[1], columns) != 0
        case "cmp":
            return COMPARISONS[node[1]](_eval(node[2], columns), _eval(node[3], columns))
        case "sum":
            return sum(
                (sign * _eval(term, columns) for sign, term in node[1]),
                start=np.asarray(0.0),
            )
        case "number":
            return np.asarray(node[1])
        case "ref":
            return np.asarray(columns[(node[1], node[2])], dtype=np.float64)
    raise StoreError(f"unknown node {node[0]!r}")
