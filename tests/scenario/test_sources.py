"""Listing every number of a scenario with its field path."""

from __future__ import annotations

from twofront.scenario.distributions import Param
from twofront.scenario.loader import read_chain
from twofront.scenario.sources import iter_params, origins, path_parts


def test_every_number_is_listed_once_with_its_dotted_path(toy):
    listed = dict(iter_params(toy))
    paths = [path for path, _ in iter_params(toy)]
    assert len(paths) == len(set(paths))
    assert listed["combat.defence_advantage"].value == 2.0
    assert listed["actors.blue.industry.shell.stockpile"].dist == "uniform"
    assert listed["fronts.main.personnel.red"].value == 300_000.0
    assert listed["strategies.surge.aid[0].per_month"].value == 80_000.0
    assert all(isinstance(p, Param) for p in listed.values())


def test_paths_follow_the_schema_order(toy):
    paths = [path for path, _ in iter_params(toy)]
    # [combat] comes before [actors], and blue before red, as in the file
    assert paths.index("combat.defence_advantage") < paths.index("actors.blue.will")
    assert paths.index("actors.blue.will") < paths.index("actors.red.will")


def test_origins_name_the_last_file_of_the_chain_that_sets_each_number(tmp_path):
    parent = tmp_path / "parent.toml"
    parent.write_text(
        "[combat]\n"
        'defence_advantage = { value = 2.0, assumption = "parent" }\n'
        'fire_elasticity = { value = 1.0, assumption = "parent" }\n'
        "[[strategies.s.aid]]\n"
        'per_month = { value = 1.0, assumption = "first" }\n'
        "[[strategies.s.aid]]\n"
        'per_month = { value = 2.0, assumption = "second" }\n',
        encoding="utf-8",
    )
    child = tmp_path / "child.toml"
    child.write_text(
        '[scenario]\nextends = "parent.toml"\n\n[combat]\n'
        'defence_advantage = { value = 3.0, assumption = "child" }\n',
        encoding="utf-8",
    )
    files = [(path, raw) for path, raw, _ in read_chain(child)]
    where = origins(
        files,
        [
            "combat.defence_advantage",
            "combat.fire_elasticity",
            "strategies.s.aid[1].per_month",
        ],
    )
    assert where == {
        "combat.defence_advantage": f"{child}:5",
        "combat.fire_elasticity": f"{parent}:3",
        "strategies.s.aid[1].per_month": f"{parent}:7",
    }


def test_path_parts_split_tables_and_indices():
    assert path_parts("strategies.a-b.aid[0].per_month") == [
        "strategies",
        "a-b",
        "aid",
        0,
        "per_month",
    ]
