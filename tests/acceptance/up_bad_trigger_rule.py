"""Bad input: an unknown trigger rule on a mapped task. Airflow BaseOperator.__init__ /
validate: `if not TriggerRule.is_valid(trigger_rule): raise AirflowException("The trigger_rule must be
one of ...")` -- an import error of the DAG file."""
from datetime import datetime

from orchestrator import dag, task


@task(trigger_rule="sometimes")
def echo(x):
    return x


@dag(dag_id="up_bad_trigger_rule", schedule=None, start_date=datetime(2022, 1, 1))
def up_bad_trigger_rule():
    echo.expand(x=[1, 2])


up_bad_trigger_rule()

EXPECTED = {"exit": 2, "stderr_contains": "trigger_rule sometimes"}
