"""An unmapped task outside a mapped task group fails; it is upstream of the group (`>>`): every
index of the group's all_success tasks (a map over literals: its instances exist from the start)
ends upstream_failed; the all_done task inside runs in each index. Its only leaf succeeded, so the
run succeeds (DagRun.update_state looks at leaf instances only).

Airflow 2.10: MappedTaskGroup.get_parse_time_mapped_ti_count (literal input) creates the
instances with the run; TaskGroup >> sets the outside task upstream of the group's roots;
TriggerRuleDep: all_success with a failed upstream -> upstream_failed; inside the group, `after`
(all_success) sees its upstream `first` upstream_failed -> upstream_failed; `tidy` (all_done) has
all its upstream done -> runs, per index.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def prepare():
    raise ValueError("prepare broke")


@task
def first(x):
    return x


@task
def after(v):
    return v


@task(trigger_rule=TriggerRule.ALL_DONE)
def tidy():
    return "tidy"


@task_group
def grp(x):
    a = after(first(x))
    a >> tidy()


@dag(dag_id="grp_outside_upstream_failed", schedule=None, start_date=datetime(2022, 1, 1))
def grp_outside_upstream_failed():
    prepare() >> grp.expand(x=[1, 2])


grp_outside_upstream_failed()

EXPECTED = {
    "state": "success",
    "tasks": {
        "prepare": {"states": {"failed": 1}},
        "grp.first": {"map_count": 2, "states": {"upstream_failed": 2}},
        "grp.after": {"map_count": 2, "states": {"upstream_failed": 2}},
        "grp.tidy": {"map_count": 2, "states": {"success": 2}},
    },
}
