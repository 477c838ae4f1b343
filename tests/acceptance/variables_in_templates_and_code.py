"""Variables (Airflow's Variable.get/set, {{ var.value.x }} / {{ var.json.x }}) read in templates and
in task code, by a plain task, a mapped task and each index of a mapped task group -- on whatever
host runs them: they live in the store.

As in Airflow: ``Variable.set(..., serialize_json=True)`` / ``get(..., deserialize_json=True)``,
``var.value.get('key', default)`` for a Variable that does not exist, ``default_var`` likewise.
"""
from datetime import datetime

from orchestrator import Variable, dag, task, task_group


@task
def configure() -> list:
    Variable.set("acceptance_region", "eu-west-1")
    Variable.set("acceptance_limits", {"max_rows": 3, "files": ["a.csv", "b.csv"]}, serialize_json=True)
    Variable.delete("acceptance_missing")
    return Variable.get("acceptance_limits", deserialize_json=True)["files"]


@task
def load(name: str, target: str) -> str:  # target: rendered from Variables per instance
    limit = Variable.get("acceptance_limits", deserialize_json=True)["max_rows"]
    return f"{target}/{name}:{limit}"


@task
def prefix(name: str, region: str, fallback: str) -> str:
    return f"{region}|{fallback}|{name}"


@task
def check(text: str) -> str:
    return text + "|" + Variable.get("acceptance_missing", default_var="none")


@task_group
def per_file(name: str):
    return check(prefix(name, region="{{ var.value.acceptance_region }}",
                        fallback="{{ var.value.get('acceptance_missing', 'dflt') }}"))


@dag(dag_id="variables_in_templates_and_code", schedule=None, start_date=datetime(2022, 1, 1))
def variables_in_templates_and_code():
    files = configure()
    load.partial(target="s3://{{ var.value.acceptance_region }}/{{ var.json.acceptance_limits.max_rows }}").expand(
        name=files)
    per_file.expand(name=files)


variables_in_templates_and_code()

EXPECTED = {
    "state": "success",
    "tasks": {
        "load": {"map_count": 2, "states": {"success": 2}},
        "per_file.check": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [
        ["configure", None, ["a.csv", "b.csv"]],
        ["load", 0, "s3://eu-west-1/3/a.csv:3"],
        ["load", 1, "s3://eu-west-1/3/b.csv:3"],
        ["per_file.check", 0, "eu-west-1|dflt|a.csv|none"],
        ["per_file.check", 1, "eu-west-1|dflt|b.csv|none"],
    ],
}
