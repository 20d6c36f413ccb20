"""The experiment report: one self-contained page with the answer, the comparison, charts
over time, every assumption with its source, and the settings that reproduce it."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from twofront.cli import app
from twofront.engine.record import TRAJECTORIES
from twofront.errors import StoreError
from twofront.experiment.runner import Experiment, run_experiment
from twofront.report import experiment_report
from twofront.scenario.sources import iter_params

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
INLINE_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def folder(toy, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "experiment"
    plan = Experiment((toy,), ("steady", "surge"), 40, 3, chunk_runs=25, keep=tuple(TRAJECTORIES))
    run_experiment(plan, out)
    return out


@pytest.fixture(scope="module")
def page(folder, toy_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "report.html"
    result = CliRunner().invoke(
        app, ["report", str(folder), "--out", str(out), "--scenario", str(toy_path)]
    )
    assert result.exit_code == 0, result.output
    assert f"report written to {out}" in result.stderr
    return out


def test_the_page_is_self_contained_with_every_figure_inlined(page):
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|iframe)\b", html)
    assert not re.search(r'src="(?!data:)', html)
    images = INLINE_PNG.findall(html)
    assert len(images) == 5  # comparison, wars at once, fronts, one fan chart set per strategy
    assert all(base64.b64decode(image).startswith(PNG_MAGIC) for image in images)


def test_the_page_opens_with_the_answer_and_has_every_section(page):
    html = page.read_text(encoding="utf-8")
    anchors = ("answer", "comparison", "wars", "drivers", "fronts", "fans", "assumptions")
    for anchor in (*anchors, "settings"):
        assert f'id="{anchor}"' in html
    answer = html[html.index('id="answer"') : html.index('id="comparison"')]
    assert "vs steady" in answer and "surge" in answer
    assert "[95% interval: sampling error]" in answer


def test_every_assumption_is_listed_with_its_source(page, toy):
    html = page.read_text(encoding="utf-8")
    table = html[html.index('id="assumptions"') : html.index('id="settings"')]
    for path, param in iter_params(toy):
        row = f"<tr><td><code>{path}</code></td><td>{escape(param.describe())}</td>"
        assert f"{row}<td>{escape(param.provenance)}</td></tr>" in table, path


def test_the_settings_say_how_to_reproduce_it(page):
    html = page.read_text(encoding="utf-8")
    settings = html[html.index('id="settings"') :]
    assert "<th>seed</th><td>3</td>" in settings
    assert "twofront experiment toy --out FOLDER --strategies steady,surge --runs 40 --seed 3" in (
        settings
    )


def test_a_scenario_other_than_the_one_run_is_refused(folder, tmp_path, toy_raw):
    from tests.toml_text import dumps

    toy_raw["combat"]["defence_advantage"] = {"value": 9.0, "assumption": "changed"}
    other = tmp_path / "other.toml"
    other.write_text(dumps(toy_raw), encoding="utf-8")
    with pytest.raises(StoreError, match="SHA-256 differs"):
        experiment_report.context(folder, str(other))


def test_without_the_trajectories_the_page_says_what_to_keep(toy, toy_path, tmp_path):
    out = tmp_path / "lean"
    run_experiment(Experiment((toy,), ("steady", "surge"), 10, 0, keep=("occupied_km2",)), out)
    html = experiment_report.render(experiment_report.context(out, str(toy_path)))
    assert "Not stored: the experiment did not keep theater_status" in html
    assert "--keep all" in html


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium not installed")
def test_chromium_renders_the_page_headless(page, tmp_path):
    shot = page.with_suffix(".png")
    done = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert shot.read_bytes().startswith(PNG_MAGIC)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_the_drivers_section_ranks_stored_inputs_for_the_baseline_and_each_difference(page):
    html = page.read_text(encoding="utf-8")
    section = html[html.index('id="drivers"') : html.index('id="fronts"')]
    assert "P(two wars at once) under steady" in section
    assert "surge minus steady, run by run" in section
    rows = re.findall(r"<tr><td><code>([^<]+)</code></td><td>([^<]+)</td>", section)
    assert 0 < len(rows) <= 10  # at most five a block, two blocks
    for _, swing in rows:
        assert re.fullmatch(r"[+-]\d\.\d{3} \[[+-]\d\.\d{3}, [+-]\d\.\d{3}\]", swing)
