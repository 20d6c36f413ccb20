"""Listing every number of a scenario with its field path."""

from __future__ import annotations

from twofront.scenario.distributions import Param
from twofront.scenario.sources import iter_params


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
