"""Task group options, as in Airflow: default_args of a (mapped) group apply to its tasks over
the DAG's (here: one retry), prefix_group_id=False keeps bare task ids, tooltip is accepted; a
classic `with TaskGroup(...)` prefixes its tasks."""
from datetime import datetime, timedelta

from orchestrator import TaskGroup, dag, get_current_context, task, task_group
from orchestrator.operators import BashOperator


@task
def flaky(v):
    if get_current_context()["ti"].try_number == 1:
        raise ValueError("first try")
    return v * 10


@task_group(
    group_id="grp", tooltip="loads", prefix_group_id=False, default_args={"retries": 1, "retry_delay": timedelta(0)}
)
def grp(v):
    return flaky(v)


@dag(dag_id="group_defaults_and_options", schedule=None, start_date=datetime(2022, 1, 1),
     default_args={"retries": 0})
def group_defaults_and_options():
    grp.expand(v=[1, 2])
    with TaskGroup("classic", tooltip="shell"):
        BashOperator(task_id="hello", bash_command="echo hi")


group_defaults_and_options()

EXPECTED = {
    "state": "success",
    "tasks": {
        "flaky": {"map_count": 2, "states": {"success": 2}},
        "classic.hello": {"states": {"success": 1}},
    },
    "instances": [["flaky", 0, {"try_number": 2}], ["flaky", 1, {"try_number": 2}]],
    "xcom": [["flaky", 1, 20], ["classic.hello", None, "hi"]],
}
