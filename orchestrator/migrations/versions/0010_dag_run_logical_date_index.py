"""An index on dag_run (dag_id, logical_date): the DAG's previous and next run by logical date.

``depends_on_past`` / ``wait_for_downstream`` read, in each advance step of a run, the run of the
same DAG with the latest logical date before it (Airflow's ``DagRun.get_previous_dagrun``), and
the step of that run wakes the next one: one index lookup each, not a scan of the DAG's runs.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_dag_run_dag_id_logical_date", "dag_run", ["dag_id", "logical_date"])


def downgrade() -> None:
    op.drop_index("ix_dag_run_dag_id_logical_date", table_name="dag_run")
