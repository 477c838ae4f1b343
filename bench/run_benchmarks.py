"""Benchmarks (not tests): wall times of mapped runs through the CLI, printed with their goals.

The full performance issue (#4) adds the raw-Celery baseline, batching, 100k-way maps and scaling;
this first benchmark measures what exists: an N-way map + reduce on the embedded default.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CHORDFLOW = str(Path(sys.executable).parent / "chordflow")

DAG = """
from datetime import datetime
from orchestrator import dag, task

@task
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


def embedded_map_reduce(n: int) -> float:
    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "bench_map.py"
        path.write_text(textwrap.dedent(DAG.format(n=n)))
        env = {"CHORDFLOW_HOME": home, "PATH": "/usr/bin:/bin"}
        started = time.perf_counter()
        result = subprocess.run([CHORDFLOW, "run", str(path), "--output", "json"], env=env, capture_output=True,
                                text=True)
        elapsed = time.perf_counter() - started
        if result.returncode != 0 or json.loads(result.stdout)["state"] != "success":
            raise SystemExit(f"benchmark run failed: {result.stderr[-500:]}")
        return elapsed


def main() -> None:
    print("benchmark                                   figure      goal (issue #4)")
    for n in (1000,):
        seconds = embedded_map_reduce(n)
        print(f"embedded {n}-way map + reduce, wall       {seconds:6.2f} s    <= 1.8 s (Airflow dags test: ~90 s)")


if __name__ == "__main__":
    main()
