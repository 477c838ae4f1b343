"""Each try keeps its rendered templated fields (Airflow's RenderedTaskInstanceFields).

``task_instance.rendered_fields`` and ``task_instance_history.rendered_fields``: a JSON object
``{field: rendered value}`` of the operator's ``template_fields`` after Jinja rendering, written
with the end of the try, so the web UI's Rendered tab shows what that try really ran with.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task_instance", sa.Column("rendered_fields", sa.Text(), nullable=True))
    op.add_column("task_instance_history", sa.Column("rendered_fields", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("task_instance_history", "rendered_fields")
    op.drop_column("task_instance", "rendered_fields")
