"""A map with trigger rule all_done over the output of a map whose every instance failed (and one
over a map over literals whose every instance is upstream_failed): Airflow 2.10.5 expands it to
zero instances and marks it SKIPPED -- not upstream_failed -- and since only leaves decide the
run's state, the run SUCCEEDS.

Airflow 2.10.5, for `use` (its -1 instance, in DagRun._get_ready_tis, models/dagrun.py):
1. TriggerRuleDep (trigger_rule_dep.py): all_done, upstream = 3 failed instances, done -> met.
2. MappedTaskUpstreamDep (ti_deps/deps/mapped_task_upstream_dep.py) only looks at the mapped
   dependencies' instances with ``map_index == -1``; `boom` was expanded (literal input, instances
   0..2, no -1) -> "There are no (unexpanded) mapped dependencies!" -> met.
3. _expand_mapped_task_if_needed -> AbstractOperator.expand_mapped_task (models/abstractoperator.py):
   total_length from models/xcom_arg.py _get_task_map_length: ``if is_mapped: ... query =
   select(func.count(XCom.map_index)) ... XCom.map_index >= 0`` -> 0 (no instance pushed) ->
   ``elif total_length < 1: unmapped_ti.state = TaskInstanceState.SKIPPED``.
The same holds for `use2` over `mid`, a literal map whose 2 instances are upstream_failed (its
upstream `bad` failed). DagRun.update_state: leaves `use` and `use2` skipped, `bad`/`boom`/`mid` are
not leaves -> success.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def boom(x):
    raise ValueError(f"boom {x}")


@task
def bad():
    raise ValueError("bad")


@task
def mid(x):
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def use(v):
    return v


@task(trigger_rule=TriggerRule.ALL_DONE)
def use2(v):
    return v


@dag(dag_id="c6_mom_all_done_over_all_failed_map", schedule=None, start_date=datetime(2022, 1, 1))
def c6_mom_all_done_over_all_failed_map():
    use.expand(v=boom.expand(x=[1, 2, 3]))
    m = mid.expand(x=[1, 2])
    bad() >> m
    use2.expand(v=m)


c6_mom_all_done_over_all_failed_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "boom": {"map_count": 3, "states": {"failed": 3}},
        "use": {"map_count": 0, "states": {"skipped": 1}},
        "mid": {"map_count": 2, "states": {"upstream_failed": 2}},
        "use2": {"map_count": 0, "states": {"skipped": 1}},
    },
}
