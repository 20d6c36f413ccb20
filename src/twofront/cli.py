"""The ``twofront`` command line: thin over the Python API.

Results go to stdout (a table for people, or ``--format csv|json`` for programs);
progress bars and messages go to stderr, so a pipe or a redirect holds only results.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
import xarray as xr
from rich.console import Console, Group
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from twofront.analysis.backtest import TARGETS, fitted_block, observed_for, profile, set_parameter
from twofront.analysis.calibrate import (
    PARAMETERS,
    calibration_block,
    fit_least_squares,
    fit_likelihood,
    parameters_for,
)
from twofront.analysis.compare import compare as compare_results
from twofront.analysis.compare import (
    deterrent_stock_outcomes,
    standard_outcomes,
    to_frame,
    war_event_outcomes,
)
from twofront.analysis.out_of_sample import IN_SAMPLE, OUT_OF_SAMPLE
from twofront.analysis.summary import failed_runs, summarise, summary_frame
from twofront.analysis.validation import CASES, CaseResult, Check
from twofront.engine.loop import concat_runs
from twofront.errors import CalibrationError, ScenarioError, TwofrontError, UsageError
from twofront.experiment import store
from twofront.experiment.evaluators import EVALUATORS, Evaluator
from twofront.experiment.provenance import version as installed_version
from twofront.experiment.runner import Experiment, run_experiment
from twofront.history import BattleSeries, battle_from_csv, cutoff_of, iwo_jima
from twofront.outputs import check_file, check_folder
from twofront.report import experiment_report, validation_report
from twofront.report.console import (
    calibration_table,
    comparison_table,
    differs,
    headline,
    profile_table,
    scenarios_table,
    sources_table,
    summary_table,
    validation_table,
)
from twofront.report.figures import (
    comparison_figure,
    figure_formats,
    profile_figure,
    run_figure,
)
from twofront.resources import check_fits
from twofront.scenario.limits import MAX_BOOTSTRAP, MAX_GRID_VALUES
from twofront.scenario.loader import (
    load,
    parse,
    read_chain,
    read_raw,
    resolve,
    shipped_names,
)
from twofront.scenario.overrides import SYNTAX, load_with, sweep_values
from twofront.scenario.schema import Scenario
from twofront.scenario.sources import iter_params, origins
from twofront.simulation import run as run_engine

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate multi-theater great-power conflict and compare strategies under uncertainty. "
    "Start with: twofront compare world-2024 --runs 2000",
    pretty_exceptions_enable=False,
)
console = Console()
"""Results (stdout)."""
errors = Console(stderr=True)
"""Progress, messages and errors (stderr)."""


class Format(StrEnum):
    """How a command writes its results to stdout."""

    table = "table"
    csv = "csv"
    json = "json"


FORMAT_HELP = "table (for people), or csv / json: the results as data on stdout"

DEFAULT_SCENARIO = "world-2024"
VALIDATION_SCENARIOS = ("kursk-2024", "winter-war-1939", "polish-soviet-1920")
"""The shipped scenarios the validation cases simulate (checked against memory first)."""
COULD_NOT_RUN = "could not run"
"""The description of a validation case that raised (e.g. a data file is missing)."""
LONG_RUN_SECONDS = 60.0
"""Above this estimated time, a simulation says how long and how much memory it will take."""
FORCE_HELP = "run even when the memory estimate says the runs will not fit"
SET_HELP = f"change a scenario number, checked like the file (repeatable): {SYNTAX}"
KEEP_HELP = (
    "monthly trajectories to store: none, territory, stocks, forces, all, or names "
    "(comma-separated)"
)
SAMPLING_HELP = (
    "mc: independent draws; sobol: scrambled Sobol' points (use powers of two); "
    "nominal: every number at its central value"
)


def _version(value: bool) -> None:
    if value:
        print(f"twofront {installed_version()}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """Simulate multi-theater great-power conflict and compare strategies under uncertainty."""


def _say(text: str) -> None:
    """A message for the person at the terminal (stderr), never cut or styled."""
    errors.print(text, markup=False, highlight=False, soft_wrap=True)


def _emit(rows: pd.DataFrame, fmt: Format, table: Callable[[], object], crop: bool = True) -> None:
    """Write ``rows`` to stdout as CSV or JSON records, or print the rich ``table``
    (``crop=False``: lines longer than the terminal run past its edge, never cut)."""
    if fmt is Format.csv:
        rows.to_csv(sys.stdout, index=False)
    elif fmt is Format.json:
        sys.stdout.write(rows.to_json(orient="records", indent=1, force_ascii=False) + "\n")
    else:
        console.print(table(), crop=crop, soft_wrap=not crop)


def _fail(err: TwofrontError) -> typer.Exit:
    lines = err.problems if isinstance(err, ScenarioError) else [str(err)]
    for line in lines:
        errors.print(line, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _check_figure(figure: Path | None, option: str = "--figure") -> None:
    """Fail now, not after the simulation, if the figure cannot be written there."""
    if figure is not None:
        try:
            check_file(figure, option, figure_formats())
        except UsageError as err:
            raise _fail(err) from None


def _check_path(path: Path | None, option: str, folder: bool = False) -> None:
    """Fail now if ``path`` cannot be written (as a folder, or as a file)."""
    if path is not None:
        try:
            check_folder(path, option) if folder else check_file(path, option)
        except UsageError as err:
            raise _fail(err) from None


def _progress() -> Progress:
    """A progress bar on stderr (shown only when stderr is a terminal)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=errors,
    )


def _load(scenario: str, sets: list[str] | None) -> Scenario:
    """The scenario with ``--set`` changes applied; a bad one is a clean failure."""
    try:
        return load_with(scenario, sets)
    except TwofrontError as err:
        raise _fail(err) from None


def _simulate(
    spec: Scenario,
    cells: Sequence[tuple[str | None, str | None]],
    runs: int,
    seed: int,
    chunk_runs: int,
    sampling: str = "mc",
    force: bool = False,
) -> dict[str, xr.Dataset]:
    """Run each (strategy, end state) cell of ``spec`` on the same seed; a strategy None
    is the scenario's default, an end state None the strategy's own aims. Results are
    keyed by 'strategy' or 'strategy @ end state'.

    Refuses, before any run, work whose memory estimate does not fit.
    """
    try:
        needed = check_fits(spec, runs, len(cells), force)
        if needed.seconds > LONG_RUN_SECONDS:
            _say(f"{runs:,} runs x {len(cells)}: {needed.describe()} (estimate)")
        results: dict[str, xr.Dataset] = {}
        with _progress() as progress:
            task = progress.add_task(f"{spec.scenario.name}: runs", total=runs * len(cells))
            for name, end_state in cells:
                result = run_engine(
                    spec,
                    runs=runs,
                    seed=seed,
                    strategy=name,
                    chunk_runs=chunk_runs,
                    on_chunk=lambda n: progress.advance(task, n),
                    sampling=sampling,
                    end_state=end_state,
                )
                label = str(result.attrs["strategy"])
                results[label if end_state is None else f"{label} @ {end_state}"] = result
    except TwofrontError as err:
        raise _fail(err) from None
    return results


