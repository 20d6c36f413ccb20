"""Loading scenario files: every problem at once, each naming file, field and expectation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.toml_text import dumps
from twofront.errors import ScenarioError, TwofrontError
from twofront.scenario.loader import load, parse, shipped_names
from twofront.scenario.schema import Scenario

Mutation = Callable[[dict], None]


def _set(*path_and_value) -> Mutation:
    *path, key, value = path_and_value

    def mutate(raw: dict) -> None:
        node = raw
        for part in path:
            node = node[part]
        node[key] = value

    return mutate


def _drop(*path) -> Mutation:
    *path, key = path

    def mutate(raw: dict) -> None:
        node = raw
        for part in path:
            node = node[part]
        del node[key]

    return mutate


def _add_munition_donor_lacks(raw: dict) -> None:
    raw["munitions"]["missile"] = {"title": "missile"}
    raw["strategies"]["steady"]["aid"][0]["munition"] = "missile"


def _broken_copy(raw: dict, tmp_path: Path, *mutations: Mutation) -> Path:
    for mutate in mutations:
        mutate(raw)
    path = tmp_path / "broken.toml"
    path.write_text(dumps(raw), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load(str(path))
    return err.value.problems


def test_toy_scenario_loads(toy_path):
    scenario = load(str(toy_path))
    assert isinstance(scenario, Scenario)
    assert scenario.scenario.name == "toy"
    assert scenario.scenario.default_strategy in scenario.strategies


def test_unchanged_copy_of_the_toy_loads(toy_raw, tmp_path):
    assert load(str(_broken_copy(toy_raw, tmp_path))).scenario.name == "toy"


BROKEN = [
    pytest.param(
        _set(
            "actors",
            "blue",
            "industry",
            "shell",
            "capacity_per_month",
            {"value": -5.0, "assumption": "x"},
        ),
        "actors.blue.industry.shell.capacity_per_month",
        "expected a value >= 0",
        id="negative-capacity",
    ),
    pytest.param(
        _set("actors", "blue", "industry", "shell", "capacity_per_month", 40000),
        "actors.blue.industry.shell.capacity_per_month",
        "bare number 40000",
        id="bare-number",
    ),
    pytest.param(
        _set(
            "actors",
            "blue",
            "industry",
            "shell",
            "stockpile",
            {"dist": "normal", "mean": 1e5, "sd": 1e4, "assumption": "x"},
        ),
        "actors.blue.industry.shell.stockpile",
        "expected a value >= 0",
        id="unbounded-normal-stockpile",
    ),
    pytest.param(
        _set("actors", "blue", "industry", "shell", "stockpile", {"value": 1e5}),
        "actors.blue.industry.shell.stockpile",
        "needs exactly one of source",
        id="no-provenance",
    ),
    pytest.param(
        _set(
            "actors",
            "blue",
            "forces",
            "deploy_fraction_per_month",
            {"value": 1.5, "assumption": "x"},
        ),
        "actors.blue.forces.deploy_fraction_per_month",
        "expected a fraction in [0, 1]",
        id="fraction-above-one",
    ),
    pytest.param(
        _drop("actors", "blue", "industry", "shell", "ramp_months"),
        "actors.blue.industry.shell.ramp_months",
        "required field is missing",
        id="missing-field",
    ),
    pytest.param(
        _set("actors", "blue", "colour", "blue"),
        "actors.blue.colour",
        "unknown key",
        id="unknown-key",
    ),
    pytest.param(
        _set("fronts", "main", "personnel", "blue", 200000),
        "fronts.main.personnel.blue",
        "bare number 200000",
        id="bare-number-in-a-table-of-params",
    ),
    pytest.param(
        lambda raw: raw["strategies"]["steady"]["aid"][0].__setitem__(
            "per_month", {"value": -1.0, "assumption": "x"}
        ),
        "strategies.steady.aid[0].per_month",
        "expected a value >= 0",
        id="list-index-in-path",
    ),
    pytest.param(
        _set("fronts", "main", "theater", "west"),
        "fronts.main.theater",
        "'west' is not a known theater",
        id="front-theater-undefined",
    ),
    pytest.param(
        _add_munition_donor_lacks,
        "strategies.steady.aid[0].munition",
        "donor 'donor' has no actors.donor.industry.missile",
        id="aid-donor-without-line",
    ),
    pytest.param(
        _set("actors", "blue", "fires", "counters", {"nope": {"value": 0.5, "assumption": "x"}}),
        "actors.blue.fires.counters.nope",
        "'nope' is not a known munition",
        id="counter-of-an-unknown-munition",
    ),
    pytest.param(
        _set("actors", "blue", "fires", "counters", {"shell": {"value": 1.5, "assumption": "x"}}),
        "actors.blue.fires.counters.shell",
        "expected a fraction in [0, 1]",
        id="counter-share-above-one",
    ),
    pytest.param(
        _set("actors", "blue", "fires", "counter_share", {"value": 0.5, "assumption": "x"}),
        "actors.blue.fires.counter_share",
        "unknown key",
        id="the-old-counter-share-is-refused",
    ),
    pytest.param(
        _set("scenario", "default_strategy", "nope"),
        "scenario.default_strategy",
        "'nope' is not defined under [strategies]",
        id="default-strategy-undefined",
    ),
    pytest.param(
        _set("fronts", "main", "occupied_km2", {"value": 60000.0, "assumption": "x"}),
        "fronts.main.occupied_km2",
        "more than area_km2",
        id="occupied-exceeds-area",
    ),
]


@pytest.mark.parametrize(("mutate", "field", "expected"), BROKEN)
def test_problem_line_names_file_field_and_expectation(toy_raw, tmp_path, mutate, field, expected):
    path = _broken_copy(toy_raw, tmp_path, mutate)
    problems = _problems(path)
    matching = [line for line in problems if f": {field}: " in line]
    assert matching, problems
    assert all(line.startswith(f"{path}: ") for line in problems)
    assert any(expected in line for line in matching), matching


def test_every_problem_is_reported_at_once(toy_raw, tmp_path):
    path = _broken_copy(
        toy_raw,
        tmp_path,
        _set("actors", "blue", "industry", "shell", "capacity_per_month", 40000),
        _set("actors", "red", "forces", "lethality_per_month", {"value": -1.0, "assumption": "x"}),
        _set("actors", "red", "nickname", "reds"),
    )
    fields = {line.split(": ")[1] for line in _problems(path)}
    assert {
        "actors.blue.industry.shell.capacity_per_month",
        "actors.red.forces.lethality_per_month",
        "actors.red.nickname",
    } <= fields


def test_every_dangling_reference_is_reported_at_once(toy_raw, tmp_path):
    path = _broken_copy(
        toy_raw,
        tmp_path,
        _set("fronts", "main", "theater", "west"),
        _set("scenario", "default_strategy", "nope"),
        _set("fronts", "salient", "occupied_km2", {"value": 6000.0, "assumption": "x"}),
    )
    fields = {line.split(": ")[1] for line in _problems(path)}
    assert {
        "fronts.main.theater",
        "scenario.default_strategy",
        "fronts.salient.occupied_km2",
    } <= fields


def test_invalid_toml_is_reported_as_such(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[scenario\nname = 'x'\n", encoding="utf-8")
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: not valid TOML")


def test_file_that_is_not_utf8_is_reported_as_such(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "Kursk oblast\u00e9"\n'.encode("latin-1"))
    problems = _problems(path)
    assert problems[0].startswith(f"{path}: not UTF-8")


def test_missing_file_is_a_scenario_error_naming_it(tmp_path):
    missing = tmp_path / "nowhere.toml"
    problems = _problems(missing)
    assert problems[0].startswith(f"{missing}: no such file")


def test_scenario_error_is_a_twofront_error_whose_text_is_every_line(toy_raw, tmp_path):
    path = _broken_copy(
        toy_raw,
        tmp_path,
        _set("fronts", "main", "theater", "west"),
        _set("scenario", "default_strategy", "nope"),
    )
    with pytest.raises(TwofrontError) as err:
        load(str(path))
    assert str(err.value) == "\n".join(err.value.problems)


def test_parse_names_its_origin_in_each_line(toy_raw):
    toy_raw["scenario"]["default_strategy"] = "nope"
    with pytest.raises(ScenarioError) as err:
        parse(toy_raw, "in-memory")
    assert err.value.problems == [
        "in-memory: scenario.default_strategy: 'nope' is not defined under [strategies]"
    ]


def test_shipped_names_is_a_sorted_list_of_names():
    names = shipped_names()
    assert isinstance(names, list)
    assert names == sorted(names)
    assert all(isinstance(n, str) and not n.endswith(".toml") for n in names)
