"""apache/airflow PR #22954 ("Fail if task does not push XCom for downstream"): an expand() source
that pushes no XCom fails.

The source returns a list but has do_xcom_push=False, so nothing is stored for the downstream
expand() to read. Airflow fails the source task (XComForMappingNotPushed) and the mapped task
ends `upstream_failed`; the run fails. It must not silently expand to zero and succeed.
"""
from datetime import datetime

from orchestrator import dag, task


@task(do_xcom_push=False)
def list_items() -> list:
    return [1, 2, 3]


@task
def double(x):
    return 2 * x


@dag(dag_id="source_no_xcom_push", schedule=None, start_date=datetime(2022, 1, 1))
def source_no_xcom_push():
    double.expand(x=list_items())


source_no_xcom_push()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "list_items": {"states": {"failed": 1}},
        "double": {"map_count": 0, "states": {"upstream_failed": 1}},
    },
}
