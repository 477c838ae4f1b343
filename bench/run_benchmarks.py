"""Benchmarks (not tests): figures printed beside their baseline and goal. `make bench`.

- embedded: an N-way map + reduce through `chordflow run` on the embedded default (process start
  included);
- distributed: the same map unbatched (`batch_size=1`, one Celery message per index, each with
  its own state row and XCom) on Redis + PostgreSQL with one worker `-c 2`, beside a raw Celery
  chord of N tasks that each do one PostgreSQL INSERT (the baseline of issue #4).

Needs Redis and PostgreSQL on 127.0.0.1 for the distributed part (`make services`).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
CHORDFLOW = str(Path(sys.executable).parent / "chordflow")
CELERY = str(Path(sys.executable).parent / "celery")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER = "redis://127.0.0.1:6379/12"

DAG = """
from datetime import datetime
from orchestrator import dag, task

@task(batch_size={batch})
def add(x, y):
    return x + y

@task
def total(values):
    return sum(values)

@dag(dag_id="bench_map", schedule=None, start_date=datetime(2022, 1, 1))
def bench_map():
    total(add.partial(y=1).expand(x=list(range({n}))))

bench_map()
"""


def write_dag(folder: Path, n: int, batch: str = "None") -> Path:
    path = folder / "bench_map.py"
    path.write_text(textwrap.dedent(DAG.format(n=n, batch=batch)))
    return path


def chordflow_run(path: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([CHORDFLOW, "run", str(path), "--wait", "--output", "json"], env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or json.loads(result.stdout)["state"] != "success":
        raise SystemExit(f"benchmark run failed: {result.stderr[-500:]}")
    return elapsed


def embedded_map_reduce(n: int) -> float:
    with tempfile.TemporaryDirectory() as home:
        env = {"CHORDFLOW_HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        return chordflow_run(write_dag(Path(home), n), env)


class Database:
    """A fresh PostgreSQL database for one benchmark, dropped afterwards."""

    def __init__(self, name: str):
        self.name = name
        self._admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
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
            raise SystemExit(f"worker did not start: {log.read_text()[-1000:]}")
        time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def raw_celery_chord(n: int, folder: Path) -> float:
    db = Database("chordflow_bench_raw")
    flush_broker()
    conn = psycopg2.connect(db.dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE raw_result (i int, value int)")
        cur.execute("CREATE TABLE raw_done (n int)")
    env = {**os.environ, "BENCH_BROKER": BROKER, "BENCH_DATABASE": db.dsn}
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


def chordflow_unbatched(n: int, folder: Path) -> float:
    db = Database("chordflow_bench_cf")
    flush_broker()
    dags = folder / "dags"
    dags.mkdir(exist_ok=True)
    path = write_dag(dags, n, batch="1")
    env = {**os.environ, "CHORDFLOW_BROKER_URL": BROKER, "CHORDFLOW_DATABASE_URL": db.url,
           "CHORDFLOW_DAGS_FOLDER": str(dags), "CHORDFLOW_HOME": str(folder)}
    subprocess.run([CHORDFLOW, "db", "upgrade"], env=env, check=True, capture_output=True)
    worker = start([CHORDFLOW, "worker", "-c", "2", "--loglevel", "INFO"], env, folder / "cf-worker.log")
    try:
        return chordflow_run(path, env)
    finally:
        stop(worker)
        db.drop()


def main() -> None:
    print(f"{'benchmark':58} {'figure':>10}   baseline / goal")
    seconds = embedded_map_reduce(1000)
    print(f"{'embedded 1000-way map + reduce, wall (process start incl.)':58} {seconds:8.2f} s   "
          "goal <= 1.8 s; Airflow dags test ~90 s")
    if "--embedded-only" in sys.argv:
        return
    n = 1000
    with tempfile.TemporaryDirectory() as tmp:
        raw = raw_celery_chord(n, Path(tmp))
        ours = chordflow_unbatched(n, Path(tmp))
    print(f"{'raw Celery chord, 1000 tasks x 1 INSERT, 1 worker -c 2':58} {n / raw:8.0f}/s   "
          f"({raw:.2f} s) the baseline")
    print(f"{'chordflow unbatched 1000-way map + reduce, 1 worker -c 2':58} {n / ours:8.0f}/s   "
          f"({ours:.2f} s) goal >= baseline")


if __name__ == "__main__":
    main()
