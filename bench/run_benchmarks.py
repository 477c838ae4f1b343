"""Benchmarks (not tests): each figure printed beside its baseline and goal. `make bench`.

Issue #4's figures, on Redis + PostgreSQL on loopback unless said otherwise:

- ``embedded``: 1000-way map + reduce through ``chordflow run --wait`` on the embedded default,
  process start included (goal <= 1.8 s);
- ``unbatched``: a 1000-way map with ``batch_size=1`` (one Celery message per index, each index
  with its own state row and XCom) + reduce, one worker ``-c 2``, beside a raw Celery chord of
  1000 tasks that each do one PostgreSQL INSERT (goal: at least the raw chord's throughput);
- ``batched``: a 20,000-way map of tiny tasks, automatic batching, one worker ``-c 2``
  (goal >= 10,000 instances/s end to end);
- ``big``: a 100,000-way map + reduce, one worker: expansion (rows + publish, goal < 2 s), whole
  run (goal < 15 s), peak RSS of the CLI and of the worker (goal < 250 MB each);
- ``sweep``: time per instance at N = 1k, 10k, 100k (goal: flat within 20 %);
- ``scaling``: 0.1 s sleeping tasks, 1 worker then 4 workers (goal >= 3.6x shorter makespan);
- ``web``: the web UI's requests and pages with a 100,000-way map in the store, beside the same at
  1,000 (goal < 300 ms per request, < 1 s to a page's data in Chromium): ``bench/web_bench.py``.

Times of a distributed run are its span in the store (``start_date`` to ``end_date``: creating
the rows, publishing, running, reducing), and the wall time of ``chordflow run --wait`` beside it
(process start and polling included). ``--only NAME[,NAME]`` runs some of them.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
CHORDFLOW = str(Path(sys.executable).parent / "chordflow")
CELERY = str(Path(sys.executable).parent / "celery")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER = "redis://127.0.0.1:6379/12"

DAG = """
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

@dag(dag_id="bench_map", schedule=None, start_date=datetime(2022, 1, 1))
def bench_map():
    total(add.partial(y=1).expand(x=list(range({n}))))

bench_map()
"""


def write_dag(folder: Path, n: int, batch: str = "None", body: str = "pass") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench_map.py"
    path.write_text(textwrap.dedent(DAG.format(n=n, batch=batch, body=body)))
    return path


def line(name: str, figure: str, goal: str) -> None:
    print(f"{name:62} {figure:>22}   {goal}", flush=True)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([CHORDFLOW, *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"`chordflow {' '.join(args)}` failed: {result.stderr[-800:]}")
    return result


@dataclass
class Timed:
    wall: float  # chordflow run --wait, process start included
    span: float  # the run's start_date..end_date in the store
    cli_rss_mb: float
    run_id: str = ""


def chordflow_run(path: Path, env: dict[str, str]) -> Timed:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = cli(env, "run", str(path), "--wait", "--output", "json")
    wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = json.loads(result.stdout)
    if summary["state"] != "success":
        raise SystemExit(f"benchmark run ended {summary['state']}")
    shown = json.loads(cli(env, "runs", "show", summary["run_id"], "--output", "json").stdout)
    span = _seconds(shown["end_date"]) - _seconds(shown["start_date"])
    return Timed(wall, span, rss / 1024 if rss > before else float("nan"), summary["run_id"])


def _seconds(iso: str) -> float:
    from datetime import datetime

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

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while b"ready." not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise SystemExit(f"worker did not start: {log.read_text()[-1000:]}")
        time.sleep(0.1)
    return proc


def peak_rss_mb(proc: subprocess.Popen) -> float:
    """The largest peak RSS (VmHWM) among the worker's processes (main and pool children)."""
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
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Cluster:
    """A fresh database, an emptied broker and ``workers`` chordflow workers with ``-c 2``."""

    def __init__(self, folder: Path, name: str, workers: int = 1, concurrency: int = 2):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.db = Database(f"chordflow_bench_{name}")
        flush_broker()
        self.dags = folder / "dags"
        self.env = {**os.environ, "CHORDFLOW_BROKER_URL": BROKER, "CHORDFLOW_DATABASE_URL": self.db.url,
                    "CHORDFLOW_DAGS_FOLDER": str(self.dags), "CHORDFLOW_HOME": str(folder),
                    "CHORDFLOW_MAX_MAP_LENGTH": "1000000"}
        cli(self.env, "db", "upgrade")
        self.workers = [start([CHORDFLOW, "worker", "-c", str(concurrency), "--loglevel", "INFO",
                               "--hostname", f"bench{i}@%h"], self.env, folder / f"worker{i}.log")
                        for i in range(workers)]

    def close(self) -> None:
        for worker in self.workers:
            stop(worker)
        self.db.drop()


