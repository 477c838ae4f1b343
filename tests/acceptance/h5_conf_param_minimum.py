"""A conf value violating a Param's schema (minimum) is refused before any run exists."""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.models.param import Param


@task
def numbers(**context) -> list:
    return list(range(context["params"]["n"]))


@task
def sq(x):
    return x * x


@dag(dag_id="h5_conf_param_minimum", schedule=None, start_date=datetime(2022, 1, 1),
     params={"n": Param(2, type="integer", minimum=1)})
def h5_conf_param_minimum():
    sq.expand(x=numbers())


h5_conf_param_minimum()

EXPECTED = {"exit": 2, "run_args": ["--conf", '{"n": 0}'], "stderr_contains": "n"}
