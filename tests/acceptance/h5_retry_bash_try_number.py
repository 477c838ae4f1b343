"""Mapped BashOperator with retries from partial(): the command is re-rendered each try ({{ ti.try_number }})."""
from datetime import datetime, timedelta

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h5_retry_bash_try_number", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="b", retries=1, retry_delay=timedelta(seconds=0)).expand(bash_command=[
        "[ {{ ti.try_number }} -ge 2 ] && echo try{{ ti.try_number }}",
        "echo first{{ ti.try_number }}",
    ])

EXPECTED = {
    "state": "success",
    "tasks": {"b": {"map_count": 2, "states": {"success": 2}}},
    "instances": [["b", 0, {"state": "success", "try_number": 2}], ["b", 1, {"state": "success", "try_number": 1}]],
    "xcom": [["b", 0, "try2"], ["b", 1, "first1"]],
}
