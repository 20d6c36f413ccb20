"""The experiment command and the store options of run: results, refusals, exit codes."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from twofront.cli import app
from twofront.experiment import store

runner = CliRunner()


def _experiment(toy_path, out, *extra: str):
    args = ["experiment", str(toy_path), "--out", str(out), "--runs", "24", "--chunk-runs", "10"]
    return runner.invoke(app, [*args, "--evaluator", "inprocess", *extra])


def _clean_failure(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.output


def test_experiment_stores_every_strategy_and_sweep_point(toy_path, tmp_path):
    out = tmp_path / "x"
    result = _experiment(
        toy_path, out, "--strategies", "all", "--sweep", "combat.defence_advantage=1.5,2.5",
        "--keep", "territory,stocks",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "96 runs in 12 chunks stored" in result.output
    with store.connect(out) as con:
        rows = con.execute(
            "SELECT strategy, point, count(*) FROM outcomes GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        assert rows == [("steady", 0, 24), ("steady", 1, 24), ("surge", 0, 24), ("surge", 1, 24)]
        assert con.execute("SELECT count(*) FROM stockpile").fetchone() == (96,)


def test_experiment_refuses_an_existing_folder_then_resumes_and_forces(toy_path, tmp_path):
    out = tmp_path / "x"
    assert _experiment(toy_path, out).exit_code == 0
    _clean_failure(_experiment(toy_path, out), "holds a complete experiment; expected --resume")
    assert _experiment(toy_path, out, "--resume").exit_code == 0
    _clean_failure(_experiment(toy_path, out, "--resume", "--seed", "3"), "different settings")
    assert _experiment(toy_path, out, "--force", "--seed", "3").exit_code == 0
    assert store.read_manifest(out)["plan"]["seed"] == 3
    _clean_failure(_experiment(toy_path, out, "--resume", "--force"), "at most one of them")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--keep", "bogus"], "unknown trajectory 'bogus'"),
        (["--evaluator", "threads"], "--evaluator 'threads'"),
        (["--set", "combat.defence_advantage=uniform:2"], "uniform takes 2 numbers"),
        (["--set", "combat.defence_advantage=uniform:3:1"], "combat.defence_advantage"),
        (["--sweep", "combat.nope=1,2"], "--sweep combat.nope: not a number"),
        (["--strategies", "nope"], "strategy 'nope' is not in scenario 'toy'"),
        (["--scheduler", "tcp://localhost:1"], "--scheduler needs --evaluator dask"),
    ],
)
def test_experiment_bad_input_exits_2_with_one_clear_line(toy_path, tmp_path, extra, message):
    _clean_failure(_experiment(toy_path, tmp_path / "x", *extra), message)
    assert not (tmp_path / "x" / store.MANIFEST).exists()


def test_experiment_refuses_an_out_that_is_a_file(toy_path, tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    _clean_failure(_experiment(toy_path, path), "is a file")


def test_run_out_refuses_an_existing_experiment_unless_forced(toy_path, tmp_path):
    out = tmp_path / "x"
    args = [
        "run",
        str(toy_path),
        "--runs",
        "12",
        "--out",
        str(out),
        "--figure",
        str(tmp_path / "f.png"),
    ]
    assert runner.invoke(app, args).exit_code == 0
    _clean_failure(runner.invoke(app, args), "holds a complete experiment")
    result = runner.invoke(app, [*args, "--force", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert store.read_manifest(out)["plan"]["seed"] == 4


def test_run_summary_is_the_same_with_and_without_out(toy_path, tmp_path):
    base = [
        "run",
        str(toy_path),
        "--runs",
        "30",
        "--chunk-runs",
        "7",
        "--figure",
        str(tmp_path / "f.png"),
    ]
    plain = runner.invoke(app, base)
    stored = runner.invoke(app, [*base, "--out", str(tmp_path / "x")])
    assert plain.exit_code == stored.exit_code == 0
    # From the title to the figure line: the progress bar's elapsed time may differ.
    table = plain.output[plain.output.index("Toy two-front") :].split("figure written")[0]
    assert table in stored.output


@pytest.mark.parametrize("command", ["run", "compare"])
def test_set_is_applied_and_checked_on_run_and_compare(toy_path, tmp_path, command):
    args = [command, str(toy_path), "--runs", "4", "--figure", str(tmp_path / "f.png")]
    ok = runner.invoke(app, [*args, "--set", "combat.defence_advantage=uniform:1.2:1.8"])
    assert ok.exit_code == 0, ok.output
    _clean_failure(runner.invoke(app, [*args, "--set", "combat.x=1"]), "--set combat.x")
