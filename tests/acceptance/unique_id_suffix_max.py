"""Calling a @task again when "step" and "step__5" exist gives "step__6": Airflow's
get_unique_task_id (airflow/decorators/base.py) takes the largest existing __N suffix of the core
id plus one ("return f'{core}__{max(_find_id_suffixes(dag)) + 1}'"), not the first free number.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def step(label):
    return label


@dag(dag_id="unique_id_suffix_max", schedule=None, start_date=datetime(2022, 1, 1))
def unique_id_suffix_max():
    step("a")
    step.override(task_id="step__5")("b")
    step("c")


unique_id_suffix_max()

EXPECTED = {
    "state": "success",
    "tasks": {"step": {"states": {"success": 1}}, "step__5": {"states": {"success": 1}},
              "step__6": {"states": {"success": 1}}},
    "xcom": [["step__6", None, "c"]],
}
