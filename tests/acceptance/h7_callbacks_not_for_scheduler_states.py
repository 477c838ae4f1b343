"""Task callbacks run only where the task itself runs (TaskInstance._run_raw_task /
handle_failure, airflow/models/taskinstance.py). Instances the scheduler settles without running
them -- upstream_failed (TriggerRuleDep sets the state) or skipped by their trigger rule / an empty
upstream -- call no on_failure_callback / on_skipped_callback. Here `after_fail` (literal map of 2,
its upstream failed) ends upstream_failed and `after_skip` (upstream raised AirflowSkipException)
ends skipped: the only callback lines are the ones of the two upstreams that ran."""
import os
import tempfile
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task


def _path(run_id):
    return os.path.join(tempfile.gettempdir(), f"h7sch-{run_id.replace(':', '_')}.txt")


def record(kind):
    def cb(context):
        ti = context["ti"]
        with open(_path(context["run_id"]), "a") as fh:
            fh.write(f"{kind}:{ti.task_id}:{ti.map_index}\n")
    return cb


CBS = {"on_failure_callback": record("failure"), "on_skipped_callback": record("skipped"),
       "on_success_callback": record("success")}


@task(**CBS)
def breaks():
    raise ValueError("no")


@task(**CBS)
def skips():
    raise AirflowSkipException("nothing")


@task(**CBS)
def after_fail(x: int) -> int:
    return x


@task(**CBS)
def after_skip(x: int) -> int:
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(run_id=None) -> list:
    with open(_path(run_id)) as fh:
        lines = sorted(fh.read().split())
    os.remove(_path(run_id))
    return lines


@dag(dag_id="h7_callbacks_not_for_scheduler_states", schedule=None, start_date=datetime(2022, 1, 1))
def h7_callbacks_not_for_scheduler_states():
    a = after_fail.expand(x=[1, 2])
    b = after_skip.expand(x=[1, 2])
    breaks() >> a
    skips() >> b
    [a, b] >> collect()


h7_callbacks_not_for_scheduler_states()

EXPECTED = {
    "state": "success",
    "tasks": {"after_fail": {"map_count": 2, "states": {"upstream_failed": 2}},
              "after_skip": {"map_count": 2, "states": {"skipped": 2}}},
    "xcom": [["collect", None, ["failure:breaks:-1", "skipped:skips:-1"]]],
}
