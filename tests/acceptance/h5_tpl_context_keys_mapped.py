"""Context keys in templates of mapped and unmapped tasks: ti.map_index (-1 when not mapped),
task_instance_key_str (no map index), ti.max_tries (= retries)."""
from datetime import datetime, timedelta

from orchestrator import dag, task


@task(retries=2, retry_delay=timedelta(seconds=0))
def echo(x, info: str) -> str:
    return f"{x}:{info}"


@task
def single(info: str) -> str:
    return info


@dag(dag_id="h5_tpl_context_keys_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h5_tpl_context_keys_mapped():
    echo.partial(info="{{ ti.max_tries }}/{{ task_instance_key_str }}").expand(x=[1, 2, 3])
    single(info="{{ ti.map_index }}/{{ task_instance.map_index }}")


h5_tpl_context_keys_mapped()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [["echo", 2, "3:2/h5_tpl_context_keys_mapped__echo__20220412"], ["single", None, "-1/-1"]],
}
