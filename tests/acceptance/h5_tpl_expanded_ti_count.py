"""Airflow's context key expanded_ti_count (2.5+): the number of mapped instances in a mapped task's
templates and context, None in an unmapped task (taskinstance._get_template_context:
task.get_mapped_ti_count(...), NotMapped -> None)."""
from datetime import datetime

from orchestrator import dag, get_current_context, task


@task
def echo(x, info: str) -> str:
    return f"{x}:{info}:{get_current_context()['expanded_ti_count']}"


@task
def single(info: str) -> str:
    return info


@dag(dag_id="h5_tpl_expanded_ti_count", schedule=None, start_date=datetime(2022, 1, 1))
def h5_tpl_expanded_ti_count():
    echo.partial(info="{{ expanded_ti_count }}").expand(x=[1, 2, 3])
    single(info="{{ expanded_ti_count }}")


h5_tpl_expanded_ti_count()

EXPECTED = {
    "state": "success",
    "xcom": [["echo", 2, "3:3:3"], ["single", None, "None"]],
}
