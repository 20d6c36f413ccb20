"""Every input that once crashed twofront or gave a silent wrong answer (issue 18).

The files in ``crashers/`` are the minimal reproductions found by fuzzing
at 43729d8; each must now end with exit 2 and a message that says what was
wrong, with no traceback.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from twofront.cli import app

CRASHERS = Path(__file__).parent / "crashers"
runner = CliRunner()


def _clean_error(args: list[str], match: str) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert match in result.output, result.output
    return result.output


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("toml_deep_array", "MAX_TOML_DEPTH = 24"),
        ("toml_deep_inline", "MAX_TOML_DEPTH = 24"),
        ("extends_nul", "scenario.extends: a path must not contain a NUL byte"),
        ("condition_deep_not", "longer than MAX_CONDITION_CHARS = 2000"),
        ("condition_deep_parens", "longer than MAX_CONDITION_CHARS = 2000"),
        ("coerced_bool_horizon", "scenario.horizon_months: True is a boolean; expected a number"),
        ("coerced_bool_horizon", "min_stockpile.value: True is a boolean; expected a number"),
        ("war_began_future", "theaters.europe.war_began: 9999-12 is after the scenario's start"),
        ("silent_float32_overflow", "stockpile: value = 1e+39; larger than MAX_MAGNITUDE"),
        ("silent_personnel_overflow", "fronts.donbas.personnel.russia"),
    ],
)
def test_scenario_crasher_is_a_clean_error(name, match):
    _clean_error(["run", str(CRASHERS / f"{name}.toml"), "--runs", "4"], match)


def test_personnel_above_the_world_population_names_the_personnel_limit(tmp_path):
    text = (CRASHERS / "silent_personnel_overflow.toml").read_text(encoding="utf-8")
    path = tmp_path / "personnel.toml"
    path.write_text(text.replace("1e300", "1e12"), encoding="utf-8")
    _clean_error(["run", str(path), "--runs", "4"], "personnel in [0, MAX_PERSONNEL = 1e+10]")


def test_symlink_loop_in_extends_is_a_clean_error(tmp_path):
    (tmp_path / "loop.toml").symlink_to("loop.toml")
    child = tmp_path / "s.toml"
    child.write_text('[scenario]\nextends = "loop.toml"\n', encoding="utf-8")
    _clean_error(["run", str(child), "--runs", "4"], "no such file and not a shipped scenario")


def test_extends_chain_of_1200_files_stops_at_the_depth_limit(tmp_path):
    for i in range(1200):
        (tmp_path / f"p{i}.toml").write_text(
            f'[scenario]\nextends = "p{i + 1}.toml"\n', encoding="utf-8"
        )
    (tmp_path / "p1200.toml").write_text('[scenario]\nextends = "world-2024"\n', encoding="utf-8")
    _clean_error(["run", str(tmp_path / "p0.toml"), "--runs", "4"], "MAX_EXTENDS_DEPTH = 16")


def test_a_thousand_fronts_are_refused_before_any_work(tmp_path):
    lines = ['[scenario]\nextends = "world-2024"\n']
    lines += [f'[fronts.f{i}]\ntitle = "copy"\n' for i in range(1000)]
    path = tmp_path / "many.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    _clean_error(
        ["run", str(path), "--runs", "4"], "fronts: 1005 entries; more than MAX_FRONTS = 64"
    )


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("cal_empty", "empty; expected a header row and data rows"),
        ("cal_header_only", "0 data row(s)"),
        ("cal_nan_day", "day nan (line 39); expected whole numbers of days >= 0"),
        ("cal_text_day", "day 'x' (line 39)"),
        ("cal_huge_day", "longer than MAX_BATTLE_DAYS = 3650"),
        ("cal_big_day_hangs", "longer than MAX_BATTLE_DAYS = 3650"),
        ("cal_sources_str", "sources = 'x'; expected an array of tables"),
        ("cal_inf_blue_r2_nan", "blue_personnel = 1e+308 (line 3)"),
    ],
)
def test_calibrate_crasher_is_a_clean_error(name, match):
    _clean_error(["calibrate", str(CRASHERS / f"{name}.csv"), "--bootstrap", "5"], match)


def test_calibrate_writes_valid_toml_when_a_citation_holds_a_quote(tmp_path):
    out = tmp_path / "block.toml"
    args = ["calibrate", str(CRASHERS / "cal_quote_in_source.csv"), "--bootstrap", "5"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    block = tomllib.loads(out.read_text(encoding="utf-8"))
    assert 'He said "hold"' in block["actors"]["blue"]["forces"]["lethality_per_month"]["source"]


def test_unknown_figure_extension_fails_before_the_simulation(tmp_path):
    out = tmp_path / "kept"
    args = ["run", "world-2024", "--runs", "8", "--out", str(out), "--figure", "f.txt"]
    _clean_error(args, "--figure f.txt: unknown format '.txt'; expected one of")
    assert not out.exists()


def test_out_naming_an_existing_file_fails_before_the_simulation(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("keep me", encoding="utf-8")
    _clean_error(["run", "world-2024", "--runs", "8", "--out", str(afile)], "is not a folder")
    assert afile.read_text(encoding="utf-8") == "keep me"


def test_extends_override_replaces_the_whole_distribution():
    from twofront.scenario.loader import load

    spec = load(str(CRASHERS / "extends_override_ignored.toml"))
    advantage = spec.combat.defence_advantage
    assert (advantage.dist, advantage.value, advantage.low, advantage.high) == (
        "fixed",
        1.2,
        None,
        None,
    )
    assert advantage.assumption == "fixed for a test"
