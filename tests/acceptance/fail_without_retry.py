"""AirflowFailException fails the instance at once, without its remaining retries."""
from datetime import datetime, timedelta

from orchestrator import AirflowFailException, dag, task


@task(retries=3, retry_delay=timedelta(seconds=0))
def check(x: int) -> int:
    if x < 0:
        raise AirflowFailException("negative input is never valid")
    return x


@dag(dag_id="fail_without_retry", schedule=None, start_date=datetime(2022, 1, 1))
def fail_without_retry():
    check.expand(x=[-1, 1])


fail_without_retry()

EXPECTED = {
    "state": "failed",
    "instances": [["check", 0, {"state": "failed", "try_number": 1, "error_contains": "never valid"}]],
}
