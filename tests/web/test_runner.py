"""The dashboard's work: sliders bounded by each number's distribution, requests checked
whole before any run, work stopped at its limits, charts over time."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twofront.scenario.loader import load
from twofront.scenario.sources import iter_params
from twofront.simulation import run
from twofront.web import models, runner
from twofront.web.runner import FieldError


def test_sliders_span_the_support_or_its_quantiles_where_unbounded():
    spec = load("world-2024")
    params = dict(iter_params(spec))
    for slider in runner.sliders(spec):
        param = params[slider.path]
        low, high = param.support()
        assert slider.low == (low if math.isfinite(low) else float(param.ppf(np.array([0.001]))))
        assert slider.high == (high if math.isfinite(high) else float(param.ppf(np.array([0.999]))))
        assert math.isfinite(slider.low) and slider.low < slider.high


def test_every_slider_end_is_a_scenario_the_schema_accepts():
    slider = runner.sliders(load("kursk-2024"))[0]
    for value in (slider.low, slider.high):
        request = models.CompareRequest(
            scenario="kursk-2024", strategies=["surge"], set={slider.path: value}
        )
        chosen = runner.plan(request, models.MAX_RUNS_PER_REQUEST)
        fixed = dict(iter_params(chosen.spec))[slider.path]
        assert fixed.dist == "fixed" and fixed.value == value


def test_plan_puts_the_baseline_first_once():
    request = models.CompareRequest(scenario="kursk-2024", strategies=["surge", "as-followed"])
    chosen = runner.plan(request, models.MAX_RUNS_PER_REQUEST)
    assert chosen.cells == (("as-followed", "as-followed", None), ("surge", "surge", None))


def test_plan_refuses_more_runs_than_the_server_allows():
    request = models.CompareRequest(scenario="kursk-2024", strategies=["surge"], runs=101)
    with pytest.raises(FieldError, match=r"runs = 101; this server allows at most 100") as err:
        runner.plan(request, max_runs=100)
    assert err.value.loc == ("body", "runs") and err.value.status == 422


def test_events_end_with_failed_when_over_time_and_release_the_lock():
    request = models.CompareRequest(scenario="kursk-2024", strategies=["surge"], runs=10)
    released = []
    stream = list(runner.events(runner.plan(request, 100), 0.0, lambda: released.append(1)))
    assert stream[0].startswith("event: progress") and stream[-1].startswith("event: failed")
    assert "over the limit of 0 s" in stream[-1] and released == [1]


def test_panels_hold_five_percentile_rows_per_month_in_order():
    results = run(load("kursk-2024"), 50, 0)
    panels = runner.panels(results)
    fans = [p for p in panels if p.bands]
    assert fans and all(len(p.bands) == 5 for p in fans)
    months = results.sizes["month"]
    for p in fans:
        assert all(len(row) == months for row in p.bands)
        assert np.all(np.diff(np.array(p.bands), axis=0) >= 0)  # 5th <= 25th <= ... <= 95th
    wars = next(p for p in panels if p.title == "runs with n wars at once")
    assert list(wars.lines) == ["1 or more", "2 or more", "3 or more"]
