"""Without --conf the Param defaults are used; {{ dag_run.conf }} renders an empty dict."""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.models.param import Param
from orchestrator.operators import BashOperator


@task
def items(**context) -> list:
    return list(range(context["params"]["n"]))


@task
def echo(x, c: str) -> str:
    return f"{x}:{c}"


@dag(dag_id="h5_conf_param_defaults", schedule=None, start_date=datetime(2022, 1, 1),
     params={"n": Param(3, type="integer", minimum=1)})
def h5_conf_param_defaults():
    echo.partial(c="{{ dag_run.conf }}|{{ params.n }}").expand(x=items())
    BashOperator.partial(task_id="b").expand(bash_command=["echo '{{ dag_run.conf }}'"])


h5_conf_param_defaults()

EXPECTED = {
    "state": "success",
    "tasks": {"echo": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["echo", 2, "2:{}|3"], ["b", 0, "{}"]],
}
