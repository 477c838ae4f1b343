"""Classic-operator XCom habits, as in Airflow: an output in an f-string is a template that
renders the pushed value (`f"echo {make.output} world"`); PythonOperator op_kwargs take an
output and templates_dict is rendered; xcom_pull of a list of task ids gives a list, `default`
stands in for what was never pushed, a list of map indexes gives their values;
do_xcom_push=False pushes nothing."""
from datetime import datetime

from orchestrator import DAG, get_current_context
from orchestrator.operators import BashOperator, PythonOperator


def make():
    return "hello"


def show(greeting, **context):
    return f"{greeting} {context['templates_dict']['day']}"


def pulls():
    ti = get_current_context()["ti"]
    return [
        ti.xcom_pull(task_ids=["make", "echo"]),
        ti.xcom_pull(task_ids="quiet", default="nothing"),
        ti.xcom_pull(task_ids="numbers", map_indexes=[2, 0]),
    ]


with DAG(dag_id="xcom_pull_classic", schedule=None, start_date=datetime(2022, 1, 1)):
    made = PythonOperator(task_id="make", python_callable=make)
    echo = BashOperator(task_id="echo", bash_command=f"echo {made.output} world")
    shown = PythonOperator(task_id="show", python_callable=show, op_kwargs={"greeting": made.output},
                           templates_dict={"day": "{{ ds }}"})
    quiet = BashOperator(task_id="quiet", bash_command="echo secret", do_xcom_push=False)
    numbers = BashOperator.partial(task_id="numbers").expand(bash_command=["echo 10", "echo 11", "echo 12"])
    made >> echo
    [echo, quiet, numbers] >> PythonOperator(task_id="pulls", python_callable=pulls)

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [
        ["echo", None, "hello world"],
        ["show", None, "hello 2022-04-12"],
        ["pulls", None, [["hello", "hello world"], "nothing", ["12", "10"]]],
    ],
}
