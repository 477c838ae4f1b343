"""A task-level Param's schema is checked against --conf when the task runs, as Airflow does.

Airflow 2.x: the run is created, since DAG.create_dagrun validates only the DAG's params with the conf
(``copied_params = copy.deepcopy(self.params); copied_params.update(conf); copied_params.validate()``);
each instance then builds its context with ``get_template_context(ignore_param_exceptions=False)``
(taskinstance.py ``_run_raw_task``), whose ``process_params`` (airflow/models/param.py) does
``params.update(task.params)`` then ``params.update(dag_run.conf)``. ``ParamsDict.__setitem__`` resolves an
existing Param against the new value and raises ``ParamValidationError("Invalid input for param limit:
0 is less than the minimum of 1")``: every index of the mapped task fails (no retries here), while the
unmapped task without that param runs. Here the task-level Param also holds for a mapped task.
"""
from datetime import datetime

from orchestrator import Param, dag, get_current_context, task


@task(params={"limit": Param(5, type="integer", minimum=1)})
def take(x: int) -> int:
    return x * get_current_context()["params"]["limit"]


@task
def other() -> str:
    return "ran"


@dag(dag_id="params_task_level_schema_conf", schedule=None, start_date=datetime(2022, 1, 1),
     params={"region": Param("eu", type="string")})
def params_task_level_schema_conf():
    take.expand(x=[1, 2])
    other()


params_task_level_schema_conf()

EXPECTED = {
    "state": "failed",
    "run_args": ["--conf", '{"limit": 0}'],
    "tasks": {"take": {"map_count": 2, "states": {"failed": 2}}, "other": {"states": {"success": 1}}},
    "instances": [["take", 0, {"state": "failed", "try_number": 1, "error_contains": "limit"}],
                  ["take", 1, {"state": "failed", "error_contains": "minimum"}]],
}
