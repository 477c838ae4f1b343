"""What every benchmark shares: fresh databases and brokers, workers, timed CLI calls, and the
printing of a figure beside its baseline from the same run.

A benchmark that meets a fault (a command fails, a run ends other than ``success``, a map is short
of instances or XComs, a wait times out) raises :class:`BenchmarkFailed`; ``run_benchmarks.py``
prints ``FAILED`` with the reason in place of its figures and exits non-zero at the end, so no
figure is ever printed from a broken measurement.

``BENCH_SCALE`` (default 1) multiplies every map's width, for a quick check of the harness
itself (``BENCH_SCALE=0.01 make bench``); figures at another scale are not the issues' targets.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
CHORDFLOW = str(Path(sys.executable).parent / "chordflow")
CELERY = str(Path(sys.executable).parent / "celery")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER = "redis://127.0.0.1:6379/12"
SCALE = float(os.environ.get("BENCH_SCALE") or 1)


class BenchmarkFailed(Exception):
    """A measurement that cannot be trusted: the reason is printed instead of a figure."""


def scaled(n: int) -> int:
    """``n`` times ``BENCH_SCALE``, at least 1."""
    return max(1, round(n * SCALE))


MAP_DAG = """
import time
from datetime import datetime
from orchestrator import dag, task

@task(batch_size={batch})
def add(x, y):
    {body}
    return x + y

@task
def total(values):
    return sum(values)

@dag(dag_id="{dag_id}", schedule=None, start_date=datetime(2022, 1, 1))
def bench_map():
    total(add.partial(y=1).expand(x=list(range({n}))))

bench_map()
"""

CHAIN_DAG = """
from datetime import datetime
from orchestrator import dag, task

@task
def step(x):
    return x + 1

@dag(dag_id="bench_chain", schedule=None, start_date=datetime(2022, 1, 1))
def bench_chain():
    value = 0
    for _ in range({n}):
        value = step(value)

bench_chain()
"""


def write_dag(folder: Path, n: int, batch: str = "None", body: str = "pass", dag_id: str = "bench_map") -> Path:
    """A ``bench_map.py`` DAG file in ``folder``: an ``n``-way map of ``add`` (its body ``body``) + reduce."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench_map.py"
    path.write_text(textwrap.dedent(MAP_DAG.format(n=n, batch=batch, body=body, dag_id=dag_id)))
    return path


