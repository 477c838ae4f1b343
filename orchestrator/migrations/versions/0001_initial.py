"""The initial store: runs, task instances, maps, XComs and logs.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dag_run",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("logical_date", sa.DateTime, nullable=False),
        sa.Column("conf", sa.Text, nullable=False),
        sa.Column("fileloc", sa.Text, nullable=False),
        sa.Column("start_date", sa.DateTime),
        sa.Column("end_date", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_dag_run_dag_id_state", "dag_run", ["dag_id", "state"])
    op.create_table(
        "task_instance",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("task_id", sa.String(250), primary_key=True),
        sa.Column("map_index", sa.Integer, primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("try_number", sa.Integer, nullable=False),
        sa.Column("max_tries", sa.Integer, nullable=False),
        sa.Column("queued_at", sa.DateTime),
        sa.Column("start_date", sa.DateTime),
        sa.Column("end_date", sa.DateTime),
        sa.Column("heartbeat_at", sa.DateTime),
        sa.Column("hostname", sa.String(250)),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_task_instance_run_state", "task_instance", ["run_id", "state"])
    op.create_table(
        "task_map",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("task_id", sa.String(250), primary_key=True),
        sa.Column("length", sa.Integer, nullable=False),
        sa.Column("lengths", sa.Text, nullable=False),
    )
    op.create_table(
        "xcom",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("task_id", sa.String(250), primary_key=True),
        sa.Column("map_index", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "task_log",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("task_id", sa.String(250), primary_key=True),
        sa.Column("map_index", sa.Integer, primary_key=True),
        sa.Column("try_number", sa.Integer, primary_key=True),
        sa.Column("hostname", sa.String(250)),
        sa.Column("content", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("task_log", "xcom", "task_map", "task_instance", "dag_run"):
        op.drop_table(table)
