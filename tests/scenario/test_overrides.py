"""--set and --sweep: changes to scenario numbers, validated like a scenario file."""

from __future__ import annotations

import re

import pytest

from twofront.errors import ScenarioError, TwofrontError
from twofront.scenario.overrides import apply, load_with, param_table, sweep_values


def test_a_number_replaces_the_whole_parameter_with_its_provenance(toy_raw):
    changed = apply(toy_raw, "actors.blue.industry.shell.stockpile=150000")
    assert changed["actors"]["blue"]["industry"]["shell"]["stockpile"] == {
        "value": 150000.0,
        "assumption": "set on the command line: actors.blue.industry.shell.stockpile=150000",
    }
    assert toy_raw["actors"]["blue"]["industry"]["shell"]["stockpile"]["dist"] == "uniform"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uniform:1.2:1.8", {"dist": "uniform", "low": 1.2, "high": 1.8}),
        ("triangular:1:2:3", {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 3.0}),
        ("normal:2:0.1", {"dist": "normal", "mean": 2.0, "sd": 0.1}),
        ("lognormal:2:0.3", {"dist": "lognormal", "median": 2.0, "sigma": 0.3}),
        ("beta:2:5", {"dist": "beta", "alpha": 2.0, "beta": 5.0}),
        ("1e3", {"value": 1000.0}),
    ],
)
def test_distribution_syntax(text, expected):
    assert param_table(text, "why", "--set") == {**expected, "assumption": "why"}


def test_loaded_scenario_samples_the_new_distribution(toy_path):
    spec = load_with(str(toy_path), ["combat.defence_advantage=uniform:1.2:1.8"])
    param = spec.combat.defence_advantage
    assert (param.dist, param.low, param.high) == ("uniform", 1.2, 1.8)


def test_a_plain_setting_takes_a_toml_value(toy_path):
    assert load_with(str(toy_path), ["scenario.horizon_months=6"]).scenario.horizon_months == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("combat.defence_advantage", "expected PATH=NUMBER"),
        ("combat.nope=1", "not a number or setting of the scenario"),
        ("nowhere.x=1", "no table 'nowhere'"),
        ("combat.defence_advantage=uniform:1", "uniform takes 2 numbers"),
        ("combat.defence_advantage=abc", "'abc' is not a number"),
    ],
)
def test_bad_assignments_say_what_is_expected(toy_raw, text, message):
    with pytest.raises(TwofrontError, match=message):
        apply(toy_raw, text)


def test_values_are_checked_against_the_schema_like_a_file(toy_path):
    with pytest.raises(ScenarioError, match=r"combat\.defence_advantage: .*"):
        load_with(str(toy_path), ["combat.defence_advantage=uniform:1.8:1.2"])
    with pytest.raises(ScenarioError, match=r"scenario\.horizon_months"):
        load_with(str(toy_path), ["scenario.horizon_months=0"])


def test_sweep_values_split_on_commas():
    assert sweep_values("combat.defence_advantage=1.2, 1.5,2") == (
        "combat.defence_advantage",
        ["1.2", "1.5", "2"],
    )
    with pytest.raises(TwofrontError, match="an empty value"):
        sweep_values("combat.defence_advantage=1,,2")


def test_a_number_inside_a_list_is_set_by_its_index(toy_raw):
    changed = apply(toy_raw, "strategies.surge.aid[0].per_month=uniform:1:2")
    assert changed["strategies"]["surge"]["aid"][0]["per_month"] == {
        "dist": "uniform",
        "low": 1.0,
        "high": 2.0,
        "assumption": "set on the command line: strategies.surge.aid[0].per_month=uniform:1:2",
    }
    assert (
        toy_raw["strategies"]["surge"]["aid"][0]["per_month"]
        != changed["strategies"]["surge"]["aid"][0]["per_month"]
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("strategies.surge.aid[7].per_month", "no item [7] of 'aid'; expected an index from 0"),
        ("strategies.surge.aid[x].per_month", "no item [x] of 'aid'"),
        ("strategies.surge.title[0].per_month", "'title' is not a list"),
    ],
)
def test_a_bad_list_index_says_what_is_expected(toy_raw, path, message):
    with pytest.raises(TwofrontError, match=re.escape(message)):
        apply(toy_raw, f"{path}=1")