def _end_state_cells(
    spec: Scenario, names: list[str], end_states: str | None, base: str
) -> list[tuple[str | None, str | None]]:
    """The strategy x end-state grid; the baseline strategy, labelled by its name alone,
    keeps its own declared aims."""
    if end_states is None:
        return [(n, None) for n in names]
    chosen = list(spec.end_states) if end_states == "all" else end_states.split(",")
    unknown = [e for e in chosen if e not in spec.end_states]
    if unknown or not chosen:
        raise _fail(
            TwofrontError(
                f"--end-states: unknown {unknown}; {spec.scenario.name} has {list(spec.end_states)}"
            )
        )
    cells: list[tuple[str | None, str | None]] = [(base, None)]
    cells += [(n, e) for n in names for e in chosen]
    return cells


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or TOML path")] = (
        DEFAULT_SCENARIO
    ),
    runs: Annotated[int, typer.Option(min=1, help="number of Monte Carlo runs")] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    strategy: Annotated[str | None, typer.Option(help="strategy id (default: scenario's)")] = None,
    out: Annotated[Path | None, typer.Option(help="directory for Parquet + DuckDB results")] = None,
    figure: Annotated[Path | None, typer.Option(help="PNG of the fan charts")] = None,
    chunk_runs: Annotated[int, typer.Option(min=1, help="runs per chunk")] = 10000,
    sampling: Annotated[str, typer.Option(help=SAMPLING_HELP)] = "mc",
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
    keep: Annotated[str, typer.Option(help=KEEP_HELP)] = store.DEFAULT_KEEP,
    force: Annotated[
        bool,
        typer.Option(
            help="replace an experiment already in --out; without --out, run even when the "
            "memory estimate says the runs will not fit"
        ),
    ] = False,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Simulate a scenario, print a summary of outcomes across runs and draw fan charts.

    With ``--out`` the runs are streamed chunk by chunk to the result store
    (see ``twofront experiment``); only what the summary and the figure need
    is kept in memory.
    """
    _check_figure(figure)
    _check_path(out, "--out", folder=True)
    spec = _load(scenario, set_)
    if out is None:
        by_strategy = _simulate(spec, [(strategy, None)], runs, seed, chunk_runs, sampling, force)
        results = next(iter(by_strategy.values()))
    else:
        results = _run_stored(
            spec, set_, strategy, runs, seed, chunk_runs, sampling, keep, out, force
        )
    title = (
        f"{spec.scenario.title} — strategy {results.attrs['strategy']}, {runs} runs, "
        f"seed {seed}, horizon {spec.scenario.horizon_months} months"
    )
    rows = summary_frame(summarise(results))
    _emit(rows, format_, lambda: summary_table(rows, title))
    failed = failed_runs(results)
    if failed:
        _say(f"{failed} run(s) stopped early with a non-finite state")
    picture = run_figure(results, figure or Path("out") / f"run-{spec.scenario.name}.png")
    _say(f"figure written to {picture}")
    if out is not None:
        _say(f"results written to {out} (Parquet files, DuckDB: {store.DATABASE})")


def _run_stored(
    spec: Scenario,
    sets: list[str] | None,
    strategy: str | None,
    runs: int,
    seed: int,
    chunk_runs: int,
    sampling: str,
    keep: str,
    out: Path,
    force: bool,
) -> xr.Dataset:
    """Stream one strategy's runs of ``spec`` (with ``sets`` recorded as its overrides) into
    the store at ``out``; return what the summary needs."""
    parts: list[xr.Dataset] = []
    try:
        name = strategy or spec.scenario.default_strategy
        experiment = Experiment(
            (spec,),
            (name,),
            runs,
            seed,
            chunk_runs,
            sampling,
            store.parse_keep(keep),
            overrides=tuple(sets or ()),
        )
        with _progress() as progress:
            task = progress.add_task(f"{spec.scenario.name}: runs", total=runs)
            run_experiment(
                experiment,
                out,
                mode="force" if force else "new",
                on_chunk=lambda n: progress.advance(task, n),
                collect=lambda chunk: parts.append(_for_summary(chunk)),
            )
    except TwofrontError as err:
        raise _fail(err) from None
    results = parts[0] if len(parts) == 1 else concat_runs(parts)
    return results.assign_attrs(
        scenario=spec.scenario.name, strategy=name, seed=seed, runs=runs, sampling=sampling
    )


def _for_summary(chunk: xr.Dataset) -> xr.Dataset:
    """The variables the run summary and figure read."""
    names = [
        "run_status", "war_began", "settled", "months_to_settlement", "two_wars_at_once",
        "final_occupied_km2", "casualties_total", "occupied_km2", "theater_status", "will",
        "stockpile", "personnel", "escalation_level", "patrons_at_war", "fought_this_month",
    ]  # fmt: skip
    return chunk[names]


@app.command()
def compare(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or TOML path")] = (
        DEFAULT_SCENARIO
    ),
    strategies: Annotated[str, typer.Option(help="'all' or comma-separated strategy ids")] = "all",
    baseline: Annotated[str | None, typer.Option(help="strategy to difference against")] = None,
    runs: Annotated[int, typer.Option(min=2, help="runs per strategy")] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="root seed (shared: common random numbers)")] = 0,
    figure: Annotated[Path | None, typer.Option(help="PNG path for the figure")] = None,
    chunk_runs: Annotated[int, typer.Option(min=1, help="runs per chunk")] = 10000,
    sampling: Annotated[str, typer.Option(help=SAMPLING_HELP)] = "mc",
    end_states: Annotated[
        str | None,
        typer.Option(
            help="'all' or comma-separated end states: run the strategy x end-state grid "
            "(default: each strategy with its own declared aims)"
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help=FORCE_HELP)] = False,
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
    all_: Annotated[
        bool,
        typer.Option(
            "--all", help="print every outcome (default: the headline outcomes that differ)"
        ),
    ] = False,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Run every strategy on the same random numbers and print the answer against the baseline.

    For each headline outcome: each strategy's value, its paired difference with the
    baseline with a 95% interval, and the share of sampled worlds where it does better,
    the same or worse. The full table goes to a CSV (--format csv prints it).
    """
    _check_figure(figure)
    if figure is not None:
        _check_path(figure.with_suffix(".csv"), "--figure (its .csv table)")
    spec = _load(scenario, set_)
    names = (
        list(spec.strategies)
        if strategies == "all"
        else [n.strip() for n in strategies.split(",") if n.strip()]
    )
    if not names:
        raise _fail(UsageError(f"--strategies {strategies!r}: expected 'all' or strategy ids"))
    unknown = [n for n in names if n not in spec.strategies]
    if unknown:
        raise _fail(
            TwofrontError(
                f"unknown strategies {unknown}; {spec.scenario.name} has {list(spec.strategies)}"
            )
        )
    base = baseline or spec.scenario.default_strategy
    if base not in names:
        names.insert(0, base)
    cells = _end_state_cells(spec, names, end_states, base)
    results = _simulate(spec, cells, runs, seed, chunk_runs, sampling, force)
    outcomes = (
        standard_outcomes(results[base])
        + war_event_outcomes(spec)
        + deterrent_stock_outcomes(spec, results[base])
    )
    comparison = compare_results(results, outcomes, base)
    rows = to_frame(comparison)
    title = (
        f"{spec.scenario.name}: {len(cells) - 1} strateg{'y' if len(cells) == 2 else 'ies'} vs "
        f"{base}{' (default)' if base == spec.scenario.default_strategy else ''}, "
        f"{runs:,} sampled worlds each, {sampling} sampling, seed {seed}"
    )

    def answer() -> object:
        block = Text("\n".join(headline(comparison, title, every=all_)))
        return Group(block, comparison_table(comparison, runs, seed)) if all_ else block

    _emit(rows, format_, answer)
    path = figure or Path("out") / f"compare-{spec.scenario.name}.png"
    table_path = path.with_suffix(".csv")
    table_path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(table_path, index=False)
    _say(f"full table ({len(outcomes)} outcomes x {len(results)} strategies): {table_path}")
    shown = [o for o in outcomes if o.headline and differs(comparison, o)][:12]
    if not shown:
        _say("no headline outcome differs between the strategies: no figure drawn")
        return
    comparison_figure(comparison, shown, path)
    _say(f"figure written to {path}")


