"""The UI in a real headless Chromium (Debian's, at /usr/bin/chromium; `make browser` installs it),
driven by Playwright against `chordflow webserver` as a process of the test's own. Each test saves
a screenshot of its view under tests/screenshots/ (not committed)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import run_cli
from tests.web import HOSTILE, web_server, write_dag

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator:
    """A fresh page of a headless Chromium from the distribution; closed with the test."""
    from playwright.sync_api import sync_playwright

    # Pages run under a Content-Security-Policy without 'unsafe-eval': the tests wait with
    # locators (expect), never with wait_for_function strings, which the policy refuses.
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


def test_grid_shows_the_mapped_task_as_one_row_and_opens_its_instances(server, browser_page):
    page = browser_page
    page.goto(f"{server}/dags/mapped/grid")
    cell = page.locator('tr[data-task-id="double"] td.cell a')
    cell.wait_for()
    assert cell.locator(".n").inner_text() == "[3]"
    assert cell.locator(".mix span.s-failed").count() == 1 and cell.locator(".mix span.s-success").count() == 1
    screenshot(page, "grid")
    cell.click()
    page.wait_for_url("**/runs/r1/tasks/double/instances")
    page.locator("#instances tbody tr.link-row").first.wait_for()
    assert page.js_errors == []


def test_mapped_instances_filter_by_state_sort_and_open_an_instance(server, browser_page):
    page = browser_page
    page.goto(f"{server}/runs/r1/tasks/double/instances")
    rows = page.locator("#instances tbody tr.link-row")
    rows.first.wait_for()
    assert [r.get_attribute("data-map-index") for r in rows.all()] == ["0", "1", "2"]
    page.locator('th[data-sort="map_index"]').click()
    expect(rows.first).to_have_attribute("data-map-index", "2")
    page.select_option("#state-filter", "failed")
    expect(rows).to_have_count(1)
    expect(page.locator("#page-info")).to_have_text("1–1 of 1")
    screenshot(page, "instances")
    rows.first.click()
    page.wait_for_url("**/runs/r1/tasks/double/instances/2")
    assert page.js_errors == []


def test_instance_log_and_xcom_show_markup_as_text(server, browser_page):
    page = browser_page
    page.goto(f"{server}/runs/r1/tasks/double/instances/2#log")
    expect(page.locator("#log")).to_contain_text("three is not allowed")
    assert HOSTILE in page.locator("#log").inner_text()
    screenshot(page, "instance-log")
    page.goto(f"{server}/runs/r1/tasks/double/instances/1#xcom")
    value = page.locator('.xcom[data-key="return_value"] pre.value')
    value.wait_for()
    assert HOSTILE.replace('"', '\\"') in value.inner_text()
    screenshot(page, "instance-xcom")
    page.goto(f"{server}/runs/r1/tasks/double/instances/2#details")
    page.locator("#tries tbody tr").first.wait_for()
    assert "three is not allowed" in page.locator("#tab-details").inner_text()
    screenshot(page, "instance-details")
    assert page.evaluate("window.pwned") is None
    assert page.js_errors == []


@pytest.fixture
def acting_server(embedded_env, tmp_path: Path) -> Iterator[str]:
    """The web server with actions enabled (a password) over a store with no run yet."""
    write_dag(embedded_env)
    env = {**embedded_env, "CHORDFLOW_WEB_PASSWORD": "let-me-act"}
    with web_server(env, tmp_path / "webserver.log") as url:
        yield url


def test_log_in_trigger_a_run_and_clear_its_failed_index(acting_server, browser_page):
    page = browser_page
    page.goto(f"{acting_server}/login?next=/dags")
    page.fill('input[name="password"]', "let-me-act")
    page.click('button[type="submit"]')
    page.wait_for_url("**/dags")
    page.locator('tr[data-dag-id="mapped"] button.action').click()
    page.click("#trigger-submit")
    expect(page.locator("#message")).to_contain_text("started")
    dot = page.locator('tr[data-dag-id="mapped"] a.dot')
    expect(dot).to_have_class("dot s-success", timeout=60_000)
    dot.click()
    page.locator('g.node[data-task-id="double"]').click()
    page.click("#task-details a.button")
    page.select_option("#state-filter", "failed")
    expect(page.locator("#instances tbody tr.link-row")).to_have_count(1)
    page.locator("#instances tbody tr.link-row").first.click()
    page.click('[data-clear="one"]')
    expect(page.locator("#message")).to_contain_text("Cleared 1 instance(s)")
    expect(page.locator("#tries tbody tr")).to_have_count(2, timeout=60_000)
    screenshot(page, "instance-cleared")
    assert page.js_errors == []


@pytest.fixture
def examples_server(embedded_env, tmp_path: Path) -> Iterator[str]:
    """The web server with actions enabled whose DAGs folder is the project's examples/."""
    env = {**embedded_env, "CHORDFLOW_WEB_PASSWORD": "let-me-act", "CHORDFLOW_DAGS_FOLDER": str(EXAMPLES)}
    with web_server(env, tmp_path / "webserver.log") as url:
        yield url


