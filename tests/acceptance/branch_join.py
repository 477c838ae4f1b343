"""Branching outside a mapped group (Airflow docs, core-concepts/dags.rst "Branching"): the branch
follows the task id it returns and skips its other direct downstream tasks; the skips propagate
by trigger rules -- a join with all_success is skipped, one with none_failed_min_one_success runs.
A classic BranchPythonOperator returning None skips all its direct downstream tasks.
"""
from datetime import datetime

from orchestrator import DAG, TriggerRule, task
from orchestrator.operators import BranchPythonOperator, EmptyOperator


@task.branch
def pick(options):
    return f"branch_{options[1]}"


@task
def report():
    return "joined"


with DAG(dag_id="branch_join", schedule=None, start_date=datetime(2022, 1, 1)) as dag:
    choice = pick(["a", "b", "c"])
    join = EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    strict_join = EmptyOperator(task_id="strict_join")
    for option in ["a", "b", "c"]:
        follow = EmptyOperator(task_id=f"branch_{option}")
        choice >> follow >> [join, strict_join]
    join >> report()
    nothing = BranchPythonOperator(task_id="choose_nothing", python_callable=lambda: None)
    nothing >> [EmptyOperator(task_id="never_1"), EmptyOperator(task_id="never_2")]

EXPECTED = {
    "state": "success",
    "tasks": {
        "pick": {"states": {"success": 1}},
        "branch_a": {"states": {"skipped": 1}},
        "branch_b": {"states": {"success": 1}},
        "branch_c": {"states": {"skipped": 1}},
        "join": {"states": {"success": 1}},
        "strict_join": {"states": {"skipped": 1}},
        "report": {"states": {"success": 1}},
        "choose_nothing": {"states": {"success": 1}},
        "never_1": {"states": {"skipped": 1}},
        "never_2": {"states": {"skipped": 1}},
    },
    "xcom": [["pick", None, "branch_b"], ["report", None, "joined"]],
}
