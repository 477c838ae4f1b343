"""A mapped BashOperator: `env` is templated per index, exit 99 skips that index (Airflow's
skip_on_exit_code), another non-zero exit fails it naming the code; templates see the
--logical-date; an all_done reduce (a classic PythonOperator given the mapped output) gets the
successful lines in map-index order, and as the only leaf it ends the run success."""
from datetime import datetime

from orchestrator import DAG, TriggerRule
from orchestrator.operators import BashOperator, PythonOperator


def show(values):
    return list(values)


with DAG(dag_id="bash_exit_codes_env", schedule=None, start_date=datetime(2022, 1, 1)):
    b = BashOperator.partial(task_id="b", env={"IDX": "{{ ti.map_index }}"}).expand(
        bash_command=["echo $IDX-a", "exit 99", "echo $IDX-c; exit 3", "echo {{ ds_nodash }}-$IDX"])
    r = PythonOperator(task_id="r", python_callable=show, op_args=[b.output], trigger_rule=TriggerRule.ALL_DONE)
    b >> r

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "tasks": {
        "b": {"map_count": 4, "states": {"success": 2, "skipped": 1, "failed": 1}},
        "r": {"states": {"success": 1}},
    },
    "xcom": [["b", 0, "0-a"], ["b", 3, "20220412-3"], ["r", None, ["0-a", "20220412-3"]]],
    "instances": [["b", 2, {"state": "failed", "error_contains": "3"}], ["b", 1, {"state": "skipped"}]],
}
