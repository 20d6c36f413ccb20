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
    assert "cannot determine 2 unknowns" in result.output
    assert "Traceback" not in result.output


def write_rows(folder, rows, name="ends"):
    """A battle CSV from (day, landed, blue, red) rows and a minimal meta file with day1_date."""
    lines = ["day,blue_reinforcements,blue_personnel,red_personnel"]
    lines += [",".join("" if v is None else f"{v}" for v in row) for row in rows]
    (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
    (folder / f"{name}.meta.toml").write_text(
        'title = "Start and end"\nday1_date = "1945-02-19"\n[[sources]]\ntitle = "tests"\n'
    )
    return folder / f"{name}.csv"


def test_calibrate_fits_start_and_end_points_with_a_fixed_law_and_says_there_is_no_interval(
    tmp_path,
):
    reinforcements = np.zeros(36)
    reinforcements[[0, 2, 5]] = [54_000, 6_000, 13_000]
    blue, red = simulate(reinforcements, 21_500, 0.05, 0.005)
    rows = [(0, 0, None, 21_500)]
    rows += [(d, int(reinforcements[d - 1]), None, None) for d in range(1, 36)]
    rows += [(36, 0, round(blue[36], 3), round(red[36], 3))]
    out = tmp_path / "block.toml"
    result = CliRunner().invoke(
        app, ["calibrate", str(write_rows(tmp_path, rows)), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "exactly determined" in result.output
    japan = tomllib.loads(out.read_text())["actors"]["red"]["forces"]["lethality_per_month"]
    assert abs(japan["value"] / DAYS_PER_MONTH - 0.05) < 1e-4
    assert "dist" not in japan and "exactly determined" in japan["note"]
    assert "cut-off 1945-03-26 (day 36)" in japan["source"]


def test_calibrate_fits_the_linear_law_from_the_command_line(tmp_path):
    reinforcements = np.zeros(36)
    reinforcements[[0, 2, 5]] = [54_000, 6_000, 13_000]
    blue, red = simulate(reinforcements, 21_500, 8e-7, 4e-7, p=1.0, q=1.0)
    rows = [(0, 0, None, 21_500)]
    rows += [
        (d, int(reinforcements[d - 1]), round(blue[d], 1), round(red[d], 1)) for d in range(1, 37)
    ]
    result = CliRunner().invoke(
        app, ["calibrate", str(write_rows(tmp_path, rows)), "--law", "linear", "--bootstrap", "10"]
    )
    assert result.exit_code == 0, result.output
    block = tomllib.loads(result.output[result.output.index("[combat") :])
    assert block["combat"]["shooter_exponent"]["value"] == 1.0
    assert block["combat"]["target_exponent"]["value"] == 1.0
    red_rate = block["actors"]["red"]["forces"]["lethality_per_month"]["value"]
    assert abs(red_rate / DAYS_PER_MONTH / 8e-7 - 1) < 0.01


def test_calibrate_refuses_to_write_a_fit_worse_than_the_mean(tmp_path):
    path = write_battle(tmp_path)
    result = CliRunner().invoke(app, ["calibrate", str(path), "--fix", "a=0.5", "--bootstrap", "5"])
    assert result.exit_code == 2
    assert "< 0: the fitted path is worse than the mean" in result.output
    assert f"{path}: not written as a prior" in result.output
    assert "Traceback" not in result.output


def test_calibrate_names_a_bad_fix_and_what_is_expected():
    result = CliRunner().invoke(app, ["calibrate", "--fix", "p:0"])
    assert result.exit_code == 2
    assert "--fix 'p:0': expected NAME=NUMBER with NAME from ['a', 'b', 'p', 'q']" in result.output
    assert "Traceback" not in result.output
