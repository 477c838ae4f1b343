"""execution_timeout on one mapped index with retries=1: the timed-out first try calls
on_retry_callback and the timed-out second try on_failure_callback, each with the instance's
context whose "exception" is the timeout (AirflowTaskTimeout, raised by the timeout() context
manager in TaskInstance._execute_task; handle_failure picks on_retry_callback while tries are left,
else on_failure_callback, airflow/models/taskinstance.py). Other indexes succeed at try 1
(on_success_callback)."""
import os
import tempfile
import time
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, task


def _path(run_id):
    return os.path.join(tempfile.gettempdir(), f"h7to-{run_id.replace(':', '_')}.txt")


def record(kind):
    def cb(context):
        exc = context.get("exception")
        timed_out = exc is not None and "timeout" in type(exc).__name__.lower()
        tag = "timeout" if timed_out else ("-" if exc is None else "other")
        with open(_path(context["run_id"]), "a") as fh:
            fh.write(f"{kind}:{context['ti'].map_index}:{context['ti'].try_number}:{tag}\n")
    return cb


@task(execution_timeout=timedelta(seconds=1), retries=1, retry_delay=timedelta(0),
      on_retry_callback=record("retry"), on_failure_callback=record("failure"),
      on_success_callback=record("success"))
def work(x: int) -> int:
    if x == 1:
        for _ in range(60):
            time.sleep(0.1)
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values, run_id=None) -> list:
    with open(_path(run_id)) as fh:
        lines = sorted(fh.read().split())
    os.remove(_path(run_id))
    return lines


@dag(dag_id="h7_timeout_callbacks_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_timeout_callbacks_mapped():
    collect(work.expand(x=[0, 1]))


h7_timeout_callbacks_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"work": {"map_count": 2, "states": {"success": 1, "failed": 1}}},
    "instances": [["work", 1, {"state": "failed", "try_number": 2}]],
    "xcom": [["collect", None, ["failure:1:2:timeout", "retry:1:1:timeout", "success:0:1:-"]]],
}
