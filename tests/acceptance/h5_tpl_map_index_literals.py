"""Expanded literals and partial literals of a @task are rendered per instance
({{ ti.map_index }}, {{ task.task_id }})."""
from datetime import datetime

from orchestrator import dag, task


@task
def tag(x: str, suffix: str) -> str:
    return x + "|" + suffix


@dag(dag_id="h5_tpl_map_index_literals", schedule=None, start_date=datetime(2022, 1, 1))
def h5_tpl_map_index_literals():
    tag.partial(suffix="i{{ ti.map_index }}").expand(x=["a{{ ti.map_index }}", "{{ task.task_id }}", "c"])


h5_tpl_map_index_literals()

EXPECTED = {
    "state": "success",
    "tasks": {"tag": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["tag", 0, "a0|i0"], ["tag", 1, "tag|i1"], ["tag", 2, "c|i2"]],
}
