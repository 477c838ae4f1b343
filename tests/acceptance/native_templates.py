"""DAG(render_template_as_native_obj=True), as in Airflow: "{{ params.n }}" renders to an int a
task can count with (the --conf override included), text stays text; templated partial()
arguments of an expand_kwargs map and a task inside a mapped group render per instance."""
from datetime import datetime

from orchestrator import Param, dag, task, task_group


@task
def make(n):
    return [{"name": f"c{i}", "size": i} for i in range(n)]


@task
def describe(name, size, prefix):
    return f"{prefix}{name}:{size}"


@task
def ordered(values):
    return sorted(values)


@task_group
def outer(cfg):
    @task
    def pick(cfg):
        return cfg["size"] * 2

    @task
    def show(v, label):
        return f"{label}={v}"

    return show(pick(cfg), "{{ params.label }}")


@dag(
    dag_id="native_templates",
    schedule=None,
    start_date=datetime(2022, 1, 1),
    params={"n": Param(3, type="integer"), "label": "L"},
    render_template_as_native_obj=True,
)
def native_templates():
    items = make("{{ params.n }}")
    ordered(describe.partial(prefix="{{ ds }}/").expand_kwargs(items))
    outer.expand(cfg=items)


native_templates()

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"n": 2}', "--logical-date", "2022-05-01"],
    "tasks": {
        "describe": {"map_count": 2, "states": {"success": 2}},
        "outer.show": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [["ordered", None, ["2022-05-01/c0:0", "2022-05-01/c1:1"]], ["outer.show", 1, "L=2"]],
}
