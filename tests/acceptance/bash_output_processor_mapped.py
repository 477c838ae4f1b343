"""BashOperator's ``output_processor`` (Airflow 2.10: "The output_processor parameter", the callable
applied to the last line before it is returned and pushed: ``return self.output_processor(result.output)``
in airflow/operators/bash.py), given in ``partial()`` of a mapped BashOperator: each index pushes the
processed value, and a reduce sums them as numbers."""
import json
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator, PythonOperator


def total(values):
    return sum(v["n"] for v in values)


with DAG(dag_id="bash_output_processor_mapped", schedule=None, start_date=datetime(2022, 1, 1)):
    counted = BashOperator.partial(task_id="count", output_processor=json.loads).expand(
        bash_command=['echo \'{"n": 2}\'', 'echo \'{"n": 5}\''])
    PythonOperator(task_id="total", python_callable=total, op_args=[counted.output])

EXPECTED = {
    "state": "success",
    "tasks": {"count": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["count", 1, {"n": 5}], ["total", None, 7]],
}
