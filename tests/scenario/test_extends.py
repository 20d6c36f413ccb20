"""``scenario.extends`` and ``scenario.remove``: a file builds on another, key by key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import TOY_PATH
from twofront.errors import ScenarioError
from twofront.scenario.loader import load, read_raw
from twofront.simulation import run


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _toy_relative_to(folder: Path) -> str:
    return Path(os.path.relpath(TOY_PATH, folder)).as_posix()


def _child(tmp_path: Path, scenario_lines: str, rest: str = "") -> Path:
    return _write(tmp_path / "child.toml", f"[scenario]\n{scenario_lines}\n{rest}")


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load(str(path))
    return err.value.problems


@pytest.fixture
def child(tmp_path) -> Path:
    return _child(
        tmp_path,
        f'extends = "{_toy_relative_to(tmp_path)}"\nremove = ["fronts.salient"]\nname = "child"\n',
        '[combat]\ndefence_advantage = { value = 3.0, assumption = "child override" }\n',
    )


def test_child_overrides_one_number_and_keeps_the_rest(child, toy):
    spec = load(str(child))
    assert spec.combat.defence_advantage.value == 3.0
    assert spec.combat.defence_advantage.assumption == "child override"
    assert spec.combat.surprise_multiplier == toy.combat.surprise_multiplier
    assert spec.actors == toy.actors
    assert spec.strategies == toy.strategies


def test_child_keeps_the_parents_scenario_keys_it_does_not_set(child, toy):
    spec = load(str(child))
    assert spec.scenario.name == "child"
    assert spec.scenario.title == toy.scenario.title
    assert spec.scenario.horizon_months == toy.scenario.horizon_months


def test_removed_front_is_gone_and_the_others_are_inherited(child, toy):
    spec = load(str(child))
    assert "salient" in toy.fronts
    assert set(spec.fronts) == {"main"}
    assert spec.fronts["main"] == toy.fronts["main"]


def test_read_raw_drops_extends_and_remove_from_the_merged_table(child):
    raw = read_raw(child, chain=())
    assert "extends" not in raw["scenario"]
    assert "remove" not in raw["scenario"]
    assert "salient" not in raw["fronts"]
    assert raw["combat"]["defence_advantage"] == {"value": 3.0, "assumption": "child override"}
    assert raw["combat"]["fire_elasticity"] == {"value": 1.0, "assumption": "test value"}


def test_read_raw_leaves_a_file_without_extends_as_parsed(toy_raw):
    assert read_raw(TOY_PATH, chain=()) == toy_raw


def test_extended_scenario_runs(child):
    results = run(load(str(child)), runs=5, seed=3)
    assert list(results["front"].values) == ["main"]
    assert (results["run_status"].values == 0).all()


def test_grandchild_overrides_its_parent_which_overrides_the_toy(child, tmp_path):
    folder = tmp_path / "deeper"
    folder.mkdir()
    grandchild = _write(
        folder / "grandchild.toml",
        '[scenario]\nextends = "../child.toml"\nname = "grandchild"\n'
        '[combat]\nsurprise_multiplier = { value = 4.0, assumption = "grandchild" }\n',
    )
    spec = load(str(grandchild))
    assert spec.scenario.name == "grandchild"
    assert spec.combat.surprise_multiplier.value == 4.0
    assert spec.combat.defence_advantage.value == 3.0
    assert set(spec.fronts) == {"main"}


def test_child_may_extend_a_shipped_scenario_by_name(tmp_path):
    path = _child(tmp_path, 'extends = "winter-war-1939"\nname = "winter-child"\n')
    spec = load(str(path))
    assert spec.scenario.name == "winter-child"
    assert spec.fronts == load("winter-war-1939").fronts


@pytest.mark.parametrize("index", [0, 1])
def test_removing_a_table_the_parent_lacks_names_the_file_and_the_entry(tmp_path, index):
    entries = ['"fronts.nowhere"', '"fronts.salient"']
    if index == 1:
        entries.reverse()
    path = _child(
        tmp_path, f'extends = "{_toy_relative_to(tmp_path)}"\nremove = [{", ".join(entries)}]\n'
    )
    problems = _problems(path)
    assert problems == [
        f"{path}: scenario.remove[{index}]: 'fronts.nowhere' is not a table of the parent scenario"
    ]


def test_removing_below_a_missing_table_is_an_error_not_a_crash(tmp_path):
    path = _child(
        tmp_path, f'extends = "{_toy_relative_to(tmp_path)}"\nremove = ["nothing.here.at_all"]\n'
    )
    (line,) = _problems(path)
    assert line.startswith(f"{path}: scenario.remove[0]: ")
    assert "'nothing.here.at_all'" in line


def test_remove_without_extends_is_an_error(tmp_path):
    path = _child(tmp_path, 'name = "x"\nremove = ["fronts.salient"]\n')
    assert _problems(path) == [f"{path}: scenario.remove: only allowed with scenario.extends"]


def test_missing_parent_names_the_child_and_the_parent(tmp_path):
    path = _child(tmp_path, 'extends = "no-such-parent.toml"\n')
    (line,) = _problems(path)
    assert line.startswith(f"{path}: scenario.extends = 'no-such-parent.toml'")
    assert "no such file and not a shipped scenario" in line


def test_extends_that_is_not_a_string_is_an_error(tmp_path):
    path = _child(tmp_path, "extends = 5\n")
    (line,) = _problems(path)
    assert line.startswith(f"{path}: scenario.extends must be a scenario name or path")


def test_parent_that_is_not_valid_toml_is_named(tmp_path):
    parent = _write(tmp_path / "parent.toml", "[scenario\nname = 1\n")
    path = _child(tmp_path, 'extends = "parent.toml"\n')
    (line,) = _problems(path)
    assert line.startswith(f"{parent}: not valid TOML")


def test_two_files_extending_each_other_is_a_circular_chain(tmp_path):
    a = _write(tmp_path / "a.toml", '[scenario]\nextends = "b.toml"\nname = "a"\n')
    _write(tmp_path / "b.toml", '[scenario]\nextends = "a.toml"\nname = "b"\n')
    (line,) = _problems(a)
    assert "scenario.extends: circular chain through" in line
    assert line.startswith(str(tmp_path))
    assert line.split(":")[0] in {str(a), str(tmp_path / "b.toml")}


def test_circular_chain_is_found_when_loading_by_relative_path(tmp_path, monkeypatch):
    _write(tmp_path / "a.toml", '[scenario]\nextends = "b.toml"\nname = "a"\n')
    _write(tmp_path / "b.toml", '[scenario]\nextends = "a.toml"\nname = "b"\n')
    monkeypatch.chdir(tmp_path)
    (line,) = _problems(Path("a.toml"))
    assert "circular chain" in line


def test_a_file_extending_itself_is_a_circular_chain(tmp_path):
    path = _child(tmp_path, 'extends = "child.toml"\n')
    (line,) = _problems(path)
    assert line == f"{path}: scenario.extends: circular chain through {path}"


def test_a_value_over_a_distribution_replaces_the_whole_number(tmp_path):
    path = _child(
        tmp_path,
        f'extends = "{_toy_relative_to(tmp_path)}"\n',
        '[actors.blue.industry.shell]\nstockpile = { value = 5.0, assumption = "child value" }\n',
    )
    stockpile = load(str(path)).actors["blue"].industry["shell"].stockpile
    assert (stockpile.dist, stockpile.value, stockpile.low, stockpile.high) == (
        "fixed",
        5.0,
        None,
        None,
    )
    assert stockpile.provenance == "assumption: child value"


def test_a_source_may_replace_an_assumption(tmp_path):
    path = _child(
        tmp_path,
        f'extends = "{_toy_relative_to(tmp_path)}"\n',
        '[combat]\ndefence_advantage = { value = 2.5, source = "A report, RAND, 2024" }\n',
    )
    advantage = load(str(path)).combat.defence_advantage
    assert (advantage.source, advantage.assumption) == ("A report, RAND, 2024", None)


def test_a_table_that_is_not_a_number_still_merges_key_by_key(tmp_path):
    path = _child(
        tmp_path,
        f'extends = "{_toy_relative_to(tmp_path)}"\n',
        '[actors.blue]\ntitle = "Renamed"\n',
    )
    spec = load(str(path))
    assert spec.actors["blue"].title == "Renamed"
    assert "shell" in spec.actors["blue"].industry


def test_a_nul_byte_in_extends_is_refused(tmp_path):
    (line,) = _problems(_child(tmp_path, 'extends = "a\\u0000b"\n'))
    assert line.endswith("scenario.extends: a path must not contain a NUL byte")


def test_an_extends_symlink_loop_is_refused(tmp_path):
    (tmp_path / "loop.toml").symlink_to("loop.toml")
    (line,) = _problems(_child(tmp_path, 'extends = "loop.toml"\n'))
    assert "scenario.extends = 'loop.toml': no such file" in line


def test_a_chain_longer_than_the_limit_is_refused(tmp_path):
    for i in range(20):
        _write(tmp_path / f"p{i}.toml", f'[scenario]\nextends = "p{i + 1}.toml"\n')
    (line,) = _problems(tmp_path / "p0.toml")
    assert line.endswith("scenario.extends: chain longer than MAX_EXTENDS_DEPTH = 16 files")


def test_a_chain_through_a_symlink_to_itself_is_circular(tmp_path):
    child = _child(tmp_path, 'extends = "alias.toml"\n')
    (tmp_path / "alias.toml").symlink_to(child)
    (line,) = _problems(child)
    assert "circular chain" in line
