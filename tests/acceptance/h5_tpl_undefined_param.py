"""An undefined name in one index's template fails only that index (StrictUndefined), after its retry."""
from datetime import datetime, timedelta

from orchestrator import dag, task


@task(retries=1, retry_delay=timedelta(seconds=0))
def echo(x):
    return x


@dag(dag_id="h5_tpl_undefined_param", schedule=None, start_date=datetime(2022, 1, 1), params={"a": "A"})
def h5_tpl_undefined_param():
    echo.expand(x=["{{ params.a }}", "{{ params.nope }}"])


h5_tpl_undefined_param()

EXPECTED = {
    "state": "failed",
    "tasks": {"echo": {"map_count": 2, "states": {"success": 1, "failed": 1}}},
    "instances": [["echo", 1, {"state": "failed", "try_number": 2, "error_contains": "nope"}]],
    "xcom": [["echo", 0, "A"]],
}
