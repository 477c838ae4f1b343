"""Schedules: the ``dag`` table (Airflow's DagModel) and each run's type and data interval.

``dag``: one row per DAG the scheduler found (file, schedule, paused, when its next run is due);
the scheduler locks it while it creates that DAG's runs. ``dag_run.run_type`` (manual, scheduled,
backfill), ``data_interval_start`` / ``_end`` (NULL for older runs), and a unique index on
``(dag_id, logical_date)`` over scheduled and backfill runs: each is created exactly once.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AUTOMATED = sa.text("run_type IN ('scheduled', 'backfill')")


def upgrade() -> None:
    op.create_table(
        "dag",
        sa.Column("dag_id", sa.String(250), primary_key=True),
        sa.Column("fileloc", sa.Text(), nullable=False),
        sa.Column("schedule", sa.Text()),
        sa.Column("is_paused", sa.Boolean(), nullable=False),
        sa.Column("max_active_runs", sa.Integer()),
        sa.Column("next_dagrun", sa.DateTime()),
        sa.Column("next_dagrun_data_interval_start", sa.DateTime()),
        sa.Column("next_dagrun_data_interval_end", sa.DateTime()),
        sa.Column("next_dagrun_create_after", sa.DateTime()),
        sa.Column("last_parsed_time", sa.DateTime()),
    )
    with op.batch_alter_table("dag_run") as batch:
        batch.add_column(sa.Column("run_type", sa.String(20), nullable=False, server_default="manual"))
        batch.add_column(sa.Column("data_interval_start", sa.DateTime()))
        batch.add_column(sa.Column("data_interval_end", sa.DateTime()))
    op.create_index("ux_dag_run_automated", "dag_run", ["dag_id", "logical_date"], unique=True,
                    sqlite_where=AUTOMATED, postgresql_where=AUTOMATED)


def downgrade() -> None:
    op.drop_index("ux_dag_run_automated", table_name="dag_run")
    with op.batch_alter_table("dag_run") as batch:
        batch.drop_column("data_interval_end")
        batch.drop_column("data_interval_start")
        batch.drop_column("run_type")
    op.drop_table("dag")