@app.command()
def experiment(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or TOML path")],
    out: Annotated[Path, typer.Option(help="experiment folder (Parquet files + DuckDB views)")],
    runs: Annotated[int, typer.Option(min=1, help="runs per strategy and sweep value")] = 10000,
    seed: Annotated[int, typer.Option(min=0, help="root seed (shared: common random numbers)")] = 0,
    strategies: Annotated[
        str | None, typer.Option(help="'all' or comma-separated ids (default: the scenario's)")
    ] = None,
    chunk_runs: Annotated[int, typer.Option(min=1, help="runs per chunk (bounds memory)")] = 10000,
    sampling: Annotated[str, typer.Option(help=SAMPLING_HELP)] = "mc",
    keep: Annotated[str, typer.Option(help=KEEP_HELP)] = store.DEFAULT_KEEP,
    evaluator: Annotated[str, typer.Option(help=f"one of {', '.join(EVALUATORS)}")] = "pool",
    workers: Annotated[
        int | None, typer.Option(min=1, help="processes (default: every core)")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler tcp://HOST:PORT (with --evaluator dask)")
    ] = None,
    resume: Annotated[bool, typer.Option(help="continue the experiment in --out")] = False,
    force: Annotated[bool, typer.Option(help="replace the experiment in --out")] = False,
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
    sweep: Annotated[
        list[str] | None,
        typer.Option(help="PATH=V1,V2,...: one grid point per value, same seed (repeatable: grid)"),
    ] = None,
) -> None:
    """Run many runs chunk by chunk into a result folder, on every core or a Dask cluster.

    Each finished chunk is written at once; after a crash, the same command
    with --resume finishes it without losing or repeating a run.
    """
    try:
        if resume and force:
            raise TwofrontError("--resume and --force: expected at most one of them")
        plan = _experiment_plan(
            scenario, set_, sweep, strategies, runs, seed, chunk_runs, sampling, keep
        )
        chosen = Evaluator(evaluator, workers, scheduler)
        mode = "resume" if resume else "force" if force else "new"
        total = runs * len(plan.strategies) * len(plan.scenarios)
        with _progress() as progress:
            task = progress.add_task(f"{plan.scenarios[0].scenario.name}: runs", total=total)
            manifest = run_experiment(
                plan, out, chosen, mode, on_chunk=lambda n: progress.advance(task, n)
            )
    except TwofrontError as err:
        raise _fail(err) from None
    _say(
        f"{manifest['runs_stored']} runs in {len(manifest['chunks'])} chunks stored in {out} "
        f"({manifest['bytes'] / 2**20:.1f} MiB); query with DuckDB: {out / store.DATABASE}"
    )


def _experiment_plan(
    scenario: str,
    sets: list[str] | None,
    sweeps: list[str] | None,
    strategies: str | None,
    runs: int,
    seed: int,
    chunk_runs: int,
    sampling: str,
    keep: str,
) -> Experiment:
    """The experiment asked for on the command line, every grid point validated."""
    grid = [sweep_values(text) for text in sweeps or []]
    points = [dict(zip([p for p, _ in grid], values, strict=True)) for values in
              itertools.product(*(v for _, v in grid))]  # fmt: skip
    scenarios = tuple(
        load_with(scenario, sets, [f"{path}={value}" for path, value in point.items()])
        for point in points
    )
    spec = scenarios[0]
    if strategies == "all":
        names = tuple(spec.strategies)
    else:
        names = tuple(strategies.split(",")) if strategies else (spec.scenario.default_strategy,)
    return Experiment(
        scenarios,
        names,
        runs,
        seed,
        chunk_runs,
        sampling,
        store.parse_keep(keep),
        tuple(points),
        tuple(sets or ()),
    )


