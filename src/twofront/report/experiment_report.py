"""The experiment report: one self-contained HTML page to send (``twofront report``).

It reads a stored experiment (:mod:`twofront.experiment.store`) and renders the
``templates/experiment.html.j2`` Jinja2 template: the answer block, the strategy
comparison with 95% intervals, fan charts over time, P(1, 2, 3 wars at once) over
time, every assumption with its source, and the settings and seed that reproduce it.
Figures are inlined as base64 PNG, so the page works offline and alone.
"""

from __future__ import annotations

import base64
import math
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from twofront.analysis.compare import (
    Comparison,
    compare,
    deterrent_stock_outcomes,
    standard_outcomes,
    to_frame,
    varies,
    war_event_outcomes,
)
from twofront.analysis.drivers import rank_drivers
from twofront.errors import StoreError
from twofront.experiment import store
from twofront.experiment.provenance import now, scenario_hash
from twofront.experiment.samples import read_sample
from twofront.report.console import differs, headline
from twofront.report.figures import (
    comparison_panels,
    fronts_schematic,
    png_bytes,
    run_panels,
    wars_over_time,
)
from twofront.scenario.overrides import load_with
from twofront.scenario.schema import Scenario
from twofront.scenario.sources import iter_params
from twofront.simulation import run

TEMPLATE = "experiment.html.j2"
WARS_AT_ONCE = ("theater_status", "fought_this_month", "patrons_at_war")
"""Trajectories P(n wars at once) over time needs (``--keep``)."""


