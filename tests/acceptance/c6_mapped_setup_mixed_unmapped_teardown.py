"""A mapped setup whose instances end success, failed and skipped, a map over literals of work after
it, and one unmapped teardown of that setup: the teardown counts every setup instance and runs
because one succeeded; the work (all_success over every setup instance, outside a task group) is
upstream_failed in all of its instances; the run fails on the work, not on the teardown.

Airflow 2.10.5 ti_deps/deps/trigger_rule_dep.py _evaluate_direct_relatives for `drop` (rule
all_done_setup_success): upstream_setup = 3 create instances (task_id_counts over the mapped
upstream), success_setup = 1, skipped_setup = 1: ``if upstream_done and upstream_setup and
skipped_setup >= upstream_setup`` false, ``elif ... success_setup == 0`` false -> runs.
`work` ALL_SUCCESS ``if upstream_failed or failed: UPSTREAM_FAILED`` for each literal instance.
models/dagrun.py DagRun.update_state over the effective leaves (work: its only downstream is a
teardown without on_failure_fail_dagrun) -> failed.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, setup, task, teardown


@setup
def create(x):
    if x == 2:
        raise ValueError("no capacity")
    if x == 3:
        raise AirflowSkipException("not needed")
    return f"cluster{x}"


@task
def work(y):
    return y


@teardown
def drop():
    return "dropped"


@dag(dag_id="c6_mapped_setup_mixed_unmapped_teardown", schedule=None, start_date=datetime(2022, 1, 1))
def c6_mapped_setup_mixed_unmapped_teardown():
    c = create.expand(x=[1, 2, 3])
    d = drop()
    c >> work.expand(y=[1, 2]) >> d
    d.as_teardown(setups=c)


c6_mapped_setup_mixed_unmapped_teardown()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "create": {"map_count": 3, "states": {"success": 1, "failed": 1, "skipped": 1}},
        "work": {"map_count": 2, "states": {"upstream_failed": 2}},
        "drop": {"states": {"success": 1}},
    },
    "xcom": [["drop", None, "dropped"]],
}
