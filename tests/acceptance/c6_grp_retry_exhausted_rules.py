"""Inside a mapped task group, `flaky` (retries=1) fails both tries in index 1: that instance ends
failed with try_number 2; in the same index `after` (all_success) is upstream_failed and `cleanup`
(all_done) runs; the other indices run normally. Outside the group, `report` (none_failed, over
after's output) is upstream_failed and `summary` (all_done) gets the 2 values.

Airflow 2.10.5 models/taskinstance.py TaskInstance.handle_failure: up_for_retry while
``self.is_eligible_to_retry()`` (try_number <= retries), then FAILED; trigger_rule_dep.py
_evaluate_direct_relatives per index inside the mapped group (get_relevant_upstream_map_indexes:
same map index; all_success and all_done are not fast-triggered): ALL_SUCCESS ``if upstream_failed
or failed: UPSTREAM_FAILED``; outside the group every instance counts: NONE_FAILED ``if
upstream_failed or failed: UPSTREAM_FAILED``; ALL_DONE runs. A leaf upstream_failed -> run failed.
"""
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, task, task_group


@task(retries=1, retry_delay=timedelta(seconds=0))
def flaky(x):
    if x == 2:
        raise RuntimeError("still broken")
    return x


@task
def after(v):
    return v * 10


@task(trigger_rule=TriggerRule.ALL_DONE)
def cleanup():
    return "clean"


@task(trigger_rule=TriggerRule.NONE_FAILED)
def report(values):
    return list(values)


@task(trigger_rule=TriggerRule.ALL_DONE)
def summary(values):
    return list(values)


@task_group
def grp(x):
    f = flaky(x)
    f >> cleanup()
    return after(f)


@dag(dag_id="c6_grp_retry_exhausted_rules", schedule=None, start_date=datetime(2022, 1, 1))
def c6_grp_retry_exhausted_rules():
    out = grp.expand(x=[1, 2, 3])
    report(out)
    summary(out)


c6_grp_retry_exhausted_rules()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "grp.flaky": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "grp.after": {"map_count": 3, "states": {"success": 2, "upstream_failed": 1}},
        "grp.cleanup": {"map_count": 3, "states": {"success": 3}},
        "report": {"states": {"upstream_failed": 1}},
        "summary": {"states": {"success": 1}},
    },
    "instances": [["grp.flaky", 1, {"state": "failed", "try_number": 2}],
                  ["grp.flaky", 0, {"state": "success", "try_number": 1}]],
    "xcom": [["summary", None, [10, 30]]],
}
