"""An index that fails, is retried and then raises AirflowSkipException ends skipped at try 2."""
from datetime import datetime, timedelta

from orchestrator import AirflowSkipException, dag, get_current_context, task


@task(retries=2, retry_delay=timedelta(seconds=0))
def maybe(x: int) -> int:
    ti = get_current_context()["ti"]
    if x == 1:
        if ti.try_number == 1:
            raise RuntimeError("first")
        raise AirflowSkipException("nothing to do")
    return x


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="h5_retry_then_skip", schedule=None, start_date=datetime(2022, 1, 1))
def h5_retry_then_skip():
    collect(maybe.expand(x=[0, 1]))


h5_retry_then_skip()

EXPECTED = {
    "state": "success",
    "tasks": {"maybe": {"map_count": 2, "states": {"success": 1, "skipped": 1}}, "collect": {"states": {"skipped": 1}}},
    "instances": [["maybe", 1, {"state": "skipped", "try_number": 2}]],
}
