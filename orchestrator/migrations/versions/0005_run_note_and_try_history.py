"""Runs keep why they ended out of the ordinary (cancelled, interrupted); cleared tries keep their history.

``dag_run.note``: the reason a run was cancelled or interrupted (Airflow's DagRun note).
``task_instance_history``: one row per try that a ``tasks clear`` sent back (Airflow 2.10's
TaskInstanceHistory), so that the next try is numbered after it and its end stays readable.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dag_run", sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        "task_instance_history",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("task_id", sa.String(250), primary_key=True),
        sa.Column("map_index", sa.Integer, primary_key=True),
        sa.Column("try_number", sa.Integer, primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("start_date", sa.DateTime),
        sa.Column("end_date", sa.DateTime),
        sa.Column("hostname", sa.String(250)),
        sa.Column("error", sa.Text),
        sa.Column("rendered_map_index", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("task_instance_history")
    op.drop_column("dag_run", "note")
