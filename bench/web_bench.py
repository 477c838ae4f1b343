"""The web UI at 100,000 instances (issue #13), a part of ``make bench`` (``--only web``).

PostgreSQL is seeded by :mod:`bench.web_seed` with one run of a 100,000-way map and 25 runs of a
1,000-way map; ``chordflow webserver`` serves it. Each figure is the median of 7 requests after
one warm-up, over loopback (so server time plus well under a millisecond), printed beside the same
request on a 1,000-way run of the same store -- the baseline measured in this run -- and their
ratio, which says whether the request reads more as the map grows. Goal: < 300 ms at 100k.

The browser figures are Debian's Chromium (Playwright) from navigation to the page's data shown
(the element a user looks for), goal < 1 s.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_seed  # noqa: E402
from harness import CHORDFLOW, BenchmarkFailed, Database, cli, line, stop  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
WIDE, NARROW = 100_000, 1_000

#: (name, path with {run}, {width}) of the API requests measured.
REQUESTS = [
    ("grid of 25 runs (the DAG's)", "/api/v1/dags/{dag}/grid?limit=25"),
    ("run with [N] and state counts (Graph data)", "/api/v1/runs/{run}"),
    ("Mapped Instances, first page of 50", "/api/v1/runs/{run}/tasks/{task}/instances?limit=50"),
    ("Mapped Instances, last page", "/api/v1/runs/{run}/tasks/{task}/instances?limit=50&offset={last}"),
    ("Mapped Instances, sorted by duration", "/api/v1/runs/{run}/tasks/{task}/instances?limit=50&sort=duration"),
    ("Mapped Instances, failed only", "/api/v1/runs/{run}/tasks/{task}/instances?limit=50&state=failed"),
    ("one instance with its tries", "/api/v1/runs/{run}/tasks/{task}/instances/{middle}"),
    ("its log", "/api/v1/runs/{run}/tasks/{task}/instances/0/logs"),
    ("its XComs", "/api/v1/runs/{run}/tasks/{task}/instances/{middle}/xcom"),
]

#: (name, page path, the selector that shows its data) of the pages timed in the browser.
PAGES = [
    ("Graph", "/runs/{run}/graph", 'g.node[data-task-id="{task}"]'),
    ("Grid", "/dags/{dag}/grid", 'tr[data-task-id="{task}"] td.cell a'),
    ("Mapped Instances", "/runs/{run}/tasks/{task}/instances", "#instances tbody tr.link-row"),
    ("Instance", "/runs/{run}/tasks/{task}/instances/{middle}", "#tries tbody tr"),
]

#: A run to measure and its map's width: ``(run_id, width)``.
Sized = tuple[str, int]


def _get_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise BenchmarkFailed(f"web bench: {url} answered {response.status}")
    return (time.perf_counter() - started) * 1000


def median_ms(url: str, times: int = 7) -> float:
    """The median of ``times`` requests of ``url`` after one warm-up, in milliseconds."""
    _get_ms(url)
    return statistics.median(_get_ms(url) for _ in range(times))


def _fill(path: str, dag_id: str, task_id: str, sized: Sized) -> str:
    run, width = sized
    return path.format(dag=dag_id, task=task_id, run=run, last=width - 50, middle=width // 2 + 1)


def requests_ms(base: str, dag_id: str, task_id: str, wide: Sized, narrow: Sized) -> list[tuple[str, float, float]]:
    """``(request, ms at the wide run, ms at the narrow one)`` of each of :data:`REQUESTS` made of
    ``task_id``'s map (medians, see :func:`median_ms`)."""
    return [(name, median_ms(base + _fill(path, dag_id, task_id, wide)),
             median_ms(base + _fill(path, dag_id, task_id, narrow))) for name, path in REQUESTS]


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """``chordflow webserver`` on a free port; returns the process and its base URL once it answers."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([CHORDFLOW, "webserver", "--port", str(port)], env=env, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _get_ms(base + "/health")
            return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(proc)
                raise BenchmarkFailed(f"web bench: the web server did not start: {log.read_text()[-800:]}") from None
            time.sleep(0.2)


def browser_ms(base: str, dag_id: str, task_id: str, wide: Sized, narrow: Sized) -> list[tuple[str, float, float]]:
    """``(page, ms at the wide run, ms at the narrow one)`` from navigation to the page's data shown:
    medians of 3 after a warm-up that fills the browser's cache of the static files."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise BenchmarkFailed(f"web bench: no Chromium at {CHROMIUM} (`make browser` installs it)")
    figures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            for name, path, selector in PAGES:
                measured = []
                for sized in (wide, narrow):
                    url = base + _fill(path, dag_id, task_id, sized)
                    shown = selector.format(task=task_id)
                    page.goto(url)
                    page.locator(shown).first.wait_for(timeout=30_000)
                    samples = []
                    for _ in range(3):
                        started = time.perf_counter()
                        page.goto(url)
                        page.locator(shown).first.wait_for(timeout=30_000)
                        samples.append((time.perf_counter() - started) * 1000)
                    measured.append(statistics.median(samples))
                figures.append((name, *measured))
        finally:
            browser.close()
    return figures


def bench_web() -> None:
    """Print the web figures: each request at 100k beside 1k, then each page in the browser."""
    folder = Path(tempfile.mkdtemp(prefix="chordflow-web-bench-"))
    db = Database("chordflow_bench_web")
    env = {**os.environ, "CHORDFLOW_DATABASE_URL": db.url, "CHORDFLOW_HOME": str(folder),
           "CHORDFLOW_DAGS_FOLDER": str(folder / "dags")}
    env.pop("CHORDFLOW_BROKER_URL", None)
    env.pop("CHORDFLOW_WEB_PASSWORD", None)
    server = None
    try:
        cli(env, "db", "upgrade")
        started = time.perf_counter()
        runs = web_seed.seed(db.dsn, folder / "dags", width=WIDE, narrow=NARROW, runs=25)
        print(f"web: seeded {WIDE:,} + 25 x {NARROW:,} instances with XComs in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        server, base = start_server(env, folder / "webserver.log")
        line("web: health check (the floor)", f"{median_ms(base + '/health'):.1f} ms", "")
        wide_run, narrow_run = (runs["wide"], WIDE), (runs["narrow"], NARROW)
        for name, wide, narrow in requests_ms(base, "web_bench", "work", wide_run, narrow_run):
            line(f"web: {name}", f"{wide:.0f} ms vs {narrow:.0f} ms = {wide / narrow:.1f}x",
                 f"goal < 300 ms at 100k ({'met' if wide < 300 else 'MISSED'})")
        for name, wide, narrow in browser_ms(base, "web_bench", "work", wide_run, narrow_run):
            line(f"web: {name} page in Chromium, data shown",
                 f"{wide:.0f} ms vs {narrow:.0f} ms = {wide / narrow:.1f}x",
                 f"goal < 1000 ms at 100k ({'met' if wide < 1000 else 'MISSED'})")
    finally:
        if server is not None:
            stop(server)
        db.drop()


if __name__ == "__main__":
    bench_web()
