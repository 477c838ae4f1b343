"""depends_on_past on mapped tasks, in a DAG's first run: nothing waits (Airflow's PrevDagrunDep:
"This task instance was the first task instance for its task"), whatever the instance's map
index, its map's source, wait_for_downstream (which implies depends_on_past) or default_args.

One run cannot show a later run waiting: tests/test_depends_on_past.py (the rules, SQLite and
PostgreSQL) and tests/test_depends_on_past_runs.py (real workers, embedded) run several."""
from datetime import datetime

from orchestrator import dag, task, task_group
from orchestrator.exceptions import AirflowSkipException


@task
def make_list() -> list[int]:
    return [1, 2, 3]


@task(depends_on_past=True)
def process(x: int) -> int:
    if x == 2:
        raise AirflowSkipException("2 is not processed")
    return 10 * x


@task(wait_for_downstream=True, trigger_rule="none_failed")
def total(values) -> int:
    return sum(values)


@task
def check(name: str) -> str:
    return name.upper()


@task_group
def per_name(name: str):
    return check(name)


@dag(dag_id="depends_on_past_first_run", schedule=None, start_date=datetime(2022, 1, 1),
     default_args={"depends_on_past": True, "ignore_first_depends_on_past": True})
def depends_on_past_first_run():
    total(process.expand(x=make_list()))
    per_name.expand(name=["a", "b"])


depends_on_past_first_run()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-01-01"],
    "tasks": {
        "make_list": {"states": {"success": 1}},
        "process": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "total": {"states": {"success": 1}},
        "per_name.check": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [["total", None, 40], ["process", 2, 30], ["per_name.check", 1, "B"]],
    "instances": [["process", 0, {"state": "success", "try_number": 1}]],
}
