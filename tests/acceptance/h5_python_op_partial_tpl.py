"""Classic PythonOperator: op_kwargs in partial rendered per index, op_args expanded, templates_dict expanded."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import PythonOperator


def fn(a, tag):
    return f"{a}-{tag}"


def td(templates_dict=None, **context):
    return templates_dict["day"] + "@" + str(context["ti"].map_index)


with DAG(dag_id="h5_python_op_partial_tpl", schedule=None, start_date=datetime(2022, 1, 1)):
    PythonOperator.partial(task_id="p", python_callable=fn, op_kwargs={"tag": "i{{ ti.map_index }}"}).expand(
        op_args=[["x"], ["{{ ds_nodash }}"]])
    PythonOperator.partial(task_id="t", python_callable=td).expand(
        templates_dict=[{"day": "{{ ds }}"}, {"day": "lit"}])

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [["p", 0, "x-i0"], ["p", 1, "20220412-i1"], ["t", 0, "2022-04-12@0"], ["t", 1, "lit@1"]],
}
