"""A source that pushes nothing for a downstream expand() (do_xcom_push=False) fails -- after its
retries, as in Airflow.

Airflow 2.x: ``_execute_task`` sets ``xcom_value = None`` when ``do_xcom_push`` is False and calls
``_record_task_map_for_downstreams``, which raises ``XComForMappingNotPushed()``
(airflow/models/taskinstance.py). That exception is a plain ``AirflowException`` subclass
(airflow/exceptions.py), so ``_run_raw_task`` handles it in its ``except (AirflowTaskTimeout,
AirflowException, AirflowTaskTerminated)`` branch with ``handle_failure(e, ...)`` -- no
``force_fail`` -- and the instance goes up_for_retry while it has retries. Only
AirflowFailException and AirflowSensorTimeout fail at once. With retries=1: try_number 2, failed.

"""
from datetime import datetime, timedelta

from orchestrator import dag, task


@task(do_xcom_push=False, retries=1, retry_delay=timedelta(seconds=0))
def list_items() -> list:
    return [1, 2, 3]


@task
def double(x):
    return 2 * x


@dag(dag_id="not_pushed_retried", schedule=None, start_date=datetime(2022, 1, 1))
def not_pushed_retried():
    double.expand(x=list_items())


not_pushed_retried()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "list_items": {"states": {"failed": 1}},
        "double": {"map_count": 0, "states": {"upstream_failed": 1}},
    },
    "instances": [["list_items", None, {"state": "failed", "try_number": 2}]],
}
