"""The condition language: every term, precedence, broadcasting, errors, and no Python."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.toml_text import dumps
from twofront.engine.state import TheaterStatus
from twofront.errors import ConditionError, ScenarioError
from twofront.policy.conditions import Observed, evaluate
from twofront.scenario.conditions import compile_condition
from twofront.scenario.loader import load
from twofront.scenario.schema import condition_names

# The toy scenario starts in 2024-08: 2025-01 is month 5, 2026-01 month 17.
# Actors (blue, red, donor); munition (shell); theater (east); fronts (main, salient).


def compiled(text, scenario):
    """Compile ``text`` against the names of ``scenario``."""
    return compile_condition(text, condition_names(scenario))


def seen(
    month: int = 0,
    status=(TheaterStatus.WAR,) * 3,
    stock=(100_000.0, 250_000.0, 300_000.0),
    will=((0.8, 0.9, 0.6), (0.4, 0.2, 0.6), (0.5, 0.5, 0.6)),
    occupied=((20_000.0, 1_000.0), (0.0, 0.0), (5.0, 0.0)),
    level=(0, 1, 2),
) -> Observed:
    """Three runs; ``stock`` is blue's shells; ``level`` east's escalation level."""
    stockpile = np.zeros((3, 3, 1))
    stockpile[:, 0, 0] = stock
    return Observed(
        month=month,
        theater_status=np.array(status, dtype=np.int8)[:, None],
        stockpile=stockpile,
        will=np.array(will),
        occupied_km2=np.array(occupied),
        escalation_level=np.array(level, dtype=np.int64)[:, None],
    )


def truth(toy, text: str, observed: Observed) -> list[bool]:
    return evaluate(compiled(text, toy), observed).tolist()


@pytest.mark.parametrize(
    ("status", "code"),
    [("peace", 0), ("crisis", 1), ("war", 2), ("settled", 3)],
)
def test_theater_status_terms_compare_with_each_status_code(toy, status, code):
    observed = seen(status=(0, 2, code))
    assert truth(toy, f"theater.east.{status}", observed) == [code == 0, code == 2, True]


def test_date_compares_with_the_simulated_month(toy):
    # 2025-01 is month 5 of a 2024-08 start.
    assert truth(toy, "date < 2025-01", seen(month=4)) == [True] * 3
    assert truth(toy, "date < 2025-01", seen(month=5)) == [False] * 3
    assert truth(toy, "date == 2025-01", seen(month=5)) == [True] * 3
    assert truth(toy, "date >= 2026-01", seen(month=17)) == [True] * 3
    assert truth(toy, "date >= 2026-01", seen(month=16)) == [False] * 3
    # Before the start: 2024-07 is month -1.
    assert truth(toy, "date > 2024-07", seen(month=0)) == [True] * 3


def test_month_counts_from_the_start(toy):
    assert truth(toy, "month >= 3", seen(month=2)) == [False] * 3
    assert truth(toy, "month >= 3", seen(month=3)) == [True] * 3
    assert truth(toy, "month != 3", seen(month=3)) == [False] * 3


def test_calendar_is_the_month_of_the_year_from_the_start(toy):
    # The toy starts in August: month 0 is calendar 8, month 4 is December (12), month 5
    # January (1), month 9 May (5), month 16 December again.
    for month, calendar in ((0, 8), (4, 12), (5, 1), (9, 5), (16, 12)):
        assert truth(toy, f"calendar == {calendar}", seen(month=month)) == [True] * 3
    summer = "calendar >= 5 and calendar <= 9"
    assert [truth(toy, summer, seen(month=m))[0] for m in range(12)] == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
    ]


def test_stock_will_occupied_and_escalation_read_each_run(toy):
    observed = seen()
    assert truth(toy, "stock.blue.shell > 200000", observed) == [False, True, True]
    assert truth(toy, "stock.red.shell > 0", observed) == [False] * 3
    assert truth(toy, "will.red < 0.5", observed) == [False, True, False]
    assert truth(toy, "will.blue <= 0.5", observed) == [False, True, True]
    assert truth(toy, "occupied.main == 0", observed) == [False, True, False]
    assert truth(toy, "occupied.salient > 500", observed) == [True, False, False]
    assert truth(toy, "escalation.east >= 1", observed) == [False, True, True]
    assert truth(toy, "escalation.east == 2", observed) == [False, False, True]


def test_wars_counts_theaters_at_war(toy):
    observed = seen(status=(2, 3, 0))
    assert truth(toy, "wars == 1", observed) == [True, False, False]
    assert truth(toy, "wars == 0", observed) == [False, True, True]


def test_numbers_may_be_decimals_or_exponents(toy):
    assert truth(toy, "stock.blue.shell >= 2.5e5", seen()) == [False, True, True]
    assert truth(toy, "will.blue > .45", seen()) == [True, False, True]


# --- connectives -------------------------------------------------------------------------
# Eight runs cover every truth assignment of A = will.blue > 0.5, B = will.red > 0.5,
# C = will.donor > 0.5.

COMBOS = list(itertools.product((False, True), repeat=3))


def eight_runs() -> Observed:
    will = np.array([[0.9 if v else 0.1 for v in combo] for combo in COMBOS])
    return Observed(
        month=0,
        theater_status=np.full((8, 1), 2, dtype=np.int8),
        stockpile=np.zeros((8, 3, 1)),
        will=will,
        occupied_km2=np.zeros((8, 2)),
        escalation_level=np.zeros((8, 1), dtype=np.int64),
    )


A, B, C = "will.blue > 0.5", "will.red > 0.5", "will.donor > 0.5"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (f"{A} and {B}", lambda a, b, c: a and b),
        (f"{A} or {B}", lambda a, b, c: a or b),
        (f"not {A}", lambda a, b, c: not a),
        (f"not {A} and {B}", lambda a, b, c: (not a) and b),
        (f"not ({A} and {B})", lambda a, b, c: not (a and b)),
        (f"{A} or {B} and {C}", lambda a, b, c: a or (b and c)),
        (f"({A} or {B}) and {C}", lambda a, b, c: (a or b) and c),
        (f"{A} and {B} or {C}", lambda a, b, c: (a and b) or c),
        (f"{A} and ({B} or {C})", lambda a, b, c: a and (b or c)),
        (f"not not {A}", lambda a, b, c: a),
        (f"not {A} or not {B} and {C}", lambda a, b, c: (not a) or ((not b) and c)),
        (f"{A} or {B} or {C}", lambda a, b, c: a or b or c),
        (f"(({A}))", lambda a, b, c: a),
    ],
)
def test_not_binds_tighter_than_and_which_binds_tighter_than_or(toy, text, rule):
    assert truth(toy, text, eight_runs()) == [rule(*combo) for combo in COMBOS]


def test_compiled_tree_is_plain_tuples_with_integer_indices(toy):
    condition = compiled("will.red < 0.3 or not theater.east.settled", toy)
    assert condition.text == "will.red < 0.3 or not theater.east.settled"
    assert condition.tree == (
        "or",
        ("cmp", ("will", 1), "<", 0.3),
        ("not", ("status", 0, int(TheaterStatus.SETTLED))),
    )


# --- scalars and arrays -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("theater.east.war and date < 2026-01", [True, False, True]),
        ("date < 2026-01 and theater.east.war", [True, False, True]),
        ("theater.east.war or date >= 2026-01", [True, False, True]),
        ("date < 2026-01", [True, True, True]),
        ("not date >= 2026-01", [True, True, True]),
        ("month > 3 or month < 1", [False, False, False]),
        ("not (month > 3) and not theater.east.war", [False, True, False]),
    ],
)
def test_scalar_terms_broadcast_over_runs(toy, text, expected):
    observed = seen(month=2, status=(2, 3, 2))
    result = evaluate(compiled(text, toy), observed)
    assert result.shape == (3,)
    assert result.dtype == np.bool_
    assert result.tolist() == expected


def test_evaluate_returns_a_writable_copy(toy):
    result = evaluate(compiled("month > 1", toy), seen(month=2))
    result[0] = False  # a broadcast view would raise here
    assert evaluate(compiled("month > 1", toy), seen(month=2)).tolist() == [True] * 3


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "what", "name"),
    [
        ("theater.nowhere.war", "theater", "nowhere"),
        ("escalation.atlantis >= 1", "theater", "atlantis"),
        ("will.nobody < 0.3", "actor", "nobody"),
        ("stock.nobody.shell > 0", "actor", "nobody"),
        ("stock.blue.arrow > 0", "munition", "arrow"),
        ("occupied.moon == 0", "front", "moon"),
        ("month > 1 and will.ghost < 0.5", "actor", "ghost"),
    ],
)
def test_unknown_names_are_errors_naming_the_id(toy, text, what, name):
    with pytest.raises(ConditionError, match=rf"unknown {what} '{name}'") as err:
        compiled(text, toy)
    assert text in str(err.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "will.blue <",
        "will.blue = 0.3",
        "will.blue < 0.3 and",
        "(will.blue < 0.3",
        "theater.east.bogus",
        "theater.east",
        "will.blue < 0.3 xor month > 1",
        "will.blue < -0.3",
        "0.3 > will.blue",
        "will.Blue < 0.3",
    ],
)
def test_bad_syntax_is_a_parse_error_with_an_example(toy, text):
    with pytest.raises(ConditionError, match=r"cannot parse .* expected a condition such as"):
        compiled(text, toy)


def test_date_compared_with_a_number_is_an_error(toy):
    with pytest.raises(ConditionError, match="date compares with a month YYYY-MM, not 5"):
        compiled("date < 5", toy)


@pytest.mark.parametrize("term", ["will.blue", "month", "wars", "stock.blue.shell"])
def test_quantities_compared_with_a_month_are_errors(toy, term):
    with pytest.raises(ConditionError, match=r"only date compares with a month"):
        compiled(f"{term} < 2025-01", toy)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('true')",
        "will.blue < 0.3 or __import__('os').system('true')",
        "eval('1')",
        "True",
        "1 == 1",
        "will.blue < 0.3 if True else False",
        "will.blue.__class__ < 1",
        "lambda: 1",
    ],
)
def test_python_is_never_evaluated(toy, text, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("Python was evaluated")

    monkeypatch.setattr("os.system", forbidden)
    with pytest.raises(ConditionError, match="cannot parse"):
        compiled(text, toy)


# --- conditions in scenario files -------------------------------------------------------


def _load_with(toy_raw, tmp_path, mutate) -> list[str]:
    mutate(toy_raw)
    path = tmp_path / "bad-condition.toml"
    path.write_text(dumps(toy_raw), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load(str(path))
    return err.value.problems


def test_a_strategy_with_an_unknown_name_in_a_condition_fails_to_load(toy_raw, tmp_path):
    def mutate(raw):
        raw["strategies"]["surge"]["aid"].append(
            dict(raw["strategies"]["surge"]["aid"][0], when="will.nobody < 0.5")
        )

    problems = _load_with(toy_raw, tmp_path, mutate)
    assert len(problems) == 1
    assert "strategies.surge.aid[1].when" in problems[0]
    assert "'nobody'" in problems[0]
    assert str(tmp_path / "bad-condition.toml") in problems[0]


def test_every_bad_condition_of_a_strategy_is_reported_at_once(toy_raw, tmp_path):
    def mutate(raw):
        raw["strategies"]["steady"]["aid"][0]["when"] = "will.blue <"
        raw["strategies"]["surge"]["restrictions_lifted_when"] = "date < 3"
        raw["strategies"]["surge"]["mobilise_when"] = "theater.west.war"

    problems = _load_with(toy_raw, tmp_path, mutate)
    assert len(problems) == 3
    joined = "\n".join(problems)
    assert "strategies.steady.aid[0].when" in joined and "cannot parse" in joined
    assert "strategies.surge.restrictions_lifted_when" in joined
    assert "strategies.surge.mobilise_when" in joined and "'west'" in joined
