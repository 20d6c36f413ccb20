"""The limits on scenario files, checked before any work, each error naming its limit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import TOY_PATH
from tests.toml_text import dumps
from twofront.errors import ScenarioError
from twofront.scenario import limits
from twofront.scenario.loader import load, nesting_depth, parse


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load(str(path))
    return err.value.problems


def _write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(dumps(raw), encoding="utf-8")
    return path


def test_every_limit_is_a_positive_number_with_its_reason_below_it():
    module = ast.parse(Path(limits.__file__).read_text(encoding="utf-8"))
    body = module.body
    named = [
        (node.targets[0].id, body[i + 1])
        for i, node in enumerate(body)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    ]
    assert len(named) >= 15
    for name, after in named:
        assert getattr(limits, name) > 0, name
        assert isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant), name
        assert len(after.value.value) > 20, name


def test_a_file_larger_than_the_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("#" * (limits.MAX_FILE_BYTES + 1), encoding="utf-8")
    (line,) = _problems(path)
    assert (
        line == f"{path}: {limits.MAX_FILE_BYTES + 1} bytes; larger than MAX_FILE_BYTES = 1000000"
    )


def test_nesting_just_beyond_the_limit_is_refused_with_its_depth(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 30 + "]" * 30 + "\n", encoding="utf-8")
    (line,) = _problems(path)
    assert line == f"{path}: nested 30 levels deep; deeper than MAX_TOML_DEPTH = 24 levels"


def test_nesting_depth_is_counted_without_recursion():
    deep: list = []
    node = deep
    for _ in range(100_000):
        node.append([])
        node = node[0]
    assert nesting_depth({"x": deep}) == 100_001


@pytest.mark.parametrize(
    ("table", "name", "limit"),
    [
        ("actors", "MAX_ACTORS", limits.MAX_ACTORS),
        ("theaters", "MAX_THEATERS", limits.MAX_THEATERS),
        ("fronts", "MAX_FRONTS", limits.MAX_FRONTS),
        ("munitions", "MAX_MUNITIONS", limits.MAX_MUNITIONS),
        ("strategies", "MAX_STRATEGIES", limits.MAX_STRATEGIES),
    ],
)
def test_too_many_entries_are_refused_naming_the_limit(toy_raw, table, name, limit):
    toy_raw[table] = {f"x{i}": {} for i in range(limit + 1)}
    with pytest.raises(ScenarioError) as err:
        parse(toy_raw, "s.toml")
    assert err.value.problems == [
        f"s.toml: {table}: {limit + 1} entries; more than {name} = {limit}"
    ]


def test_too_many_aid_lines_are_refused(toy_raw):
    line = toy_raw["strategies"]["surge"]["aid"][0]
    toy_raw["strategies"]["surge"]["aid"] = [line] * (limits.MAX_AID_LINES + 1)
    expected = r"strategies\.surge\.aid: more than 256 entries \(MAX_AID_LINES = 256\)"
    with pytest.raises(ScenarioError, match=expected):
        parse(toy_raw, "s.toml")


def test_a_horizon_beyond_50_years_is_refused(toy_raw):
    toy_raw["scenario"]["horizon_months"] = limits.MAX_HORIZON_MONTHS + 1
    with pytest.raises(ScenarioError, match=r"scenario\.horizon_months: Input should be less than"):
        parse(toy_raw, "s.toml")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("scenario", "horizon_months"), None),
        (("combat", "defence_advantage"), "value"),
        (("actors", "blue", "industry", "shell", "stockpile"), "low"),
    ],
)
def test_a_boolean_where_a_number_belongs_is_refused(toy_raw, path, field):
    node = toy_raw
    for key in path[:-1]:
        node = node[key]
    if field is None:
        node[path[-1]] = True
    else:
        node[path[-1]][field] = True
    with pytest.raises(ScenarioError, match="True is a boolean; expected a number"):
        parse(toy_raw, "s.toml")


def test_an_integer_is_still_a_number(toy_raw):
    toy_raw["combat"]["defence_advantage"] = {"value": 2, "assumption": "an integer"}
    assert parse(toy_raw, "s.toml").combat.defence_advantage.value == 2.0


@pytest.mark.parametrize("value", [1e16, -1e16, 1e39])
def test_a_magnitude_beyond_the_limit_is_refused(toy_raw, value):
    toy_raw["actors"]["blue"]["gdp_usd_per_year"] = {"value": value, "assumption": "x"}
    with pytest.raises(ScenarioError, match="larger than MAX_MAGNITUDE = 1e\\+15"):
        parse(toy_raw, "s.toml")


def test_personnel_beyond_the_world_population_is_refused(toy_raw):
    toy_raw["fronts"]["main"]["personnel"]["red"] = {"value": 2e10, "assumption": "x"}
    with pytest.raises(ScenarioError, match=r"fronts.main.personnel.red: .*MAX_PERSONNEL = 1e\+10"):
        parse(toy_raw, "s.toml")


def test_a_war_that_began_after_the_start_is_refused(toy_raw):
    theater = next(t for t in toy_raw["theaters"].values() if t["status"] == "war")
    theater["war_began"] = "2030-01"
    with pytest.raises(
        ScenarioError, match="war_began: 2030-01 is after the scenario's start 2024-08"
    ):
        parse(toy_raw, "s.toml")


def test_a_war_that_began_at_the_start_is_fine(toy_raw):
    theater = next(t for t in toy_raw["theaters"].values() if t["status"] == "war")
    theater["war_began"] = "2024-08"
    parse(toy_raw, "s.toml")


def test_a_condition_longer_than_the_limit_names_it(toy_raw):
    toy_raw["strategies"]["surge"]["mobilise_when"] = "month > 1 or " * 200 + "month > 1"
    with pytest.raises(ScenarioError, match="longer than MAX_CONDITION_CHARS = 2000"):
        parse(toy_raw, "s.toml")


def test_a_source_longer_than_the_limit_names_it(toy_raw):
    toy_raw["combat"]["defence_advantage"]["assumption"] = "x" * 2001
    with pytest.raises(ScenarioError, match="2001 characters; more than MAX_TEXT_CHARS = 2000"):
        parse(toy_raw, "s.toml")


def test_the_toy_fixture_is_within_every_limit():
    load(str(TOY_PATH))