def write_chain(folder: Path, n: int) -> Path:
    """A ``bench_chain`` DAG file in ``folder``: ``n`` one-line tasks, each the next one's upstream."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench_chain.py"
    path.write_text(textwrap.dedent(CHAIN_DAG.format(n=n)))
    return path


def header() -> None:
    print(f"{'benchmark':60} {'end to end':>14} {'baseline':>14} {'ratio':>7}   goal; secondary figures"
          f"  ({os.cpu_count()} cores, BENCH_SCALE={SCALE:g})", flush=True)


def figure(name: str, ours: str, baseline: str = "", ratio: str = "", goal: str = "") -> None:
    """One row: the figure users wait for, its same-run baseline, their ratio, and the goal."""
    print(f"{name:60} {ours:>14} {baseline:>14} {ratio:>7}   {goal}", flush=True)


def line(name: str, value: str, goal: str) -> None:
    """A row without a baseline column (the web benchmark's own rows)."""
    figure(name, value, "", "", goal)


def cli(env: dict[str, str], *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """``chordflow ARGS`` with ``env``; raises :class:`BenchmarkFailed` when it fails or times out."""
    try:
        result = subprocess.run([CHORDFLOW, *args], env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchmarkFailed(f"`chordflow {' '.join(args)}` did not end within {timeout:.0f} s") from None
    if result.returncode != 0:
        raise BenchmarkFailed(f"`chordflow {' '.join(args)}` exited {result.returncode}: {result.stderr[-600:]}")
    return result


def timed_cli(env: dict[str, str], *args: str) -> tuple[float, subprocess.CompletedProcess]:
    """Seconds ``chordflow ARGS`` took (process start included), and its result."""
    started = time.perf_counter()
    result = cli(env, *args)
    return time.perf_counter() - started, result


@dataclass
class Timed:
    """One ``chordflow run --wait``: ``wall`` seconds (what a user waits for, process start
    included), ``span`` seconds (the run's start_date..end_date in the store), the CLI's peak RSS
    in MB (``nan`` when an earlier command had a larger one), the run's id, and the epoch
    seconds at which the CLI was started and exited."""

    wall: float
    span: float
    cli_rss_mb: float
    run_id: str = ""
    launched: float = 0.0
    exited: float = 0.0


def chordflow_run(path: Path, env: dict[str, str], expect_instances: dict[str, int] | None = None) -> Timed:
    """Run the DAG file ``path`` to its end; checks the run succeeded and, for each task of
    ``expect_instances``, that that many instances ended ``success``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    launched, started = time.time(), time.perf_counter()
    result = cli(env, "run", str(path), "--wait", "--output", "json")
    wall = time.perf_counter() - started
    exited = time.time()
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = json.loads(result.stdout)
    if summary["state"] != "success":
        raise BenchmarkFailed(f"run {summary['run_id']} ended {summary['state']}")
    shown = json.loads(cli(env, "runs", "show", summary["run_id"], "--output", "json").stdout)
    check_counts(shown, expect_instances or {})
    span = seconds(shown["end_date"]) - seconds(shown["start_date"])
    return Timed(wall, span, rss / 1024 if rss > before else float("nan"), summary["run_id"], launched, exited)


def check_counts(shown: dict, expect: dict[str, int]) -> None:
    """Raise :class:`BenchmarkFailed` unless each task of ``expect`` has that many ``success`` instances."""
    by_task = {task["task_id"]: task for task in shown["tasks"]}
    for task_id, n in expect.items():
        got = by_task.get(task_id, {}).get("states", {}).get("success", 0)
        if got != n:
            raise BenchmarkFailed(f"run {shown['run_id']}: {got} instance(s) of {task_id} succeeded, not {n}")


def seconds(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class Database:
    """A fresh PostgreSQL database for one benchmark, dropped afterwards."""

    def __init__(self, name: str):
        self.name = name
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        self.dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"

    @staticmethod
    def _admin(*statements: str) -> None:
        conn = psycopg2.connect(PG_ADMIN)
        conn.autocommit = True
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        conn.close()

    def query(self, sql: str, *args) -> list[tuple]:
        conn = psycopg2.connect(self.dsn)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return cur.fetchall()
        finally:
            conn.close()

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def start(cmd: list[str], env: dict[str, str], log: Path, ready: bytes = b"ready.", times: int = 1) -> subprocess.Popen:
    """Start ``cmd`` in a session of its own; wait until its log shows ``ready`` ``times`` times
    (a worker of ``--pool solo -c N``: once per process; 30 s at most)."""
    proc = subprocess.Popen(cmd, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while log.read_bytes().count(ready) < times:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise BenchmarkFailed(f"{Path(cmd[0]).name} {cmd[1]} did not start: {log.read_text()[-1000:]}")
        time.sleep(0.1)
    return proc


def peak_rss_mb(proc: subprocess.Popen) -> float:
    """The largest peak RSS (VmHWM) among the process's processes (main and pool children), MB."""
    pids = [proc.pid]
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    peaks = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(row.split()[1]) / 1024 for row in status.splitlines() if row.startswith("VmHWM:")]
    return max(peaks, default=float("nan"))


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Cluster:
    """A fresh database, an emptied broker and ``workers`` chordflow workers with ``-c concurrency``
    (and ``worker_options``)."""

    def __init__(self, folder: Path, name: str, workers: int = 1, concurrency: int = 2,
                 worker_options: tuple[str, ...] = ()):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.db = Database(f"chordflow_bench_{name}")
        flush_broker()
        self.dags = folder / "dags"
        self.env = {**os.environ, "CHORDFLOW_BROKER_URL": BROKER, "CHORDFLOW_DATABASE_URL": self.db.url,
                    "CHORDFLOW_DAGS_FOLDER": str(self.dags), "CHORDFLOW_HOME": str(folder),
                    "CHORDFLOW_MAX_MAP_LENGTH": "1000000"}
        self.workers: list[subprocess.Popen] = []
        self.others: list[subprocess.Popen] = []
        try:
            cli(self.env, "db", "upgrade")
            for i in range(workers):
                self.workers.append(start([CHORDFLOW, "worker", "-c", str(concurrency), "--loglevel", "INFO",
                                           "--hostname", f"bench{i}@%h", *worker_options], self.env,
                                          folder / f"worker{i}.log",
                                          times=concurrency if "solo" in worker_options else 1))
        except BaseException:
            self.close()
            raise

    def start_scheduler(self) -> subprocess.Popen:
        proc = subprocess.Popen([CHORDFLOW, "scheduler", "--interval", "5"], env=self.env, cwd=ROOT,
                                stdout=open(self.folder / "scheduler.log", "wb"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.others.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.workers + self.others:
            stop(proc)
        self.db.drop()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    """Return once ``url`` answers; raise :class:`BenchmarkFailed` after ``timeout`` seconds."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise BenchmarkFailed(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.2)
