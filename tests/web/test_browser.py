"""The dashboard end to end in Debian's chromium, headless (Playwright drives it; no
browser is downloaded): load the page, move a slider, run, see the answer change.

Screenshots go to ``out/screenshots/`` at the repository's root (test artefacts).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[2] / "out" / "screenshots"
RUN_SECONDS = 60_000  # ms Playwright waits for a comparison to finish

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no chromium at {CHROMIUM} (Debian: apt-get install chromium); CI installs it",
)


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    """The test app served by uvicorn on a free local port, in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    for _ in range(200):
        if served.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright.Browser]:
    with playwright.sync_playwright() as driver:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: playwright.Browser, server: str) -> Iterator[playwright.Page]:
    tab = browser.new_page(viewport={"width": 1400, "height": 1100})
    problems: list[str] = []
    tab.on("pageerror", lambda err: problems.append(str(err)))
    tab.goto(server)
    playwright.expect(tab.locator("#status")).to_have_text("ready")
    yield tab
    tab.close()
    assert not problems, problems


def shot(page: playwright.Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def run(page: playwright.Page) -> str:
    """Click Run, wait for the answer, return the answer block."""
    page.click("#run")
    playwright.expect(page.locator("#status")).to_contain_text("done", timeout=RUN_SECONDS)
    return page.locator("#headline").inner_text()


def test_page_loads_with_the_bounds_the_scenarios_and_sliders(page):
    playwright.expect(page.locator("#limits")).to_contain_text("At most 200 runs per strategy")
    assert "world-2024" in page.locator("#scenario option").all_inner_texts()
    assert page.locator(".slider").count() > 100
    shot(page, "1-loaded")


def test_moving_a_slider_and_running_changes_the_answer(page):
    page.select_option("#scenario", "kursk-2024")
    playwright.expect(page.locator("#scenario-title")).to_contain_text("Kursk")
    page.fill("#runs", "150")
    before = run(page)
    assert "kursk-2024: 1 strategy vs as-followed, 150 sampled worlds" in before
    assert page.locator("#comparison svg").count() > 0 and page.locator("#fans svg").count() > 0
    shot(page, "2-answer")
    page.fill("#filter", "combat.defence_advantage")
    slider = page.locator('.slider[data-path="combat.defence_advantage"] input[type=range]')
    slider.fill("1.5")
    playwright.expect(page.locator("#changed-count")).to_have_text("1 fixed")
    after = run(page)
    assert after != before
    shot(page, "3-answer-after-slider")


def test_bad_input_shows_the_field_and_what_was_expected(page):
    page.fill("#runs", "5000")
    page.click("#run")
    playwright.expect(page.locator("#status.error")).to_contain_text("body.runs")
    playwright.expect(page.locator("#status")).to_contain_text("at most 200")
    shot(page, "4-bad-input")


def test_stored_experiments_open_and_compare(page):
    page.check('input[name=experiment][value="kursk-a"]')
    page.check('input[name=experiment][value="kursk-b"]')
    page.click("#open")
    playwright.expect(page.locator("#headline")).to_contain_text("kursk-b: surge")
    shot(page, "5-stored-experiments")