@app.command()
def validate(
    runs: Annotated[int, typer.Option(min=10, help="Monte Carlo runs per simulated case")] = 500,
    out: Annotated[Path, typer.Option(help="directory for report.html")] = Path("out/validation"),
    case: Annotated[list[str] | None, typer.Option(help="only these cases (repeatable)")] = None,
    strict: Annotated[bool, typer.Option(help="exit 1 if any case fails")] = False,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Run every validation case against history and write an HTML report.

    Exits 2 when a case cannot run because a data file it needs is missing or unreadable
    (the report is still written); a case documented as blocked by data is reported, not an
    error.
    """
    _check_path(out, "--out", folder=True)
    names = case or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        raise _fail(TwofrontError(f"unknown cases {unknown}; expected some of {list(CASES)}"))
    try:
        for name in VALIDATION_SCENARIOS:
            check_fits(load(name), runs)
    except TwofrontError as err:
        raise _fail(err) from None
    results = []
    with _progress() as progress:
        task = progress.add_task("validation cases", total=len(names))
        for name in names:
            progress.update(task, description=f"validating {name}")
            results.append(_run_case(name, runs))
            progress.advance(task)
    rows = validation_frame(results)
    if format_ is Format.table:
        for sample in (OUT_OF_SAMPLE, IN_SAMPLE):
            console.print(validation_table(rows, runs, sample))
    else:
        _emit(rows, format_, lambda: validation_table(rows, runs))
    path = validation_report.write(results, runs, out / "report.html")
    passed = sum(r.passed for r in results)
    _say(f"{passed} of {len(results)} cases pass; report written to {path}")
    broken = [r for r in results if r.description == COULD_NOT_RUN]
    blocked = [r for r in results if _missing_data(r) and r not in broken]
    for result in blocked:
        _say(f"{result.case}: could not be checked, data missing: {_reason(result)}")
    for result in broken:
        _say(f"error: {result.case}: {_reason(result)}")
    if broken:
        raise typer.Exit(code=2)
    if strict and passed < len(results):
        raise typer.Exit(code=1)
    if blocked:
        _say(f"{len(blocked)} case(s) lack data; --strict makes this an error (exit 1)")


def validation_frame(results: list[CaseResult]) -> pd.DataFrame:
    """One row per check: case, check, value, expected, passed, sample (in-sample or
    out-of-sample) and the basis of that label."""
    return pd.DataFrame(
        [
            (r.case, c.name, c.value, c.expected, c.passed, c.sample, c.basis)
            for r in results
            for c in r.checks
        ],
        columns=["case", "check", "value", "expected", "passed", "sample", "basis"],
    )


def _missing_data(result: CaseResult) -> bool:
    """A case that could not run, or says it is blocked by missing data."""
    return result.description == COULD_NOT_RUN or "BLOCKED by data" in result.notes


def _reason(result: CaseResult) -> str:
    return result.notes or "; ".join(c.name for c in result.checks)


def _run_case(name: str, runs: int) -> CaseResult:
    """A case's result; a case that cannot run (e.g. missing data) is a failed result."""
    try:
        return CASES[name](runs)
    except TwofrontError as err:
        return CaseResult(
            name, COULD_NOT_RUN, "", [Check(str(err), float("nan"), "case runs", False)], []
        )


@app.command()
def calibrate(
    series: Annotated[
        str,
        typer.Argument(
            help="'iwo-jima-1945' or a battle CSV (day, blue_reinforcements, "
            "blue_personnel, red_personnel) with a .meta.toml"
        ),
    ] = "iwo-jima-1945",
    method: Annotated[str, typer.Option(help="ls (least squares) or ml (likelihood)")] = "ls",
    law: Annotated[
        str,
        typer.Option(
            help="exponents held: square (q=1, p=0), linear (q=p=1), logarithmic (q=0, p=1) "
            "or free (p and q fitted); loss of blue per day = a N^q M^p"
        ),
    ] = "square",
    fix: Annotated[
        list[str] | None,
        typer.Option(help="hold a parameter, e.g. --fix p=0.5 (repeatable; overrides --law)"),
    ] = None,
    free: Annotated[
        str | None, typer.Option(help="parameters to fit, from a,b,p,q (default: from --law)")
    ] = None,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="bootstrap resamples (ls), or draws of --measurement-error")
    ] = 200,
    measurement_error: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="relative sd of each observed strength, for an interval on an exactly "
            "determined fit (e.g. start and end points only)",
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option(min=0, help="seed of the bootstrap")] = 0,
    blue: Annotated[str, typer.Option(help="actor id for the side with reinforcements")] = "blue",
    red: Annotated[str, typer.Option(help="actor id for the other side")] = "red",
    out: Annotated[Path | None, typer.Option(help="write the fitted scenario block here")] = None,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Fit the generalised Lanchester law to a battle series; print and write the parameters.

    A fit that warns (R² < 0, optimiser stuck at its start, a parameter not
    identified, an estimate outside its interval) is printed but never
    written as a prior.
    """
    _check_path(out, "--out")
    for option, actor in (("--blue", blue), ("--red", red)):
        if not _is_id(actor):
            raise _fail(
                UsageError(f"{option} {actor!r}: expected an id (a-z, 0-9, _ or -, from a letter)")
            )
    if bootstrap > MAX_BOOTSTRAP:
        raise _fail(
            UsageError(f"--bootstrap {bootstrap}: more than MAX_BOOTSTRAP = {MAX_BOOTSTRAP}")
        )
    if method not in ("ls", "ml"):
        raise _fail(TwofrontError(f"--method {method!r}: expected 'ls' or 'ml'"))
    try:
        names, held = parameters_for(law, _fixed(fix or []), _free_names(free))
    except TwofrontError as err:
        raise _fail(err) from None
    try:
        if series == "iwo-jima-1945":
            battle, meta = iwo_jima()
            data = "data/iwo_jima_1945.csv"
        elif series.endswith(".csv"):
            battle, meta = battle_from_csv(Path(series))
            data = series
        else:
            raise TwofrontError(f"unknown series {series!r}; expected 'iwo-jima-1945' or a .csv")
    except TwofrontError as err:
        raise _fail(err) from None
    try:
        fitted = (
            fit_least_squares(battle, names, held, bootstrap, seed, measurement_error)
            if method == "ls"
            else fit_likelihood(battle, names, held, measurement_error, bootstrap, seed)
        )
    except TwofrontError as err:
        hint = (
            ". Engel's (1954) daily series is missing from the shipped data (see "
            "data/iwo_jima_1945.meta.toml [missing])."
            if series == "iwo-jima-1945"
            else ""
        )
        raise _fail(TwofrontError(f"{data}: {err}{hint}")) from None
    quality = (
        "no R²: exactly determined"
        if fitted.method.startswith("exact")
        else f"R² of {blue} strength {fitted.r2_blue:.4f}"
    )
    rows = pd.DataFrame(
        [
            (
                n,
                fitted.values[n],
                fitted.low.get(n, np.nan) if n in names else np.nan,
                fitted.high.get(n, np.nan) if n in names else np.nan,
                n not in names,
                fitted.intervals.get(n, "") if n in names else "fixed",
            )
            for n in PARAMETERS
        ],
        columns=["parameter", "value", "low95", "high95", "fixed", "interval"],
    )
    title = f"{battle.name}: {fitted.method} fit ({quality})"
    _emit(rows, format_, lambda: calibration_table(rows, title))
    for line in fitted.notes:
        errors.print(f"note: {line}", markup=False, highlight=False, soft_wrap=True)
    for line in fitted.warnings:
        errors.print(f"warning: {line}", markup=False, highlight=False, soft_wrap=True)
    try:
        block = calibration_block(
            fitted, meta.citation(), blue, red, _fitted_span(data, battle), cutoff_of(battle, meta)
        )
    except CalibrationError as err:
        raise _fail(CalibrationError(f"{data}: {err}")) from None
    _emit_block(block, out, format_)


def _fixed(items: list[str]) -> dict[str, float]:
    """``--fix NAME=VALUE`` options as a dict; errors name the option and what is expected."""
    fixed = {}
    for item in items:
        name, _, text = item.partition("=")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if name.strip() not in PARAMETERS or not math.isfinite(value):
            raise _fail(
                UsageError(
                    f"--fix {item!r}: expected NAME=NUMBER with NAME from {list(PARAMETERS)}, "
                    "e.g. --fix p=0"
                )
            )
        fixed[name.strip()] = value
    return fixed


def _free_names(free: str | None) -> tuple[str, ...] | None:
    """``--free a,b,p``: distinct names from PARAMETERS, or None for the law's default."""
    if free is None:
        return None
    names = tuple(dict.fromkeys(x.strip() for x in free.split(",") if x.strip()))
    if not names or any(n not in PARAMETERS for n in names):
        raise _fail(TwofrontError(f"--free {free!r}: expected names from {list(PARAMETERS)}"))
    return names


def _fitted_span(data: str, battle: BattleSeries) -> str:
    """'<file>, days 1-36 (36 blue, 1 red observations)': what the fit saw."""
    blue_days = np.flatnonzero(np.isfinite(battle.blue_observed[1:])) + 1
    red_days = np.flatnonzero(np.isfinite(battle.red_observed[1:])) + 1
    days = np.concatenate([blue_days, red_days])
    span = f"days {int(days.min())}-{int(days.max())}" if days.size else "no days"
    return f"{data}, {span} ({blue_days.size} blue, {red_days.size} red observations)"


