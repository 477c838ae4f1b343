"""PythonOperator.partial(op_kwargs=...).expand(op_args=<upstream output>): one instance per
inner list, the partial op_kwargs (a template field of PythonOperator: template_fields =
("templates_dict", "op_args", "op_kwargs")) rendered per instance with that instance's
{{ ti.map_index }}. The op_args elements come from XCom, so they are NOT rendered in Airflow
(DictOfListsExpandInput.resolve puts XCom-resolved values in seen_oids, which
MappedOperator.render_template_fields skips; apache/airflow PR #25924).
Airflow docs dynamic-task-mapping.rst "Mapping with non-TaskFlow operators" (op_args/op_kwargs
of PythonOperator may be mapped) and templates-ref.rst.
"""
from datetime import datetime

from orchestrator import DAG, task
from orchestrator.operators import PythonOperator


def join(a, b, sep, tag):
    return f"{a}{sep}{b}{tag}"


@task
def make_args():
    return [[1, 2], ["x", "{{ ds_nodash }}"]]


with DAG(dag_id="python_operator_op_args_upstream", schedule=None, start_date=datetime(2022, 1, 1)):
    joined = PythonOperator.partial(
        task_id="join", python_callable=join, op_kwargs={"sep": "-", "tag": "@{{ ti.map_index }}"}
    ).expand(op_args=make_args())

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "tasks": {"join": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["join", 0, "1-2@0"], ["join", 1, "x-{{ ds_nodash }}@1"]],
}