def write(folder: Path, out: Path, scenario: str | None = None) -> Path:
    """Render the report of the experiment in ``folder`` to ``out``; return ``out``.

    ``scenario`` is the scenario name or TOML path the experiment was run from (default:
    the name it recorded); it must validate to the recorded scenario (same SHA-256).
    """
    page = render(context(folder, scenario))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def render(about: dict[str, Any]) -> str:
    """The page for a :func:`context`."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("twofront.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["number"] = _number
    return environment.get_template(TEMPLATE).render(**about)


def load_experiment(
    folder: Path, scenario: str | None = None
) -> tuple[Scenario, dict[str, xr.Dataset], str]:
    """The scenario, each strategy's stored results (sweep point 0) and the baseline
    (the scenario's default strategy if it was run, else the first) of ``folder``."""
    plan = store.read_manifest(folder)["plan"]
    spec = _scenario(folder, plan, scenario)
    strategies = list(plan["strategies"])
    template = run(spec, 1, plan["seed"], strategy=strategies[0])
    results = {s: store.read_results(folder, s, template) for s in strategies}
    default = spec.scenario.default_strategy
    return spec, results, default if default in strategies else strategies[0]


def context(folder: Path, scenario: str | None = None) -> dict[str, Any]:
    """Everything the template shows, read from the experiment in ``folder``."""
    manifest = store.read_manifest(folder)
    plan = manifest["plan"]
    spec, results, baseline = load_experiment(folder, scenario)
    strategies = list(results)
    outcomes = (
        standard_outcomes(results[baseline])
        + war_event_outcomes(spec)
        + deterrent_stock_outcomes(spec, results[baseline])
    )
    comparison = compare(results, outcomes, baseline)
    title = (
        f"{spec.scenario.name}: {len(strategies) - 1} strategies vs {baseline}, "
        f"{plan['runs']:,} sampled worlds each, {plan['sampling']} sampling, seed {plan['seed']}"
    )
    shown = [o for o in outcomes if o.headline and differs(comparison, o)][:12]
    params = list(iter_params(spec))
    answer = headline(comparison, title) if len(strategies) > 1 else []
    verdict = answer[-1] if answer and answer[-1].startswith("Answer:") else ""
    return {
        "title": spec.scenario.title,
        "scenario": spec.scenario.name,
        "answer": "\n".join(answer[:-1] if verdict else answer),
        "verdict": verdict,
        "comparison_png": _inline(comparison_panels(comparison, shown)) if shown else "",
        "rows": _rows(comparison),
        "baseline": baseline,
        "fans": [(s, _inline(run_panels(results[s]))) for s in strategies],
        "wars_png": _inline(wars_over_time(results)) if _has(results, WARS_AT_ONCE) else "",
        "drivers": _drivers(folder, baseline, [s for s in strategies if s != baseline]),
        "fronts_png": _inline(
            fronts_schematic(
                results,
                {f_id: f.soil_of for f_id, f in spec.fronts.items()},
                {f_id: f.occupied_km2.nominal() for f_id, f in spec.fronts.items()},
            )
        ),
        "missing_wars": [n for n in WARS_AT_ONCE if n not in results[baseline]],
        "params": [(path, p.describe(), p.provenance) for path, p in params],
        "assumed": sum(p.assumption is not None for _, p in params),
        "plan": plan,
        "manifest": manifest,
        "command": _command(plan),
        "folder": str(folder),
        "created": now(),
        "points": len(plan["sweep"]),
    }


def _scenario(folder: Path, plan: dict[str, Any], scenario: str | None) -> Scenario:
    """The scenario of sweep point 0, checked against the recorded hash."""
    name = scenario or plan["scenario"]
    sweep = [f"{path}={value}" for path, value in plan["sweep"][0].items()]
    spec = load_with(name, plan["overrides"], sweep)
    if scenario_hash(spec) != plan["scenario_hashes"][0]:
        raise StoreError(
            f"{folder}: scenario {name!r} (with the recorded --set and --sweep values) is not "
            "the one this experiment ran (its SHA-256 differs); expected --scenario naming the "
            "TOML file it was run from, unchanged"
        )
    return spec


DRIVER_OUTCOME = "two_wars_at_once"
DRIVER_RESAMPLES = 30
DRIVERS_SHOWN = 5


def _drivers(folder: Path, baseline: str, others: list[str]) -> list[dict[str, Any]]:
    """The stored inputs that most move P(two wars at once) under the baseline and, paired
    run by run, each other strategy's difference from it (swing and Spearman's rho with
    bootstrap intervals: :func:`twofront.analysis.drivers.rank_drivers`)."""
    blocks = []
    for label, strategy, pair in [
        (f"P(two wars at once) under {baseline}", baseline, None),
        *((f"{s} minus {baseline}, run by run", None, (s, baseline)) for s in others),
    ]:
        sample = read_sample(folder, DRIVER_OUTCOME, strategy, pair)
        ranking = rank_drivers(sample.inputs, sample.outcome, seed=0, resamples=DRIVER_RESAMPLES)
        table = ranking.table
        order = np.argsort(-np.abs(table["swing"].to_numpy()), kind="stable")
        rows = table.iloc[order].head(DRIVERS_SHOWN)
        blocks.append(
            {
                "label": label,
                "runs": ranking.runs,
                "rows": [
                    {
                        "input": r["input"],
                        "swing": _interval(r, "swing"),
                        "rho": _interval(r, "rho"),
                    }
                    for _, r in rows.iterrows()
                ],
            }
        )
    return blocks


def _interval(row: Any, key: str) -> str:
    """``+0.123 [+0.100, +0.150]``: a ranking's estimate with its bootstrap interval."""
    return f"{row[key]:+.3f} [{row[key + '_low']:+.3f}, {row[key + '_high']:+.3f}]"


def _rows(comparison: Comparison) -> list[dict[str, Any]]:
    """The comparison table's rows for outcomes whose means differ between strategies."""
    frame = to_frame(comparison)
    keep = {o.name for o in comparison.outcomes if varies(comparison, o.name)}
    rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    return [r for r in rows if r["outcome"] in keep]


def _has(results: dict[str, xr.Dataset], names: tuple[str, ...]) -> bool:
    return all(n in ds for ds in results.values() for n in names)


def _command(plan: dict[str, Any]) -> str:
    """The ``twofront experiment`` command that re-runs this experiment."""
    parts = [
        "twofront experiment", plan["scenario"], "--out", "FOLDER",
        "--strategies", ",".join(plan["strategies"]), "--runs", str(plan["runs"]),
        "--seed", str(plan["seed"]), "--sampling", plan["sampling"],
        "--chunk-runs", str(plan["chunk_runs"]), "--keep", ",".join(plan["keep"]) or "none",
    ]  # fmt: skip
    parts += [f"--set '{s}'" for s in plan["overrides"]]
    return " ".join(parts)


def _inline(fig: Figure) -> str:
    """A data: URI of the figure as PNG."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(fig)).decode("ascii")


def _number(value: object, digits: int = 3) -> str:
    """Three significant digits with thousands separators; '—' for NaN or None."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    places = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    return f"{value:,.{places}f}"
