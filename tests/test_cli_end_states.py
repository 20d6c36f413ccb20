"""`twofront compare --end-states`: the strategy x end-state grid on common random numbers."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import twofront.cli as cli
from tests.hand_world import fixed, hand_world
from tests.toml_text import dumps
from twofront.cli import app

runner = CliRunner()


@pytest.fixture
def hand_path(tmp_path):
    raw = hand_world()
    raw["aims"]["generous"] = {"title": "at least 0.2", "defender_share_at_least": fixed(0.2)}
    raw["end_states"] = {"modest": {"title": "modest", "aims": {"east": "generous"}}}
    path = tmp_path / "hand.toml"
    path.write_text(dumps(raw), encoding="utf-8")
    return path


def test_compare_runs_the_grid_against_the_baseline_with_its_own_aims(
    hand_path, tmp_path, monkeypatch
):
    monkeypatch.setattr(cli.console, "width", 250)
    figure = tmp_path / "grid.png"
    result = runner.invoke(
        app,
        [
            "compare",
            str(hand_path),
            "--runs",
            "4",
            "--end-states",
            "modest",
            "--figure",
            str(figure),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(figure.with_suffix(".csv"))
    assert set(table["strategy"]) == {"none", "none @ modest"}
    assert set(table["baseline"]) == {"none"}
    share = table[table["outcome"] == "defender share at settlement east"].set_index("strategy")
    assert share.loc["none @ modest", "mean"] < share.loc["none", "mean"]


def test_an_unknown_end_state_is_a_clean_error(hand_path):
    result = runner.invoke(app, ["compare", str(hand_path), "--runs", "4", "--end-states", "bold"])
    assert result.exit_code == 2
    assert "--end-states: unknown ['bold']" in result.output
    assert "Traceback" not in result.output
