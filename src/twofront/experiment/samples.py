"""Read a stored experiment as analysis data: sampled inputs and outcomes, paired by run.

Every strategy of an experiment runs on the same seed, so run ``i`` faces the
same sampled world under each strategy (common random numbers). This module
reads, for the analyses of :mod:`twofront.analysis.drivers`,
:mod:`twofront.analysis.discovery` and :mod:`twofront.analysis.robustness`:

* the sampled inputs of one strategy's runs, keeping only the columns that vary
  (the uncertain inputs; a fixed number is the same in every run);
* any stored outcome column (``two_wars_at_once``, ``settled__europe``, ...) of
  one strategy, or its run-by-run *difference* between two strategies;
* a boolean condition over outcomes of several strategies
  (``two_wars_at_once[sequencing] > two_wars_at_once[drip-feed]``).

Runs whose ``run_status`` is not OK are left out (as :mod:`twofront.analysis.compare`
does). Nothing here simulates: it reads the files named by the manifest.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from twofront.engine.state import RunStatus
from twofront.errors import StoreError
from twofront.experiment import store
from twofront.experiment.where import evaluate_where, parse_where

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Sample:
    """What an analysis of one outcome reads from a stored experiment.

    ``inputs`` has shape ``(run, input)``: one column per uncertain sampled input
    (parameter path; a strategy-specific input that differs between the two
    strategies of a difference appears once per strategy, as ``path [strategy]``).
    ``outcome`` has shape ``(run,)``: the outcome, or strategy A minus strategy B
    run by run. ``runs`` are the run ids kept (status OK in every strategy read).
    """

    folder: Path
    label: str
    outcome: F64
    inputs: pd.DataFrame
    runs: NDArray[np.int64]
    strategies: tuple[str, ...]
    plan: dict[str, Any]


def plan_of(folder: Path) -> dict[str, Any]:
    """The plan of a complete experiment (refuses an incomplete one, saying why)."""
    return dict(store.read_manifest(folder)["plan"])


def outcome_columns(folder: Path) -> list[str]:
    """The per-run outcome columns stored in ``folder`` (e.g. ``settled__europe``)."""
    with store.connect(folder) as con:
        names = [str(row[0]) for row in con.sql("DESCRIBE outcomes").fetchall()]
    return [n for n in names if n not in ("run", "strategy", "point")]


def check_strategy(folder: Path, plan: dict[str, Any], strategy: str) -> None:
    """Raise :class:`StoreError` unless ``strategy`` was run in the experiment."""
    if strategy not in plan["strategies"]:
        raise StoreError(
            f"{folder / store.MANIFEST}: plan.strategies has no {strategy!r}; "
            f"expected one of {plan['strategies']}"
        )


def check_outcome(folder: Path, name: str, columns: list[str]) -> None:
    """Raise :class:`StoreError` unless ``name`` is a stored outcome column."""
    if name not in columns:
        near = [c for c in columns if c.startswith(name.split(store.SEPARATOR)[0])][:6]
        hint = f"; close: {near}" if near else f"; e.g. {columns[:6]}"
        raise StoreError(
            f"{folder}/outcomes: no column {name!r}; expected a stored per-run outcome "
            f"(variable or variable__label){hint}"
        )


def read_outcomes(folder: Path, strategy: str, columns: list[str], point: int = 0) -> pd.DataFrame:
    """``run``, ``run_status`` and ``columns`` of one strategy's runs, indexed by run."""
    listed = ", ".join(f'"{c}"' for c in dict.fromkeys(["run_status", *columns]))
    with store.connect(folder) as con:
        frame = con.sql(
            f"SELECT run, {listed} FROM outcomes WHERE strategy = $s AND point = $p ORDER BY run",
            params={"s": strategy, "p": point},
        ).df()
    return frame.set_index("run")


def read_inputs(folder: Path, strategy: str, point: int = 0) -> pd.DataFrame:
    """Every sampled input of one strategy's runs: ``(run, path)``, indexed by run."""
    with store.connect(folder) as con:
        frame = con.sql(
            "SELECT * EXCLUDE (strategy, point) FROM inputs "
            "WHERE strategy = $s AND point = $p ORDER BY run",
            params={"s": strategy, "p": point},
        ).df()
    return frame.set_index("run")


