"""A 2,000-way map rides in batches (several indices per Celery message), each index keeping its
own state and XCom; a reduce streams all of them; a retry inside a batch touches only its index."""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task(retries=1, retry_delay=timedelta(seconds=0))
def square(x: int) -> int:
    if x == 1234 and get_current_context()["ti"].try_number == 1:
        raise RuntimeError("transient")
    return x * x


@task
def total(values) -> int:
    return sum(values)


@task(batch_size=7)
def tagged(x: int) -> str:
    return f"#{x}"


@task
def count(values) -> int:
    return len(values)


@dag(dag_id="wide_map_batched", schedule=None, start_date=datetime(2022, 1, 1))
def wide_map_batched():
    total(square.expand(x=list(range(2000))))
    count(tagged.expand(x=list(range(50))))


wide_map_batched()

EXPECTED = {
    "state": "success",
    "tasks": {"square": {"map_count": 2000, "states": {"success": 2000}},
              "tagged": {"map_count": 50, "states": {"success": 50}}},
    "xcom": [["total", None, 2664667000], ["square", 1999, 3996001],
             ["count", None, 50], ["tagged", 49, "#49"]],
    "instances": [["square", 1234, {"state": "success", "try_number": 2}],
                  ["square", 1233, {"state": "success", "try_number": 1}]],
}
