"""A mapped task group's expanded literal reaches its tasks as it is, never rendered: Airflow's
render_template resolves a MappedArgument and returns its value (template/templater.py), unlike
expand() of a task, whose literal elements are templates."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def echo(x):
    return x

@task_group
def grp(x):
    return echo(x)

@dag(dag_id="group_expand_literal_not_rendered", schedule=None, start_date=datetime(2022, 1, 1))
def group_expand_literal_not_rendered():
    grp.expand(x=["{{ ds }}", "plain"])

group_expand_literal_not_rendered()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [["grp.echo", 0, "{{ ds }}"], ["grp.echo", 1, "plain"]],
}
