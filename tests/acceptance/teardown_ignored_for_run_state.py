"""A failed teardown (without on_failure_fail_dagrun) is ignored for the run state: the work
succeeded, so the run succeeds (docs howto/setup-and-teardown.rst: "By default, teardown tasks
are ignored for the purpose of evaluating dag run state").
"""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.operators import BashOperator


@task
def create():
    return "tmpdir"


@task
def work(path):
    return f"wrote {path}"


@dag(dag_id="teardown_ignored_for_run_state", schedule=None, start_date=datetime(2022, 1, 1))
def teardown_ignored_for_run_state():
    made = create()
    work(made) >> BashOperator(task_id="remove", bash_command="exit 3").as_teardown(setups=made)


teardown_ignored_for_run_state()

EXPECTED = {
    "state": "success",
    "tasks": {
        "create": {"states": {"success": 1}},
        "work": {"states": {"success": 1}},
        "remove": {"states": {"failed": 1}},
    },
    "xcom": [["work", None, "wrote tmpdir"]],
}
