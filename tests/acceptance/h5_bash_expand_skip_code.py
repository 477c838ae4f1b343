"""skip_on_exit_code itself is expanded (one value per index), bash_command in partial with a template."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h5_bash_expand_skip_code", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="b", bash_command="echo at-{{ ti.map_index }}; exit 5").expand(
        skip_on_exit_code=[5, [6, 7], None])

EXPECTED = {
    "state": "failed",
    "tasks": {"b": {"map_count": 3, "states": {"skipped": 1, "failed": 2}}},
    "instances": [["b", 0, {"state": "skipped"}], ["b", 1, {"state": "failed", "error_contains": "5"}],
                  ["b", 2, {"state": "failed", "error_contains": "5"}]],
}