def log_in(page, url: str) -> None:
    page.goto(f"{url}/login?next=/dags")
    page.fill('input[name="password"]', "let-me-act")
    page.click('button[type="submit"]')
    page.wait_for_url("**/dags")


def trigger(page, dag_id: str, logical_date: str = "") -> None:
    page.locator(f'tr[data-dag-id="{dag_id}"] button.action').click()
    page.fill('input[name="logical_date"]', logical_date)
    page.click("#trigger-submit")
    expect(page.locator("#message")).to_contain_text("started")
    dot = page.locator(f'tr[data-dag-id="{dag_id}"] a.dot').first
    expect(dot).to_have_class("dot s-success", timeout=240_000)
    dot.click()


@pytest.mark.timeout(600)
@pytest.mark.parametrize(("dag_id", "logical_date", "mapped", "count"), [
    ("mapping_elt", "2022-04-12", "load_files_to_warehouse", 3),
    ("ml_multimodel", "", "train", 5),
])
def test_the_examples_graph_shows_n_and_a_mapped_instance_has_log_rendered_and_xcom(
        examples_server, browser_page, dag_id, logical_date, mapped, count):
    page = browser_page
    log_in(page, examples_server)
    trigger(page, dag_id, logical_date)
    node = page.locator(f'g.node[data-task-id="{mapped}"]')
    expect(node.locator(".task-label")).to_have_text(f"{mapped} [{count}]")
    screenshot(page, f"graph-{dag_id}")
    node.click()
    page.click("#task-details a.button")
    expect(page.locator("#instances tbody tr.link-row")).to_have_count(count)
    page.locator("#instances tbody tr.link-row").nth(1).click()
    page.click('[data-tab="log"]')
    expect(page.locator("#log")).to_contain_text(f"Running {mapped}[1]")
    page.click('[data-tab="rendered"]')
    expect(page.locator("#tab-rendered")).to_be_visible()
    page.click('[data-tab="xcom"]')
    expect(page.locator('.xcom[data-key="return_value"]')).to_be_visible()
    screenshot(page, f"xcom-{dag_id}")
    assert page.js_errors == []


@pytest.fixture
def seed_server(embedded_env, tmp_path: Path) -> Iterator[str]:
    """The web server over one finished run of the seed's example (a mapped task group in it)."""
    result = run_cli(embedded_env, "run", EXAMPLES / "seed_mapping.py", "--run-id", "seed", "--output", "json")
    assert json.loads(result.stdout)["state"] == "success", result.stderr
    with web_server(embedded_env, tmp_path / "webserver.log") as url:
        yield url


def test_task_groups_are_boxes_in_the_graph_and_fold_in_the_grid(seed_server, browser_page):
    page = browser_page
    page.goto(f"{seed_server}/runs/seed/graph")
    group = page.locator("g.group", has_text="per_customer")
    group.wait_for()
    expect(page.locator('g.node[data-task-id="per_customer.extract"] .task-label')).to_have_text(
        "per_customer.extract [2]")
    expect(page.locator('g.node[data-task-id="add"] .task-label')).to_have_text("add [3]")
    screenshot(page, "graph-seed")
    page.goto(f"{seed_server}/dags/seed_mapping/grid")
    member = page.locator('tr[data-task-id="per_customer.report"]')
    expect(member).to_be_visible()
    page.locator('tr[data-group="per_customer"] button.fold').click()
    expect(member).to_have_count(0)
    expect(page.locator('tr[data-group="per_customer"] td.cell .mix')).to_have_count(1)
    screenshot(page, "grid-seed-folded")
    assert page.js_errors == []
