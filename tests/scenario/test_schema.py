"""Cross-references of a scenario and the names conditions may use."""

from __future__ import annotations

import pytest

from tests.hand_world import fixed, hand_world, load_world
from twofront.errors import ScenarioError
from twofront.scenario.loader import parse
from twofront.scenario.schema import condition_names, cross_reference_problems


def test_condition_names_are_the_scenario_ids_in_file_order():
    names = condition_names(parse(hand_world(with_west=True), "hand"))
    assert names.actors == ("blue", "red", "donor", "green", "grey")
    assert names.fronts == ("home", "salient", "plain")
    assert names.theaters == ("east", "west")
    assert names.munitions == ("shell",)
    assert names.start == "2024-01"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda r: r["fronts"]["home"].update(theater="north"), "fronts.home.theater", "north"),
        (
            lambda r: r["theaters"]["east"].update(aggressor="blue"),
            "theaters.east.aggressor",
            "must differ from defender",
        ),
        (
            lambda r: r["theaters"]["east"]["patrons"].append("nobody"),
            "theaters.east.patrons[1]",
            "nobody",
        ),
        (
            lambda r: r["theaters"]["east"].update(defender_aim="peace"),
            "theaters.east.defender_aim",
            "peace",
        ),
    ],
)
def test_dangling_references_are_named_with_their_path(change, path, message):
    raw = hand_world()
    change(raw)
    with pytest.raises(ScenarioError) as err:
        parse(raw, "hand.toml")
    text = "\n".join(err.value.problems)
    assert path in text and message in text


def test_a_supply_line_is_checked_like_an_aid_line():
    raw = hand_world()
    raw["supply"] = [
        {
            "donor": "donor",
            "recipient": "nobody",
            "munition": "shell",
            "per_month": fixed(1),
            "when": "theater.north.war",
        }
    ]
    with pytest.raises(ScenarioError) as err:
        parse(raw, "hand.toml")
    text = "\n".join(err.value.problems)
    assert "supply[0].recipient" in text and "nobody" in text
    assert "supply[0].when" in text and "north" in text


def test_a_consistent_scenario_has_no_cross_reference_problems():
    assert cross_reference_problems(parse(hand_world(with_west=True), "hand")) == []


def test_fires_take_either_one_munition_or_a_table_of_them(tmp_path):
    raw = hand_world()
    raw["actors"]["blue"]["fires"]["munitions"] = {
        "shell": {"demand_per_month": fixed(1), "needed_per_month": fixed(1)}
    }
    with pytest.raises(ScenarioError, match="either munition"):
        load_world(raw, tmp_path)


def test_a_fires_table_names_known_munitions(tmp_path):
    raw = hand_world()
    raw["actors"]["blue"]["fires"] = {
        "munitions": {"drone": {"demand_per_month": fixed(1), "needed_per_month": fixed(1)}}
    }
    with pytest.raises(ScenarioError, match=r"fires\.munitions\.drone"):
        load_world(raw, tmp_path)


def test_strikes_and_air_defence_name_known_munitions(tmp_path):
    raw = hand_world()
    raw["actors"]["red"]["strikes"] = {"missile": {"launches_per_month": fixed(1)}}
    raw["actors"]["blue"]["air_defence"] = {
        "interceptor": "sam",
        "interceptors_per_engagement": fixed(2),
        "kill_probability": fixed(0.5),
    }
    with pytest.raises(ScenarioError, match=r"air_defence\.interceptor(.|\n)*strikes\.missile"):
        load_world(raw, tmp_path)
