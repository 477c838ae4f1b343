"""An unknown weight_rule string is refused at parse: BaseOperator.__init__ calls
validate_and_load_priority_weight_strategy (airflow/task/priority_strategy.py), which raises
AirflowException("Unknown priority strategy sideways") for a name that is neither absolute,
downstream, upstream nor a registered plugin strategy."""
from datetime import datetime

from orchestrator import dag, task


@task(weight_rule="sideways")
def work() -> int:
    return 1


@dag(dag_id="h7_weight_rule_unknown", schedule=None, start_date=datetime(2022, 1, 1))
def h7_weight_rule_unknown():
    work()


h7_weight_rule_unknown()

EXPECTED = {"exit": 2, "stderr_contains": "sideways"}
