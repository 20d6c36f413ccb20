"""Output for pipes and programs: results on stdout, progress and messages on stderr,
names whole at 80 columns, ``--format csv|json`` and ``--version``."""

from __future__ import annotations

import io
import json
import re
from importlib import metadata

import pandas as pd
import pytest
from typer.testing import CliRunner

import twofront.cli as cli
from tests.test_cli_calibrate import write_battle
from twofront.cli import app
from twofront.scenario.loader import load, shipped_names

runner = CliRunner()


@pytest.fixture
def narrow(monkeypatch):
    """A pipe or an 80-column terminal: rich wraps to 80 characters."""
    monkeypatch.setattr(cli.console, "width", 80)


def _ok(result):
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def _words(text: str) -> set[str]:
    return set(re.split(r"[\s│┃,]+", text))


def test_version_prints_the_installed_version():
    result = _ok(runner.invoke(app, ["--version"]))
    try:
        expected = metadata.version("twofront")
    except metadata.PackageNotFoundError:
        expected = "unknown"
    assert result.stdout.strip() == f"twofront {expected}"


def test_scenarios_at_80_columns_print_every_scenario_and_strategy_name_whole(narrow):
    result = _ok(runner.invoke(app, ["scenarios"]))
    words = _words(result.stdout)
    for name in shipped_names():
        assert name in words
        for strategy in load(name).strategies:
            assert strategy in words, strategy
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_sources_at_80_columns_print_every_parameter_path_whole(narrow):
    table = _ok(runner.invoke(app, ["sources", "world-2024", "--format", "table"])).stdout
    lines = [line for line in table.splitlines() if not line.startswith(" ")]
    paths = [line.split(" = ")[0] for line in lines if " = " in line]
    csv = _ok(runner.invoke(app, ["sources", "world-2024", "--format", "csv"])).stdout
    assert paths == list(pd.read_csv(io.StringIO(csv))["parameter"])
    assert len(paths) > 100


def test_compare_writes_the_answer_to_stdout_and_progress_and_messages_to_stderr(
    toy_path, tmp_path, narrow
):
    figure = tmp_path / "c.png"
    result = _ok(
        runner.invoke(app, ["compare", str(toy_path), "--runs", "30", "--figure", str(figure)])
    )
    assert "runs" in result.stderr and "━" in result.stderr  # the progress bar
    assert "full table" in result.stderr and str(figure.with_suffix(".csv")) in result.stderr
    assert "━" not in result.stdout and "written" not in result.stdout
    assert "1 strategy vs steady (default)" in result.stdout
    assert "surge" in _words(result.stdout)


def test_compare_format_csv_is_the_full_table_on_stdout(toy_path, tmp_path):
    figure = tmp_path / "c.png"
    args = ["compare", str(toy_path), "--runs", "30", "--figure", str(figure), "--format", "csv"]
    result = _ok(runner.invoke(app, args))
    printed = pd.read_csv(io.StringIO(result.stdout))
    saved = pd.read_csv(figure.with_suffix(".csv"))
    pd.testing.assert_frame_equal(printed, saved)
    assert set(printed["strategy"]) == {"steady", "surge"}
    assert {"outcome", "units", "better", "mean", "low95", "high95"} <= set(printed.columns)


def test_compare_format_json_is_one_record_per_outcome_and_strategy(toy_path, tmp_path):
    args = ["compare", str(toy_path), "--runs", "30", "--figure", str(tmp_path / "c.png")]
    result = _ok(runner.invoke(app, [*args, "--format", "json"]))
    records = json.loads(result.stdout)
    assert {r["strategy"] for r in records} == {"steady", "surge"}
    first = next(r for r in records if r["outcome"] == "P(two wars at once)")
    assert first["units"] == "share of runs" and first["better"] == "lower"


def test_run_format_json_gives_the_summary_with_units(toy_path, tmp_path):
    args = ["run", str(toy_path), "--runs", "20", "--figure", str(tmp_path / "r.png")]
    result = _ok(runner.invoke(app, [*args, "--format", "json"]))
    records = json.loads(result.stdout)
    casualties = [r for r in records if r["outcome"] == "casualties"]
    assert {r["label"] for r in casualties} == {"blue", "red", "donor"}
    assert all(r["units"] == "personnel" for r in casualties)
    assert "figure written" in result.stderr


def test_scenarios_format_csv_lists_the_shipped_scenarios():
    result = _ok(runner.invoke(app, ["scenarios", "--format", "csv"]))
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table["name"]) == list(shipped_names())


def test_validate_format_csv_gives_one_row_per_check(tmp_path):
    args = ["validate", "--case", "winter-war-1939", "--runs", "20", "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, "--format", "csv"])
    assert result.exit_code in (0, 1), result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert set(table["case"]) == {"winter-war-1939"}
    assert {"check", "value", "expected", "passed"} <= set(table.columns)
    assert "report written" in result.stderr


def test_calibrate_format_csv_keeps_the_scenario_block_off_stdout(tmp_path):
    path = write_battle(tmp_path)
    args = ["calibrate", str(path), "--bootstrap", "5", "--format", "csv"]
    result = _ok(runner.invoke(app, args))
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table["parameter"]) == ["a", "b", "p", "q"]
    assert "[actors." in result.stderr


def test_an_unknown_format_is_refused_naming_the_choices(toy_path):
    result = runner.invoke(app, ["scenarios", "--format", "xml"])
    assert result.exit_code == 2
    assert "table" in result.output and "csv" in result.output and "json" in result.output
