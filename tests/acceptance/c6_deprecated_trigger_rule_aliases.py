"""Airflow 2.10.5 still accepts the deprecated trigger rule names "none_failed_or_skipped" (->
none_failed_min_one_success) and "dummy" (-> always), with a RemovedInAirflow3Warning:
models/baseoperator.py BaseOperator.__init__: ``if trigger_rule == "dummy": ... trigger_rule =
TriggerRule.ALWAYS`` and ``if trigger_rule == "none_failed_or_skipped": ... trigger_rule =
TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS`` (utils/trigger_rule.py still lists both).
Downstream of a map with one failed instance: `legacy_nfos` (= none_failed_min_one_success) is
upstream_failed (trigger_rule_dep.py ``if upstream_failed or failed: UPSTREAM_FAILED``), `legacy_dummy`
(= always) runs. Leaf upstream_failed -> run failed.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def risky(x):
    if x == 2:
        raise ValueError("two")
    return x


@task(trigger_rule="none_failed_or_skipped")
def legacy_nfos():
    return "nfos"


@task(trigger_rule="dummy")
def legacy_dummy():
    return "dummy"


@dag(dag_id="c6_deprecated_trigger_rule_aliases", schedule=None, start_date=datetime(2022, 1, 1))
def c6_deprecated_trigger_rule_aliases():
    risky.expand(x=[1, 2, 3]) >> [legacy_nfos(), legacy_dummy()]


c6_deprecated_trigger_rule_aliases()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "risky": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "legacy_nfos": {"states": {"upstream_failed": 1}},
        "legacy_dummy": {"states": {"success": 1}},
    },
}
