"""An expand() source that was skipped makes the mapped task `skipped` whatever its trigger rule (even
`all_done`, which would otherwise run); a source still running makes an `all_done` mapped task
wait for it rather than expand over nothing. Skipped leaves: the run succeeds. (`always` with an
output to map over is refused when the file loads, as Airflow 2.10 refuses it:
always_expand_output_refused.py.)"""
import time
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task


@task
def nothing_today():
    raise AirflowSkipException("no files landed")


@task
def slow_listing():
    time.sleep(1)
    return [1, 2]


@task(trigger_rule=TriggerRule.ALL_DONE)
def handle(x):
    return x


@dag(dag_id="source_skipped_always", schedule=None, start_date=datetime(2022, 1, 1))
def source_skipped_always():
    handle.expand(x=nothing_today())
    handle.override(task_id="handle_later").expand(x=slow_listing())


source_skipped_always()

EXPECTED = {
    "state": "success",
    "tasks": {
        "nothing_today": {"states": {"skipped": 1}},
        "handle": {"map_count": 0, "states": {"skipped": 1}},
        "handle_later": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [["handle_later", 1, 2]],
}
