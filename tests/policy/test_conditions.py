"""The condition language: every term, precedence, broadcasting, errors, and no Python."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from tests.model.worlds import toy_world
from tests.oracles.schedule import observe
from tests.toml_text import dumps
from twofront.engine.params import Params
from twofront.engine.state import State, TheaterStatus
from twofront.errors import ConditionError, ScenarioError
from twofront.policy.conditions import (
    OP_AND,
    OP_CMP,
    OP_NOT,
    OP_OR,
    OP_STATUS,
    OP_TRUE,
    OP_WILL,
    Observed,
    evaluate,
    holds,
    holds_each,
    pack,
    postfix,
)
from twofront.scenario.conditions import Condition, Names, compile_condition
from twofront.scenario.loader import load, shipped_names
from twofront.scenario.schema import Scenario, condition_names

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


# --- the compiled form: postfix programs on a stack machine, one run at a time ----------


def test_a_condition_compiles_to_a_postfix_program(toy):
    condition = compiled("will.red < 0.3 or not (theater.east.settled and will.blue > 1)", toy)
    assert postfix(condition) == (
        (OP_WILL, 1, 0, 0.0),
        (OP_CMP, 0, 0, 0.3),
        (OP_STATUS, 0, int(TheaterStatus.SETTLED), 0.0),
        (OP_WILL, 0, 0, 0.0),
        (OP_CMP, 2, 0, 1.0),
        (OP_AND, 2, 0, 0.0),
        (OP_NOT, 0, 0, 0.0),
        (OP_OR, 2, 0, 0.0),
    )
    assert postfix(None) == ((OP_TRUE, 0, 0, 0.0),)


def test_programs_are_packed_once_each_with_their_offsets(toy):
    a, b = postfix(compiled("month > 1", toy)), postfix(compiled("wars >= 1 or month > 2", toy))
    ops, constants, start, which = pack([a, b, a, postfix(None)])
    assert which.tolist() == [0, 1, 0, 2]
    assert start.tolist() == [0, 2, 7, 8]
    assert ops.shape == (8, 3) and constants.tolist()[:2] == [0.0, 1.0]


def kernel_truth(condition: Condition | None, state: State, params: Params) -> list[bool]:
    """:func:`holds` of ``condition`` in every run of ``state``."""
    ops, constants, start, _ = pack([postfix(condition)])
    fields = (state.theater_status, state.stockpile, state.will, state.held_km2)
    level, soil_side = state.escalation_level, params.index.front_soil_side
    return [
        holds(ops, constants, start[0], start[1], r, state.month, *fields, level, soil_side)
        for r in range(state.will.shape[0])
    ]


def random_text(rng: np.random.Generator, names: Names, depth: int = 0) -> str:
    """A random condition over ``names``: connectives nested up to three deep, every term,
    literals often equal to the values of :func:`random_state`."""
    pick = rng.random()
    if depth < 3 and pick < 0.3:
        joiner = " and " if rng.random() < 0.5 else " or "
        parts = [random_text(rng, names, depth + 1) for _ in range(int(rng.integers(2, 4)))]
        text = joiner.join(parts)
        return f"({text})" if rng.random() < 0.7 else text
    if depth < 3 and pick < 0.4:
        return "not " + random_text(rng, names, depth + 1)
    if pick < 0.5:
        status = ("peace", "crisis", "war", "settled")[int(rng.integers(4))]
        return f"theater.{rng.choice(names.theaters)}.{status}"
    op = ("<", "<=", ">", ">=", "==", "!=")[int(rng.integers(6))]
    year, month = (int(x) for x in names.start.split("-"))
    total = year * 12 + month - 1 + int(rng.integers(-3, 40))
    terms = [
        ("date", f"{total // 12:04d}-{total % 12 + 1:02d}"),
        ("month", str(int(rng.integers(0, 40)))),
        ("calendar", str(int(rng.integers(1, 13)))),
        ("wars", str(int(rng.integers(0, 4)))),
        (
            f"stock.{rng.choice(names.actors)}.{rng.choice(names.munitions)}",
            str(rng.choice(LEVELS)),
        ),
        (f"will.{rng.choice(names.actors)}", str(rng.choice(WILLS))),
        (f"occupied.{rng.choice(names.fronts)}", str(rng.choice(LEVELS))),
        (f"escalation.{rng.choice(names.theaters)}", str(int(rng.integers(0, 3)))),
    ]
    term, literal = terms[int(rng.integers(len(terms)))]
    return f"{term} {op} {literal}"


LEVELS = (0.0, 100.0, 2500.5)
WILLS = (0.0, 0.3, 0.5, 1.0)


def random_state(rng: np.random.Generator, state: State) -> State:
    """``state`` with every field a condition reads drawn at random, often at a literal."""

    def values(shape: tuple[int, ...], levels: tuple[float, ...], high: float) -> np.ndarray:
        return np.where(
            rng.random(shape) < 0.5, rng.choice(levels, shape), rng.uniform(0, high, shape)
        )

    return replace(
        state,
        month=int(rng.integers(0, 40)),
        theater_status=rng.integers(0, 4, state.theater_status.shape).astype(np.int8),
        stockpile=values(state.stockpile.shape, LEVELS, 5000.0),
        will=values(state.will.shape, WILLS, 1.0),
        held_km2=values(state.held_km2.shape, LEVELS, 5000.0),
        escalation_level=rng.integers(0, 3, state.escalation_level.shape),
    )


def shipped_texts(scenario: Scenario) -> list[str]:
    """Every condition of a scenario: aid lines, strategies' rules, forces' rules."""
    texts = [x.when for x in scenario.supply if x.when]
    for strategy in scenario.strategies.values():
        texts += [x.when for x in strategy.aid if x.when]
        texts += [x for x in (strategy.mobilise_when, strategy.restrictions_lifted_when) if x]
        texts += [x.when for x in strategy.start_war]
    for a in scenario.actors.values():
        if a.forces:
            texts += [x for x in (a.forces.commit_reserves_when, a.forces.attack_when) if x]
    return texts


@pytest.mark.parametrize("name", ["toy", *shipped_names()])
def test_the_kernel_gives_the_truth_of_evaluate_on_random_states(toy, name):
    scenario = toy if name == "toy" else load(name)
    names = condition_names(scenario)
    rng = np.random.default_rng(7)
    texts = shipped_texts(scenario) + [random_text(rng, names) for _ in range(150)]
    conditions = [compile_condition(text, names) for text in texts]
    params, _, state = toy_world(scenario, next(iter(scenario.strategies)), runs=16)
    assert len({c.text for c in conditions}) > 100
    ops, constants, start, which = pack([postfix(c) for c in conditions])
    stack, truth = np.empty(ops.shape[0]), np.empty(start.shape[0] - 1, dtype=bool)
    for _ in range(4):
        shaken = random_state(rng, state)
        seen = observe(shaken, params)
        expected = np.array([evaluate(c, seen) for c in conditions])  # (condition, run)
        for condition, truths in zip(conditions, expected, strict=True):
            assert kernel_truth(condition, shaken, params) == truths.tolist(), condition.text
        fields = (shaken.theater_status, shaken.stockpile, shaken.will, shaken.held_km2)
        for r in range(16):
            holds_each(
                ops,
                constants,
                start,
                stack,
                truth,
                r,
                shaken.month,
                *fields,
                shaken.escalation_level,
                params.index.front_soil_side,
            )
            np.testing.assert_array_equal(truth[which], expected[:, r])
    assert kernel_truth(None, state, params) == [True] * 16
