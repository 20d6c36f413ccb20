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
