"""The analysis commands from the command line, on a small stored experiment of the toy:
each runs, prints its summary, writes its figure, and refuses bad input with exit 2.

In the toy only blue's starting shell stock is uncertain, so the outcome that varies is
the lowest stock blue sees (``min_stockpile_seen__blue__shell``)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from twofront.cli import app

runner = CliRunner()
STOCK = "min_stockpile_seen__blue__shell"


def ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, f"twofront {' '.join(args)}:\n{result.output[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def stored(tmp_path_factory, toy_path):
    out = tmp_path_factory.mktemp("exp") / "toy"
    ok(["experiment", str(toy_path), "--runs", "400", "--strategies", "steady,surge",
        "--out", str(out), "--keep", "none"])  # fmt: skip
    return out


def test_drivers_ranks_inputs_and_a_paired_difference(stored, tmp_path):
    figure = tmp_path / "d.png"
    out = ok(["drivers", str(stored), "--outcome", STOCK, "--resamples", "5",
              "--top", "3", "--figure", str(figure), "--format", "json"])  # fmt: skip
    rows = json.loads(out)
    assert rows and {"input", "pawn", "rho", "swing"} <= rows[0].keys()
    assert figure.is_file()
    ok(["drivers", str(stored), "--outcome", STOCK, "--difference", "surge,steady",
        "--resamples", "5"])  # fmt: skip


def test_explore_finds_a_box_for_a_condition(stored, tmp_path):
    out = ok(["explore", str(stored), "--where", f"{STOCK}[steady] > 200000",
              "--max-runs", "400", "--figure", str(tmp_path / "e.png")])  # fmt: skip
    assert "PRIM" in out or "box" in out


def test_robust_reports_regret_and_satisficing(stored, tmp_path):
    out = ok(["robust", str(stored), "--outcome", STOCK, "--better", "higher",
              "--threshold", f"{STOCK}>=150000", "--format", "csv",
              "--figure", str(tmp_path / "r.png")])  # fmt: skip
    assert "steady" in out and "surge" in out


def test_optimise_searches_an_aid_line_by_its_index(toy_path, tmp_path):
    out = ok(["optimise", str(toy_path), "--strategy", "surge",
              "--vary", "strategies.surge.aid[0].per_month=1000:100000",
              "--objective", "settled__east:maximize", "--runs", "50", "--trials", "3",
              "--figure", str(tmp_path / "o.png"), "--format", "csv"])  # fmt: skip
    assert "strategies.surge.aid[0].per_month" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["drivers", "{stored}", "--outcome", "nothing_like_it"], "nothing_like_it"),
        (["robust", "{stored}", "--outcome", "settled__east", "--better", "sideways"], "better"),
        (["explore", "{stored}", "--where", "settled__east >>> 1"], "where"),
    ],
)
def test_bad_input_is_a_clear_error(stored, args, message):
    result = runner.invoke(app, [a.format(stored=stored) for a in args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_optimise_chooses_among_conditions(toy_path, tmp_path):
    out = ok(["optimise", str(toy_path), "--strategy", "surge",
              "--choose", "strategies.surge.restrictions_lifted_when=month >= 0|month < 0",
              "--objective", "settled__east:maximize", "--runs", "30", "--trials", "3",
              "--figure", str(tmp_path / "c.png"), "--format", "csv"])  # fmt: skip
    assert "strategies.surge.restrictions_lifted_when" in out


def test_optimise_refuses_an_unknown_end_state(toy_path):
    result = runner.invoke(app, ["optimise", str(toy_path), "--choose", "end_state=a|b",
                                 "--runs", "10", "--trials", "2"])  # fmt: skip
    assert result.exit_code == 2
    assert "is not an end state" in result.output
