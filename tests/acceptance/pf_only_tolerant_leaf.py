"""Variant of partial_failure: the only leaf is an all_done reduce that succeeds, so the run
SUCCEEDS although an index failed. Airflow: models/dagrun.py DagRun.update_state decides from the
leaf task instances (tis_for_dagrun_state = leaf tis): all leaves in success states -> success."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def risky(x: int) -> int:
    if x == 2:
        raise ValueError("bad 2")
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant(values) -> int:
    return sum(values)


@dag(dag_id="pf_only_tolerant_leaf", schedule=None, start_date=datetime(2022, 1, 1))
def pf_only_tolerant_leaf():
    tolerant(risky.expand(x=[1, 2, 3, 4]))


pf_only_tolerant_leaf()

EXPECTED = {
    "state": "success",
    "tasks": {
        "risky": {"map_count": 4, "states": {"success": 3, "failed": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, 8]],
}
