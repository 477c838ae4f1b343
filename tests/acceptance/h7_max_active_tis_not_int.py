"""max_active_tis_per_dagrun must be an int: BaseOperator.__init__ ends with
validate_instance_args(self, BASEOPERATOR_ARGS_EXPECTED_TYPES) (airflow/utils/helpers.py), which
raises TypeError("'max_active_tis_per_dagrun' has an invalid type <class 'str'> with value 2, ...")."""
from datetime import datetime

from orchestrator import dag, task


@task(max_active_tis_per_dagrun="2")
def work() -> int:
    return 1


@dag(dag_id="h7_max_active_tis_not_int", schedule=None, start_date=datetime(2022, 1, 1))
def h7_max_active_tis_not_int():
    work()


h7_max_active_tis_not_int()

EXPECTED = {"exit": 2, "stderr_contains": "max_active_tis_per_dagrun"}
