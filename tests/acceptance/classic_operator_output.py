"""Airflow's example_dynamic_task_mapping_with_no_taskflow_operators: a classic operator given a mapped
task's output in its constructor (`values=add_one.output`, a templated field set after
`super().__init__()`) depends on that task and receives its values; `XComArg(operator)` is the same
reference. Both sums are 2 + 3 + 4 = 9 (before: no edge, and the sum ran on the wrong values)."""
from datetime import datetime

from orchestrator import DAG, XComArg
from orchestrator.baseoperator import BaseOperator


class AddOneOperator(BaseOperator):
    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def execute(self, context):
        return self.value + 1


class SumItOperator(BaseOperator):
    template_fields = ("values",)

    def __init__(self, values, **kwargs):
        super().__init__(**kwargs)
        self.values = values

    def execute(self, context):
        total = sum(self.values)
        print(f"Total was {total}")
        return total


with DAG(dag_id="classic_operator_output", schedule=None, start_date=datetime(2022, 3, 4)):
    add_one_task = AddOneOperator.partial(task_id="add_one").expand(value=[1, 2, 3])
    SumItOperator(task_id="sum_it", values=add_one_task.output)
    SumItOperator(task_id="sum_it_again", values=XComArg(add_one_task))

EXPECTED = {
    "state": "success",
    "tasks": {
        "add_one": {"map_count": 3, "states": {"success": 3}},
        "sum_it": {"states": {"success": 1}},
        "sum_it_again": {"states": {"success": 1}},
    },
    "xcom": [["sum_it", None, 9], ["sum_it_again", None, 9], ["add_one", 2, 4]],
}
