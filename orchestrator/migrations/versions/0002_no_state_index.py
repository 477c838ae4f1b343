"""No index on task instance states: the primary key (run_id, task_id, map_index) serves every query.

The (run_id, state) index served no query the primary key does not serve (the reconciler's scans
are limited to running runs), it cost an index write on every state change (no HOT updates), and
without fresh statistics PostgreSQL chose it over the primary key for a worker's claim, scanning
the whole map instead of the claimed rows.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_task_instance_run_state", table_name="task_instance")


def downgrade() -> None:
    op.create_index("ix_task_instance_run_state", "task_instance", ["run_id", "state"])
