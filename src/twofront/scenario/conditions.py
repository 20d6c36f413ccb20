"""The condition language of strategies: grammar and compiler (part of the file format).

Parsed by lark and never evaluated as Python; evaluation over state is
:mod:`twofront.policy.conditions`.

A condition is a boolean expression over observed state, evaluated every
month for every run at once (each value is an array over runs)::

    theater.europe.settled or date >= 2026-01
    not theater.taiwan.war and stock.us.shell155 > 200000
    will.ukraine < 0.3 or occupied.kursk == 0

Terms:

========================  ==================================================
``theater.<id>.<status>`` the theater is at ``peace``, ``crisis``, ``war``
                          or ``settled``
``date``                  the simulated month, compared with ``YYYY-MM``
``month``                 months since the scenario's start
``calendar``              the month of the year, 1 (January) to 12 (seasons)
``stock.<actor>.<mun>``   the actor's stockpile of a munition (units)
``will.<actor>``          the actor's domestic will (0..1)
``occupied.<front>``      km² of the front held by the side whose soil it is not
``escalation.<theater>``  the theater's escalation level (0 = war as fought)
``wars``                  number of theaters at war
========================  ==================================================

Comparisons: ``< <= > >= == !=``; connectives ``and``, ``or``, ``not`` and
parentheses. Names are checked against the scenario when it is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Lark, Token, Transformer, Tree, UnexpectedInput

from twofront.errors import ConditionError
from twofront.scenario.limits import MAX_CONDITION_CHARS, MAX_CONDITION_DEPTH

THEATER_STATUSES: tuple[str, ...] = ("peace", "crisis", "war", "settled")
"""Theater statuses in the order of their integer codes."""

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr ("or" and_expr)*
?and_expr: not_expr ("and" not_expr)*
?not_expr: "not" not_expr -> negate
         | atom
?atom: comparison
     | status
     | "(" or_expr ")"
status: "theater" "." NAME "." STATUS
comparison: quantity OP (DATE | NUMBER)
quantity: "date" -> date
        | "month" -> month
        | "calendar" -> calendar
        | "wars" -> wars
        | "stock" "." NAME "." NAME -> stock
        | "will" "." NAME -> will
        | "occupied" "." NAME -> occupied
        | "escalation" "." NAME -> escalation
STATUS.2: "peace" | "crisis" | "war" | "settled"
OP: ">=" | "<=" | "==" | "!=" | ">" | "<"
DATE.3: /\d{4}-(0[1-9]|1[0-2])(?!\d)/
NAME: /[a-z][a-z0-9_-]*/
%import common.NUMBER
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr")

Node = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Names:
    """What a condition may name: a scenario's ids, in file order, and its start month."""

    actors: tuple[str, ...]
    munitions: tuple[str, ...]
    fronts: tuple[str, ...]
    theaters: tuple[str, ...]
    start: str  # YYYY-MM


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition: its text and a tree of plain tuples with integer indices."""

    text: str
    tree: Node


class Connectives(Transformer):
    """``or``, ``and`` and ``not`` as plain tuples; shared by every condition language."""

    def or_expr(self, items: list[Node]) -> Node:
        return ("or", *items)

    def and_expr(self, items: list[Node]) -> Node:
        return ("and", *items)

    def negate(self, items: list[Node]) -> Node:
        return ("not", items[0])


class _Compile(Connectives):
    """Turn the parse tree into index tuples, checking names against the scenario."""

    def __init__(self, names: Names) -> None:
        super().__init__()
        self.start = names.start
        self.actors = list(names.actors)
        self.munitions = list(names.munitions)
        self.fronts = list(names.fronts)
        self.theaters = list(names.theaters)

    def _index(self, names: list[str], name: Token, what: str) -> int:
        if str(name) not in names:
            raise ConditionError(f"unknown {what} {str(name)!r}; expected one of {names}")
        return names.index(str(name))

    def status(self, items: list[Token]) -> Node:
        theater = self._index(self.theaters, items[0], "theater")
        return ("status", theater, THEATER_STATUSES.index(str(items[1])))

    def comparison(self, items: list[Any]) -> Node:
        quantity, op, literal = items
        if quantity[0] == "date":
            if literal.type != "DATE":
                raise ConditionError(f"date compares with a month YYYY-MM, not {literal!s}")
            year, month = (int(x) for x in str(literal).split("-"))
            s_year, s_month = (int(x) for x in self.start.split("-"))
            return ("cmp", ("month",), str(op), float((year - s_year) * 12 + month - s_month))
        if literal.type == "DATE":
            raise ConditionError(f"only date compares with a month; {quantity[0]} needs a number")
        return ("cmp", quantity, str(op), float(literal))

    def date(self, items: list[Token]) -> Node:
        return ("date",)

    def month(self, items: list[Token]) -> Node:
        return ("month",)

    def calendar(self, items: list[Token]) -> Node:
        """The month of the year: (start month - 1 + months elapsed) mod 12 + 1."""
        return ("calendar", int(self.start.split("-")[1]) - 1)

    def wars(self, items: list[Token]) -> Node:
        return ("wars",)

    def stock(self, items: list[Token]) -> Node:
        actor = self._index(self.actors, items[0], "actor")
        return ("stock", actor, self._index(self.munitions, items[1], "munition"))

    def will(self, items: list[Token]) -> Node:
        return ("will", self._index(self.actors, items[0], "actor"))

    def occupied(self, items: list[Token]) -> Node:
        return ("occupied", self._index(self.fronts, items[0], "front"))

    def escalation(self, items: list[Token]) -> Node:
        return ("escalation", self._index(self.theaters, items[0], "theater"))


def tree_depth(tree: Tree | Token) -> int:
    """Levels of a parse tree, counted without recursion."""
    deepest = 0
    stack: list[tuple[Tree | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children)
    return deepest


def compile_condition(text: str, names: Names) -> Condition:
    """Parse ``text`` and resolve its names; raises :class:`ConditionError`.

    The text is at most ``MAX_CONDITION_CHARS`` long and nests at most
    ``MAX_CONDITION_DEPTH`` levels (checked before the compiler recurses).
    """
    if len(text) > MAX_CONDITION_CHARS:
        raise ConditionError(
            f"condition of {len(text)} characters; longer than MAX_CONDITION_CHARS = "
            f"{MAX_CONDITION_CHARS}"
        )
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as err:
        raise ConditionError(
            f"cannot parse {text!r} at column {err.column}: expected a condition such as "
            "'theater.europe.settled or date >= 2026-01'"
        ) from None
    depth = tree_depth(tree)
    if depth > MAX_CONDITION_DEPTH:
        raise ConditionError(
            f"condition nested {depth} levels deep (not, and, or, parentheses); deeper than "
            f"MAX_CONDITION_DEPTH = {MAX_CONDITION_DEPTH}: {text[:60]!r}..."
        )
    try:
        compiled = _Compile(names).transform(tree)
    except Exception as err:  # lark wraps transformer errors in VisitError
        cause = getattr(err, "orig_exc", err)
        if isinstance(cause, ConditionError):
            raise ConditionError(f"in {text!r}: {cause}") from None
        raise
    return Condition(text, compiled)
