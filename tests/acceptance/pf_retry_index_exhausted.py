"""Variant of partial_failure with retries=1: the bad index uses both tries (try_number 2), the
others succeed at their first try; all_done reduce gets the rest. Airflow: TaskInstance.handle_failure
retries while try_number <= max_tries; each mapped index retries on its own."""
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, task


@task(retries=1, retry_delay=timedelta(seconds=0))
def risky(x: int) -> int:
    if x == 3:
        raise ValueError("always 3")
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant(values) -> list:
    return list(values)


@dag(dag_id="pf_retry_index_exhausted", schedule=None, start_date=datetime(2022, 1, 1))
def pf_retry_index_exhausted():
    tolerant(risky.expand(x=[1, 2, 3]))


pf_retry_index_exhausted()

EXPECTED = {
    "state": "success",
    "tasks": {
        "risky": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, [1, 2]]],
    "instances": [["risky", 2, {"state": "failed", "try_number": 2, "error_contains": "always 3"}],
                  ["risky", 0, {"state": "success", "try_number": 1}]],
}
