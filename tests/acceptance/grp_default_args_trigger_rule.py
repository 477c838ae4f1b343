"""A mapped task group's default_args set a trigger rule for its tasks: with all_done from the
group, the task after a failed one still runs in that index; a task that sets its own rule keeps
it (all_success here: upstream_failed in the failed index).

Airflow 2.10: TaskGroup(default_args=...) is merged into each task's arguments
(get_merged_defaults, airflow/models/baseoperator.py / decorators/base.py _expand); an explicit
argument wins over default_args. TriggerRuleDep per index (same mapped group).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def check(x):
    if x == 2:
        raise ValueError("bad")
    return x


@task
def after(v):
    return f"after {v}"


@task(trigger_rule=TriggerRule.ALL_SUCCESS)
def strict(v):
    return f"strict {v}"


@task_group(default_args={"trigger_rule": "all_done"})
def grp(x):
    c = check(x)
    after(c)
    strict(c)


@dag(dag_id="grp_default_args_trigger_rule", schedule=None, start_date=datetime(2022, 1, 1))
def grp_default_args_trigger_rule():
    grp.expand(x=[1, 2])


grp_default_args_trigger_rule()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "grp.check": {"map_count": 2, "states": {"success": 1, "failed": 1}},
        "grp.after": {"map_count": 2, "states": {"success": 2}},
        "grp.strict": {"map_count": 2, "states": {"success": 1, "upstream_failed": 1}},
    },
    "xcom": [["grp.after", 1, "after None"], ["grp.after", 0, "after 1"]],
}
