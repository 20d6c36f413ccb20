"""Figures: the front schematic draws what it says."""

from __future__ import annotations

import pytest

from twofront.report.figures import fronts_schematic
from twofront.simulation import run


def test_the_fronts_schematic_draws_a_bar_per_strategy_and_the_start(toy):
    results = {s: run(toy, runs=8, seed=0, strategy=s) for s in list(toy.strategies)[:2]}
    soil = {f_id: f.soil_of for f_id, f in toy.fronts.items()}
    start = {f_id: f.occupied_km2.nominal() for f_id, f in toy.fronts.items()}
    fig = fronts_schematic(results, soil, start)
    axes = fig.get_axes()
    assert len(axes) == len(soil)
    for ax, front in zip(axes, soil, strict=True):
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["start", *results]
        # Two stacked bars a row (owner's part, the other side's), each row the front's area;
        # the other side's part of the start bar is the scenario's central value.
        widths = [p.get_width() for p in ax.patches]
        n = len(labels)
        assert len(widths) == 2 * n
        area = float(results[labels[1]]["area_km2"].sel(front=front).median())
        for k in range(n):
            assert widths[k] + widths[n + k] == pytest.approx(area)
        assert widths[n] == pytest.approx(start[front])
