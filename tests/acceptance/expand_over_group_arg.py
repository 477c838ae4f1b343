"""expand() over a mapped task group's own argument, inside that group, is refused with the same
clear reason as any expand() inside a mapped task group.

Airflow 2.x: tests/models/test_taskinstance.py::test_mapped_in_mapped_task_group builds exactly this
(``@task_group def g(x): return m.expand(x=x)``, ``g.expand(x=t())``) and expects
``NotImplementedError("operator expansion in an expanded task group is not yet supported")``
(raised by MappedOperator.__attrs_post_init__, airflow/models/mappedoperator.py) at parse time.
Here: exit 2 with one line saying expand() inside a mapped task group is not supported (not a
complaint about the argument's type, which is an internal MappedArgument).
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def rows() -> list:
    return [[1, 2], [3, 4]]


@task
def m(x):
    return x


@dag(dag_id="expand_over_group_arg", schedule=None, start_date=datetime(2022, 1, 1))
def expand_over_group_arg():
    @task_group
    def g(x):
        return m.expand(x=x)

    g.expand(x=rows())


expand_over_group_arg()

EXPECTED = {"exit": 2, "stderr_contains": ["task group", "not supported"]}