def _is_id(text: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", text))


def _emit_block(block: str, out: Path | None, fmt: Format) -> None:
    """Write a fitted scenario block to ``out``, or print it (to stderr when stdout holds
    CSV or JSON)."""
    if out is None:
        if fmt is Format.table:
            console.print(block, markup=False, highlight=False, soft_wrap=True)
        else:
            _say(block)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(block, encoding="utf-8")
    _say(f"scenario block written to {out}")


@app.command()
def fit(
    target: Annotated[str, typer.Argument(help="observed series: ukraine-gains or kursk-area")],
    parameter: Annotated[
        str, typer.Option(help="dotted path of a number, e.g. combat.defence_advantage")
    ],
    values: Annotated[str, typer.Option(help="comma-separated grid of values to try")],
    scenario: Annotated[str, typer.Option(help="scenario to run")] = "kursk-2024",
    strategy: Annotated[str | None, typer.Option(help="strategy (default: scenario's)")] = None,
    runs: Annotated[int, typer.Option(min=10, help="runs per grid value")] = 300,
    seed: Annotated[int, typer.Option(min=0, help="root seed (common to every value)")] = 0,
    out: Annotated[Path | None, typer.Option(help="write the best value as a block here")] = None,
    figure: Annotated[Path | None, typer.Option(help="PNG of the fit profile")] = None,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Fit one scenario number to an observed monthly series by simulation (grid search)."""
    _check_path(out, "--out")
    _check_figure(figure)
    if target not in TARGETS:
        raise _fail(TwofrontError(f"unknown target {target!r}; expected one of {list(TARGETS)}"))
    try:
        grid = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        raise _fail(
            TwofrontError(f"--values {values!r}: expected numbers separated by commas")
        ) from None
    if not grid:
        raise _fail(TwofrontError("--values: give at least one number"))
    if not all(math.isfinite(v) for v in grid) or len(grid) > MAX_GRID_VALUES:
        raise _fail(
            UsageError(
                f"--values {values!r}: expected at most MAX_GRID_VALUES = {MAX_GRID_VALUES} "
                "finite numbers"
            )
        )
    try:
        path = resolve(scenario)
        raw = read_raw(path, chain=())
        check_fits(parse(set_parameter(raw, parameter, grid[0], "check"), str(path)), runs)
        with _progress() as progress:
            task = progress.add_task(f"fitting {parameter}", total=len(grid))
            table = profile(
                raw,
                str(path),
                parameter,
                grid,
                TARGETS[target],
                runs,
                seed,
                strategy,
                on_value=lambda: progress.advance(task),
            )
    except TwofrontError as err:
        raise _fail(err) from None
    _emit(table, format_, lambda: profile_table(table, parameter, target, runs, seed))
    if not table["mae"].notna().any():
        raise _fail(
            CalibrationError(
                f"no simulated month overlaps the observed {target} series: no value to fit"
            )
        )
    best = float(table["value"].to_numpy()[np.nanargmin(table["mae"].to_numpy())])
    series, _ = observed_for(TARGETS[target], [])
    block = fitted_block(
        parameter,
        best,
        f"twofront fit: grid value minimising the MAE of the simulated median against "
        f"data/{series.name}.csv ({series.meta.get('title', series.name)}; sources in its "
        f".meta.toml); {scenario}, {runs} runs, seed {seed}; in-sample",
    )
    _emit_block(block, out, format_)
    picture = profile_figure(table, parameter, target, figure or Path("out") / f"fit-{target}.png")
    _say(f"figure written to {picture}")


@app.command()
def report(
    experiment: Annotated[Path, typer.Argument(help="experiment folder (twofront experiment)")],
    out: Annotated[Path, typer.Option(help="HTML file to write")] = Path("report.html"),
    scenario: Annotated[
        str | None,
        typer.Option(help="scenario name or TOML it was run from (default: the recorded name)"),
    ] = None,
) -> None:
    """Write one self-contained HTML report of a stored experiment.

    The answer, the strategy comparison with intervals, charts over time, every
    assumption with its source, and the settings and seed that reproduce it.
    """
    _check_path(out, "--out")
    try:
        path = experiment_report.write(experiment, out, scenario)
    except TwofrontError as err:
        raise _fail(err) from None
    _say(f"report written to {path}")


@app.command()
def scenarios(
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """List the shipped scenarios."""
    specs = [load(name) for name in shipped_names()]
    rows = pd.DataFrame(
        [
            (
                s.scenario.name,
                s.scenario.title,
                s.scenario.start,
                s.scenario.horizon_months,
                ", ".join(s.strategies),
            )
            for s in specs
        ],
        columns=["name", "title", "start", "months", "strategies"],
    )
    _emit(rows, format_, lambda: scenarios_table(rows))


@app.command()
def sources(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or TOML path")],
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """List every number in a scenario with its value or distribution and its source."""
    try:
        spec = load(scenario)
        chain = [(path, raw) for path, raw, _ in read_chain(resolve(scenario))]
    except TwofrontError as err:
        raise _fail(err) from None
    params = list(iter_params(spec))
    where = origins(chain, [path for path, _ in params])
    shipped = f"{resolve(DEFAULT_SCENARIO).parent}{os.sep}"
    rows = pd.DataFrame(
        [
            (path, p.describe(), p.provenance, where.get(path, "").removeprefix(shipped))
            for path, p in params
        ],
        columns=["parameter", "value", "source", "set_in"],
    )
    _emit(
        rows, format_, lambda: sources_table(rows, f"Sources of {spec.scenario.name}"), crop=False
    )


# --- Which assumptions drive the answer (issue 15): drivers, design, explore, robust, optimise.


def _stored(folder: Path) -> None:
    """Fail now unless ``folder`` holds a complete experiment."""
    try:
        store.read_manifest(folder)
    except TwofrontError as err:
        raise _fail(err) from None


@app.command()
def drivers(
    experiment: Annotated[Path, typer.Argument(help="a stored experiment folder")],
    outcome: Annotated[
        str, typer.Option(help="a stored per-run outcome, e.g. two_wars_at_once, settled__europe")
    ],
    strategy: Annotated[
        str | None, typer.Option(help="strategy to read (default: the experiment's first)")
    ] = None,
    difference: Annotated[
        str | None,
        typer.Option(help="A,B: rank the drivers of outcome under A minus under B, run by run"),
    ] = None,
    resamples: Annotated[int, typer.Option(min=0, help="bootstrap resamples for intervals")] = 100,
    rank_by: Annotated[
        str, typer.Option(help="pawn, rho or swing (absolute values for rho and swing)")
    ] = "pawn",
    top: Annotated[int, typer.Option(min=1, help="inputs shown in the summary and figure")] = 15,
    seed: Annotated[int, typer.Option(min=0, help="seed of the resamples")] = 0,
    figure: Annotated[Path | None, typer.Option(help="figure path (png, pdf, svg)")] = None,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Rank the sampled assumptions by how much they move an outcome of a stored experiment.

    Monte Carlo experiments (mc or sobol sampling): PAWN, Spearman's rho and the swing
    (outcome in the input's top third minus bottom third), each with a bootstrap 95%
    interval, against a noise reference. Experiments made by `twofront design`: Sobol'
    first, total and second-order indices (saltelli) or Morris screening (morris).
    Reads the stored runs only; never simulates.
    """
    from twofront.analysis.drivers import noise_level, rank_drivers
    from twofront.experiment.samples import describe_plan, parse_pair, read_sample
    from twofront.report.driver_figures import ranking_figure, save

    _check_figure(figure)
    _stored(experiment)
    if rank_by not in ("pawn", "rho", "swing"):
        raise _fail(UsageError(f"--rank-by {rank_by!r}; expected pawn, rho or swing"))
    try:
        plan = store.read_manifest(experiment)["plan"]
        if str(plan["sampling"]).split(":")[0] in ("saltelli", "morris"):
            _design_drivers(experiment, plan, outcome, strategy, difference, top, seed,
                            figure, format_)  # fmt: skip
            return
        pair = parse_pair(difference) if difference else None
        with _progress() as progress:
            task = progress.add_task("reading the stored runs", total=None)
            sample = read_sample(experiment, outcome, strategy, pair)
            progress.update(task, description="bootstrap resamples", total=resamples, completed=0)
            ranking = rank_drivers(
                sample.inputs, sample.outcome, seed, resamples,
                on_resample=lambda: progress.advance(task),
            )  # fmt: skip
    except TwofrontError as err:
        raise _fail(err) from None
    table = ranking.table
    if rank_by != "pawn":
        table = table.iloc[np.argsort(-np.abs(table[rank_by].to_numpy()), kind="stable")]
        ranking = type(ranking)(table.reset_index(drop=True), ranking.runs, ranking.resamples)
    title = (
        f"drivers of {sample.label} — {describe_plan(plan)}; {ranking.runs:,} runs used, "
        f"mean {float(np.mean(sample.outcome)):.4g}"
    )
    noise = noise_level(ranking)
    rows = ranking.table.assign(above_noise=ranking.table["pawn_low"] > noise)

    def show() -> object:
        from rich.table import Table

        out = Table(title=title, title_justify="left")
        for name in ("input", "PAWN [95%]", "rho [95%]", "swing [95%]", "> noise"):
            out.add_column(name, overflow="fold")
        for _, row in rows.head(top).iterrows():
            out.add_row(
                str(row["input"]),
                *(f"{row[k]:.3f} [{row[k + '_low']:.3f}, {row[k + '_high']:.3f}]"
                  for k in ("pawn", "rho", "swing")),
                "yes" if row["above_noise"] else "",
            )  # fmt: skip
        out.caption = (
            f"{len(rows) - 1} uncertain inputs; PAWN of pure noise up to {noise:.3f}; "
            f"sorted by {rank_by}"
        )
        return out

    _emit(rows, format_, show)
    path = figure or Path("out") / f"drivers-{outcome}.png"
    save(ranking_figure(ranking, f"drivers of {sample.label}", top), path)
    _say(f"figure written to {path}")


def _design_drivers(
    folder: Path,
    plan: dict[str, object],
    outcome: str,
    strategy: str | None,
    difference: str | None,
    top: int,
    seed: int,
    figure: Path | None,
    format_: Format,
) -> None:
    """Sobol' or Morris indices of an experiment made by ``twofront design``."""
    from twofront.analysis.drivers import morris_indices, sobol_indices
    from twofront.engine.designs import (
        MORRIS_LEVELS,
        design_paths,
        morris_matrix,
        parse_sampling,
    )
    from twofront.experiment.provenance import scenario_hash
    from twofront.experiment.samples import describe_plan, parse_pair, read_sample
    from twofront.report.driver_figures import morris_figure, save, sobol_figure

    method, size, listed = parse_sampling(str(plan["sampling"]))
    names = list(listed)
    if not names:  # every uncertain parameter of the stored scenario, in file order
        overrides = [str(o) for o in plan["overrides"]]  # type: ignore[attr-defined]
        spec = load_with(str(plan["scenario"]), overrides)
        if scenario_hash(spec) != plan["scenario_hashes"][0]:  # type: ignore[index]
            raise TwofrontError(
                f"{folder / store.MANIFEST}: scenario {plan['scenario']!r} no longer has the "
                "stored scenario_hash; expected the scenario the design was run on (its "
                "uncertain parameters, in order, are the design's dimensions)"
            )
        names = design_paths(spec, str(plan["sampling"]))
    pair = parse_pair(difference) if difference else None
    sample = read_sample(folder, outcome, strategy, pair)
    if len(sample.outcome) != int(plan["runs"]):  # type: ignore[call-overload]
        raise TwofrontError(
            f"{folder}: {int(plan['runs']) - len(sample.outcome)} run(s) of {outcome!r} are "  # type: ignore[call-overload]
            "missing or not finite; a Sobol'/Morris design needs every run's outcome"
        )
    title = f"{method} indices of {sample.label} — {describe_plan(plan)}"
    path = figure or Path("out") / f"drivers-{method}-{outcome}.png"
    if method == "saltelli":
        first, second = sobol_indices(sample.outcome, names, True, seed)
        _emit(first, format_, lambda: _plain_table(first.head(top), title), crop=False)
        if format_ is Format.table and not second.empty:
            console.print(_plain_table(second.head(min(top, 10)), "largest second-order indices"))
        save(sobol_figure(first, title, top), path)
    else:
        uniforms = morris_matrix(len(names), size, MORRIS_LEVELS, int(plan["seed"]))  # type: ignore[call-overload]
        table = morris_indices(uniforms, sample.outcome, names, MORRIS_LEVELS, seed)
        _emit(table, format_, lambda: _plain_table(table.head(top), title), crop=False)
        save(morris_figure(table, title), path)
    _say(f"figure written to {path}")


def _plain_table(frame: pd.DataFrame, title: str) -> Table:
    """A rich table of ``frame`` (numbers to 4 significant digits)."""

    out = Table(title=title, title_justify="left")
    for column in frame.columns:
        out.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        out.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    return out


@app.command()
def design(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or TOML path")],
    out: Annotated[Path, typer.Option(help="experiment folder to write")],
    vary: Annotated[
        str,
        typer.Option(
            help="comma-separated uncertain parameter paths to vary (the rest are "
            "fixed at their central values)"
        ),
    ],
    method: Annotated[str, typer.Option(help="saltelli (Sobol' indices) or morris")] = "saltelli",
    size: Annotated[
        int,
        typer.Option(min=1, help="saltelli: base sample N (power of two); morris: trajectories"),
    ] = 256,
    strategies: Annotated[
        str | None, typer.Option(help="'all' or comma-separated ids (default: the scenario's)")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="processes (default: every core)")
    ] = None,
    force: Annotated[bool, typer.Option(help="replace the experiment in --out")] = False,
) -> None:
    """Run a sensitivity design (Saltelli for Sobol' indices, or Morris) into a folder.

    The parameters in --vary follow the design (listed in the stored sampling text); every
    other uncertain number stays at its central value. Analyse it with
    `twofront drivers OUT --outcome NAME`.
    """
    from twofront.engine.designs import SENSITIVITY, design_runs

    if method not in SENSITIVITY:
        raise _fail(UsageError(f"--method {method!r}; expected one of {list(SENSITIVITY)}"))
    spec = _load(scenario, set_)
    uncertain = {path: param for path, param in iter_params(spec) if param.dist != "fixed"}
    chosen = [p.strip() for p in vary.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in uncertain]
    if unknown or not chosen:
        raise _fail(
            UsageError(
                f"--vary: {unknown or vary!r} not uncertain parameters of {spec.scenario.name}; "
                "expected paths listed by `twofront sources` with a distribution"
            )
        )
    sampling = f"{method}:{size}:{','.join(chosen)}"
    runs = design_runs(len(chosen), sampling) or 0
    try:
        plan = _experiment_plan(scenario, set_, None, strategies, runs, seed, 10_000, sampling,
                                "none")  # fmt: skip
        total = runs * len(plan.strategies)
        _say(f"{method} design over {len(chosen)} parameters: {runs:,} runs per strategy")
        with _progress() as progress:
            task = progress.add_task(f"{spec.scenario.name}: {method} runs", total=total)
            manifest = run_experiment(
                plan, out, Evaluator("pool", workers), "force" if force else "new",
                on_chunk=lambda n: progress.advance(task, n),
            )  # fmt: skip
    except TwofrontError as err:
        raise _fail(err) from None
    _say(
        f"{manifest['runs_stored']:,} runs stored in {out}; "
        f"next: twofront drivers {out} --outcome NAME"
    )


@app.command()
def explore(
    experiment: Annotated[Path, typer.Argument(help="a stored experiment folder")],
    where: Annotated[
        str,
        typer.Option(
            help="condition per run over outcomes; NAME[STRATEGY] reads a strategy, e.g. "
            "'two_wars_at_once[sequencing] > two_wars_at_once[drip-feed]'"
        ),
    ],
    strategy: Annotated[
        str | None, typer.Option(help="strategy whose inputs and bare names are read")
    ] = None,
    inputs: Annotated[
        int, typer.Option(min=1, help="search the K inputs most rank-correlated with the condition")
    ] = 20,
    max_runs: Annotated[int, typer.Option(min=100, help="runs used (a random subset beyond)")] = (
        50_000
    ),
    alpha: Annotated[float, typer.Option(min=0.01, max=0.5, help="PRIM peel per step")] = 0.05,
    min_coverage: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="chosen box: densest with this coverage")
    ] = 0.5,
    depth: Annotated[int, typer.Option(min=1, max=8, help="CART tree depth")] = 3,
    seed: Annotated[int, typer.Option(min=0, help="seed of the subset")] = 0,
    figure: Annotated[Path | None, typer.Option(help="figure path (png, pdf, svg)")] = None,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Scenario discovery: where in the sampled assumptions does a condition hold?

    PRIM's peeling trajectory (coverage against density, saved as a figure), the chosen
    box's limits with a quasi-p-value per restricted input, and the densest leaves of a
    CART tree. Reads the stored runs only.
    """
    from scipy.stats import rankdata

    from twofront.analysis.discovery import Prim, box_table, cart_leaves
    from twofront.experiment.samples import (
        describe_plan,
        evaluate_condition,
        plan_of,
        read_inputs,
        varying,
    )
    from twofront.report.driver_figures import prim_figure, save

    _check_figure(figure)
    _stored(experiment)
    try:
        with _progress() as progress:
            task = progress.add_task("reading the stored runs", total=4)
            plan = plan_of(experiment)
            hit, runs, who = evaluate_condition(experiment, where, strategy)
            table = varying(read_inputs(experiment, who).loc[runs])
            progress.advance(task)
            if len(runs) > max_runs:
                pick = np.sort(np.random.default_rng(seed).choice(len(runs), max_runs, False))
                table, hit = table.iloc[pick], hit[pick]
            if hit.all() or not hit.any():
                raise TwofrontError(
                    f"--where {where!r}: holds in {hit.mean():.0%} of the runs; expected a "
                    "condition true in some runs and false in others"
                )
            ry = rankdata(hit)
            score = np.abs([np.corrcoef(rankdata(table[c]), ry)[0, 1] for c in table.columns])
            chosen_inputs = table.iloc[:, np.argsort(-score)[:inputs]]
            progress.update(task, description="PRIM peeling")
            prim = Prim(alpha=alpha, min_coverage=min_coverage).fit(chosen_inputs, hit)
            progress.advance(task)
            box = prim.boxes_[prim.chosen_]
            limits = box_table(box, chosen_inputs, hit)
            progress.update(task, description="CART tree")
            leaves, rules = cart_leaves(chosen_inputs, hit, depth, seed=seed)
            progress.advance(task, 2)
    except TwofrontError as err:
        raise _fail(err) from None
    title = f"where {where} — {describe_plan(plan)}; {len(hit):,} runs, holds in {hit.mean():.1%}"

    def show() -> object:
        lines = [
            title,
            f"PRIM: {len(prim.boxes_)} boxes; chosen step {prim.chosen_}: coverage "
            f"{box.coverage:.2f}, density {box.density:.2f} (base rate {hit.mean():.3f}), "
            f"mass {box.mass:.3f}",
        ]
        limit_table = _plain_table(limits, "the chosen box (quasi-p: binomial, one-sided)")
        best = leaves[0].box
        lines_cart = [
            f"CART (depth {depth}): densest leaf, density {best.density:.2f}, coverage "
            f"{best.coverage:.2f}, mass {best.mass:.3f}: "
            + " and ".join(f"{lo:.4g} <= {n} <= {hi:.4g}" for n, (lo, hi) in best.limits.items()),
            rules,
        ]
        return Group(Text("\n".join(lines)), limit_table, Text("\n".join(lines_cart)))

    _emit(limits, format_, show, crop=False)
    path = figure or Path("out") / "explore-prim.png"
    save(prim_figure(prim.trajectory_, prim.chosen_, f"PRIM: {where}"), path)
    prim.trajectory_.to_csv(path.with_suffix(".csv"), index=False)
    _say(f"figure written to {path} (trajectory: {path.with_suffix('.csv')})")


@app.command()
def robust(
    experiment: Annotated[Path, typer.Argument(help="a stored experiment folder")],
    outcome: Annotated[str, typer.Option(help="outcome for regret and quantiles")] = (
        "two_wars_at_once"
    ),
    better: Annotated[str, typer.Option(help="lower or higher: which way is better")] = "lower",
    threshold: Annotated[
        list[str] | None,
        typer.Option(help="OUTCOME<=NUMBER (repeatable): satisficing needs all at once"),
    ] = None,
    figure: Annotated[Path | None, typer.Option(help="figure path (png, pdf, svg)")] = None,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Robustness of every strategy across the sampled worlds of a stored experiment.

    Regret against the best strategy in each world, satisficing (share of worlds where
    every --threshold holds at once) and worst-case quantiles. Reads the stored runs only.
    """
    from twofront.analysis.robustness import parse_threshold, regret, satisficing, worst_case
    from twofront.experiment.samples import (
        check_outcome,
        describe_plan,
        outcome_columns,
        plan_of,
        read_outcomes,
    )
    from twofront.report.driver_figures import robustness_figure, save

    _check_figure(figure)
    _stored(experiment)
    try:
        thresholds = [parse_threshold(t) for t in threshold or []]
        plan = plan_of(experiment)
        columns = outcome_columns(experiment)
        wanted = list(dict.fromkeys([outcome, *(t.outcome for t in thresholds)]))
        for name in wanted:
            check_outcome(experiment, name, columns)
        frames = {}
        with _progress() as progress:
            task = progress.add_task("reading strategies", total=len(plan["strategies"]))
            for name in plan["strategies"]:
                frame = read_outcomes(experiment, name, wanted)
                frames[name] = frame
                progress.advance(task)
        ok = np.logical_and.reduce([f["run_status"].to_numpy() == 0 for f in frames.values()])
        frames = {k: f.loc[ok] for k, f in frames.items()}
        values = pd.DataFrame({k: f[outcome].astype(float) for k, f in frames.items()})
        table = regret(values, better).merge(worst_case(values), on="strategy")
        table.insert(1, "mean", values.mean().to_numpy())
        if thresholds:
            table["satisficing"] = satisficing(frames, thresholds).to_numpy()
    except TwofrontError as err:
        raise _fail(err) from None
    title = (
        f"robustness of {outcome} ({better} is better) — {describe_plan(plan)}; {int(ok.sum()):,}"
        f" worlds" + (f"; satisficing: {' and '.join(threshold or [])}" if thresholds else "")
    )
    _emit(table, format_, lambda: _plain_table(table, title), crop=False)
    path = figure or Path("out") / f"robust-{outcome}.png"
    save(robustness_figure(table, worst_case(values), title), path)
    _say(f"figure written to {path}")


