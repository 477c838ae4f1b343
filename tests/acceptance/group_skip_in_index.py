"""A skip in one index of a mapped task group skips the rest of that index's chain only; a reduce
over the group's output follows its rule: all_success is skipped, none_failed and
none_failed_min_one_success run with the indices that produced a value."""

from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task, task_group


@task
def check(v):
    if v == 2:
        raise AirflowSkipException("no data for 2")
    return v


@task
def load(v):
    return v * 100


@task
def strict_total(values):
    return sum(values)


@task(trigger_rule=TriggerRule.NONE_FAILED)
def lenient_total(values):
    return sum(values)


@task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def min_one(values):
    return list(values)


@task_group
def grp(v):
    return load(check(v))


@dag(dag_id="group_skip_in_index", schedule=None, start_date=datetime(2022, 1, 1))
def group_skip_in_index():
    out = grp.expand(v=[1, 2, 3])
    strict_total(out)
    lenient_total(out)
    min_one(out)


group_skip_in_index()
EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.check": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.load": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "strict_total": {"states": {"skipped": 1}},
        "lenient_total": {"states": {"success": 1}},
        "min_one": {"states": {"success": 1}},
    },
    "xcom": [["lenient_total", None, 400], ["min_one", None, [100, 300]], ["grp.load", 2, 300]],
}
