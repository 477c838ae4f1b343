"""Task callbacks of a mapped task are called once per index with that index's context
(Airflow: TaskInstance._run_raw_task / handle_failure call on_success_callback,
on_retry_callback, on_failure_callback, on_skipped_callback (2.9+) with the instance's context,
which has "ti" (its map_index) and, for failures and retries, "exception"). Each callback appends
a line to a file named after the run; an all_done reduce reads it back.

Index 0 succeeds, index 1 fails on its first try and succeeds on its retry, index 2 raises
AirflowFailException (no retry, on_failure_callback), index 3 raises AirflowSkipException.
"""
import os
import tempfile
from datetime import datetime, timedelta

from orchestrator import AirflowFailException, AirflowSkipException, TriggerRule, dag, task


def _record(kind):
    def callback(context):
        ti = context["ti"]
        exc = context.get("exception")
        path = os.path.join(tempfile.gettempdir(), f"cb-{context['run_id'].replace(':', '_')}.txt")
        with open(path, "a") as fh:
            fh.write(f"{kind}:{ti.map_index}:{ti.try_number}:{type(exc).__name__ if exc else '-'}\n")
    return callback


@task(retries=1, retry_delay=timedelta(seconds=0),
      on_success_callback=_record("success"), on_failure_callback=_record("failure"),
      on_retry_callback=_record("retry"), on_skipped_callback=_record("skipped"))
def work(x, ti=None):
    if x == 1 and ti.try_number == 1:
        raise ValueError("flaky")
    if x == 2:
        raise AirflowFailException("bad input")
    if x == 3:
        raise AirflowSkipException("nothing to do")
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values, run_id=None):
    path = os.path.join(tempfile.gettempdir(), f"cb-{run_id.replace(':', '_')}.txt")
    with open(path) as fh:
        lines = sorted(fh.read().split())
    os.remove(path)
    return lines


@dag(dag_id="callbacks_per_index", schedule=None, start_date=datetime(2022, 1, 1))
def callbacks_per_index():
    collect(work.expand(x=[0, 1, 2, 3]))


callbacks_per_index()

EXPECTED = {
    "state": "success",
    "tasks": {"work": {"map_count": 4, "states": {"success": 2, "failed": 1, "skipped": 1}}},
    "xcom": [["collect", None, ["failure:2:1:AirflowFailException", "retry:1:1:ValueError",
                                "skipped:3:1:-", "success:0:1:-", "success:1:2:-"]]],
}
