"""A mapped branch of 2 instances in front of a map over literals of 3 instances: branch index i
decides for index i of the downstream map; index 2 of the downstream has no branch instance at
its index, so nothing skips it and it runs by its trigger rule.

Airflow 2.10.5 models/skipmixin.py SkipMixin._skip_all_except: skip_tasks from
``dag_run.get_task_instance(t.task_id, map_index=ti.map_index)`` (route[0] -> a[0]/b[0], route[1]
-> a[1]/b[1]); ti_deps/deps/not_previously_skipped_dep.py for a[2]/b[2]: ``ti.xcom_pull(task_ids=
"route", key=XCOM_SKIPMIXIN_KEY, map_indexes=2)`` -> None -> continue; TriggerRuleDep all_success
over both route instances (outside a mapped group: all instances) -> runs.
route(0) follows "a", route(1) follows "b": a = [success, skipped, success], b = [skipped,
success, success]. Run success.
"""
from datetime import datetime

from orchestrator import dag, task


@task.branch
def route(n):
    return "a" if n == 0 else "b"


@task
def a(x):
    return f"a{x}"


@task
def b(x):
    return f"b{x}"


@dag(dag_id="c6_mapped_branch_shorter_than_downstream", schedule=None, start_date=datetime(2022, 1, 1))
def c6_mapped_branch_shorter_than_downstream():
    route.expand(n=[0, 1]) >> [a.expand(x=[0, 1, 2]), b.expand(x=[0, 1, 2])]


c6_mapped_branch_shorter_than_downstream()

EXPECTED = {
    "state": "success",
    "tasks": {
        "route": {"map_count": 2, "states": {"success": 2}},
        "a": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "b": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
    },
    "instances": [["a", 1, {"state": "skipped"}], ["b", 0, {"state": "skipped"}],
                  ["a", 2, {"state": "success"}], ["b", 2, {"state": "success"}]],
}
