"""The validation report: one HTML page with every case, its checks and its pictures."""

from __future__ import annotations

import base64
import html
import io
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from twofront.analysis.out_of_sample import IN_SAMPLE, OUT_OF_SAMPLE
from twofront.analysis.validation import CaseResult, Check, Panel

_KINDS = (
    (
        OUT_OF_SAMPLE,
        "Out-of-sample checks",
        "Scored on data no scenario number was fitted to: these are the validation.",
    ),
    (
        IN_SAMPLE,
        "In-sample checks",
        "Scored on data some scenario number was fitted to (its <code>fitted_to</code>), or "
        "fits to the data they are scored on: goodness of fit, not validation.",
    ),
)


def panel_png(panel: Panel) -> bytes:
    """Observed (black) against simulated median and 90% band (blue) or fitted line."""
    fig = Figure(figsize=(7.5, 3.4))
    ax = fig.subplots()
    x = np.arange(len(panel.x))
    observed = np.array(panel.observed, dtype=float)
    if panel.low and panel.high:
        ax.fill_between(
            x, panel.low, panel.high, color="#9ecae1", alpha=0.6, label="simulated 90% band"
        )
    if panel.median:
        ax.plot(x, panel.median, color="#1f77b4", label=panel.median_label)
    if panel.fitted:
        ax.plot(x, panel.fitted, color="#d62728", label="fitted model")
    if np.isfinite(observed).any():
        ax.plot(x, observed, "o", color="black", markersize=3.5, label=panel.observed_label)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], [panel.x[i] for i in x[::step]], rotation=45, fontsize=7)
    ax.set_xlabel(panel.x_label)
    ax.set_ylabel(textwrap.fill(panel.y_label, 32), fontsize=8)
    ax.set_title(panel.title, fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _verdict(passed: bool) -> str:
    return f"<span class='{'pass' if passed else 'fail'}'>{'pass' if passed else 'FAIL'}</span>"


def _cell(passed: bool) -> str:
    return f"<td class='{'pass' if passed else 'fail'}'>{'pass' if passed else 'FAIL'}</td>"


def _summary(results: list[CaseResult], sample: str) -> str:
    """One row per case with checks of this kind: how many pass, and the case's aim."""
    rows = ""
    for r in results:
        checks = r.checks_of(sample)
        if not checks:
            continue
        passed = sum(c.passed for c in checks)
        rows += (
            f"<tr><td><a href='#{html.escape(r.case)}'>{html.escape(r.case)}</a></td>"
            f"{_cell(passed == len(checks))}<td>{passed} of {len(checks)}</td>"
            f"<td>{html.escape(r.description)}</td></tr>"
        )
    if not rows:
        return "<p>None.</p>"
    header = "<th>case</th><th>result</th><th>checks passed</th><th>what it checks</th>"
    return f"<table><tr>{header}</tr>{rows}</table>"


def render(results: list[CaseResult], runs: int) -> str:
    """The whole report as one self-contained HTML page (figures inlined as PNG)."""
    passed = sum(r.passed for r in results)
    summaries = "".join(
        f"<h2>{title}</h2><p>{why}</p>{_summary(results, sample)}" for sample, title, why in _KINDS
    )
    sections = "".join(_section(r) for r in results)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twofront validation</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; font-size: 0.9em; text-align: left; }}
.pass {{ color: #1a7f37; font-weight: bold; }} .fail {{ color: #c62828; font-weight: bold; }}
.source {{ color: #555; font-size: 0.85em; }}
</style></head><body>
<h1>twofront validation report</h1>
<p>{passed} of {len(results)} cases pass. {runs} Monte Carlo runs per simulated case.
Generated {stamp}.</p>
{summaries}
{sections}
</body></html>
"""


def _check_rows(checks: list[Check]) -> str:
    return "".join(
        f"<tr><td>{html.escape(c.name)}</td><td>{c.value:.4g}</td>"
        f"<td>{html.escape(c.expected)}</td>{_cell(c.passed)}</tr>"
        for c in checks
    )


def _section(result: CaseResult) -> str:
    tables = ""
    for sample, title, _ in _KINDS:
        checks = result.checks_of(sample)
        if not checks:
            continue
        bases = sorted({c.basis for c in checks if c.basis})
        why = "".join(f"<p class='source'>{html.escape(b)}</p>" for b in bases)
        tables += (
            f"<h3>{title}</h3>{why}"
            f"<table><tr><th>check</th><th>value</th><th>expected</th><th>result</th></tr>"
            f"{_check_rows(checks)}</table>"
        )
    images = "".join(
        f"<img alt='{html.escape(p.title)}' src='data:image/png;base64,"
        f"{base64.b64encode(panel_png(p)).decode()}'>"
        for p in result.panels
    )
    notes = f"<p class='source'>{html.escape(result.notes)}</p>" if result.notes else ""
    return (
        f"<h2 id='{html.escape(result.case)}'>{html.escape(result.case)} — "
        f"{_verdict(result.passed)}</h2>"
        f"<p>{html.escape(result.description)}</p>"
        f"<p class='source'>Sources: {html.escape(result.source)}</p>"
        f"{tables}{images}{notes}"
    )


def write(results: list[CaseResult], runs: int, path: Path) -> Path:
    """Write the report to ``path`` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results, runs), encoding="utf-8")
    return path
