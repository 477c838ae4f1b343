"""A classic BranchPythonOperator mapped with partial().expand(op_args=...): index i's return value
decides for index i of its mapped direct downstream tasks (Airflow 2.10 SkipMixin._skip_all_except:
skip_tasks = [(t.task_id, downstream_ti.map_index) ... dag_run.get_task_instance(t.task_id,
map_index=ti.map_index)]), and a returned list follows several; None follows nothing.
"""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BranchPythonOperator, PythonOperator


def route(kind):
    return {"csv": "parse_csv", "json": "parse_json", "both": ["parse_csv", "parse_json"]}.get(kind)


def parse(kind, how):
    return f"{how}:{kind}"


kinds = [["csv"], ["json"], ["both"], ["none"]]
with DAG(dag_id="mapped_classic_branch_operator", schedule=None, start_date=datetime(2022, 1, 1)):
    router = BranchPythonOperator.partial(task_id="router", python_callable=route).expand(op_args=kinds)
    csv = PythonOperator.partial(task_id="parse_csv", python_callable=parse, op_kwargs={"how": "csv"}).expand(
        op_args=kinds)
    js = PythonOperator.partial(task_id="parse_json", python_callable=parse, op_kwargs={"how": "json"}).expand(
        op_args=kinds)
    router >> [csv, js]

EXPECTED = {
    "state": "success",
    "tasks": {
        "router": {"map_count": 4, "states": {"success": 4}},
        "parse_csv": {"map_count": 4, "states": {"success": 2, "skipped": 2}},
        "parse_json": {"map_count": 4, "states": {"success": 2, "skipped": 2}},
    },
    "instances": [["parse_csv", 1, {"state": "skipped"}], ["parse_json", 0, {"state": "skipped"}],
                  ["parse_csv", 3, {"state": "skipped"}], ["parse_json", 3, {"state": "skipped"}]],
    "xcom": [["parse_csv", 2, "csv:both"], ["parse_json", 2, "json:both"], ["router", 1, "parse_json"]],
}
