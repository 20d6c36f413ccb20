"""The shipped examples run and print what their docstrings promise."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_essay_grid_prints_every_cell_and_the_three_dependence_tables(capsys):
    module = runpy.run_path(str(EXAMPLES / "essay_grid.py"))
    module["main"](40)
    out = capsys.readouterr().out
    assert "10 cells x 40 runs" in out
    for cell in ("drip-feed @ own aims", "sequencing @ essay", "asia-first @ capitulation"):
        assert out.count(f"| {cell} |") == 4  # the outcome table and three by-bin tables
    assert out.count("ΔP(two wars) against drip-feed") == 3


def test_war_economy_ablation_prints_every_variant_and_strategy(capsys):
    module = runpy.run_path(str(EXAMPLES / "war_economy_ablation.py"))
    module["main"](30)
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 4 * 2  # the header and two strategies per variant
    before = [r for r in rows if r.startswith("| no war economy")]
    assert len(before) == 2 and all("| n/a |" in r for r in before)
    # without a war economy Russia always pays its budget in full
    assert all(r.split(" | ")[8] == "1.000" for r in before)
