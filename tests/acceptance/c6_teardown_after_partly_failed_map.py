"""An unmapped setup and teardown around a mapped work task one of whose instances fails, with an
all_success task after the work inside the scope: the teardown runs (its setup succeeded), the
all_success task is upstream_failed, and the run fails because of the work (the teardown without
on_failure_fail_dagrun is not a leaf that decides the run).

Airflow 2.10.5 ti_deps/deps/trigger_rule_dep.py ALL_DONE_SETUP_SUCCESS: runs once every upstream
is done and ``success_setup`` > 0; models/dagrun.py DagRun.update_state uses the effective leaves
(dag._get_... tasks whose downstream are only such teardowns count as leaves): `publish`
upstream_failed -> failed. Docs: howto/setup-and-teardown.rst ("the teardown runs even if the work
fails ... the dag run state is determined by the work tasks").
"""
from datetime import datetime

from orchestrator import dag, setup, task, teardown


@setup
def create():
    return "cluster"


@task
def work(x):
    if x == 2:
        raise ValueError("work 2")
    return x


@task
def publish():
    return "published"


@teardown
def delete():
    return "deleted"


@dag(dag_id="c6_teardown_after_partly_failed_map", schedule=None, start_date=datetime(2022, 1, 1))
def c6_teardown_after_partly_failed_map():
    c = create()
    d = delete()
    c >> work.expand(x=[1, 2, 3]) >> publish() >> d
    d.as_teardown(setups=c)


c6_teardown_after_partly_failed_map()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "create": {"states": {"success": 1}},
        "work": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "publish": {"states": {"upstream_failed": 1}},
        "delete": {"states": {"success": 1}},
    },
    "xcom": [["delete", None, "deleted"]],
}
