"""expand() over a literal that is not a list or dict is refused at load time, naming its type."""
from datetime import datetime

from orchestrator import dag, task


@task
def double(x: int) -> int:
    return 2 * x


@dag(dag_id="literal_not_a_list", schedule=None, start_date=datetime(2022, 1, 1))
def literal_not_a_list():
    double.expand(x=5)


literal_not_a_list()

EXPECTED = {"exit": 2, "stderr_contains": "int expand"}
