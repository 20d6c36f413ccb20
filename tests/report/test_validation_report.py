"""The validation report page and the strategy comparison figure."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

from twofront.analysis.compare import Comparison, Estimate, Outcome
from twofront.analysis.validation import CaseResult, Check, Panel
from twofront.report import validation_report
from twofront.report.figures import comparison_figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
INLINE_PNG = re.compile(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'")


def _band_panel() -> Panel:
    return Panel(
        "Area held",
        "month",
        "km²",
        ["2024-08", "2024-09", "2024-10"],
        [800.0, np.nan, 600.0],
        median=[900.0, 800.0, 700.0],
        low=[700.0, 600.0, 500.0],
        high=[1100.0, 1000.0, 900.0],
    )


def _fitted_panel() -> Panel:
    return Panel("Fit", "day", "personnel", ["0", "1", "2"], [np.nan] * 3, fitted=[0.0, 5.0, 4.0])


@pytest.fixture(scope="module")
def cases() -> list[CaseResult]:
    return [
        CaseResult(
            "passing-case",
            "A case that passes",
            "Author, Title, 2024",
            [Check("coverage", 0.9, ">= 0.5", True)],
            [_band_panel()],
            notes="month by month: fine",
        ),
        CaseResult(
            "failing<case>",
            "Losses <script>alert(1)</script> & more",
            "Source <b>",
            [Check("a < b", float("nan"), "x < 1", False), Check("ok", 1.0, "", True)],
            [_fitted_panel()],
        ),
        CaseResult("no-panels", "Blocked", "", [Check("days", 0.0, ">= 5", False)], []),
    ]


def _mixed_case() -> CaseResult:
    return CaseResult(
        "mixed",
        "Fit through 2024, forecast 2025",
        "",
        [
            Check("fit error", 100.0, "reported", True, "in-sample", "fitted to the gains"),
            Check("2025 error", 400.0, "<= 300", False, "out-of-sample", "no number fitted"),
        ],
        [],
    )


def test_out_of_sample_and_in_sample_checks_are_summarised_apart():
    page = validation_report.render([_mixed_case()], runs=10)
    out_start = page.index("<h2>Out-of-sample checks</h2>")
    in_start = page.index("<h2>In-sample checks</h2>")
    out_summary, in_summary = page[out_start:in_start], page[in_start : page.index("<h2 id=")]
    assert "<td class='fail'>FAIL</td><td>0 of 1</td>" in out_summary
    assert "<td class='pass'>pass</td><td>1 of 1</td>" in in_summary
    section = _section(page, "mixed")
    assert section.index("<h3>Out-of-sample checks</h3>") < section.index("2025 error")
    assert section.index("<h3>In-sample checks</h3>") < section.index("fit error")
    assert "<p class='source'>fitted to the gains</p>" in section


def test_a_kind_without_checks_says_none():
    page = validation_report.render(
        [CaseResult("only-fit", "", "", [Check("fit", 1.0, "", True)], [])], runs=10
    )
    assert (
        "<h2>Out-of-sample checks</h2><p>Scored on data no scenario number was fitted "
        "to: these are the validation.</p><p>None.</p>"
    ) in page


@pytest.fixture(scope="module")
def page(cases) -> str:
    return validation_report.render(cases, runs=123)


def _section(page: str, case_id: str) -> str:
    start = page.index(f"<h2 id='{case_id}'>")
    end = page.find("<h2 ", start + 1)
    return page[start : end if end >= 0 else len(page)]


def test_render_is_one_html_page_with_one_section_per_case(page, cases):
    assert page.startswith("<!doctype html>")
    assert page.rstrip().endswith("</html>")
    assert page.count("<h2 id=") == len(cases)
    assert "1 of 3 cases pass. 123 Monte Carlo runs per simulated case." in page


def test_section_labels_match_whether_the_case_passed(page):
    assert "<span class='pass'>pass</span></h2>" in _section(page, "passing-case")
    assert "<span class='fail'>FAIL</span></h2>" in _section(page, "failing&lt;case&gt;")
    assert "<span class='fail'>FAIL</span></h2>" in _section(page, "no-panels")


def test_summary_table_labels_match_case_passed(page, cases):
    summary_row = r"<tr><td><a href='#([^']+)'>[^<]*</a></td><td class='(\w+)'>(\w+)</td>"
    rows = re.findall(summary_row, page)
    assert [(cls, label) for _, cls, label in rows] == [
        ("pass", "pass") if c.passed else ("fail", "FAIL") for c in cases
    ]


def test_check_rows_carry_their_own_labels(page):
    section = _section(page, "failing&lt;case&gt;")
    assert "<td>a &lt; b</td><td>nan</td><td>x &lt; 1</td><td class='fail'>FAIL</td>" in section
    assert "<td>ok</td><td>1</td><td></td><td class='pass'>pass</td>" in section


def test_names_and_text_are_escaped(page):
    assert "failing<case>" not in page
    assert "<script>" not in page
    assert "failing&lt;case&gt;" in page
    assert "Losses &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "Sources: Source &lt;b&gt;" in page


def test_panels_are_inlined_as_png(page):
    images = INLINE_PNG.findall(page)
    assert len(images) == 2
    for encoded in images:
        assert base64.b64decode(encoded).startswith(PNG_MAGIC)
    assert "<img" not in _section(page, "no-panels")


def test_notes_appear_only_where_given(page):
    assert "<p class='source'>month by month: fine</p>" in _section(page, "passing-case")
    assert "month by month" not in _section(page, "no-panels")


def test_panel_png_is_a_png_image():
    assert validation_report.panel_png(_band_panel()).startswith(PNG_MAGIC)


def test_write_creates_parent_folders(tmp_path, cases):
    path = tmp_path / "a" / "b" / "report.html"
    assert validation_report.write(cases[:1], 10, path) == path
    text = path.read_text(encoding="utf-8")
    assert "<h2 id='passing-case'>" in text
    assert "1 of 1 cases pass." in text


def _comparison() -> Comparison:
    strategies = ("base", "surge")
    names = ("occupied", "casualties", "never-started", "spent")
    outcomes = tuple(Outcome(n, "units", lambda ds: np.zeros(1)) for n in names)
    estimates, differences = {}, {}
    for k, s in enumerate(strategies):
        for j, n in enumerate(names):
            mean = float("nan") if n == "never-started" else 10.0 * (j + 1) + k
            estimates[s, n] = Estimate(mean, mean - 1.0, mean + 1.0, 30)
            differences[s, n] = Estimate(float(k), k - 0.5, k + 0.5, 30)
    shares = {key: 0.5 for key in estimates}
    return Comparison(
        "base",
        strategies,
        outcomes,
        estimates,
        differences,
        {s: 0 for s in strategies},
        shares,
        shares,
    )


def test_comparison_figure_writes_a_png_file(tmp_path):
    path = tmp_path / "figs" / "compare.png"
    comparison = _comparison()
    names = ("occupied", "casualties", "never-started")
    shown = [o for o in comparison.outcomes if o.name in names]
    assert comparison_figure(comparison, shown, path) == path
    assert path.read_bytes().startswith(PNG_MAGIC)


def test_comparison_figure_with_more_panels_than_a_row(tmp_path):
    path = tmp_path / "four.png"
    comparison = _comparison()
    comparison_figure(comparison, list(comparison.outcomes), path)
    assert path.stat().st_size > 1000


def test_run_figure_draws_one_fan_per_front_plus_wars_and_stocks(toy, tmp_path):
    import matplotlib.image as mpimg

    from twofront.report.figures import run_figure
    from twofront.simulation import run

    results = run(toy, runs=30, seed=4)
    path = run_figure(results, tmp_path / "fig" / "run.png")
    image = mpimg.imread(path)
    assert image.shape[0] > 300 and image.shape[1] > 600


def test_run_panels_have_unit_labels_no_flat_panel_and_no_sum_across_munitions(toy):
    from twofront.report.figures import run_panels
    from twofront.simulation import run

    results = run(toy, runs=30, seed=4)
    fig = run_panels(results)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    titles = [ax.get_title() for ax in visible]
    for ax in visible:
        assert ax.get_ylabel(), ax.get_title()
    occupied = results["occupied_km2"]
    for front in (str(f) for f in results["front"].values):
        held = bool(np.any(np.percentile(occupied.sel(front=front).values, 95, axis=0) > 0))
        assert (f"{front}: area held by the aggressor" in titles) == held
        assert (f"front {front}" in fig.get_suptitle()) == (not held)
    stock_titles = [t for t in titles if t.startswith("stock of")]
    assert stock_titles == [f"stock of {m} (median over runs)" for m in results["munition"].values]
    assert "middle 50% and 90% of runs" in fig.get_suptitle()


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.5, "0.5"), (250.0, "250"), (7500.0, "7500"), (12_000.0, "12k"), (2_400_000.0, "2.4M")],
)
def test_tick_labels_are_short_without_exponents(value, text):
    from twofront.report.figures import tick_label

    assert tick_label(value) == text
