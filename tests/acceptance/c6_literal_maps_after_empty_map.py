"""Maps over literals downstream (>> only) of a map over an empty list (skipped, map_count 0):
each follows its trigger rule over the ONE skipped (unexpanded) upstream instance, for all of its
instances: all_success and none_failed_min_one_success skipped (3 each), none_failed and all_skipped
run (3 each), one_done skipped. Run success.

Airflow 2.10.5: models/abstractoperator.py expand_mapped_task: ``elif total_length < 1: ...
unmapped_ti.state = TaskInstanceState.SKIPPED`` (the -1 instance stays, the upstream counts as 1
skipped); the literal maps have instances 0..2 from the run's creation (DagRun._create_tasks);
ti_deps/deps/trigger_rule_dep.py _evaluate_direct_relatives with upstream = 1 skipped: ALL_SUCCESS
``elif skipped: SKIPPED``; NONE_FAILED_MIN_ONE_SUCCESS ``elif skipped == upstream: SKIPPED``;
ONE_DONE ``if upstream_done and not (failed or success): SKIPPED``; NONE_FAILED and ALL_SKIPPED pass.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def nothing():
    return []


@task
def work(x):
    return x


def make(rule):
    @task(task_id=f"m_{rule}", trigger_rule=rule)
    def m(y):
        return y

    return m


@dag(dag_id="c6_literal_maps_after_empty_map", schedule=None, start_date=datetime(2022, 1, 1))
def c6_literal_maps_after_empty_map():
    w = work.expand(x=nothing())
    for rule in ["all_success", "none_failed_min_one_success", "none_failed", "all_skipped", "one_done"]:
        w >> make(rule).expand(y=[1, 2, 3])


c6_literal_maps_after_empty_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "work": {"map_count": 0, "states": {"skipped": 1}},
        "m_all_success": {"map_count": 3, "states": {"skipped": 3}},
        "m_none_failed_min_one_success": {"map_count": 3, "states": {"skipped": 3}},
        "m_none_failed": {"map_count": 3, "states": {"success": 3}},
        "m_all_skipped": {"map_count": 3, "states": {"success": 3}},
        "m_one_done": {"map_count": 3, "states": {"skipped": 3}},
    },
}
