"""A task's output given to a classic operator's attribute that is not in its template_fields would
reach execute() as an unresolved reference (Airflow passes it on silently): the DAG file is refused,
naming the attribute and what to do."""
from datetime import datetime

from orchestrator import DAG, task
from orchestrator.baseoperator import BaseOperator


class PrintOperator(BaseOperator):
    def __init__(self, message, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def execute(self, context):
        print(self.message)


@task
def greeting():
    return "hello"


with DAG(dag_id="classic_output_not_templated", schedule=None, start_date=datetime(2022, 1, 1)):
    PrintOperator(task_id="say", message=greeting())

EXPECTED = {"exit": 2, "stderr_contains": "message template_fields"}
