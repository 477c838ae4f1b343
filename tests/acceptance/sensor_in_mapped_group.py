"""Sensors inside a mapped task group: each index waits on its own file (a FileSensor in reschedule
mode, its path templated from the index's argument), then loads it; an index whose file never
lands times out with soft_fail and skips its own load only; a reduce sees the loaded ones."""
import os
import shutil
import tempfile
from datetime import datetime

from orchestrator import TriggerRule, dag, get_current_context, task, task_group
from orchestrator.sensors import FileSensor


def landing() -> str:
    return os.path.join(tempfile.gettempdir(), f"chordflow-landing-{get_current_context()['run_id']}")


@task
def deliver() -> list:
    folder = landing()
    os.makedirs(folder, exist_ok=True)
    for name in ("a", "c"):
        with open(os.path.join(folder, f"{name}.csv"), "w") as f:
            f.write(f"{name}\n")
    return [{"name": name, "path": os.path.join(folder, f"{name}.csv")} for name in ("a", "b", "c")]


@task
def load(name: str) -> str:
    return name.upper()


@task_group
def per_file(name: str, path: str):
    wait = FileSensor(task_id="wait", filepath=path, mode="reschedule", poke_interval=0.3, timeout=1,
                      soft_fail=True)
    loaded = load(name)
    wait >> loaded
    return loaded


@task(trigger_rule=TriggerRule.ALL_DONE)
def summary(names) -> list:
    shutil.rmtree(landing(), ignore_errors=True)
    return list(names)


@dag(dag_id="sensor_in_mapped_group", schedule=None, start_date=datetime(2022, 1, 1))
def sensor_in_mapped_group():
    summary(per_file.expand_kwargs(deliver()))


sensor_in_mapped_group()

EXPECTED = {
    "state": "success",
    "tasks": {"per_file.wait": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
              "per_file.load": {"map_count": 3, "states": {"success": 2, "skipped": 1}}},
    "instances": [["per_file.wait", 1, {"state": "skipped", "try_number": 1}],
                  ["per_file.load", 1, {"state": "skipped"}]],
    "xcom": [["summary", None, ["A", "C"]]],
}
