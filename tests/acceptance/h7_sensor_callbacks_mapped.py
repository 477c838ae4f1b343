"""Callbacks of mapped sensors (airflow/models/taskinstance.py):
- on_execute_callback runs each time the instance runs (_execute_task_with_callbacks ->
  _run_execute_callback), so a reschedule-mode sensor done at its 3rd poke calls it 3 times, all in
  try 1 (a reschedule keeps try_number);
- a soft_fail timeout is an AirflowSkipException: _run_raw_task calls on_skipped_callback;
- a hard timeout is AirflowSensorTimeout: handle_failure(force_fail=True) calls
  on_failure_callback (never on_retry_callback) although retries are left."""
import os
import tempfile
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, get_current_context, task


def _path(run_id):
    return os.path.join(tempfile.gettempdir(), f"h7scb-{run_id.replace(':', '_')}.txt")


def record(kind):
    def cb(context):
        ti = context["ti"]
        with open(_path(context["run_id"]), "a") as fh:
            fh.write(f"{kind}:{ti.task_id}:{ti.map_index}:{ti.try_number}\n")
    return cb


def pokes() -> int:
    ti = get_current_context()["ti"]
    path = os.path.join(tempfile.gettempdir(), f"h7scb-n-{ti.run_id}-{ti.map_index}".replace(":", "_"))
    n = (int(open(path).read()) if os.path.exists(path) else 0) + 1
    with open(path, "w") as fh:
        fh.write(str(n))
    return n


@task.sensor(mode="reschedule", poke_interval=0.2, timeout=60, on_execute_callback=record("exec"),
             on_success_callback=record("success"))
def resched(x: int) -> bool:
    return pokes() >= x


@task.sensor(poke_interval=0.1, timeout=0.5, soft_fail=True, on_skipped_callback=record("skipped"),
             on_success_callback=record("success"))
def soft(x: int) -> bool:
    return x > 0


@task.sensor(poke_interval=0.1, timeout=0.5, retries=2, retry_delay=timedelta(0),
             on_retry_callback=record("retry"), on_failure_callback=record("failure"))
def hard(x: int) -> bool:
    return x > 0


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(run_id=None) -> list:
    with open(_path(run_id)) as fh:
        lines = sorted(fh.read().split())
    os.remove(_path(run_id))
    return lines


@dag(dag_id="h7_sensor_callbacks_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_sensor_callbacks_mapped():
    [resched.expand(x=[3, 1]), soft.expand(x=[0, 1]), hard.expand(x=[0])] >> collect()


h7_sensor_callbacks_mapped()

EXPECTED = {
    "state": "success",  # collect (all_done) is the only leaf: Airflow decides a run by its leaves
    "tasks": {"resched": {"map_count": 2, "states": {"success": 2}},
              "soft": {"map_count": 2, "states": {"success": 1, "skipped": 1}},
              "hard": {"map_count": 1, "states": {"failed": 1}},
              "collect": {"states": {"success": 1}}},
    "instances": [["hard", 0, {"state": "failed", "try_number": 1}]],
    "xcom": [["collect", None, ["exec:resched:0:1", "exec:resched:0:1", "exec:resched:0:1",
                                "exec:resched:1:1", "failure:hard:0:1", "skipped:soft:0:1",
                                "success:resched:0:1", "success:resched:1:1", "success:soft:1:1"]]],
}
