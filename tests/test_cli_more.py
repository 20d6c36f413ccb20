"""The command line: compare, validate, calibrate, scenarios and sources."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import twofront.cli as cli
from twofront.cli import app
from twofront.scenario.loader import shipped_names

runner = CliRunner()
FIT_ADVANTAGE = ["fit", "kursk-area", "--parameter", "combat.defence_advantage"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CSV_COLUMNS = {"outcome", "strategy", "mean", "low95", "high95", "diff_vs_baseline"}


@pytest.fixture
def wide_console(monkeypatch):
    # Rich folds long cells to the terminal width (80 when not a terminal).
    monkeypatch.setattr(cli.console, "width", 300)


def _assert_clean_exit(result, code):
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def compared(toy_path, tmp_path_factory):
    figure = tmp_path_factory.mktemp("compare") / "c.png"
    result = runner.invoke(app, ["compare", str(toy_path), "--runs", "30", "--figure", str(figure)])
    return result, figure


def test_compare_exits_0_and_prints_paired_differences(compared):
    result, _ = compared
    _assert_clean_exit(result, 0)
    assert "paired difference" in result.output or "Δ" in result.output


def test_compare_writes_the_figure(compared):
    _, figure = compared
    assert figure.read_bytes().startswith(PNG_MAGIC)


def test_compare_writes_a_csv_next_to_the_figure(compared):
    _, figure = compared
    table = pd.read_csv(figure.with_suffix(".csv"))
    assert set(table.columns) >= CSV_COLUMNS
    assert set(table["strategy"]) == {"steady", "surge"}
    assert table["outcome"].nunique() * 2 == len(table)
    baseline_diffs = table.loc[table["strategy"] == "steady", "diff_vs_baseline"].dropna()
    assert (baseline_diffs == 0).all()


def test_compare_adds_the_baseline_to_a_chosen_strategy(toy_path, tmp_path):
    figure = tmp_path / "only-surge.png"
    result = runner.invoke(
        app,
        ["compare", str(toy_path), "--runs", "5", "--strategies", "surge", "--figure", str(figure)],
    )
    _assert_clean_exit(result, 0)
    assert set(pd.read_csv(figure.with_suffix(".csv"))["strategy"]) == {"steady", "surge"}


def test_compare_writes_to_out_by_default(toy_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["compare", str(toy_path), "--runs", "3"])
    _assert_clean_exit(result, 0)
    assert (tmp_path / "out" / "compare-toy.png").is_file()
    assert (tmp_path / "out" / "compare-toy.csv").is_file()


def test_compare_with_an_unknown_strategy_exits_2_naming_it(toy_path, tmp_path):
    result = runner.invoke(
        app,
        [
            "compare",
            str(toy_path),
            "--runs",
            "3",
            "--strategies",
            "nope",
            "--figure",
            str(tmp_path / "c.png"),
        ],
    )
    _assert_clean_exit(result, 2)
    assert "'nope'" in result.output
    assert not (tmp_path / "c.png").exists()


def test_validate_one_case_exits_0_and_writes_the_report(tmp_path):
    out = tmp_path / "validation"
    result = runner.invoke(
        app, ["validate", "--runs", "50", "--case", "winter-war-1939", "--out", str(out)]
    )
    _assert_clean_exit(result, 0)
    assert "of 1 cases pass" in result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2 id='winter-war-1939'>" in page


def test_validate_strict_passes_when_every_case_passes(tmp_path):
    result = runner.invoke(
        app,
        [
            "validate",
            "--strict",
            "--runs",
            "50",
            "--case",
            "iwo-jima-estimator-check",
            "--out",
            str(tmp_path),
        ],
    )
    _assert_clean_exit(result, 0)


def test_validate_an_unknown_case_exits_2(tmp_path):
    result = runner.invoke(app, ["validate", "--case", "nope", "--out", str(tmp_path)])
    _assert_clean_exit(result, 2)
    assert "unknown cases ['nope']" in result.output
    assert not (tmp_path / "report.html").exists()


def test_validate_strict_exits_1_when_the_blocked_iwo_jima_case_fails(tmp_path):
    result = runner.invoke(
        app, ["validate", "--strict", "--case", "iwo-jima-1945", "--out", str(tmp_path)]
    )
    _assert_clean_exit(result, 1)
    assert "0 of 1 cases pass" in result.output
    assert "BLOCKED by data" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_validate_without_strict_reports_a_failing_case_but_exits_0(tmp_path):
    result = runner.invoke(app, ["validate", "--case", "iwo-jima-1945", "--out", str(tmp_path)])
    _assert_clean_exit(result, 0)
    assert "FAIL" in result.output


def test_validate_refuses_fewer_than_10_runs(tmp_path):
    result = runner.invoke(app, ["validate", "--runs", "5", "--out", str(tmp_path)])
    assert result.exit_code == 2


@pytest.mark.parametrize("method", ["ls", "ml"])
def test_calibrate_on_the_shipped_iwo_jima_data_exits_cleanly(method):
    # Engel's daily US series is missing from data/, so there is nothing to fit.
    result = runner.invoke(app, ["calibrate", "--method", method, "--bootstrap", "5"])
    _assert_clean_exit(result, 2)
    assert "iwo_jima_1945" in result.output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--free", "x", "--free 'x'"), ("--free", "", "--free ''"), ("--method", "zz", "'zz'")],
)
def test_calibrate_rejects_bad_options(option, value, message):
    result = runner.invoke(app, ["calibrate", option, value])
    _assert_clean_exit(result, 2)
    assert message in result.output


def test_calibrate_rejects_an_unknown_series():
    result = runner.invoke(app, ["calibrate", "marathon-490bc"])
    _assert_clean_exit(result, 2)
    assert "unknown series 'marathon-490bc'" in result.output


def test_scenarios_lists_every_shipped_scenario(wide_console):
    result = runner.invoke(app, ["scenarios"])
    _assert_clean_exit(result, 0)
    for name in ("world-2024", "kursk-2024", "winter-war-1939", "polish-soviet-1920"):
        assert name in result.output
    assert len(shipped_names()) == 4


def test_sources_of_world_2024_lists_the_kursk_salient(wide_console):
    result = runner.invoke(app, ["sources", "world-2024"])
    _assert_clean_exit(result, 0)
    assert "fronts.kursk.occupied_km2" in result.output
    assert "source:" in result.output


def test_sources_say_in_which_file_and_line_each_number_is_set(wide_console, tmp_path):
    child = tmp_path / "child.toml"
    child.write_text(
        '[scenario]\nextends = "kursk-2024"\n\n[combat]\n'
        'defence_advantage = { value = 1.2, source = "A study, RAND, 2024" }\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["sources", str(child)])
    _assert_clean_exit(result, 0)
    lines = result.stdout.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("combat.defence_advantage = "))
    assert lines[k] == "combat.defence_advantage = 1.2"
    assert lines[k + 1].strip() == "source: A study, RAND, 2024"
    assert lines[k + 2].strip() == f"set in {child}:5"
    assert "world-2024.toml:" in result.output


def test_validate_exits_2_naming_the_missing_data_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TWOFRONT_DATA", str(tmp_path / "no-data"))
    case = ["--case", "kursk-2024-backtest", "--runs", "10", "--out", str(tmp_path / "v")]
    for extra in ([], ["--strict"]):
        result = runner.invoke(app, ["validate", *extra, *case])
        _assert_clean_exit(result, 2)
        missing = tmp_path / "no-data" / "kursk_area_held.csv"
        assert f"error: kursk-2024-backtest: {missing}: missing" in result.stderr
        assert (tmp_path / "v" / "report.html").is_file()


def test_validate_reports_a_case_blocked_by_documented_missing_data_without_failing(tmp_path):
    args = ["validate", "--case", "iwo-jima-1945", "--runs", "10", "--out", str(tmp_path / "v")]
    relaxed = runner.invoke(app, args)
    _assert_clean_exit(relaxed, 0)
    assert "iwo-jima-1945: could not be checked, data missing" in relaxed.stderr
    assert "--strict makes this an error" in relaxed.stderr
    _assert_clean_exit(runner.invoke(app, [*args, "--strict"]), 1)


def test_validate_out_naming_a_file_fails_before_any_case(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--out", str(afile)])
    _assert_clean_exit(result, 2)
    assert "exists and is not a folder" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--strategies", ","], "--strategies ',': expected 'all' or strategy ids"),
        (["compare", "--figure", "c.doc"], "unknown format '.doc'"),
        (["compare", "--runs", "20000000"], "more than MAX_RUNS"),
        (["run", "--figure", "/dev/null"], "unknown format"),
        (["run", "--runs", "20000000"], "more than MAX_RUNS"),
        (["calibrate", "--blue", "US Army"], "--blue 'US Army': expected an id"),
        (["calibrate", "--bootstrap", "20000"], "more than MAX_BOOTSTRAP = 10000"),
        (["validate", "--runs", "20000000"], "more than MAX_RUNS"),
        (
            [*FIT_ADVANTAGE, "--values", "1.2", "--runs", "20000000"],
            "more than MAX_RUNS",
        ),
        (["calibrate", "--out", "/proc/b.toml"], "cannot write in the folder /proc"),
        (["fit", "kursk-area", "--parameter", "combat.x", "--values", "nan"], "finite numbers"),
        (["fit", "kursk-area", "--parameter", "combat.x", "--values", "1,inf"], "finite numbers"),
        (
            ["fit", "kursk-area", "--parameter", "combat.x", "--values", "1", "--figure", "f.x"],
            "'.x'",
        ),
    ],
)
def test_bad_arguments_fail_in_a_second_with_exit_2(args, message):
    result = runner.invoke(app, args)
    _assert_clean_exit(result, 2)
    assert message in result.output


def test_an_internal_failure_is_one_line_and_exit_1(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: a bug (please report it" in err
    assert "Traceback" not in err


def test_compare_with_no_outcome_that_varies_draws_no_figure_and_exits_0(toy_path, tmp_path):
    figure = tmp_path / "c.png"
    args = ["compare", str(toy_path), "--runs", "2", "--sampling", "nominal"]
    result = runner.invoke(app, [*args, "--strategies", "steady", "--figure", str(figure)])
    _assert_clean_exit(result, 0)
    assert "no headline outcome differs between the strategies: no figure drawn" in result.stderr
    assert not figure.exists()
    assert figure.with_suffix(".csv").exists()
