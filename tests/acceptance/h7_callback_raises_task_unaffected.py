"""A callback that raises does not change the instance's state: _run_finished_callback
(airflow/models/taskinstance.py) catches every exception of a success/failure/retry/skipped
callback and logs "Error in callback at index ...", going on with the next callback of a list;
TaskInstance._run_execute_callback catches an on_execute_callback's exception ("Failed when
executing execute callback") and the task still runs.
Index 0: on_execute raises -> still runs and succeeds. Index 1: on_success raises -> success.
Index 2: fails (AirflowFailException), on_failure raises -> failed, not anything else.
Each callback list also holds a recorder after the raising one, which still runs."""
import os
import tempfile
from datetime import datetime

from orchestrator import AirflowFailException, TriggerRule, dag, task


def _path(run_id):
    return os.path.join(tempfile.gettempdir(), f"h7cb-{run_id.replace(':', '_')}.txt")


def boom(context):
    if context["ti"].map_index in (0, 1, 2):
        raise RuntimeError("callback bug")


def record(kind):
    def cb(context):
        with open(_path(context["run_id"]), "a") as fh:
            fh.write(f"{kind}:{context['ti'].map_index}\n")
    return cb


@task(on_execute_callback=[boom, record("execute")], on_success_callback=[boom, record("success")],
      on_failure_callback=[boom, record("failure")])
def work(x: int) -> int:
    if x == 2:
        raise AirflowFailException("bad")
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values, run_id=None) -> list:
    with open(_path(run_id)) as fh:
        lines = sorted(fh.read().split())
    os.remove(_path(run_id))
    return [list(values), lines]


@dag(dag_id="h7_callback_raises_task_unaffected", schedule=None, start_date=datetime(2022, 1, 1))
def h7_callback_raises_task_unaffected():
    collect(work.expand(x=[0, 1, 2]))


h7_callback_raises_task_unaffected()

EXPECTED = {
    "state": "success",
    "tasks": {"work": {"map_count": 3, "states": {"success": 2, "failed": 1}}},
    "xcom": [["collect", None, [[0, 1], ["execute:0", "execute:1", "execute:2", "failure:2",
                                         "success:0", "success:1"]]]],
}
