"""PythonOperator maps over op_kwargs with partial() constants, like any classic operator."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator, PythonOperator


def power(base: int, exponent: int) -> int:
    return base**exponent


with DAG(dag_id="python_operator_mapped", schedule=None, start_date=datetime(2022, 1, 1)):
    PythonOperator.partial(task_id="power", python_callable=power).expand(
        op_kwargs=[{"base": 2, "exponent": 3}, {"base": 3, "exponent": 2}]
    )
    BashOperator.partial(task_id="greet", bash_command='echo "hello $NAME"').expand(
        env=[{"NAME": "ada"}, {"NAME": "{{ ds_nodash }}"}]
    )

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "tasks": {"power": {"map_count": 2, "states": {"success": 2}}, "greet": {"map_count": 2}},
    "xcom": [["power", 0, 8], ["power", 1, 9], ["greet", 0, "hello ada"], ["greet", 1, "hello 20220412"]],
}
