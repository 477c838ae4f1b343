"""Mapped tasks downstream of a partly failed map by `>>` only (no XCom): each follows its own
trigger rule over every upstream instance. Their maps are over literals, so their instances exist
from the run's start (as in Airflow): all_success ends them all upstream_failed (map_count 2),
all_done and one_failed run theirs."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def first(x):
    if x == 2:
        raise ValueError("two")
    return x


@task
def second(y):
    return y


@task(trigger_rule=TriggerRule.ALL_DONE)
def third(z):
    return z


@task(trigger_rule=TriggerRule.ONE_FAILED)
def on_fail(z):
    return z * 2


@dag(dag_id="rules_on_mapped_downstream", schedule=None, start_date=datetime(2022, 1, 1))
def rules_on_mapped_downstream():
    m1 = first.expand(x=[1, 2, 3])
    m1 >> second.expand(y=[10, 20])
    m1 >> third.expand(z=[5, 6])
    m1 >> on_fail.expand(z=[7])


rules_on_mapped_downstream()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "first": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "second": {"map_count": 2, "states": {"upstream_failed": 2}},
        "third": {"map_count": 2, "states": {"success": 2}},
        "on_fail": {"map_count": 1, "states": {"success": 1}},
    },
    "xcom": [["third", 1, 6], ["on_fail", 0, 14]],
}
