"""execution_timeout, as in Airflow: a try running longer fails naming its timeout (retries
would apply), a mapped index on its own; a BashOperator's command is ended with its try; an
all_done reduce gets the indices that finished in time."""
import time
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, task
from orchestrator.operators import BashOperator


@task(execution_timeout=timedelta(seconds=1))
def slow(x):
    for _ in range(int(x * 10)):
        time.sleep(0.1)
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def done(values):
    return list(values)


@dag(dag_id="execution_timeout", schedule=None, start_date=datetime(2022, 1, 1))
def execution_timeout():
    done(slow.expand(x=[0.1, 5]))
    BashOperator(task_id="sleepy", bash_command="sleep 3; echo late", execution_timeout=timedelta(seconds=1))


execution_timeout()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "slow": {"map_count": 2, "states": {"success": 1, "failed": 1}},
        "sleepy": {"states": {"failed": 1}},
    },
    "instances": [
        ["slow", 1, {"state": "failed", "error_contains": "execution_timeout"}],
        ["sleepy", None, {"state": "failed", "error_contains": "execution_timeout"}],
    ],
    "xcom": [["done", None, [0.1]]],
}
