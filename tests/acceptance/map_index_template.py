"""map_index_template (Airflow 2.9) names each mapped instance: rendered with the instance's
context once it ran -- a value the task put in its context, the materialised operator's fields
(`task.bash_command`), the map index; a failed instance is named too. Unnamed tasks keep None."""
from datetime import datetime

from orchestrator import dag, get_current_context, task
from orchestrator.operators import BashOperator


@task(map_index_template="{{ file_label }}")
def load(path):
    context = get_current_context()
    context["file_label"] = path.rsplit("/", 1)[-1]
    if path.endswith("bad.csv"):
        raise ValueError("cannot parse " + path)
    return path


@task
def plain(x):
    return x


@dag(dag_id="map_index_template", schedule=None, start_date=datetime(2022, 1, 1))
def map_index_template():
    load.expand(path=["in/homes_1.csv", "in/bad.csv", "in/homes_2.csv"])
    BashOperator.partial(task_id="say", map_index_template="#{{ ti.map_index }}: {{ task.bash_command }}").expand(
        bash_command=["echo hi", "echo {{ ds_nodash }}"]
    )
    plain.expand(x=[1])


map_index_template()

EXPECTED = {
    "state": "failed",
    "run_args": ["--logical-date", "2022-04-12"],
    "tasks": {
        "load": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "say": {"map_count": 2, "states": {"success": 2}},
    },
    "instances": [
        ["load", 0, {"state": "success", "rendered_map_index": "homes_1.csv"}],
        ["load", 1, {"state": "failed", "rendered_map_index": "bad.csv"}],
        ["say", 1, {"rendered_map_index": "#1: echo 20220412"}],
        ["plain", 0, {"rendered_map_index": None}],
    ],
    "xcom": [["say", 1, "20220412"]],
}
