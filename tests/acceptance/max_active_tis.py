"""apache/airflow#49696 (also #48629; the option from #29084): max_active_tis_per_dag=1 on a mapped
task runs one instance at a time.

The reporters rate-limit an API this way. Each instance records when it started and ended
(one Celery message per index); with the limit, no two instances' intervals overlap.
"""
import time
from datetime import datetime

from orchestrator import dag, task


@task(max_active_tis_per_dag=1, max_active_tis_per_dagrun=1, batch_size=1)
def call_api(x):
    start = time.time()
    time.sleep(0.5)
    return [start, time.time()]


@task
def overlaps(spans):
    spans = sorted(spans)
    return sum(1 for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1])


@dag(dag_id="max_active_tis", schedule=None, start_date=datetime(2022, 1, 1))
def max_active_tis():
    overlaps(call_api.expand(x=[1, 2, 3, 4]))


max_active_tis()

EXPECTED = {
    "state": "success",
    "tasks": {"call_api": {"map_count": 4, "states": {"success": 4}}},
    "xcom": [["overlaps", None, 0]],
}
