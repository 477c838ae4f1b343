"""Variant of mapped_group: trigger rules inside a mapped group are evaluated per index. Index 1's
transform fails: its all_done task runs, its one_failed task runs, its all_success task is
upstream_failed; in the other indices one_failed is skipped. Airflow: trigger_rule_dep.py
_iter_upstream_conditions / _get_relevant_upstream_map_indexes restrict upstreams to the same index
inside a mapped task group."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def transform(x: int) -> int:
    if x == 2:
        raise ValueError("bad 2")
    return x * 10


@task(trigger_rule=TriggerRule.ALL_DONE)
def always_report() -> str:
    return "done"


@task(trigger_rule=TriggerRule.ONE_FAILED)
def on_failure() -> str:
    return "failed here"


@task
def on_success() -> str:
    return "ok"


@task_group
def per_item(x: int):
    t = transform(x)
    t >> [always_report(), on_failure(), on_success()]


@dag(dag_id="mg_rules_per_index", schedule=None, start_date=datetime(2022, 1, 1))
def mg_rules_per_index():
    per_item.expand(x=[1, 2, 3])


mg_rules_per_index()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "per_item.transform": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "per_item.always_report": {"map_count": 3, "states": {"success": 3}},
        "per_item.on_failure": {"map_count": 3, "states": {"success": 1, "skipped": 2}},
        "per_item.on_success": {"map_count": 3, "states": {"success": 2, "upstream_failed": 1}},
    },
    "instances": [["per_item.on_failure", 1, {"state": "success"}], ["per_item.on_failure", 0, {"state": "skipped"}],
                  ["per_item.on_success", 1, {"state": "upstream_failed"}]],
}
