"""retries="1" from default_args on a classic mapped operator is converted (partial() in
airflow/models/baseoperator.py: parse_retries -> int("1"), with a warning); the BashOperator
index that fails its first try succeeds on its retry."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h7_retries_string_default_args", schedule=None, start_date=datetime(2022, 1, 1),
         default_args={"retries": "1", "retry_delay": 0}):
    BashOperator.partial(task_id="sh").expand(
        bash_command=["echo ok", 'if [ "$AIRFLOW_CTX_TRY_NUMBER" = "1" ]; then exit 1; fi; echo second'])

EXPECTED = {
    "state": "success",
    "tasks": {"sh": {"map_count": 2, "states": {"success": 2}}},
    "instances": [["sh", 1, {"state": "success", "try_number": 2}]],
}
