"""The memory estimate: refuse, before any run, work that cannot fit."""

from __future__ import annotations

import pytest

import twofront.resources as resources
from twofront.errors import ResourceError
from twofront.resources import check_fits, estimate


def test_memory_grows_with_runs_and_strategies(toy):
    one = estimate(toy, 1000)
    assert estimate(toy, 2000).peak_bytes > one.peak_bytes
    assert estimate(toy, 1000, strategies=3).peak_bytes > one.peak_bytes
    assert estimate(toy, 1000, strategies=3).seconds == pytest.approx(3 * one.seconds)


def test_world_estimate_is_near_the_measured_peak():
    from twofront.scenario.loader import load

    # measured: 1.7 GB peak at 40,000 runs of world-2024 (18.5 kB of results a run)
    peak = estimate(load("world-2024"), 40_000).peak_bytes
    assert 1.0e9 < peak < 3.5e9


def test_runs_that_cannot_fit_are_refused_with_the_estimate(toy, monkeypatch):
    monkeypatch.setattr(resources, "available_bytes", lambda: 1e9)
    with pytest.raises(ResourceError, match=r"need about .* GB of memory .*--force"):
        check_fits(toy, 5_000_000)


def test_force_skips_the_memory_check(toy, monkeypatch):
    monkeypatch.setattr(resources, "available_bytes", lambda: 1e9)
    assert check_fits(toy, 5_000_000, force=True).peak_bytes > 1e9


def test_more_runs_than_the_limit_are_refused_even_with_force(toy):
    with pytest.raises(ResourceError, match="more than MAX_RUNS = 10,000,000"):
        check_fits(toy, 10_000_001, force=True)


def test_the_machine_reports_some_memory():
    assert resources.available_bytes() > 0
