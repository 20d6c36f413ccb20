"""Feed one generated input to twofront and say what happened.

Categories:

``accepted``
    worked; for a scenario, a few runs were simulated and every trajectory
    value is finite or its run is marked by its status;
``clean error``
    refused with exit 2 (or a :class:`~twofront.errors.TwofrontError`), a
    message and no traceback;
``failure reported``
    exit 1 with a message (a failure inside, e.g. ``validate --strict``);
``traceback``
    any other exception: a bug;
``hang``
    past the time limit;
``silent non-finite``
    accepted, but a run whose status says OK holds ``inf`` or ``NaN``.
"""

from __future__ import annotations

import signal
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import chdir, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from twofront.cli import app
from twofront.engine.record import TRAJECTORIES
from twofront.errors import TwofrontError
from twofront.scenario.conditions import Names, compile_condition
from twofront.scenario.loader import load
from twofront.simulation import run

CATEGORIES = (
    "accepted",
    "clean error",
    "failure reported",
    "traceback",
    "hang",
    "silent non-finite",
)
FAILURES = ("traceback", "hang", "silent non-finite")
TIME_LIMIT_SECONDS = 30.0
NAMES = Names(("blue", "red", "donor"), ("shell",), ("main", "salient"), ("east",), "2024-08")
runner = CliRunner()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input did: its category and a line to show."""

    category: str
    detail: str


class HangError(Exception):
    """Raised by the alarm when one input runs past its time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`HangError` in the main thread after ``seconds`` of wall time."""

    def alarm(signum: int, frame: object) -> None:
        raise HangError(f"past {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _guarded(work: Callable[[], Outcome], seconds: float) -> Outcome:
    try:
        with time_limit(seconds):
            return work()
    except HangError as err:
        return Outcome("hang", str(err))
    except TwofrontError as err:
        return Outcome("clean error", str(err).splitlines()[0] if str(err) else "(empty)")
    except Exception as err:
        return Outcome("traceback", _last_frame(err))


def _last_frame(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(err).__name__} at {where}: {str(err)[:160]}"


def finite_or_marked(results: object) -> str | None:
    """None if every trajectory value is finite in runs whose status is OK; else what is not."""
    status = np.asarray(results["run_status"])  # type: ignore[index]
    ok = status == 0
    for name in TRAJECTORIES:
        values = np.asarray(results[name], dtype=np.float64)  # type: ignore[index]
        flat = values.reshape(values.shape[0], -1)
        bad = ~np.isfinite(flat[ok]).all(axis=1)
        if bad.any():
            return f"{name}: {int(bad.sum())} run(s) with status OK hold inf or NaN"
    return None


def try_scenario(text: str, folder: Path, simulate: bool = True) -> Outcome:
    """Load a scenario text written to ``folder/s.toml``; simulate 3 runs if it loads."""
    path = folder / "s.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")

    def work() -> Outcome:
        spec = load(str(path))
        if not simulate:
            return Outcome("accepted", spec.scenario.name)
        with np.errstate(all="ignore"):
            results = run(spec, runs=3, seed=0)
        problem = finite_or_marked(results)
        return Outcome("silent non-finite", problem) if problem else Outcome("accepted", "")

    return _guarded(work, TIME_LIMIT_SECONDS)


def try_condition(text: str) -> Outcome:
    """Compile a condition against the toy scenario's names."""

    def work() -> Outcome:
        compile_condition(text, NAMES)
        return Outcome("accepted", "")

    return _guarded(work, TIME_LIMIT_SECONDS)


def try_command(args: list[str], seconds: float = TIME_LIMIT_SECONDS) -> Outcome:
    """Run a command line in-process; exit 0 or 2 (or 1 with a message) and no traceback."""

    def work() -> Outcome:
        # Relative and default paths (out/...) land in a scratch folder, not the checkout.
        with tempfile.TemporaryDirectory() as scratch, chdir(scratch), np.errstate(all="ignore"):
            result = runner.invoke(app, args, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            if isinstance(result.exception, HangError):
                raise result.exception
            return Outcome("traceback", _last_frame(result.exception))
        if "Traceback" in result.output:
            return Outcome("traceback", result.output[-300:])
        lines = [ln for ln in result.output.splitlines() if any(c.isalnum() for c in ln)]
        last = (lines or [""])[-1].strip(" │")[:160]
        if result.exit_code == 0:
            return Outcome("accepted", last)
        if result.exit_code == 2 and last:
            return Outcome("clean error", last)
        if result.exit_code == 1 and last:
            return Outcome("failure reported", last)
        return Outcome("traceback", f"exit {result.exit_code} with output {last!r}")

    return _guarded(work, seconds)


def try_battle(csv_text: str, meta_text: str, folder: Path) -> Outcome:
    """``twofront calibrate`` on a battle CSV and its metadata written to ``folder``."""
    csv = folder / "battle.csv"
    csv.write_text(csv_text, encoding="utf-8")
    (folder / "battle.meta.toml").write_text(meta_text, encoding="utf-8")
    return try_command(["calibrate", str(csv), "--bootstrap", "3"])
