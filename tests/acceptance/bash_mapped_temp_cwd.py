"""Without ``cwd``, each BashOperator instance runs in a fresh, empty temporary directory that is
removed afterwards: Airflow's ``SubprocessHook.run_command`` (airflow/hooks/subprocess.py) does
``if cwd is None: cwd = stack.enter_context(TemporaryDirectory(prefix="airflowtmp"))``. So mapped
indices writing a relative file never see each other's (nor the worker's own files): each lists an
empty directory (the case writes nothing: on a backend running commands in the worker's working
directory a write would land there), and ``cwd=`` given in ``partial()`` is used as is."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="bash_mapped_temp_cwd", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="scratch").expand(
        bash_command=["echo $(ls -A | wc -l)-$(basename $PWD | cut -c1-10)",
                      "echo $(ls -A | wc -l)-$(basename $PWD | cut -c1-10)"])
    BashOperator.partial(task_id="in_root", cwd="/").expand(bash_command=["pwd"])

EXPECTED = {
    "state": "success",
    "tasks": {"scratch": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["scratch", 0, "0-airflowtmp"], ["scratch", 1, "0-airflowtmp"], ["in_root", 0, "/"]],
}
