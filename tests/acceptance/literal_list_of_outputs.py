"""expand() over a literal list whose elements are task outputs, and expand_kwargs() over a literal
list of dicts holding a task output: each instance gets the value its element refers to.

Airflow 2.x: a literal list is a MAPPABLE_LITERAL_TYPE, so its length (2) is known at parse time;
the XComArgs inside are found deeply by ``XComArg.apply_upstream_relationship`` /
``iter_xcom_references`` (recursing into lists and dicts), which makes the producers upstream; at
run time the element picked for the instance is an XComArg, which rendering resolves
(``Templater.render_template`` calls ``value.resolve(context)`` on a ResolveMixin, op_kwargs being a
template field of @task). ListOfDictsExpandInput.resolve takes ``self.value[map_index]`` for a
Sized literal and leaves the XComArg value in it to be resolved the same way.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def seven() -> int:
    return 7


@task
def eight() -> int:
    return 8


@task
def double(x: int) -> int:
    return 2 * x


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="literal_list_of_outputs", schedule=None, start_date=datetime(2022, 1, 1))
def literal_list_of_outputs():
    a, b = seven(), eight()
    collect.override(task_id="from_expand")(double.expand(x=[a, b, 1]))
    collect.override(task_id="from_kwargs")(
        double.override(task_id="double_kwargs").expand_kwargs([{"x": a}, {"x": 5}]))


literal_list_of_outputs()

EXPECTED = {
    "state": "success",
    "tasks": {"double": {"map_count": 3, "states": {"success": 3}},
              "double_kwargs": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["from_expand", None, [14, 16, 2]], ["from_kwargs", None, [14, 10]]],
}
