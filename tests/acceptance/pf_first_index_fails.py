"""Variant of partial_failure: the FIRST index fails. all_success -> upstream_failed, none_failed ->
upstream_failed, one_failed runs, all_done reduce gets the rest in map_index order.
Airflow: ti_deps/deps/trigger_rule_dep.py (_evaluate_direct_relatives) counts every expanded instance."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def risky(x: int) -> int:
    if x == 1:
        raise ValueError("cannot process 1")
    return 10 * x


@task
def strict(values) -> int:
    return sum(values)


@task(trigger_rule=TriggerRule.NONE_FAILED)
def none_failed(values) -> int:
    return sum(values)


@task(trigger_rule=TriggerRule.ONE_FAILED)
def alert():
    return "alert"


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant(values) -> list:
    return list(values)


@dag(dag_id="pf_first_index_fails", schedule=None, start_date=datetime(2022, 1, 1))
def pf_first_index_fails():
    results = risky.expand(x=[1, 2, 3])
    strict(results)
    none_failed(results)
    results >> alert()
    tolerant(results)


pf_first_index_fails()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "risky": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "strict": {"states": {"upstream_failed": 1}},
        "none_failed": {"states": {"upstream_failed": 1}},
        "alert": {"states": {"success": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, [20, 30]], ["risky", 1, 20]],
    "instances": [["risky", 0, {"state": "failed", "error_contains": "cannot process 1"}]],
}