def varying(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``frame`` that take more than one value, all finite (the uncertain
    inputs; a column with a missing value in some run is left out)."""
    values = frame.to_numpy(dtype=np.float64)
    if not len(frame):
        return frame
    finite = np.isfinite(values).all(axis=0)
    safe = np.where(np.isfinite(values), values, 0.0)
    keep = finite & (safe.max(axis=0) > safe.min(axis=0))
    return frame.loc[:, keep]


def paired_inputs(
    first: pd.DataFrame, second: pd.DataFrame, names: tuple[str, str]
) -> pd.DataFrame:
    """Inputs of two strategies on the same runs: shared columns once, and each column
    whose values differ between the two as ``path [strategy]`` for each strategy."""
    same = [c for c in first.columns if c in second.columns and np.array_equal(first[c], second[c])]
    out = {c: first[c] for c in same}
    for frame, name in zip((first, second), names, strict=True):
        for column in frame.columns:
            if column not in same:
                out[f"{column} [{name}]"] = frame[column]
    return varying(pd.DataFrame(out, index=first.index))


def read_sample(
    folder: Path,
    outcome: str,
    strategy: str | None = None,
    difference: tuple[str, str] | None = None,
    point: int = 0,
) -> Sample:
    """The uncertain inputs and one outcome of a stored experiment, run by run.

    ``difference=(A, B)`` reads ``outcome`` under A minus ``outcome`` under B on the
    same runs (common random numbers); otherwise ``outcome`` under ``strategy``
    (default: the experiment's first strategy). Booleans read as 0/1.
    """
    plan = plan_of(folder)
    names: tuple[str, ...] = (
        difference if difference is not None else (strategy or plan["strategies"][0],)
    )
    for name in names:
        check_strategy(folder, plan, name)
    check_outcome(folder, outcome, outcome_columns(folder))
    frames = [read_outcomes(folder, name, [outcome], point) for name in names]
    ok = np.logical_and.reduce([f["run_status"].to_numpy() == RunStatus.OK for f in frames])
    values = [f[outcome].to_numpy(dtype=np.float64) for f in frames]
    runs = frames[0].index.to_numpy(dtype=np.int64)
    for name, frame in zip(names, frames, strict=True):
        if not np.array_equal(frame.index.to_numpy(), runs):
            raise StoreError(
                f"{folder}/outcomes: strategy {name!r} holds other runs than {names[0]!r}; "
                "expected the same run ids (one experiment, one seed)"
            )
    y = values[0] - values[1] if difference is not None else values[0]
    inputs = [read_inputs(folder, name, point) for name in names]
    table = (
        paired_inputs(inputs[0], inputs[1], (names[0], names[1]))
        if difference is not None
        else varying(inputs[0])
    )
    keep = ok & np.isfinite(y)
    label = f"{outcome}[{names[0]}] - {outcome}[{names[1]}]" if difference else outcome
    return Sample(
        folder,
        label,
        y[keep],
        varying(table.loc[keep]),
        runs[keep],
        tuple(names),
        plan,
    )


def parse_pair(text: str) -> tuple[str, str]:
    """``A,B`` as a pair of strategy names."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise StoreError(f"--difference {text!r}; expected two different strategies 'A,B'")
    return parts[0], parts[1]


def evaluate_condition(
    folder: Path, expression: str, strategy: str | None = None, point: int = 0
) -> tuple[NDArray[np.bool_], NDArray[np.int64], str]:
    """Evaluate a ``--where`` condition over stored outcomes run by run.

    The language is :mod:`twofront.experiment.where` (parsed, never executed): a bare
    name reads ``strategy`` (default: the experiment's first), ``name[S]`` reads
    strategy ``S``; e.g. ``two_wars_at_once[sequencing] > two_wars_at_once[drip-feed]``.
    Returns the boolean per run, the run ids (runs OK in every strategy read) and the
    strategy the bare names read.
    """
    where = parse_where(expression)
    plan = plan_of(folder)
    default = strategy or plan["strategies"][0]
    check_strategy(folder, plan, default)
    columns = outcome_columns(folder)
    wanted: dict[str, list[str]] = {}
    for name, who in where.refs:
        if who is not None:
            check_strategy(folder, plan, who)
        check_outcome(folder, name, columns)
        wanted.setdefault(who or default, []).append(name)
    frames = {}
    for who, names in wanted.items():
        frame = read_outcomes(folder, who, names, point)
        ok = frame["run_status"].to_numpy() == RunStatus.OK
        frames[who] = frame.loc[ok, list(dict.fromkeys(names))]
    runs = functools.reduce(lambda a, b: a.intersection(b), (f.index for f in frames.values()))
    values = {
        (name, who): frames[who or default].loc[runs, name].to_numpy(dtype=np.float64)
        for name, who in where.refs
    }
    return evaluate_where(where, values), runs.to_numpy(dtype=np.int64), default


def describe_plan(plan: dict[str, Any]) -> str:
    """One line about an experiment: scenario, runs, seed, sampling, overrides."""
    sets = json.dumps(plan.get("overrides", []))
    return (
        f"{plan['scenario']}: {plan['runs']:,} runs x {len(plan['strategies'])} strateg"
        f"{'y' if len(plan['strategies']) == 1 else 'ies'}, seed {plan['seed']}, "
        f"{plan['sampling']} sampling{'' if sets == '[]' else ', --set ' + sets}"
    )
