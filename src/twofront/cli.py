"""The ``twofront`` command line: thin over the Python API."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated

import typer
import xarray as xr
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from twofront.analysis.backtest import TARGETS, fitted_block, observed_for, profile, set_parameter
from twofront.analysis.calibrate import (
    PARAMETERS,
    calibration_block,
    fit_least_squares,
    fit_likelihood,
)
from twofront.analysis.compare import compare as compare_results
from twofront.analysis.compare import (
    deterrent_stock_outcomes,
    standard_outcomes,
    to_frame,
    varies,
)
from twofront.analysis.summary import failed_runs, summarise
from twofront.analysis.validation import CASES, CaseResult, Check
from twofront.engine.run import concat_runs
from twofront.engine.run import run as run_engine
from twofront.errors import ScenarioError, TwofrontError
from twofront.experiment import store
from twofront.experiment.evaluators import EVALUATORS, Evaluator
from twofront.experiment.runner import Experiment, run_experiment
from twofront.history import battle_from_csv, iwo_jima
from twofront.report import validation_report
from twofront.report.console import (
    comparison_table,
    profile_table,
    summary_table,
    validation_table,
)
from twofront.report.figures import comparison_figure, profile_figure, run_figure
from twofront.scenario.loader import load, read_raw, resolve, shipped_names
from twofront.scenario.overrides import SYNTAX, load_with, sweep_values
from twofront.scenario.schema import Scenario
from twofront.scenario.sources import iter_params

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False
)
console = Console()
errors = Console(stderr=True)

DEFAULT_SCENARIO = "world-2024"
SET_HELP = f"change a scenario number, checked like the file (repeatable): {SYNTAX}"
KEEP_HELP = (
    "monthly trajectories to store: none, territory, stocks, forces, all, or names "
    "(comma-separated)"
)
SAMPLING_HELP = (
    "mc: independent draws; sobol: scrambled Sobol' points (use powers of two); "
    "nominal: every number at its central value"
)


def _fail(err: TwofrontError) -> typer.Exit:
    lines = err.problems if isinstance(err, ScenarioError) else [str(err)]
    for line in lines:
        errors.print(line, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _progress(stderr: bool = False) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors if stderr else console,
    )


def _simulate(
    scenario: str,
    strategies: list[str | None],
    runs: int,
    seed: int,
    chunk_runs: int,
    sampling: str = "mc",
    sets: list[str] | None = None,
) -> tuple[Scenario, dict[str, xr.Dataset]]:
    """Load ``scenario`` (with ``--set`` changes) and run each strategy (None: the
    default) on the same seed."""
    try:
        spec = load_with(scenario, sets)
        results: dict[str, xr.Dataset] = {}
        with _progress() as progress:
            task = progress.add_task(f"{spec.scenario.name}: runs", total=runs * len(strategies))
            for name in strategies:
                result = run_engine(
                    spec,
                    runs=runs,
                    seed=seed,
                    strategy=name,
                    chunk_runs=chunk_runs,
                    on_chunk=lambda n: progress.advance(task, n),
                    sampling=sampling,
                )
                results[str(result.attrs["strategy"])] = result
    except TwofrontError as err:
        raise _fail(err) from None
    return spec, results


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
    force: Annotated[bool, typer.Option(help="replace an experiment already in --out")] = False,
) -> None:
    """Simulate a scenario, print a summary of outcomes across runs and draw fan charts.

    With ``--out`` the runs are streamed chunk by chunk to the result store
    (see ``twofront experiment``); only what the summary and the figure need
    is kept in memory.
    """
    if out is None:
        spec, by_strategy = _simulate(scenario, [strategy], runs, seed, chunk_runs, sampling, set_)
        results = next(iter(by_strategy.values()))
    else:
        spec, results = _run_stored(
            scenario, set_, strategy, runs, seed, chunk_runs, sampling, keep, out, force
        )
    title = (
        f"{spec.scenario.title} — strategy {results.attrs['strategy']}, {runs} runs, "
        f"seed {seed}, horizon {spec.scenario.horizon_months} months"
    )
    console.print(summary_table(summarise(results), title))
    failed = failed_runs(results)
    if failed:
        console.print(f"[yellow]{failed} run(s) stopped early with a non-finite state[/]")
    picture = run_figure(results, figure or Path("out") / f"run-{spec.scenario.name}.png")
    console.print(f"figure written to {picture}")
    if out is not None:
        console.print(f"results written to {out} (Parquet files, DuckDB: {store.DATABASE})")


def _run_stored(
    scenario: str,
    sets: list[str] | None,
    strategy: str | None,
    runs: int,
    seed: int,
    chunk_runs: int,
    sampling: str,
    keep: str,
    out: Path,
    force: bool,
) -> tuple[Scenario, xr.Dataset]:
    """Stream one strategy's runs into the store at ``out``; return what the summary needs."""
    parts: list[xr.Dataset] = []
    try:
        spec = load_with(scenario, sets)
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
    return spec, results.assign_attrs(
        scenario=spec.scenario.name, strategy=name, seed=seed, runs=runs, sampling=sampling
    )


