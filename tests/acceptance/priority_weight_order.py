"""Airflow's priority_weight: when instances wait for a slot, the highest effective weight gets it
first. One slot (the DAG's max_active_tasks=1); the three instances of `urgent` (weight 5,
weight_rule absolute) all start before any of `backfill` (weight 1), declared first.

Each instance returns when it started; `urgent_first` compares them.
"""
import time
from datetime import datetime

from orchestrator import dag, task


@task(batch_size=1, priority_weight=1, weight_rule="absolute")
def backfill(x):
    return time.time()


@task(batch_size=1, priority_weight=5, weight_rule="absolute")
def urgent(x):
    return time.time()


@task
def urgent_first(low, high):
    return max(high) < min(low)


@dag(dag_id="priority_weight_order", schedule=None, start_date=datetime(2022, 1, 1), max_active_tasks=1)
def priority_weight_order():
    urgent_first(backfill.expand(x=[1, 2, 3]), urgent.expand(x=[1, 2, 3]))


priority_weight_order()

EXPECTED = {
    "state": "success",
    "tasks": {"backfill": {"map_count": 3, "states": {"success": 3}},
              "urgent": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["urgent_first", None, True]],
}
