"""Airflow's DAG option max_active_tasks: at most that many instances of the DAG's tasks run at
once, over all its tasks (here two independent maps of three), on every worker host.

Each instance records when its body began and ended; the most bodies that held one moment in
common is never above the limit, and every instance still ends.
"""
import time
from datetime import datetime

from orchestrator import dag, task


@task(batch_size=1)
def extract(x):
    start = time.time()
    time.sleep(0.3)
    return [start, time.time()]


@task(batch_size=1)
def load(x):
    start = time.time()
    time.sleep(0.3)
    return [start, time.time()]


@task
def within_limit(first, second):
    events = sorted([(s, 1) for s, _ in [*first, *second]] + [(e, -1) for _, e in [*first, *second]])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most <= 2


@dag(dag_id="max_active_tasks", schedule=None, start_date=datetime(2022, 1, 1), max_active_tasks=2)
def max_active_tasks():
    within_limit(extract.expand(x=[1, 2, 3]), load.expand(x=[1, 2, 3]))


max_active_tasks()

EXPECTED = {
    "state": "success",
    "tasks": {"extract": {"map_count": 3, "states": {"success": 3}},
              "load": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["within_limit", None, True]],
}
