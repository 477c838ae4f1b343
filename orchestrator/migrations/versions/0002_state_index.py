"""Task instances indexed by state alone (the reconciler's scans across runs), not by run and state.

The (run_id, state) index served no query the primary key (run_id, task_id, map_index) does not
serve, and with fresh statistics PostgreSQL sometimes chose it over the primary key for a worker's
claim of one map index, scanning the whole map instead of one row.

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
    op.create_index("ix_task_instance_state", "task_instance", ["state"])


def downgrade() -> None:
    op.drop_index("ix_task_instance_state", table_name="task_instance")
    op.create_index("ix_task_instance_run_state", "task_instance", ["run_id", "state"])