def _for_summary(chunk: xr.Dataset) -> xr.Dataset:
    """The variables the run summary and figure read, stocks summed over munitions."""
    names = [
        "run_status", "war_began", "settled", "months_to_settlement", "two_wars_at_once",
        "final_occupied_km2", "casualties_total", "occupied_km2", "theater_status", "will",
    ]  # fmt: skip
    total = chunk["stockpile"].sum("munition").expand_dims(munition=["all"], axis=-1)
    return chunk[names].assign(stockpile=total)


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
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
) -> None:
    """Run every strategy on the same random numbers; print means, 95% intervals and differences."""
    try:
        spec = load_with(scenario, set_)
    except TwofrontError as err:
        raise _fail(err) from None
    names = list(spec.strategies) if strategies == "all" else strategies.split(",")
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
    spec, results = _simulate(scenario, names, runs, seed, chunk_runs, sampling, set_)
    outcomes = standard_outcomes(results[base]) + deterrent_stock_outcomes(spec, results[base])
    comparison = compare_results(results, outcomes, base)
    console.print(comparison_table(comparison, runs, seed))
    path = figure or Path("out") / f"compare-{spec.scenario.name}.png"
    table_path = path.with_suffix(".csv")
    table_path.parent.mkdir(parents=True, exist_ok=True)
    to_frame(comparison).to_csv(table_path, index=False)
    console.print(f"table written to {table_path}")
    shown = [o.name for o in outcomes if varies(comparison, o.name)][:12]
    comparison_figure(comparison, shown, path)
    console.print(f"figure written to {path}")


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
        with _progress(stderr=True) as progress:
            task = progress.add_task(f"{plan.scenarios[0].scenario.name}: runs", total=total)
            manifest = run_experiment(
                plan, out, chosen, mode, on_chunk=lambda n: progress.advance(task, n)
            )
    except TwofrontError as err:
        raise _fail(err) from None
    console.print(
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
) -> None:
    """Run every validation case against history and write an HTML report."""
    names = case or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        raise _fail(TwofrontError(f"unknown cases {unknown}; expected some of {list(CASES)}"))
    results = []
    with _progress() as progress:
        task = progress.add_task("validation cases", total=len(names))
        for name in names:
            progress.update(task, description=f"validating {name}")
            results.append(_run_case(name, runs))
            progress.advance(task)
    console.print(validation_table(results, runs))
    path = validation_report.write(results, runs, out / "report.html")
    passed = sum(r.passed for r in results)
    console.print(f"{passed} of {len(results)} cases pass; report written to {path}")
    if strict and passed < len(results):
        raise typer.Exit(code=1)


