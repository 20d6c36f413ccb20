"""The command line: exit codes, tables, and errors without tracebacks."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import twofront.cli as cli
from tests.toml_text import dumps
from twofront.cli import app

runner = CliRunner()


@pytest.fixture
def wide_console(monkeypatch):
    # Rich folds long cells to the terminal width (80 when not a terminal).
    monkeypatch.setattr(cli.console, "width", 200)


@pytest.fixture
def broken_toy(toy_raw, tmp_path):
    toy_raw["actors"]["blue"]["industry"]["shell"]["capacity_per_month"] = {
        "value": -5.0,
        "assumption": "x",
    }
    path = tmp_path / "broken.toml"
    path.write_text(dumps(toy_raw), encoding="utf-8")
    return path


def _assert_clean_failure(result):
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_run_prints_a_summary_table_and_writes_results(toy_path, tmp_path, wide_console):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(toy_path), "--runs", "20", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for heading in ("outcome", "median", "5%", "95%", "occupied at end", "km2", "casualties"):
        assert heading in result.output
    assert "20 runs" in result.output
    assert (out / "results.duckdb").is_file()
    assert (out / "manifest.json").is_file()


def test_run_with_an_unknown_strategy_fails_cleanly(toy_path):
    result = runner.invoke(app, ["run", str(toy_path), "--runs", "2", "--strategy", "nope"])
    _assert_clean_failure(result)
    assert "strategy 'nope' is not in scenario 'toy'" in result.output


def test_sources_lists_every_parameter_with_its_provenance(toy_path, wide_console):
    result = runner.invoke(app, ["sources", str(toy_path)])
    assert result.exit_code == 0, result.output
    assert "combat.defence_advantage" in result.output
    assert "actors.blue.industry.shell.stockpile" in result.output
    assert "uniform(100000, 300000)" in result.output
    assert "assumption: test value" in result.output


@pytest.mark.parametrize("command", ["run", "sources"])
def test_bad_scenario_exits_2_with_the_field_path_and_no_traceback(command, broken_toy):
    result = runner.invoke(app, [command, str(broken_toy)])
    _assert_clean_failure(result)
    assert "actors.blue.industry.shell.capacity_per_month" in result.output
    assert str(broken_toy) in result.output


@pytest.mark.parametrize("command", ["run", "sources"])
def test_missing_scenario_file_exits_2(command, tmp_path):
    missing = tmp_path / "nowhere.toml"
    result = runner.invoke(app, [command, str(missing)])
    _assert_clean_failure(result)
    assert f"{missing}: no such file" in result.output
