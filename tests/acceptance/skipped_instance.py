"""An instance that raises AirflowSkipException ends skipped; all_success downstream is skipped,
none_failed downstream reduces the others (the skipped index is absent)."""
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task


@task
def maybe(x: int) -> int:
    if x == 2:
        raise AirflowSkipException("nothing to do for 2")
    return x * 10


@task
def strict(values) -> int:
    return sum(values)


@task(trigger_rule=TriggerRule.NONE_FAILED)
def tolerant(values) -> list:
    return list(values)


@dag(dag_id="skipped_instance", schedule=None, start_date=datetime(2022, 1, 1))
def skipped_instance():
    results = maybe.expand(x=[1, 2, 3])
    strict(results)
    tolerant(results)


skipped_instance()

EXPECTED = {
    "state": "success",
    "tasks": {
        "maybe": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "strict": {"states": {"skipped": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, [10, 30]]],
    "instances": [["maybe", 1, {"state": "skipped"}]],
}
