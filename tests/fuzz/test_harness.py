"""The fuzz harness itself: it must see a traceback, a hang and a silent inf when there is one."""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

import twofront.cli as cli
from tests.fuzz.harness import finite_or_marked, try_command, try_condition


def test_an_unexpected_exception_in_a_command_counts_as_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(cli, "load", broken)
    outcome = try_command(["sources", "world-2024"])
    assert outcome.category == "traceback"
    assert "ZeroDivisionError" in outcome.detail


def test_work_past_the_time_limit_counts_as_a_hang(monkeypatch):
    def slow(*args, **kwargs):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pass

    monkeypatch.setattr("tests.fuzz.harness.compile_condition", slow)
    monkeypatch.setattr("tests.fuzz.harness.TIME_LIMIT_SECONDS", 0.2)
    assert try_condition("month > 1").category == "hang"


def test_a_clean_refusal_counts_as_a_clean_error():
    outcome = try_command(["run", "no-such-scenario"])
    assert outcome.category == "clean error"
    assert "no such file and not a shipped scenario" in outcome.detail


def _results(status: list[int], value: float) -> xr.Dataset:
    from twofront.engine.record import TRAJECTORIES

    runs = len(status)
    data = {name: (("run", "month"), np.ones((runs, 2))) for name in TRAJECTORIES}
    data["stockpile"] = (("run", "month"), np.array([[1.0, value]] * runs))
    data["run_status"] = (("run",), np.array(status))
    return xr.Dataset(data)


def test_inf_in_a_run_marked_ok_is_a_silent_non_finite():
    assert "stockpile: 1 run(s)" in str(finite_or_marked(_results([0], np.inf)))


def test_inf_in_a_run_marked_by_its_status_is_fine():
    assert finite_or_marked(_results([1], np.inf)) is None
    assert finite_or_marked(_results([0], 2.0)) is None
