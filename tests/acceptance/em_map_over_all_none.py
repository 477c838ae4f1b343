"""Variant of empty_map: a map over a mapped task all of whose instances returned None (succeeded, pushed
nothing). Airflow: taskinstance.py _execute_task pushes a return value only when it is not None;
PlainXComArg.get_task_map_length of a mapped upstream counts its pushed XComs -> 0, so the second map
expands to nothing and is skipped; run success."""
from datetime import datetime

from orchestrator import dag, task


@task
def side_effect(x: int) -> None:
    return None


@task
def use(v):
    return v


@dag(dag_id="em_map_over_all_none", schedule=None, start_date=datetime(2022, 1, 1))
def em_map_over_all_none():
    use.expand(v=side_effect.expand(x=[1, 2, 3]))


em_map_over_all_none()

EXPECTED = {
    "state": "success",
    "tasks": {
        "side_effect": {"map_count": 3, "states": {"success": 3}},
        "use": {"map_count": 0, "states": {"skipped": 1}},
    },
}
