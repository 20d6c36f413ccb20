"""`twofront calibrate` on a user's battle CSV: fit, print and write a sourced block."""

from __future__ import annotations

import tomllib

import numpy as np
from typer.testing import CliRunner

from twofront.analysis.calibrate import DAYS_PER_MONTH, simulate
from twofront.cli import app

A, B = 0.0544, 0.0106  # Engel (1954), per day


def write_battle(folder, noise=0.005):
    reinforcements = np.zeros(36)
    reinforcements[[0, 2, 5]] = [54_000, 6_000, 13_000]
    blue, red = simulate(reinforcements, 21_500, A, B)
    observed = blue * (1 + np.random.default_rng(7).normal(0, noise, blue.shape))
    lines = ["day,blue_reinforcements,blue_personnel,red_personnel", "0,0,,21500"]
    for day in range(1, 37):
        red_cell = f"{red[day]:.1f}" if day == 36 else ""
        lines.append(f"{day},{reinforcements[day - 1]:.0f},{observed[day]:.1f},{red_cell}")
    (folder / "battle.csv").write_text("\n".join(lines) + "\n")
    (folder / "battle.meta.toml").write_text(
        'title = "Synthetic battle"\n[[sources]]\nid = "test"\n'
        'title = "generated from Engel\'s model"\npublisher = "tests"\ndate = "2026"\n'
    )
    return folder / "battle.csv"


def test_calibrate_fits_a_battle_csv_and_writes_a_sourced_block(tmp_path):
    path = write_battle(tmp_path)
    out = tmp_path / "block.toml"
    result = CliRunner().invoke(
        app,
        [
            "calibrate",
            str(path),
            "--bootstrap",
            "20",
            "--blue",
            "us",
            "--red",
            "japan",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    block = tomllib.loads(out.read_text())
    # a per day x 30.44 days = Japanese lethality per month against the US
    japan = block["actors"]["japan"]["forces"]["lethality_per_month"]
    us = block["actors"]["us"]["forces"]["lethality_per_month"]
    assert abs(japan["value"] / DAYS_PER_MONTH - A) / A < 0.05
    assert abs(us["value"] / DAYS_PER_MONTH - B) / B < 0.05
    assert "Synthetic battle" in japan["source"] or "generated" in japan["source"]
    assert block["combat"]["shooter_exponent"]["value"] == 1.0
    assert block["combat"]["target_exponent"]["value"] == 0.0


def test_calibrate_refuses_a_series_without_observed_strengths():
    result = CliRunner().invoke(app, ["calibrate", "iwo-jima-1945"])
    assert result.exit_code == 2
    assert "days of observed blue strength" in result.output
    assert "Traceback" not in result.output
