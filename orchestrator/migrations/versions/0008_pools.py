"""Pools and slot-limited task instances.

The ``slot_pool`` table (Airflow's ``slot_pool``: name, slots, description; ``-1`` slots:
unlimited) and, on ``task_instance``, the pool, pool slots and priority weight of a slot-limited
instance with ``admission`` (the limits it is admitted under, JSON), set while it waits for or
holds a slot. The partial index finds those rows without an index on ``state`` (which would end
PostgreSQL's HOT updates of the claim and the end of tries).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slot_pool",
        sa.Column("pool", sa.String(256), primary_key=True),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
    )
    op.add_column("task_instance", sa.Column("pool", sa.String(256), nullable=True))
    op.add_column("task_instance", sa.Column("pool_slots", sa.Integer(), nullable=True))
    op.add_column("task_instance", sa.Column("priority_weight", sa.Integer(), nullable=True))
    op.add_column("task_instance", sa.Column("admission", sa.Text(), nullable=True))
    op.create_index("ix_task_instance_admission", "task_instance", ["run_id"],
                    postgresql_where=sa.text("admission IS NOT NULL"), sqlite_where=sa.text("admission IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_task_instance_admission", table_name="task_instance")
    for name in ("admission", "priority_weight", "pool_slots", "pool"):
        op.drop_column("task_instance", name)
    op.drop_table("slot_pool")