def raw_celery_chord(n: int, folder: Path, ack_emulation: bool = True) -> float:
    """Seconds for a raw chord of ``n`` one-INSERT tasks on a worker ``-c 2`` (``ack_emulation``:
    kombu's default; off is the transport setting Chordflow's workers use)."""
    db = Database("chordflow_bench_raw")
    flush_broker()
    conn = psycopg2.connect(db.dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE raw_result (i int, value int)")
        cur.execute("CREATE TABLE raw_done (n int)")
    env = {**os.environ, "BENCH_BROKER": BROKER, "BENCH_DATABASE": db.dsn,
           "BENCH_ACK_EMULATION": "1" if ack_emulation else "0"}
    worker = start([CELERY, "-A", "bench.raw_celery", "worker", "-c", "2", "--loglevel", "INFO"], env,
                   folder / "raw-worker.log")
    try:
        sys.path.insert(0, str(ROOT))
        os.environ.update(BENCH_BROKER=BROKER, BENCH_DATABASE=db.dsn)
        from celery import chord

        from bench.raw_celery import app, done, insert

        app.conf.broker_url = app.conf.result_backend = BROKER
        started = time.perf_counter()
        chord(insert.si(i) for i in range(n))(done.s())
        with conn.cursor() as cur:
            while True:
                cur.execute("SELECT count(*) FROM raw_done")
                if cur.fetchone()[0]:
                    break
                time.sleep(0.02)
        return time.perf_counter() - started
    finally:
        stop(worker)
        conn.close()
        db.drop()


def bench_embedded(tmp: Path) -> None:
    home = tmp / "embedded"
    env = {"CHORDFLOW_HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    timed = chordflow_run(write_dag(home, 1000), env)
    line("embedded 1000-way map + reduce, `run --wait` wall", f"{timed.wall:.2f} s",
         "goal <= 1.8 s; Airflow `dags test` ~90 s")


def map_on_cluster(tmp: Path, name: str, n: int, batch: str = "None", body: str = "pass", workers: int = 1,
                   ) -> tuple[Timed, float]:
    cluster = Cluster(tmp / name, name, workers=workers)
    try:
        timed = chordflow_run(write_dag(cluster.dags, n, batch, body), cluster.env)
        return timed, max(peak_rss_mb(w) for w in cluster.workers)
    finally:
        cluster.close()


def bench_unbatched(tmp: Path) -> None:
    """Ours beside the raw chord (the baseline: stock Celery settings), and beside the raw chord
    on the transport setting our workers use, to show how much of the difference is that setting."""
    n = 1000
    raw = raw_celery_chord(n, tmp)
    ours, _ = map_on_cluster(tmp, "unbatched", n, batch="1")
    raw_tuned = raw_celery_chord(n, tmp, ack_emulation=False)
    line("raw Celery chord, 1000 tasks x 1 INSERT, 1 worker -c 2", f"{n / raw:.0f}/s ({raw:.2f} s)", "the baseline")
    line("chordflow batch_size=1, 1000-way map + reduce, 1 worker -c 2",
         f"{n / ours.span:.0f}/s ({ours.span:.2f} s)",
         f"goal >= baseline: {raw / ours.span:.2f}x; wall {ours.wall:.2f} s")
    line("  raw chord again, kombu ack emulation off (as our workers)", f"{n / raw_tuned:.0f}/s ({raw_tuned:.2f} s)",
         f"for reference: ours {raw_tuned / ours.span:.2f}x of it")


def bench_batched(tmp: Path) -> None:
    """The same DAG twice on one cluster: the first run knows nothing of the task's duration (the
    map is cut for spreading), the second sizes its batches by the first run's durations."""
    n = 20_000
    cluster = Cluster(tmp / "batched", "batched")
    try:
        dag = write_dag(cluster.dags, n)
        first, second = chordflow_run(dag, cluster.env), chordflow_run(dag, cluster.env)
    finally:
        cluster.close()
    line("chordflow auto-batched 20,000-way map + reduce, 1 worker -c 2",
         f"{n / first.span:,.0f}/s ({first.span:.2f} s)", f"goal >= 10,000/s; first run; wall {first.wall:.2f} s")
    line("  the same, batches sized by the first run's durations",
         f"{n / second.span:,.0f}/s ({second.span:.2f} s)", f"goal >= 10,000/s; wall {second.wall:.2f} s")


def bench_big(tmp: Path) -> None:
    """Expansion is timed with the worker stopped (SIGSTOP), so nothing competes with it: the wall
    of `chordflow run` without --wait (run + rows + publish) minus that of a command that only
    starts up and reads the store. The worker then resumes and the run's span is read from the store."""
    n = 100_000
    cluster = Cluster(tmp / "big", "big")
    try:
        dag = write_dag(cluster.dags, n)
        for worker in cluster.workers:
            os.killpg(worker.pid, signal.SIGSTOP)
        started = time.perf_counter()
        cli(cluster.env, "dags", "list")
        startup = time.perf_counter() - started
        started = time.perf_counter()
        run_id = json.loads(cli(cluster.env, "run", str(dag), "--output", "json").stdout)["run_id"]
        expansion = time.perf_counter() - started - startup
        cli_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        for worker in cluster.workers:
            os.killpg(worker.pid, signal.SIGCONT)
        deadline = time.monotonic() + 600
        while True:
            shown = json.loads(cli(cluster.env, "runs", "show", run_id, "--output", "json").stdout)
            if shown["state"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        span = _seconds(shown["end_date"]) - _seconds(shown["start_date"])
        worker_rss = max(peak_rss_mb(w) for w in cluster.workers)
    finally:
        cluster.close()
    line("100,000-way map: expansion (rows + publish)", f"{expansion:.2f} s", "goal < 2 s")
    line(f"100,000-way map + reduce, 1 worker -c 2 ({shown['state']})", f"{span:.2f} s",
         "goal < 15 s (span incl. expansion, worker paused for it)")
    line("100,000-way map: peak RSS of the CLI (largest command so far)", f"{cli_rss:.0f} MB", "goal < 250 MB")
    line("100,000-way map: peak RSS of a worker process", f"{worker_rss:.0f} MB", "goal < 250 MB")


def map_span(db: Database, run_id: str, task_id: str = "add") -> float:
    """First start to last end of a mapped task's instances: the map itself, without the run's
    fixed cost (create, expand, publish, callback, reduce)."""
    conn = psycopg2.connect(db.dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT EXTRACT(EPOCH FROM max(end_date) - min(start_date)) FROM task_instance "
                        "WHERE run_id = %s AND task_id = %s", (run_id, task_id))
            return float(cur.fetchone()[0])
    finally:
        conn.close()


def bench_sweep(tmp: Path) -> None:
    """One cluster; time per instance two ways: the map's own span (first instance start to last
    end) over N -- the goal's measure -- and the run's span less its fixed cost (the span of a
    1-way map) over N. Best of five below 100k (a short run varies by tens of milliseconds
    from one try to the next on this VM)."""
    cluster = Cluster(tmp / "sweep", "sweep")
    per: dict[int, float] = {}
    try:
        fixed = min(chordflow_run(write_dag(cluster.dags, 1), cluster.env).span for _ in range(3))
        line("fixed cost of a run (1-way map + reduce)", f"{fixed * 1000:.0f} ms", "")
        for n, tries in ((1_000, 5), (10_000, 5), (100_000, 1)):
            runs = [chordflow_run(write_dag(cluster.dags, n), cluster.env) for _ in range(tries)]
            mapped = min(map_span(cluster.db, r.run_id) for r in runs)
            span = min(r.span for r in runs)
            per[n] = mapped / n * 1e6
            line(f"time per instance, N = {n:,}, 1 worker -c 2", f"{per[n]:.0f} us",
                 f"run less fixed cost: {(span - fixed) / n * 1e6:.0f} us (span {span:.2f} s)")
    finally:
        cluster.close()
    spread = max(per.values()) / min(per.values()) - 1
    line("time per instance: largest over smallest", f"+{spread:.0%}", "goal: within 20 %")


def bench_scaling(tmp: Path) -> None:
    """480 tasks: 60 rounds of 0.1 s on 8 slots, so the fixed cost of a run (expansion, the
    reduce, starting to consume) is small beside the work being spread."""
    n = 480
    one, _ = map_on_cluster(tmp, "scale1", n, batch="1", body="time.sleep(0.1)", workers=1)
    four, _ = map_on_cluster(tmp, "scale4", n, batch="1", body="time.sleep(0.1)", workers=4)
    line(f"{n} x 0.1 s tasks: 1 worker -c 2 / 4 workers -c 2 makespan",
         f"{one.span:.2f} s / {four.span:.2f} s", "")
    line("speed-up from 1 to 4 workers", f"{one.span / four.span:.2f}x", "goal >= 3.6x")


def bench_web(tmp: Path) -> None:
    """The web UI's requests and pages at 100,000 instances (``bench/web_bench.py``)."""
    from web_bench import bench_web as run

    run()


BENCHES = {"embedded": bench_embedded, "unbatched": bench_unbatched, "batched": bench_batched,
           "big": bench_big, "sweep": bench_sweep, "scaling": bench_scaling, "web": bench_web}


def main() -> None:
    chosen = list(BENCHES)
    if "--only" in sys.argv:
        chosen = sys.argv[sys.argv.index("--only") + 1].split(",")
    elif "--embedded-only" in sys.argv:
        chosen = ["embedded"]
    print(f"{'benchmark':62} {'figure':>22}   baseline / goal  ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            BENCHES[name](Path(tmp))


if __name__ == "__main__":
    main()
