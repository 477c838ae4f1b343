"""Arguments of a ``@dag`` function are DAG params, as in Airflow: ``@dag`` binds the function's
signature, applies its defaults and passes ``dag_obj.param(name, value)`` (a ``DagParam``) for each
argument (airflow/models/dag.py, ``dag()`` decorator: "Generate DAGParam for each function arg/kwarg
and replace it for calling the function"); ``DagParam.__init__`` sets ``dag.params[name] = default``,
and ``DagParam.resolve`` returns ``dag_run.conf[name]`` first, else the default
(airflow/models/param.py). So ``--conf`` overrides a value given to ``partial()`` of a mapped task and
``{{ params.prefix }}`` sees the same value; ``suffix`` keeps its default.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def path(name: str, prefix: str, suffix: str) -> str:
    return f"{prefix}/{name}{suffix}"


@task
def from_params(**context) -> str:
    return f"{context['params']['prefix']}|{context['params']['suffix']}"


@dag(dag_id="params_dag_function_args", schedule=None, start_date=datetime(2022, 1, 1))
def params_dag_function_args(prefix: str = "raw", suffix: str = ".csv"):
    path.partial(prefix=prefix, suffix=suffix).expand(name=["a", "b"])
    from_params()


params_dag_function_args()

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"prefix": "landing"}'],
    "tasks": {"path": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["path", 0, "landing/a.csv"], ["path", 1, "landing/b.csv"], ["from_params", None, "landing|.csv"]],
}
