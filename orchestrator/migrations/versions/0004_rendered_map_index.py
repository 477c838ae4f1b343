"""Task instances keep the name their task's ``map_index_template`` renders (Airflow 2.9).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task_instance", sa.Column("rendered_map_index", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("task_instance", "rendered_map_index")
