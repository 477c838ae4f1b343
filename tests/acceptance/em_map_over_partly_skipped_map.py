"""Variant of empty_map/skipped: a map over a map one of whose indices skipped itself. Airflow 2.10
dagrun.py task_instance_scheduling_decisions/_get_ready_tis: the unexpanded TI's dependencies are checked
BEFORE _expand_mapped_task_if_needed, so all_success over a skipped upstream instance -> the mapped task
is skipped without expanding; a none_failed map expands over the 2 pushed values
(PlainXComArg.get_task_map_length counts pushed XComs)."""
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task


@task
def maybe(x: int) -> int:
    if x == 2:
        raise AirflowSkipException("skip 2")
    return x


@task
def strict_use(v):
    return v


@task(trigger_rule=TriggerRule.NONE_FAILED)
def tolerant_use(v):
    return v * 10


@dag(dag_id="em_map_over_partly_skipped_map", schedule=None, start_date=datetime(2022, 1, 1))
def em_map_over_partly_skipped_map():
    m = maybe.expand(x=[1, 2, 3])
    strict_use.expand(v=m)
    tolerant_use.expand(v=m)


em_map_over_partly_skipped_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "maybe": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "strict_use": {"map_count": 0, "states": {"skipped": 1}},
        "tolerant_use": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [["tolerant_use", 1, 30]],
}
