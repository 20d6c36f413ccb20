"""Rich tables for the terminal: what the CLI prints, built from analysis results.

Names a person types or searches for (scenario, strategy, case and parameter ids) sit in
columns that never wrap, fold or cut them: at 80 columns or in a pipe, ``grep
preempt-iran`` finds every line that names it. Free text wraps at spaces.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pandas as pd
from rich.console import Group, JustifyMethod, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from twofront.analysis.compare import (
    HIGHER,
    PROBABILITY,
    Comparison,
    Outcome,
    better_worse,
    varies,
)


def name_column(
    table: Table, header: str, names: Iterable[str], justify: JustifyMethod = "left"
) -> None:
    """Add a column of names that is never wrapped or cut: as wide as its longest name.

    Rich narrows only the other columns to fit the terminal; past that (a terminal
    narrower than the names) it folds rather than cuts.
    """
    width = max([len(n) for n in names] + [len(header)])
    table.add_column(header, no_wrap=True, width=width, justify=justify, overflow="fold")


def words_column(table: Table, header: str, cells: Iterable[str]) -> None:
    """Add a column of text that wraps at spaces but never splits a word (an id in a list):
    as wide as its longest word, so the free-text columns are the ones narrowed."""
    width = max([len(w) for c in cells for w in c.split()] + [len(header)])
    table.add_column(header, width=width, overflow="fold")


PERCENT_UNITS = (PROBABILITY, "share")
"""Units shown as percentages (their differences in percentage points)."""

SMALL_POINTS = 0.005
"""A difference of a share under half a percentage point is too small for the headline."""
SMALL_SHARE = 0.01
"""A difference under 1% of the baseline's mean is too small for the headline."""


def differs(comparison: Comparison, outcome: Outcome) -> bool:
    """True when some strategy's paired difference on ``outcome`` excludes 0 at 95% and is
    not negligible (:data:`SMALL_POINTS` for shares, :data:`SMALL_SHARE` of the baseline
    otherwise)."""
    base = comparison.estimates[comparison.baseline, outcome.name].mean
    small = SMALL_POINTS if outcome.units in PERCENT_UNITS else SMALL_SHARE * abs(base)
    for strategy in comparison.strategies:
        d = comparison.differences[strategy, outcome.name]
        if strategy == comparison.baseline or d.n < 2:
            continue
        if (d.low > 0 or d.high < 0) and abs(d.mean) >= small:
            return True
    return False


def headline(comparison: Comparison, title: str, every: bool = False) -> list[str]:
    """The answer block: for each headline outcome that differs between the strategies
    (:func:`differs`; every one with ``every``), the baseline's value, and each strategy's
    value, paired difference with its 95% interval and shares of sampled worlds where it
    does better / the same / worse. Ends with the answer on the first outcome.

    Plain lines (for a terminal, a pipe or a file): names are padded, never cut.
    """
    base = comparison.baseline
    others = [s for s in comparison.strategies if s != base]
    candidates = [
        o for o in comparison.outcomes if o.headline and comparison.estimates[base, o.name].n
    ]
    chosen = [o for o in candidates if every or differs(comparison, o)]
    width = max([len(s) for s in others] + [len("strategy")])
    lines = [
        title,
        f"Δ: paired difference vs {base} in the same sampled worlds [95% interval: sampling "
        "error]; worlds: share where it does better / the same / worse (terms: worlds settled "
        "under both).",
        f"  {'strategy':<{width}}  {'value':>7}  {'Δ [95% interval]':<27} worlds +/=/-",
    ]
    for outcome in chosen:
        e = comparison.estimates[base, outcome.name]
        direction = f"{outcome.better} better" if outcome.better else "no better side"
        lines.append(
            f"{outcome.name} [{_unit_label(outcome)}, {direction}] {base} "
            f"{_value(e.mean, outcome)} [{_interval(e.low, e.high, outcome, _value)}]"
        )
        lines += [
            f"  {s:<{width}}  {_value(comparison.estimates[s, outcome.name].mean, outcome):>7}"
            f"  {_difference(comparison, s, outcome):<27} {_worlds(comparison, s, outcome)}"
            for s in others
        ]
    left_out = len(candidates) - len(chosen)
    if left_out:
        lines.append(
            f"{left_out} headline outcome(s) with no clear difference not shown (--all shows them)"
        )
    if chosen and others:
        lines.append(_answer(comparison, chosen[0]))
    return lines


def _answer(comparison: Comparison, outcome: Outcome) -> str:
    """One line: the strategy best on ``outcome`` (by its mean), against the baseline."""
    base = comparison.baseline
    means = {s: comparison.estimates[s, outcome.name].mean for s in comparison.strategies}
    finite = {s: m for s, m in means.items() if math.isfinite(m)}
    pick = max if outcome.better == HIGHER else min
    best = pick(finite, key=lambda s: finite[s])
    word = "highest" if outcome.better == HIGHER else "lowest"
    if best == base:
        return f"Answer: {outcome.name} is {word} under the baseline {base}."
    better, worse = better_worse(comparison, best, outcome)
    return (
        f"Answer: {outcome.name} is {word} under {best}: {_value(means[best], outcome)} "
        f"against {_value(means[base], outcome)} under {base} (Δ "
        f"{_difference(comparison, best, outcome)}; better in {better:.0%} of sampled "
        f"worlds, worse in {worse:.0%})."
    )


def _difference(comparison: Comparison, strategy: str, outcome: Outcome) -> str:
    d = comparison.differences[strategy, outcome.name]
    if d.n < 2:
        return ""
    unit = " pts" if outcome.units in PERCENT_UNITS else ""
    return f"{_delta(d.mean, outcome)} [{_interval(d.low, d.high, outcome, _delta)}]{unit}"


