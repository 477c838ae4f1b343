"""Airflow's Variables: a key, its text value and an optional description.

``Variable.get`` / ``Variable.set``, ``{{ var.value.<key> }}`` / ``{{ var.json.<key> }}`` in templates
and ``chordflow variables`` read and write this table; ``CHORDFLOW_VAR_<KEY>`` in the environment
takes precedence over a row, as Airflow's ``AIRFLOW_VAR_<KEY>`` does.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "variable",
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("val", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("variable")
