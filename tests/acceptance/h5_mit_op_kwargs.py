"""map_index_template on @task reading the expanded argument via task.op_kwargs and params."""
from datetime import datetime

from orchestrator import dag, task


@task(map_index_template="{{ params.prefix }}:{{ task.op_kwargs['name'] }}")
def load(name: str) -> str:
    return name.upper()


@dag(dag_id="h5_mit_op_kwargs", schedule=None, start_date=datetime(2022, 1, 1), params={"prefix": "p"})
def h5_mit_op_kwargs():
    load.expand(name=["x", "y{{ ti.map_index }}"])


h5_mit_op_kwargs()

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"prefix": "q"}'],
    "instances": [["load", 0, {"rendered_map_index": "q:x"}], ["load", 1, {"rendered_map_index": "q:y1"}]],
    "xcom": [["load", 1, "Y1"]],
}
