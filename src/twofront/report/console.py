"""Rich tables for the terminal: what the CLI prints, built from analysis results."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from twofront.analysis.compare import Comparison, varies
from twofront.analysis.summary import Row
from twofront.analysis.validation import CaseResult


def comparison_table(comparison: Comparison, runs: int, seed: int) -> Table:
    """Rich table: per outcome and strategy, the mean [95%] and the paired difference.

    Outcomes equal under every strategy are left out of the table (the CSV has them all)
    and counted in its caption.
    """
    dropped = {s: n for s, n in comparison.dropped.items() if n}
    note = (
        "; runs left out (status not OK): " + ", ".join(f"{s} {n}" for s, n in dropped.items())
        if dropped
        else "; every run OK"
    )
    table = Table(
        title=f"Strategy comparison, {runs} runs each, seed {seed} (common random numbers); "
        f"Δ = paired difference vs {comparison.baseline}; probabilities with Wilson "
        f"(Δ: Newcombe) intervals{note}",
        show_lines=False,
    )
    for column in (
        "outcome",
        "strategy",
        "mean",
        "95% interval",
        "Δ",
        "Δ 95% interval",
        "runs ↑/↓",
    ):
        table.add_column(
            column,
            justify="left" if column in ("outcome", "strategy") else "right",
            overflow="fold",
        )
    same = 0
    for outcome in comparison.outcomes:
        if not any(comparison.estimates[s, outcome.name].n for s in comparison.strategies):
            continue
        if len(comparison.strategies) > 1 and not varies(comparison, outcome.name):
            same += 1
            continue
        for k, strategy in enumerate(comparison.strategies):
            e = comparison.estimates[strategy, outcome.name]
            d = comparison.differences[strategy, outcome.name]
            paired = strategy != comparison.baseline and d.n > 0
            table.add_row(
                outcome.name if k == 0 else "",
                strategy,
                f"{e.mean:,.3g}" if e.n else "—",
                f"[{e.low:,.3g}, {e.high:,.3g}]" if e.n > 1 else "",
                f"{d.mean:+,.3g}" if paired else "",
                f"[{d.low:+,.3g}, {d.high:+,.3g}]" if paired and d.n > 1 else "",
                _shares(comparison, strategy, outcome.name) if paired else "",
                end_section=k == len(comparison.strategies) - 1,
            )
    if same:
        table.caption = f"{same} outcome(s) equal under every strategy are not shown (see the CSV)"
    return table


def _shares(comparison: Comparison, strategy: str, outcome: str) -> str:
    """'31%/12%': share of paired runs above / below the baseline."""
    up, down = comparison.higher[strategy, outcome], comparison.lower[strategy, outcome]
    if up != up or down != down:  # NaN: no paired run
        return ""
    return f"{up:.0%}/{down:.0%}"


def summary_table(rows: list[Row], title: str) -> Table:
    """One line per outcome and label: median and 5%-95% across runs."""
    table = Table(title=title)
    for column in ("outcome", "label", "median", "5%", "95%"):
        table.add_column(column, justify="right" if column in ("median", "5%", "95%") else "left")
    for row in rows:
        table.add_row(
            row.outcome, row.label, f"{row.median:,.3g}", f"{row.p05:,.3g}", f"{row.p95:,.3g}"
        )
    return table


def validation_table(results: list[CaseResult], runs: int, sample: str | None = None) -> Table:
    """One line per check of every validation case, with pass or FAIL.

    With ``sample`` (``in-sample`` or ``out-of-sample``), only the checks of that kind.
    """
    kind = {
        None: "",
        "out-of-sample": ": out-of-sample (data no scenario number was fitted to)",
        "in-sample": ": in-sample (data a scenario number was fitted to; not a validation)",
    }[sample]
    table = Table(title=f"Validation against history{kind} ({runs} runs per simulated case)")
    for column in ("case", "check", "value", "expected", "result"):
        table.add_column(column, overflow="fold")
    for result in results:
        checks = result.checks if sample is None else result.checks_of(sample)
        for k, check in enumerate(checks):
            table.add_row(
                result.case if k == 0 else "",
                check.name,
                f"{check.value:.4g}",
                check.expected,
                "[green]pass[/]" if check.passed else "[red]FAIL[/]",
                end_section=k == len(checks) - 1,
            )
    return table


def profile_table(table: pd.DataFrame, parameter: str, target: str, runs: int, seed: int) -> Table:
    """One line per grid value: MAE, bias, coverage and width against the target series."""
    best = table["mae"].idxmin()
    out = Table(title=f"Fit of {parameter} to {target} ({runs} runs per value, seed {seed})")
    for column in ("value", "MAE", "bias", "coverage of 90% band", "band width", "months"):
        out.add_column(column, justify="right")
    for i, row in table.iterrows():
        mark = " *" if i == best else ""
        out.add_row(
            f"{row['value']:g}{mark}",
            f"{row['mae']:.4g}",
            f"{row['bias']:+.4g}",
            f"{row['coverage']:.2f}",
            f"{row['width']:.4g}",
            f"{int(row['months'])}",
        )
    return out