def _run_case(name: str, runs: int) -> CaseResult:
    """A case's result; a case that cannot run (e.g. missing data) is a failed result."""
    try:
        return CASES[name](runs)
    except TwofrontError as err:
        return CaseResult(
            name,
            "could not run",
            "",
            [Check(f"error: {err}", float("nan"), "case runs", False)],
            [],
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
    free: Annotated[str, typer.Option(help="parameters to fit, from a,b,p,q")] = "a,b",
    bootstrap: Annotated[int, typer.Option(min=0, help="bootstrap resamples (ls)")] = 200,
    blue: Annotated[str, typer.Option(help="actor id for the side with reinforcements")] = "blue",
    red: Annotated[str, typer.Option(help="actor id for the other side")] = "red",
    out: Annotated[Path | None, typer.Option(help="write the fitted scenario block here")] = None,
) -> None:
    """Fit the generalised Lanchester law to a battle series; print and write the parameters."""
    names = tuple(x.strip() for x in free.split(",") if x.strip())
    bad = [n for n in names if n not in PARAMETERS]
    if bad or not names:
        raise _fail(TwofrontError(f"--free {free!r}: expected names from {list(PARAMETERS)}"))
    if method not in ("ls", "ml"):
        raise _fail(TwofrontError(f"--method {method!r}: expected 'ls' or 'ml'"))
    try:
        if series == "iwo-jima-1945":
            battle, meta = iwo_jima()
        elif series.endswith(".csv"):
            battle, meta = battle_from_csv(Path(series))
        else:
            raise TwofrontError(f"unknown series {series!r}; expected 'iwo-jima-1945' or a .csv")
    except TwofrontError as err:
        raise _fail(err) from None
    try:
        fit = (
            fit_least_squares(battle, free=names, bootstrap=bootstrap)
            if method == "ls"
            else fit_likelihood(battle, free=names)
        )
    except TwofrontError as err:
        hint = (
            " Engel's (1954) daily series is missing from the shipped data (see "
            "data/iwo_jima_1945.meta.toml [missing])."
            if series == "iwo-jima-1945"
            else ""
        )
        raise _fail(TwofrontError(f"{err}.{hint}")) from None
    table = Table(title=f"{battle.name}: {fit.method} fit (R² of US strength {fit.r2_blue:.4f})")
    for column in ("parameter", "value", "95% low", "95% high", "fixed?"):
        table.add_column(column)
    for name in PARAMETERS:
        fixed = name not in names
        table.add_row(
            name,
            f"{fit.values[name]:.5g}",
            "" if fixed else f"{fit.low[name]:.5g}",
            "" if fixed else f"{fit.high[name]:.5g}",
            "fixed" if fixed else "",
        )
    console.print(table)
    block = calibration_block(fit, meta.citation(), blue, red)
    _emit_block(block, out)


def _emit_block(block: str, out: Path | None) -> None:
    """Write a fitted scenario block to ``out``, or print it."""
    if out is None:
        console.print(block, markup=False, highlight=False, soft_wrap=True)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(block, encoding="utf-8")
    console.print(f"scenario block written to {out}")


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
) -> None:
    """Fit one scenario number to an observed monthly series by simulation (grid search)."""
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
    try:
        path = resolve(scenario)
        raw = read_raw(path, chain=())
        set_parameter(raw, parameter, grid[0], "check")
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
    except (TwofrontError, ValueError) as err:
        raise _fail(err if isinstance(err, TwofrontError) else TwofrontError(str(err))) from None
    console.print(profile_table(table, parameter, target, runs, seed))
    best = float(table.loc[table["mae"].idxmin(), "value"])
    series, _ = observed_for(TARGETS[target], [])
    block = fitted_block(
        parameter,
        best,
        f"twofront fit: grid value minimising the MAE of the simulated median against "
        f"data/{series.name}.csv ({series.meta.get('title', series.name)}; sources in its "
        f".meta.toml); {scenario}, {runs} runs, seed {seed}; in-sample",
    )
    _emit_block(block, out)
    picture = profile_figure(table, parameter, target, figure or Path("out") / f"fit-{target}.png")
    console.print(f"figure written to {picture}")


@app.command()
def scenarios() -> None:
    """List the shipped scenarios."""
    table = Table(title="Shipped scenarios")
    for column in ("name", "title", "start", "months", "strategies"):
        table.add_column(column)
    for name in shipped_names():
        spec = load(name)
        table.add_row(
            name,
            spec.scenario.title,
            spec.scenario.start,
            str(spec.scenario.horizon_months),
            ", ".join(spec.strategies),
        )
    console.print(table)


@app.command()
def sources(
    scenario: Annotated[str, typer.Argument(help="shipped scenario name or TOML path")],
) -> None:
    """List every number in a scenario with its value or distribution and its source."""
    try:
        spec = load(scenario)
    except TwofrontError as err:
        raise _fail(err) from None
    table = Table(title=f"Sources of {spec.scenario.name}", show_lines=False)
    table.add_column("parameter", overflow="fold")
    table.add_column("value / distribution", overflow="fold")
    table.add_column("source or assumption", overflow="fold")
    for path, param in iter_params(spec):
        table.add_row(path, param.describe(), param.provenance)
    console.print(table)


def main() -> None:
    """Entry point for ``python -m twofront``."""
    app()
