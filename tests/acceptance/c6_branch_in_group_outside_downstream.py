"""A branch inside a mapped task group that has an unmapped task OUTSIDE the group as a direct
downstream: no index's decision skips it (there is no instance of it at the branch's map index);
it runs by its trigger rule once every branch instance ended, even though no index followed it.

Airflow 2.10.5 models/skipmixin.py SkipMixin._skip_all_except: skip_tasks only holds downstream
instances found by ``dag_run.get_task_instance(t.task_id, map_index=ti.map_index)`` -- `outside`
has only map_index -1, so it is never in them; ti_deps/deps/not_previously_skipped_dep.py reads the
branch's decision with ``map_indexes=ti.map_index`` = -1 for `outside`, where the mapped branch
pushed nothing -> ``continue``. TriggerRuleDep all_success over 3 successful route instances ->
outside runs. Inside the group, index i's unchosen task is skipped at index i only.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def outside():
    return "outside ran"


@task.branch
def route(x):
    return "grp.left" if x % 2 else "grp.right"


@task
def left(x):
    return f"left {x}"


@task
def right(x):
    return f"right {x}"


@dag(dag_id="c6_branch_in_group_outside_downstream", schedule=None, start_date=datetime(2022, 1, 1))
def c6_branch_in_group_outside_downstream():
    o = outside()

    @task_group
    def grp(x):
        r = route(x)
        r >> [left(x), right(x), o]

    grp.expand(x=[1, 2, 3])


c6_branch_in_group_outside_downstream()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.route": {"map_count": 3, "states": {"success": 3}},
        "grp.left": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.right": {"map_count": 3, "states": {"success": 1, "skipped": 2}},
        "outside": {"states": {"success": 1}},
    },
    "xcom": [["outside", None, "outside ran"], ["grp.right", 1, "right 2"]],
}
