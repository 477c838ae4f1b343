"""max_active_tis_per_dagrun=1 on a mapped task whose every index fails its first try (retries=1):
the limit only throttles (TaskConcurrencyDep / the scheduler's per-dagrun task limit,
airflow/ti_deps/deps/task_concurrency_dep.py); every index is retried on its own and succeeds at
try 2; the reduce gets all values in map order."""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task(max_active_tis_per_dagrun=1, max_active_tis_per_dag=2, retries=1, retry_delay=timedelta(0))
def work(x: int) -> int:
    if get_current_context()["ti"].try_number == 1:
        raise ValueError("first try")
    return x * 2


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="h7_limit_with_retries_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_limit_with_retries_mapped():
    collect(work.expand(x=[1, 2, 3]))


h7_limit_with_retries_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"work": {"map_count": 3, "states": {"success": 3}}},
    "instances": [["work", 0, {"state": "success", "try_number": 2}],
                  ["work", 2, {"state": "success", "try_number": 2}]],
    "xcom": [["collect", None, [2, 4, 6]]],
}
