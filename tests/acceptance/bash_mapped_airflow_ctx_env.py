"""A mapped BashOperator's command sees Airflow's context variables in its environment, even when
``env`` replaces the worker's environment: ``BashOperator.get_env`` (Airflow 2.x,
airflow/operators/bash.py) ends with ``env.update(context_to_airflow_vars(context,
in_env_var_format=True))`` -- AIRFLOW_CTX_DAG_ID, AIRFLOW_CTX_TASK_ID, AIRFLOW_CTX_DAG_RUN_ID,
AIRFLOW_CTX_EXECUTION_DATE (since 2.0; AIRFLOW_CTX_TRY_NUMBER in later 2.x), from
airflow/utils/operator_helpers.py. Scripts use them
to tag their output; here each index echoes them beside its own mapped env value."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="bash_mapped_airflow_ctx_env", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(
        task_id="tag",
        bash_command='echo "$AIRFLOW_CTX_DAG_ID/$AIRFLOW_CTX_TASK_ID/${AIRFLOW_CTX_DAG_RUN_ID:+run}/$NAME"',
    ).expand(env=[{"NAME": "a"}, {"NAME": "b"}])

EXPECTED = {
    "state": "success",
    "tasks": {"tag": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["tag", 0, "bash_mapped_airflow_ctx_env/tag/run/a"], ["tag", 1, "bash_mapped_airflow_ctx_env/tag/run/b"]],
}
