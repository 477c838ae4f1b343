"""A deprecated trigger rule name on a mapped task (partial()): 'none_failed_or_skipped' is taken
for none_failed_min_one_success, as Airflow 2.10's BaseOperator.__init__ takes it (with a
RemovedInAirflow3Warning): after a map with one failed instance the mapped task is upstream_failed,
while a 'dummy' (always) mapped task runs every index."""
from datetime import datetime

from orchestrator import dag, task


@task
def risky(x):
    if x == 2:
        raise ValueError("two")
    return x


@task
def echo(y):
    return y


@dag(dag_id="c6_deprecated_trigger_rule_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def c6_deprecated_trigger_rule_mapped():
    done = risky.expand(x=[1, 2, 3])
    done >> echo.override(task_id="nfos", trigger_rule="none_failed_or_skipped").expand(y=[1, 2])
    done >> echo.override(task_id="dummy", trigger_rule="dummy").expand(y=[1, 2])


c6_deprecated_trigger_rule_mapped()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "nfos": {"map_count": 2, "states": {"upstream_failed": 2}},
        "dummy": {"map_count": 2, "states": {"success": 2}},
    },
}
