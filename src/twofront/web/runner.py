"""The dashboard's work: sliders, comparisons run in bounded chunks, stored experiments.

A comparison is checked whole before it starts (:func:`plan`): the scenario is
looked up among the shipped ones, strategies and end states among the scenario's,
each fixed parameter among its uncertain numbers and within its slider's bounds,
then :func:`~twofront.scenario.overrides.load_with` validates the changed scenario
exactly as a file. Every problem is a :class:`FieldError` naming the request field.
The same functions as ``twofront compare`` then run it (:func:`simulate`) and the
same answer block and figures show it (:func:`answer`).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Queue

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from twofront.analysis.compare import (
    Comparison,
    Estimate,
    Outcome,
    better_worse,
    compare,
    deterrent_stock_outcomes,
    standard_outcomes,
    war_event_outcomes,
)
from twofront.engine.record import wars_at_once
from twofront.engine.state import TheaterStatus
from twofront.errors import TwofrontError
from twofront.experiment import store
from twofront.report.console import differs, headline
from twofront.report.experiment_report import load_experiment
from twofront.scenario.loader import load, shipped_names
from twofront.scenario.overrides import load_with
from twofront.scenario.schema import Scenario
from twofront.scenario.sources import iter_params
from twofront.simulation import run
from twofront.web import models

CHUNK_RUNS = 2000
"""Runs per chunk: progress is reported and the time limit checked after each."""
SLIDER_QUANTILES = (0.001, 0.999)
"""Where a slider stops on a side where the distribution is unbounded."""
MAX_LISTED = 200
"""Experiment folders listed from the store (the first, by name)."""
FAN_PERCENTILES = (5, 25, 50, 75, 95)


class FieldError(TwofrontError):
    """A request that cannot be done, with the field it names (FastAPI's ``loc``)."""

    def __init__(self, loc: tuple[str | int, ...], message: str, status: int = 422) -> None:
        self.loc = loc
        self.status = status
        super().__init__(message)


class StoppedError(TwofrontError):
    """A comparison stopped between chunks: over its time limit, or nobody is listening."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A checked comparison: cells are (label, strategy, end state or None)."""

    spec: Scenario
    cells: tuple[tuple[str, str, str | None], ...]
    baseline: str
    runs: int
    seed: int


def scenario(name: str, loc: tuple[str | int, ...] = ("body", "scenario")) -> Scenario:
    """A shipped scenario by name; any other name is a :class:`FieldError` at ``loc``."""
    names = shipped_names()
    if name not in names:
        raise FieldError(loc, f"unknown scenario {name!r}; expected one of {names}")
    return load(name)


def info(spec: Scenario) -> models.ScenarioInfo:
    """What a page offers of ``spec``."""
    return models.ScenarioInfo(
        name=spec.scenario.name,
        title=spec.scenario.title,
        horizon_months=spec.scenario.horizon_months,
        strategies=list(spec.strategies),
        default_strategy=spec.scenario.default_strategy,
        end_states=list(spec.end_states),
    )


def sliders(spec: Scenario) -> list[models.Slider]:
    """One slider per uncertain number of ``spec``: from the low to the high end of its
    support, or its 0.1% / 99.9% quantile on a side where the support is unbounded."""
    items = []
    for path, param in iter_params(spec):
        if param.dist == "fixed":
            continue
        low, high = param.support()
        q_low, q_high = param.ppf(np.array(SLIDER_QUANTILES))
        low, high = (low if math.isfinite(low) else float(q_low),
                     high if math.isfinite(high) else float(q_high))  # fmt: skip
        items.append(
            models.Slider(
                path=path,
                describe=param.describe(),
                provenance=param.provenance,
                low=low,
                high=high,
                nominal=min(max(param.nominal(), low), high),
            )
        )
    return items


def plan(request: models.CompareRequest, max_runs: int) -> Plan:
    """Check ``request`` whole; raise :class:`FieldError` on the first field that fails."""
    if request.runs > max_runs:
        raise FieldError(
            ("body", "runs"), f"runs = {request.runs}; this server allows at most {max_runs:,}"
        )
    spec = scenario(request.scenario)
    for i, name in enumerate(request.strategies):
        _member(name, list(spec.strategies), ("body", "strategies", i), "strategy")
    for i, name in enumerate(request.end_states):
        _member(name, list(spec.end_states), ("body", "end_states", i), "end state")
    base = request.baseline or spec.scenario.default_strategy
    _member(base, list(spec.strategies), ("body", "baseline"), "strategy")
    names = list(dict.fromkeys([base, *request.strategies]))
    cells: list[tuple[str, str, str | None]] = [(n, n, None) for n in names]
    if request.end_states:
        cells = [(base, base, None)]
        cells += [(f"{n} @ {e}", n, e) for n in names for e in request.end_states]
    if len(cells) > models.MAX_CELLS:
        raise FieldError(
            ("body", "end_states"),
            f"{len(cells)} strategy x end-state cells (with the baseline); expected at most "
            f"{models.MAX_CELLS}",
        )
    spec = _with_sets(request.scenario, spec, request.set)
    return Plan(spec, tuple(cells), base, request.runs, request.seed)


def _member(name: str, allowed: list[str], loc: tuple[str | int, ...], what: str) -> None:
    if name not in allowed:
        raise FieldError(loc, f"unknown {what} {name!r}; expected one of {allowed}")


def _with_sets(name: str, spec: Scenario, sets: dict[str, float]) -> Scenario:
    """``spec`` reloaded with each path fixed at its value, validated like a file."""
    if not sets:
        return spec
    bounds = {s.path: s for s in sliders(spec)}
    for path, value in sets.items():
        loc = ("body", "set", path)
        if path not in bounds:
            raise FieldError(
                loc, f"{path!r} is not an uncertain number of {name}; expected a slider path"
            )
        s = bounds[path]
        if not (math.isfinite(value) and s.low <= value <= s.high):
            raise FieldError(loc, f"{path} = {value!r}; expected a value in [{s.low}, {s.high}]")
    try:
        return load_with(name, [f"{path}={value!r}" for path, value in sets.items()])
    except TwofrontError as err:
        raise FieldError(("body", "set"), str(err)) from None


def simulate(
    chosen: Plan, on_runs: Callable[[int], None], stop: Callable[[], bool]
) -> models.Answer:
    """Run each cell of ``chosen`` on the same seed, chunk by chunk; ``on_runs(n)`` after
    each chunk; :class:`StoppedError` as soon as ``stop()`` says so after one."""
    started = time.monotonic()

    def chunk_done(n: int) -> None:
        on_runs(n)
        if stop():
            raise StoppedError("stopped: over the time limit or the page went away")

    results = {
        label: run(
            chosen.spec,
            runs=chosen.runs,
            seed=chosen.seed,
            strategy=strategy,
            chunk_runs=CHUNK_RUNS,
            on_chunk=chunk_done,
            end_state=end_state,
        )
        for label, strategy, end_state in chosen.cells
    }
    others = len(results) - 1
    against = f"{others} strateg{'y' if others == 1 else 'ies'} vs " if others else "strategy "
    title = (
        f"{chosen.spec.scenario.name}: {against}{chosen.baseline}, "
        f"{chosen.runs:,} sampled worlds each, seed {chosen.seed}"
    )
    return answer(chosen.spec, results, chosen.baseline, title, started)


def answer(
    spec: Scenario, results: dict[str, xr.Dataset], baseline: str, title: str, started: float
) -> models.Answer:
    """The answer block, headline outcomes and charts over time of ``results``."""
    first = results[baseline]
    outcomes = (
        standard_outcomes(first) + war_event_outcomes(spec) + deterrent_stock_outcomes(spec, first)
    )
    comparison = compare(results, outcomes, baseline)
    return models.Answer(
        title=title,
        baseline=baseline,
        runs=first.sizes["run"],
        seconds=round(time.monotonic() - started, 2),
        headline=headline(comparison, title) if len(results) > 1 else [title],
        outcomes=[
            _outcome(comparison, o)
            for o in outcomes
            if o.headline and comparison.estimates[baseline, o.name].n
        ],
        months=[str(d) for d in np.datetime_as_string(first["date"].values, unit="M")],
        fans={label: panels(ds) for label, ds in results.items()},
    )


def panels(results: xr.Dataset) -> list[models.Panel]:
    """Charts over time of one strategy's ``results``, where their trajectories are there:
    the aggressor's area per front (a fan; fronts at 0 in 95% of runs left out), the share
    of runs at war per theater and with 1, 2, 3 wars at once."""
    items = []
    if "occupied_km2" in results:
        for front in (str(f) for f in results["front"].values):
            km2 = results["occupied_km2"].sel(front=front).values.astype(np.float64)
            bands = np.percentile(km2, FAN_PERCENTILES, axis=0)
            if np.any(bands[-1] > 0):
                title = f"{front}: area held by the aggressor"
                items.append(models.Panel(title=title, units="km²", bands=_rounded(bands)))
    if "theater_status" in results:
        at_war = results["theater_status"].values == TheaterStatus.WAR
        lines = {
            str(t): _rounded(100 * at_war[:, :, k].mean(axis=0))[0]
            for k, t in enumerate(results["theater"].values)
        }
        items.append(models.Panel(title="runs at war, by theater", units="%", lines=lines))
    if {"theater_status", "fought_this_month", "patrons_at_war"} <= set(results.data_vars):
        wars = wars_at_once(
            results["theater_status"].values,
            results["fought_this_month"].values,
            results["patrons_at_war"].values,
        )
        lines = {f"{n} or more": _rounded(100 * (wars >= n).mean(axis=0))[0] for n in (1, 2, 3)}
        items.append(models.Panel(title="runs with n wars at once", units="%", lines=lines))
    return items


def _rounded(values: NDArray[np.float64]) -> list[list[float]]:
    """Rows of ``values`` (one row if 1-d) as lists of floats, 4 significant digits."""
    rows = np.atleast_2d(values)
    return [[float(f"{v:.4g}") for v in row] for row in rows]


def _outcome(comparison: Comparison, outcome: Outcome) -> models.HeadlineOutcome:
    lines = []
    for strategy in comparison.strategies:
        better, worse = better_worse(comparison, strategy, outcome)
        lines.append(
            models.StrategyLine(
                strategy=strategy,
                value=_estimate(comparison.estimates[strategy, outcome.name]),
                delta=_estimate(comparison.differences[strategy, outcome.name]),
                better=_finite(better),
                worse=_finite(worse),
            )
        )
    return models.HeadlineOutcome(
        name=outcome.name,
        units=outcome.units,
        better=outcome.better,
        differs=differs(comparison, outcome),
        lines=lines,
    )


def _estimate(e: Estimate) -> models.Estimate:
    return models.Estimate(mean=_finite(e.mean), low=_finite(e.low), high=_finite(e.high))


def _finite(value: float) -> float | None:
    """JSON has no NaN: a missing value is None."""
    return float(value) if math.isfinite(value) else None


def events(chosen: Plan, max_seconds: float, release: Callable[[], None]) -> Iterator[str]:
    """Server-sent events of ``chosen`` run in a worker thread: ``progress`` (runs done
    of the total) at the start and after each chunk, then ``answer`` or ``failed``.

    The worker calls ``release`` when it ends; it stops at its next chunk once past
    ``max_seconds`` or once this iterator is closed (the page went away).
    """
    queue: Queue[tuple[str, str] | None] = Queue()
    total = chosen.runs * len(chosen.cells)
    closed = threading.Event()
    deadline = time.monotonic() + max_seconds
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        queue.put(("progress", json.dumps({"done": done, "total": total})))

    def over() -> bool:
        return closed.is_set() or time.monotonic() > deadline

    def work() -> None:
        try:
            result = simulate(chosen, progress, over)
            queue.put(("answer", result.model_dump_json()))
        except StoppedError:
            why = f"stopped after {done:,} of {total:,} runs: over the limit of {max_seconds:g} s"
            queue.put(("failed", json.dumps({"detail": why})))
        except TwofrontError as err:
            queue.put(("failed", json.dumps({"detail": str(err)})))
        except Exception as err:  # a bug: the page says so and the server goes on
            detail = f"internal error: {type(err).__name__}: {err}"
            queue.put(("failed", json.dumps({"detail": detail})))
        finally:
            release()
            queue.put(None)

    queue.put(("progress", json.dumps({"done": 0, "total": total})))
    threading.Thread(target=work, name="twofront-compare", daemon=True).start()
    try:
        while (item := queue.get()) is not None:
            yield f"event: {item[0]}\ndata: {item[1]}\n\n"
    finally:
        closed.set()


def experiments(folder: Path | None) -> dict[str, models.ExperimentInfo]:
    """The complete experiments directly under ``folder`` (none without a folder), by name."""
    if folder is None or not folder.is_dir():
        return {}
    found = {}
    for path in sorted(p for p in folder.iterdir() if p.is_dir())[:MAX_LISTED]:
        try:
            plan_ = store.read_manifest(path)["plan"]
        except TwofrontError:
            continue
        found[path.name] = models.ExperimentInfo(
            name=path.name,
            scenario=str(plan_["scenario"]),
            strategies=[str(s) for s in plan_["strategies"]],
            runs=int(plan_["runs"]),
            seed=int(plan_["seed"]),
            overrides=[str(s) for s in plan_["overrides"]],
        )
    return found


def open_stored(folder: Path | None, names: list[str]) -> models.Answer:
    """Stored experiments ``names`` compared: one, its strategies; several, every strategy
    of each (labelled ``experiment: strategy``) against the first one's baseline."""
    started = time.monotonic()
    listed = experiments(folder)
    for i, name in enumerate(names):
        _member(name, list(listed), ("body", "names", i), "experiment")
    assert folder is not None  # listed is empty without a folder
    loaded = [(name, load_experiment(folder / name)) for name in dict.fromkeys(names)]
    spec, _, first_base = loaded[0][1]
    if len(loaded) == 1:
        results, baseline = loaded[0][1][1], first_base
    else:
        results = {f"{n}: {s}": ds for n, (_, r, _) in loaded for s, ds in r.items()}
        baseline = f"{loaded[0][0]}: {first_base}"
    title = f"{', '.join(n for n, _ in loaded)}: {len(results)} results vs {baseline}"
    try:
        return answer(spec, results, baseline, title, started)
    except TwofrontError as err:
        raise FieldError(("body", "names"), str(err)) from None
