"""The deprecated date keys render in templates of a mapped classic operator too, at the month's
and year's turn: yesterday_ds of 2022-01-01 is 2021-12-31, tomorrow_ds_nodash 20220102
(Airflow 2.10 models/taskinstance.py: logical_date -/+ timedelta(1))."""
from datetime import datetime

from orchestrator import dag
from orchestrator.operators import BashOperator


@dag(dag_id="ctx_deprecated_keys_in_templates", schedule=None, start_date=datetime(2021, 1, 1))
def ctx_deprecated_keys_in_templates():
    BashOperator.partial(task_id="echo").expand(
        bash_command=["echo {{ yesterday_ds }}", "echo {{ tomorrow_ds_nodash }}-{{ ts_nodash_with_tz }}"])


ctx_deprecated_keys_in_templates()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-01-01"],
    "xcom": [["echo", 0, "2021-12-31"], ["echo", 1, "20220102-20220101T000000+0000"]],
}
