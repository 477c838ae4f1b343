"""Each instance sees its own context: ti.map_index, ti.try_number, ds, run_id, params."""
from datetime import datetime

from orchestrator import dag, get_current_context, task


@task
def describe(x: str, **context) -> str:
    ti = get_current_context()["ti"]
    assert context["ti"] is ti and context["run_id"] == ti.run_id
    return f"{x}:{ti.map_index}:{ti.try_number}:{context['ds']}:{context['params']['who']}"


@task
def whoami(ti=None, ds_nodash=None) -> str:
    return f"{ti.task_id}:{ti.map_index}:{ds_nodash}"


@dag(dag_id="context_per_instance", schedule=None, start_date=datetime(2022, 1, 1), params={"who": "team"})
def context_per_instance():
    describe.expand(x=["a", "b"])
    whoami()


context_per_instance()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2023-05-06"],
    "xcom": [["describe", 0, "a:0:1:2023-05-06:team"], ["describe", 1, "b:1:1:2023-05-06:team"],
             ["whoami", None, "whoami:-1:20230506"]],
}
