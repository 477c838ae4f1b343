"""expand() with a name the task function does not take is refused, naming it."""
from datetime import datetime

from orchestrator import dag, task


@task
def double(x: int) -> int:
    return 2 * x


@dag(dag_id="unexpected_expand_argument", schedule=None, start_date=datetime(2022, 1, 1))
def unexpected_expand_argument():
    double.expand(x=[1], queue=["fast"])


unexpected_expand_argument()

EXPECTED = {"exit": 2, "stderr_contains": "queue"}
