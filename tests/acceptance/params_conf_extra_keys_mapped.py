"""--conf keys that are no declared param still reach ``params`` (Airflow's ``process_params``:
``params.update(dag_run.conf)``; ``ParamsDict.__setitem__`` makes a new ``Param(value)`` for an unknown
key), and ``dag_run.conf`` too; a Param object reaches a task as its value, an ``array`` Param given by
the conf decides the width of a map (through a task returning it), and each index reads params and
the conf in a template and in code."""
from datetime import datetime

from orchestrator import Param, dag, get_current_context, task


@task
def tables(**context) -> list:
    return context["params"]["tables"]


@task
def load(table: str, where: str) -> str:
    context = get_current_context()
    return f"{table}@{where}@{context['params']['batch']}@{context['dag_run'].conf['extra']}"


@dag(dag_id="params_conf_extra_keys_mapped", schedule=None, start_date=datetime(2022, 1, 1),
     params={"tables": Param(["a"], type="array", items={"type": "string"}), "batch": Param(10, type="integer")})
def params_conf_extra_keys_mapped():
    load.partial(where="{{ params.extra }}-{{ params.batch }}").expand(table=tables())


params_conf_extra_keys_mapped()

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"tables": ["x", "y", "z"], "extra": "eu"}'],
    "tasks": {"load": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["load", 0, "x@eu-10@10@eu"], ["load", 2, "z@eu-10@10@eu"]],
}
