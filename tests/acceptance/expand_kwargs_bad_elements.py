"""expand_kwargs() over an upstream list whose elements are not all usable dicts: each bad element
fails only its own index, naming what was wrong; the good indices run.

Airflow 2.x: the map length of expand_kwargs(XComArg) is just the list's length
(ListOfDictsExpandInput.get_total_map_length); each element is checked when its instance resolves
its arguments (ListOfDictsExpandInput.resolve, airflow/models/expandinput.py, added by
apache/airflow PR #25355): a non-dict element raises
``ValueError("expand_kwargs() expects a list[dict], not list[int]")`` in that instance. A dict with a
key the function does not take reaches the callable as op_kwargs, so that instance fails with
Python's ``TypeError: ... got an unexpected keyword argument 'bogus'``.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def jobs() -> list:
    return [{"x": 1}, 5, {"x": 3, "bogus": 1}, {"x": 4}]


@task
def double(x: int) -> int:
    return 2 * x


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values) -> list:
    return list(values)


@dag(dag_id="expand_kwargs_bad_elements", schedule=None, start_date=datetime(2022, 1, 1))
def expand_kwargs_bad_elements():
    collect(double.expand_kwargs(jobs()))


expand_kwargs_bad_elements()

EXPECTED = {
    "state": "success",
    "tasks": {
        "jobs": {"states": {"success": 1}},
        "double": {"map_count": 4, "states": {"success": 2, "failed": 2}},
    },
    "xcom": [["double", 0, 2], ["double", 3, 8], ["collect", None, [2, 8]]],
    "instances": [["double", 1, {"state": "failed", "error_contains": "dict"}],
                  ["double", 2, {"state": "failed", "error_contains": "bogus"}]],
}
