"""Airflow's BaseOperator arguments are accepted: exponential retry backoff capped by
max_retry_delay (two retries here), task-level params over the DAG's, and arguments without
effect here (email_on_failure, task_display_name, ...); a decorated function's own parameters
may share their names (start_date, end_date, doc) and be mapped."""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task
def window(start_date, end_date, doc="d"):
    return f"{start_date}..{end_date}:{doc}"


@task(retries=3, retry_delay=timedelta(seconds=0.2), retry_exponential_backoff=True,
      max_retry_delay=timedelta(seconds=0.5), email_on_failure=False, params={"who": "task"},
      task_display_name="Flaky one")
def flaky(x):
    context = get_current_context()
    if context["ti"].try_number < 3:
        raise ValueError("again")
    return [x, context["params"]["who"], context["params"]["dag_level"]]


@dag(dag_id="airflow_task_arguments", schedule=None, start_date=datetime(2022, 1, 1),
     params={"who": "dag", "dag_level": 1})
def airflow_task_arguments():
    window.expand(start_date=["a", "b"], end_date=["z"])
    flaky.expand(x=[7])


airflow_task_arguments()

EXPECTED = {
    "state": "success",
    "tasks": {"window": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["window", 1, "b..z:d"], ["flaky", 0, [7, "task", 1]]],
    "instances": [["flaky", 0, {"state": "success", "try_number": 3}]],
}
