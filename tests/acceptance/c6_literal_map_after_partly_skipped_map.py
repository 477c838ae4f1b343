"""A map over literals downstream (>> only) of a map one of whose instances skipped itself, both of
length 3 and outside any task group: each downstream instance depends on EVERY upstream
instance, not on its own index.

Airflow 2.10.5 airflow/ti_deps/deps/trigger_rule_dep.py _iter_upstream_conditions: ``if
ti.task.get_closest_mapped_task_group() is None: yield TaskInstance.task_id.in_(relevant_tasks.keys())``
(all instances); _is_relevant_upstream returns True for every map index. `first` has 2 success + 1
skipped, so:
- strict (all_success): ``elif skipped: new_state = SKIPPED`` -> all 3 skipped
- ns (none_skipped): ``if skipped: SKIPPED`` -> all 3 skipped
- nf (none_failed): upstream - success - skipped == 0 -> all 3 run
- of (one_failed): upstream done, nothing failed -> all 3 skipped
Literal maps have their instances from the run's creation (DagRun._create_tasks ->
task.get_mapped_ti_count for literal input). Leaves skipped/success: run success.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task


@task
def first(x):
    if x == 2:
        raise AirflowSkipException("skip 2")
    return x


@task
def strict(y):
    return y


@task(trigger_rule=TriggerRule.NONE_SKIPPED)
def ns(y):
    return y


@task(trigger_rule=TriggerRule.NONE_FAILED)
def nf(y):
    return y * 10


@task(trigger_rule=TriggerRule.ONE_FAILED)
def of(y):
    return y


@dag(dag_id="c6_literal_map_after_partly_skipped_map", schedule=None, start_date=datetime(2022, 1, 1))
def c6_literal_map_after_partly_skipped_map():
    f = first.expand(x=[1, 2, 3])
    f >> strict.expand(y=[1, 2, 3])
    f >> ns.expand(y=[1, 2, 3])
    f >> nf.expand(y=[1, 2, 3])
    f >> of.expand(y=[1, 2, 3])


c6_literal_map_after_partly_skipped_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "first": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "strict": {"map_count": 3, "states": {"skipped": 3}},
        "ns": {"map_count": 3, "states": {"skipped": 3}},
        "nf": {"map_count": 3, "states": {"success": 3}},
        "of": {"map_count": 3, "states": {"skipped": 3}},
    },
    "xcom": [["nf", 1, 20]],
}
