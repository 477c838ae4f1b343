"""A map function that raises for one element fails that downstream instance only -- not the
upstream, not the other indices; retries of the downstream task apply to it.

Airflow 2.x: the callables of ``XComArg.map`` run in the downstream instance while its mapped
arguments are resolved (``_MapResult.__getitem__`` in airflow/models/xcom_arg.py, called from
``_expand_mapped_field`` in airflow/models/expandinput.py during render_template_fields, inside
``_run_raw_task``'s try), so the exception is that instance's failure, handled by
``handle_failure`` like any other (retries apply: here one retry, so try_number 2).
"""
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, task


def invert(n):
    return 12 // n          # ZeroDivisionError for 0


@task
def numbers() -> list:
    return [1, 0, 3]


@task(retries=1, retry_delay=timedelta(seconds=0))
def show(value) -> int:
    return value


@task(trigger_rule=TriggerRule.ALL_DONE)
def total(values) -> int:
    return sum(values)


@dag(dag_id="map_fn_raises", schedule=None, start_date=datetime(2022, 1, 1))
def map_fn_raises():
    total(show.expand(value=numbers().map(invert)))


map_fn_raises()

EXPECTED = {
    "state": "success",
    "tasks": {
        "numbers": {"states": {"success": 1}},
        "show": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "total": {"states": {"success": 1}},
    },
    "xcom": [["total", None, 16]],
    "instances": [["show", 1, {"state": "failed", "try_number": 2, "error_contains": "ZeroDivisionError"}],
                  ["numbers", None, {"state": "success", "try_number": 1}]],
}
