"""dag_run.final_counts: an ended run's state counts, so that reading it counts nothing.

``{task_id: {state: count}}`` as JSON, written by the advance step that ends the run (it holds
those counts already, exact: every instance had finished, and a finished instance only changes
when the run is cleared) and set back to NULL when a clear puts the run back to running. ``runs
show``, the API's run and the Grid read it instead of grouping every instance of the run: at a
million instances that grouping is a scan of about 140 ms. NULL for a run that has not ended,
for one cancelled (it falls back to counting), and for runs ended before this revision.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dag_run", sa.Column("final_counts", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("dag_run", "final_counts")
