"""Backtest scores and the fit of one scenario number to an observed series."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from typer.testing import CliRunner

from twofront.analysis.backtest import (
    TARGETS,
    fitted_block,
    profile,
    scores,
    set_parameter,
)
from twofront.cli import app
from twofront.errors import TwofrontError
from twofront.scenario.loader import read_raw, resolve


def test_scores_on_a_hand_made_distribution():
    # 21 runs valued 0..20 in each of 3 months: median 10, 5% = 1, 95% = 19.
    simulated = np.tile(np.arange(21.0)[:, None], (1, 3))
    observed = np.array([10.0, 25.0, np.nan])
    result = scores(simulated, observed)
    assert result.months == 2
    assert result.coverage == 0.5  # 10 inside [1, 19], 25 outside
    assert result.mae == pytest.approx((0 + 15) / 2)
    assert result.bias == pytest.approx((0 - 15) / 2)
    assert result.width == pytest.approx(18.0)


def test_set_parameter_fixes_a_number_and_leaves_the_original_alone():
    raw = read_raw(resolve("kursk-2024"), ())
    changed = set_parameter(raw, "combat.defence_advantage", 1.7, "grid")
    assert changed["combat"]["defence_advantage"] == {"value": 1.7, "assumption": "grid"}
    assert raw["combat"]["defence_advantage"] != changed["combat"]["defence_advantage"]


@pytest.mark.parametrize("path", ["combat.nope", "nope.defence_advantage", "combat"])
def test_set_parameter_rejects_paths_that_are_not_numbers(path):
    raw = read_raw(resolve("kursk-2024"), ())
    with pytest.raises(TwofrontError, match=f"--parameter {path}"):
        set_parameter(raw, path, 1.0, "grid")


def test_fitted_block_is_valid_toml_with_its_source():
    block = fitted_block("fronts.donbas.advance_km2_per_month", 2500.0, 'fit "quoted" source')
    parsed = tomllib.loads(block)
    entry = parsed["fronts"]["donbas"]["advance_km2_per_month"]
    assert entry == {"value": 2500.0, "source": 'fit "quoted" source'}


def test_profile_scores_each_value_on_common_random_numbers():
    raw = read_raw(resolve("kursk-2024"), ())
    table = profile(
        raw,
        "kursk-2024",
        "combat.defence_advantage",
        [1.1, 3.0],
        TARGETS["ukraine-gains"],
        runs=40,
        seed=3,
    )
    assert list(table["value"]) == [1.1, 3.0]
    assert (table["months"] == 12).all()
    # A far larger defence advantage stops Russia's advance: its median falls further
    # below the observed gains.
    low, high = table["bias"]
    assert high < low


def test_fit_command_prints_the_profile_and_writes_block_and_figure(tmp_path):
    out, figure = tmp_path / "block.toml", tmp_path / "fit.png"
    result = CliRunner().invoke(
        app,
        [
            "fit",
            "kursk-area",
            "--parameter",
            "fronts.kursk.advance_km2_per_month",
            "--values",
            "30,120",
            "--runs",
            "20",
            "--out",
            str(out),
            "--figure",
            str(figure),
        ],
    )
    assert result.exit_code == 0, result.output
    value = tomllib.loads(out.read_text())["fronts"]["kursk"]["advance_km2_per_month"]["value"]
    assert value in (30.0, 120.0)
    assert figure.stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--parameter", "combat.defence_advantage", "--values", "1"], "unknown target"),
        (
            ["ukraine-gains", "--parameter", "combat.defence_advantage", "--values", "a,b"],
            "expected numbers",
        ),
        (["ukraine-gains", "--parameter", "combat.nope", "--values", "1.2"], "combat.nope"),
    ],
)
def test_fit_command_rejects_bad_input_with_exit_2(args, message):
    result = CliRunner().invoke(app, ["fit", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