@app.command()
def optimise(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or TOML path")],
    vary: Annotated[
        list[str] | None, typer.Option(help="PATH=LOW:HIGH, a number to search (repeatable)")
    ] = None,
    choose: Annotated[
        list[str] | None,
        typer.Option(
            help="PATH=A|B|...: a setting to choose among options, e.g. a condition "
            "(when aid shifts, when restrictions lift) or end_state=freeze|essay (repeatable)"
        ),
    ] = None,
    objective: Annotated[
        list[str] | None,
        typer.Option(help="OUTCOME:minimize or OUTCOME:maximize of the mean (repeatable)"),
    ] = None,
    strategy: Annotated[str | None, typer.Option(help="strategy (default: the scenario's)")] = None,
    runs: Annotated[int, typer.Option(min=2, help="sampled worlds per candidate")] = 500,
    trials: Annotated[int, typer.Option(min=2, help="candidates to evaluate")] = 30,
    seed: Annotated[int, typer.Option(min=0, help="root seed: the same worlds for all")] = 0,
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
    figure: Annotated[Path | None, typer.Option(help="figure path (png, pdf, svg)")] = None,
    format_: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """Search strategy settings with optuna; every candidate on the same sampled worlds.

    Each --vary number is set (as with --set) to the candidate's value; the objectives are
    means over the runs of stored outcome columns (two_wars_at_once, settled__europe, ...).
    Several objectives give a Pareto front (NSGA-II), saved as CSV and plotted.
    """
    from twofront.analysis.optimise import parse_choice, parse_knob, search
    from twofront.report.driver_figures import pareto_figure, save

    _check_figure(figure)
    goals = [o.rsplit(":", 1) for o in objective or ["two_wars_at_once:minimize"]]
    if any(len(g) != 2 or g[1] not in ("minimize", "maximize") for g in goals):
        raise _fail(UsageError(f"--objective {objective}; expected OUTCOME:minimize|maximize"))
    try:
        knobs = [parse_knob(v) for v in vary or []]
        choices = [parse_choice(c) for c in choose or []]
        if not knobs and not choices:
            raise UsageError("nothing to search: give --vary PATH=LOW:HIGH or --choose PATH=A|B")
        base = _load(scenario, set_)
        for knob in knobs:  # fail now on a path --set cannot change
            load_with(scenario, [*(set_ or []), f"{knob.path}={knob.low!r}"])
        for choice in choices:  # and on an option the scenario refuses
            for option in choice.options:
                if choice.path == "end_state":
                    if option not in base.end_states:
                        raise UsageError(
                            f"--choose end_state: {option!r} is not an end state of "
                            f"{base.scenario.name}; expected one of {sorted(base.end_states)}"
                        )
                else:
                    load_with(scenario, [*(set_ or []), _setting(choice.path, option)])
    except TwofrontError as err:
        raise _fail(err) from None

    def evaluate(settings: dict[str, float | str]) -> list[float]:
        end_state = settings.get("end_state")
        sets = [*(set_ or [])]
        for p, v in settings.items():
            if p != "end_state":
                sets.append(_setting(p, v) if isinstance(v, str) else f"{p}={v!r}")
        results = run_engine(
            load_with(scenario, sets),
            runs=runs,
            seed=seed,
            strategy=strategy,
            end_state=str(end_state) if end_state is not None else None,
        )
        table = store.outcome_table(results).to_pandas()
        ok = table["run_status"] == 0
        out = []
        for name, _ in goals:
            if name not in table.columns:
                raise TwofrontError(
                    f"--objective {name!r}: not an outcome column; expected e.g. "
                    f"{[c for c in table.columns if c != 'run'][:6]}"
                )
            out.append(float(table.loc[ok, name].astype(float).mean()))
        return out

    try:
        with _progress() as progress:
            task = progress.add_task(f"{base.scenario.name}: candidates", total=trials)
            every, front = search(
                knobs, evaluate, [g[1] for g in goals], trials, seed,
                on_trial=lambda: progress.advance(task), choices=choices,
            )  # fmt: skip
    except TwofrontError as err:
        raise _fail(err) from None
    names = [g[0] for g in goals]
    front = front.rename(columns={f"objective_{i}": n for i, n in enumerate(names)})
    title = (
        f"{base.scenario.name}: {trials} candidates x {runs:,} worlds (seed {seed}); "
        f"Pareto front of {', '.join(f'{n} ({d})' for n, d in goals)}"
    )
    _emit(front, format_, lambda: _plain_table(front, title), crop=False)
    path = figure or Path("out") / "optimise.png"
    save(pareto_figure(every, front.rename(columns={n: f"objective_{i}" for i, n in
                                                     enumerate(names)}), names), path)  # fmt: skip
    every.to_csv(path.with_suffix(".csv"), index=False)
    _say(f"figure written to {path}; every candidate: {path.with_suffix('.csv')}")


def _setting(path: str, option: str) -> str:
    """``--set`` text giving the setting at ``path`` the text ``option`` (a TOML string)."""
    return f"{path}={json.dumps(option)}"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind (default: this machine only)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    store_folder: Annotated[
        Path | None,
        typer.Option("--store", help="folder of experiments (twofront experiment --out) to open"),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="an origin whose pages may call the API (repeatable; default none)"),
    ] = None,
) -> None:
    """Start the dashboard: pick a scenario, strategies and end states, move the uncertain
    numbers, run and see the answer, or open stored experiments (http://HOST:PORT/)."""
    try:
        import uvicorn

        from twofront.web.app import create_app
    except ImportError as err:
        needed = UsageError(f"the dashboard needs {err.name}: pip install 'twofront[web]'")
        raise _fail(needed) from None
    _say(f"dashboard at http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(create_app(store_folder, cors_origin or ()), host=host, port=port)


def main() -> None:
    """Entry point for ``python -m twofront``: no Python traceback reaches a user.

    Bad input exits 2 with a message (in the commands); a failure inside
    exits 1 with one line asking for a report (``TWOFRONT_DEBUG=1`` shows
    the traceback).
    """
    try:
        app()
    except MemoryError:
        errors.print("out of memory: use fewer --runs or a smaller scenario", markup=False)
        sys.exit(1)
    except Exception as err:  # the last line of defence: any bug becomes one message
        if os.environ.get("TWOFRONT_DEBUG"):
            raise
        errors.print(
            f"internal error: {type(err).__name__}: {err} (please report it; "
            "TWOFRONT_DEBUG=1 shows the traceback)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