def _worlds(comparison: Comparison, strategy: str, outcome: Outcome) -> str:
    better, worse = better_worse(comparison, strategy, outcome)
    if not math.isfinite(better):
        return ""
    return f"{better:.0%} / {1 - better - worse:.0%} / {worse:.0%}"


def _interval(low: float, high: float, outcome: Outcome, show: Callable[..., str]) -> str:
    return f"{show(low, outcome, bare=True)}, {show(high, outcome, bare=True)}"


def _unit_label(outcome: Outcome) -> str:
    return "% of runs" if outcome.units == PROBABILITY else outcome.units


def _value(value: float, outcome: Outcome, bare: bool = False) -> str:
    if not math.isfinite(value):
        return "—"
    if outcome.units in PERCENT_UNITS:
        return f"{100 * value:.1f}" + ("" if bare else "%")
    return significant(value)


def _delta(value: float, outcome: Outcome, bare: bool = False) -> str:
    if not math.isfinite(value):
        return "—"
    if outcome.units in PERCENT_UNITS:
        return f"{100 * value:+.1f}"
    return ("+" if value >= 0 else "") + significant(value)


def significant(value: float) -> str:
    """Three significant digits, no exponent: 0.0123, 45.6, 7,890, 12.3k, 2.91M."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    magnitude = abs(value)
    for least, size, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if magnitude >= least:
            return significant(value / size) + suffix
    digits = 2 - math.floor(math.log10(magnitude))
    return f"{round(value, digits):,.{max(digits, 0)}f}"


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


def summary_table(rows: pd.DataFrame, title: str) -> Table:
    """One line per outcome and label: median and 5%-95% across runs (``summary_frame``)."""
    table = Table(title=title)
    table.add_column("outcome", overflow="fold")
    name_column(table, "label", rows["label"])
    table.add_column("units", overflow="fold")
    for column in ("median", "5%", "95%"):
        table.add_column(column, justify="right", overflow="fold")
    for outcome, label, units, *numbers in rows.itertuples(index=False, name=None):
        table.add_row(str(outcome), str(label), str(units), *(significant(x) for x in numbers))
    return table


def validation_table(rows: pd.DataFrame, runs: int, sample: str | None = None) -> Table:
    """One line per check of every validation case, with pass or FAIL (``validation_frame``).

    With ``sample`` (``in-sample`` or ``out-of-sample``), only the checks of that kind.
    """
    kind = {
        None: "",
        "out-of-sample": ": out-of-sample (data no scenario number was fitted to)",
        "in-sample": ": in-sample (data a scenario number was fitted to; not a validation)",
    }[sample]
    if sample is not None:
        rows = rows[rows["sample"] == sample]
    table = Table(title=f"Validation against history{kind} ({runs} runs per simulated case)")
    name_column(table, "case", rows["case"])
    for column in ("check", "value", "expected", "result"):
        table.add_column(column, overflow="fold")
    cases = [str(c) for c in rows["case"]]
    for k, row in enumerate(rows.itertuples()):
        table.add_row(
            cases[k] if k == 0 or cases[k - 1] != cases[k] else "",
            str(row.check),
            f"{row.value:.4g}",
            str(row.expected),
            "[green]pass[/]" if row.passed else "[red]FAIL[/]",
            end_section=k == len(cases) - 1 or cases[k + 1] != cases[k],
        )
    return table


def profile_table(table: pd.DataFrame, parameter: str, target: str, runs: int, seed: int) -> Table:
    """One line per grid value: MAE, bias, coverage and width against the target series."""
    best = table["mae"].idxmin()
    out = Table(title=f"Fit of {parameter} to {target} ({runs} runs per value, seed {seed})")
    for column in ("value", "MAE", "bias", "coverage of 90% band", "band width", "months"):
        out.add_column(column, justify="right", overflow="fold")
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


def scenarios_table(rows: pd.DataFrame) -> Table:
    """The shipped scenarios: name, title, start, horizon and strategy ids."""
    table = Table(title="Shipped scenarios")
    name_column(table, "name", rows["name"])
    table.add_column("title", overflow="fold")
    table.add_column("start", no_wrap=True)
    table.add_column("months", justify="right")
    words_column(table, "strategies", rows["strategies"])
    for row in rows.itertuples():
        table.add_row(
            str(row.name), str(row.title), str(row.start), str(row.months), str(row.strategies)
        )
    return table


def sources_table(rows: pd.DataFrame, title: str) -> Group:
    """Every number of a scenario, one record each: ``path = value`` on its own line (whole,
    at any width: a path longer than the terminal runs past its edge, never folded or cut), then
    its source and place indented."""
    parts: list[RenderableType] = [Text(title, style="bold")]
    for row in rows.itertuples(index=False):
        parts.append(Text(f"{row.parameter} = {row.value}", no_wrap=True, overflow="ignore"))
        place = str(row.set_in)
        detail = f"{row.source}\nset in {place}" if place else str(row.source)
        parts.append(Padding(Text(detail, style="dim"), (0, 0, 0, 4)))
    return Group(*parts)


def calibration_table(rows: pd.DataFrame, title: str) -> Table:
    """Fitted parameters with their 95% intervals and how each was found; fixed ones marked."""
    table = Table(title=title)
    for column in ("parameter", "value", "95% low", "95% high", "interval"):
        table.add_column(column, overflow="fold")
    for row in rows.itertuples():
        table.add_row(
            str(row.parameter),
            f"{row.value:.5g}",
            "" if row.fixed else f"{row.low95:.5g}",
            "" if row.fixed else f"{row.high95:.5g}",
            str(row.interval),
        )
    return table
