"""An array Param, overridden by --conf, decides the map width; a plain template adds params numerically."""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.models.param import Param


@task
def items(**context) -> list:
    return context["params"]["items"]


@task
def show(x, plus: str) -> str:
    return f"{x}/{plus}"


@dag(dag_id="h5_conf_array_param", schedule=None, start_date=datetime(2022, 1, 1),
     params={"items": Param([1, 2], type="array", minItems=1), "n": Param(2, type="integer")})
def h5_conf_array_param():
    show.partial(plus="{{ params.n + 1 }}").expand(x=items())


h5_conf_array_param()

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"items": ["a", "b", "c"], "n": 5}'],
    "tasks": {"show": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["show", 0, "a/6"], ["show", 2, "c/6"]],
}
