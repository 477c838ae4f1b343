"""The UI in a real headless Chromium (Debian's, at /usr/bin/chromium; `make browser` installs it),
driven by Playwright against `python -m webserver` as a process of the test's own. Each test saves
a screenshot of its view under tests/screenshots/ (not committed)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.web import HOSTILE, web_server, write_dag

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator:
    """A fresh page of a headless Chromium from the distribution; closed with the test."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make browser`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        try:
            yield page
        finally:
            browser.close()


@pytest.fixture
def server(embedded_env, tmp_path: Path) -> Iterator[str]:
    """The web server over a store holding one finished run of the mapped DAG."""
    result = run_cli(embedded_env, "run", write_dag(embedded_env), "--run-id", "r1", "--output", "json")
    assert json.loads(result.stdout)["state"] == "success", result.stderr
    with web_server(embedded_env, tmp_path / "webserver.log") as url:
        yield url


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_dags_page_lists_the_dag_with_its_recent_run_and_shows_markup_as_text(server, browser_page):
    page = browser_page
    page.goto(f"{server}/dags")
    row = page.locator('tr[data-dag-id="mapped"]')
    row.wait_for()
    assert row.locator("a").first.inner_text() == "mapped"
    assert row.locator("a.dot.s-success").get_attribute("title") == "r1: success"
    assert HOSTILE in row.inner_text()  # the description's markup is text on the page
    assert page.evaluate("window.pwned") is None
    assert page.js_errors == []
    screenshot(page, "dags")


def test_graph_page_lays_out_the_run_with_n_after_the_mapped_task(server, browser_page):
    page = browser_page
    page.goto(f"{server}/runs/r1/graph")
    page.locator('g.node[data-task-id="double"]').wait_for()
    assert page.locator('g.node[data-task-id="double"] .task-label').text_content() == "double [3]"
    assert "s-failed" in page.locator('g.node[data-task-id="double"]').get_attribute("class")
    assert page.locator('g.node[data-task-id="double"] .state-label').text_content() == "1 failed · 2 success"
    assert not page.locator("#cancel-run").is_visible()  # the run ended, and the server is read-only
    assert page.locator("svg path.edge").count() == 1
    page.locator('g.node[data-task-id="double"]').click()
    assert page.locator("#task-details a.button").inner_text() == "Mapped Instances"
    assert page.js_errors == []
    screenshot(page, "graph")
