"""The store's tables (SQLAlchemy Core). Migrations in ``orchestrator/migrations`` create them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text, text

from orchestrator.store.revision import SCHEMA_REVISION  # noqa: F401 - the schema's revision, beside it

metadata = MetaData()

#: The runs the scheduler and backfills make: at most one per DAG and logical date.
AUTOMATED_RUN_TYPES = "run_type IN ('scheduled', 'backfill')"


def _instance_key() -> list[Column]:
    """The columns naming one task instance, ``(run_id, task_id, map_index)``: a primary key's first part."""
    return [
        Column("run_id", String(250), primary_key=True),
        Column("task_id", String(250), primary_key=True),
        Column("map_index", Integer, primary_key=True),
    ]


dag_run = Table(
    "dag_run",
    metadata,
    Column("run_id", String(250), primary_key=True),
    Column("dag_id", String(250), nullable=False),
    Column("state", String(20), nullable=False),
    Column("logical_date", DateTime, nullable=False),
    Column("conf", Text, nullable=False, default="{}"),
    Column("fileloc", Text, nullable=False),
    Column("start_date", DateTime),
    Column("end_date", DateTime),
    Column("created_at", DateTime, nullable=False),
    # Why the run ended out of the ordinary: cancelled (and by what), interrupted (migration 0005).
    Column("note", Text),
    # manual, scheduled or backfill (Airflow's DagRunType), and the data interval the run covers (migration 0009;
    # NULL for runs made before it).
    Column("run_type", String(20), nullable=False, server_default="manual"),
    Column("data_interval_start", DateTime),
    Column("data_interval_end", DateTime),
    # An ended run's {task_id: {state: count}} (JSON), written as it ends, NULL again when it is cleared
    # (migration 0011): reads of an ended run count nothing.
    Column("final_counts", Text),
    Index("ix_dag_run_dag_id_state", "dag_id", "state"),
    # The DAG's previous / next run by logical date: depends_on_past (migration 0010).
    Index("ix_dag_run_dag_id_logical_date", "dag_id", "logical_date"),
    # One scheduled or backfill run per DAG and logical date, whoever creates it: the exactly-once key.
    Index("ux_dag_run_automated", "dag_id", "logical_date", unique=True),  # partial: see DIALECT_OPTIONS
)

task_instance = Table(
    "task_instance",
    metadata,
    *_instance_key(),
    Column("state", String(20), nullable=False),
    Column("try_number", Integer, nullable=False, default=0),
    Column("max_tries", Integer, nullable=False, default=0),
    # When the instance was queued; for a sensor ``up_for_reschedule``: when its next poke is due.
    Column("queued_at", DateTime),
    Column("start_date", DateTime),
    Column("end_date", DateTime),
    Column("heartbeat_at", DateTime),
    Column("hostname", String(250)),
    Column("error", Text),
    # The instance's name from its task's map_index_template (Airflow 2.9), set when a try ends.
    Column("rendered_map_index", Text),
    # The try's template_fields after rendering, a JSON object, written when the try ends (migration 0006).
    Column("rendered_fields", Text),
    # Slot-limited instances (migration 0008): the pool, the slots it takes and the priority the
    # advance step gave it when it was scheduled; ``admission`` (JSON: the limits it is admitted
    # under, see orchestrator/admission.py) is set while it waits for or holds a slot, and cleared
    # once it ended -- the partial index finds those few rows; no index holds ``state`` (HOT updates).
    Column("pool", String(256)),
    Column("pool_slots", Integer),
    Column("priority_weight", Integer),
    Column("admission", Text),
    Index("ix_task_instance_admission", "run_id"),  # partial: see DIALECT_OPTIONS
)

task_map = Table(
    "task_map",
    metadata,
    Column("run_id", String(250), primary_key=True),
    Column("task_id", String(250), primary_key=True),
    Column("length", Integer, nullable=False),
    Column("lengths", Text, nullable=False),
)

xcom = Table(
    "xcom",
    metadata,
    *_instance_key(),
    Column("key", String(250), primary_key=True),
    Column("value", Text, nullable=False),
)

task_log = Table(
    "task_log",
    metadata,
    *_instance_key(),
    Column("try_number", Integer, primary_key=True),
    Column("hostname", String(250)),
    Column("content", Text, nullable=False),
)

#: Tries that ``tasks clear`` sent back, one row each (Airflow 2.10's TaskInstanceHistory): the
#: next try of the instance is numbered after them, and how they ended stays readable.
task_instance_history = Table(
    "task_instance_history",
    metadata,
    *_instance_key(),
    Column("try_number", Integer, primary_key=True),
    Column("state", String(20), nullable=False),
    Column("start_date", DateTime),
    Column("end_date", DateTime),
    Column("hostname", String(250)),
    Column("error", Text),
    Column("rendered_map_index", Text),
    Column("rendered_fields", Text),
)

#: Airflow's Variables: ``Variable.get/set``, ``{{ var.value.key }}``, ``chordflow variables`` (migration 0007).
variable = Table(
    "variable",
    metadata,
    Column("key", String(250), primary_key=True),
    Column("val", Text, nullable=False),
    Column("description", Text),
)

#: Airflow's pools: a name and its slots (``-1``: unlimited); ``chordflow pools`` (migration 0008).
slot_pool = Table(
    "slot_pool",
    metadata,
    Column("pool", String(256), primary_key=True),
    Column("slots", Integer, nullable=False),
    Column("description", Text),
)

#: The DAGs the scheduler found in the DAGs folder (Airflow's DagModel), and when each is due next
#: (migration 0009). Its row is the lock a scheduler holds while it creates the DAG's runs.
dag = Table(
    "dag",
    metadata,
    Column("dag_id", String(250), primary_key=True),
    Column("fileloc", Text, nullable=False),
    Column("schedule", Text),
    Column("is_paused", Boolean, nullable=False),
    Column("max_active_runs", Integer),
    Column("next_dagrun", DateTime),
    Column("next_dagrun_data_interval_start", DateTime),
    Column("next_dagrun_data_interval_end", DateTime),
    Column("next_dagrun_create_after", DateTime),
    Column("last_parsed_time", DateTime),
)


#: The tables' options of one SQL dialect: ``(table, index name or None for the table, option,
#: value)``, given to them by :func:`use_dialect` when a database of that dialect is opened. Given
#: as ``postgresql_where=...`` where the tables are defined, they would make SQLAlchemy import
#: every dialect's modules, about 30 ms each, at the start of every command.
DIALECT_OPTIONS: dict[str, list[tuple[Table, str | None, str, Any]]] = {
    dialect: [
        (dag_run, "ux_dag_run_automated", "where", text(AUTOMATED_RUN_TYPES)),
        # Slot-limited instances are few: the partial index finds them.
        (task_instance, "ix_task_instance_admission", "where", text("admission IS NOT NULL")),
    ]
    for dialect in ("postgresql", "sqlite")
}
# Room on each page for the claim's and the end's row versions: HOT updates (migration 0003).
DIALECT_OPTIONS["postgresql"].append((task_instance, None, "with", {"fillfactor": 50}))


def use_dialect(name: str) -> None:
    """Give the tables the options of SQL dialect ``name`` (:data:`DIALECT_OPTIONS`; ``"sqlite"``
    or ``"postgresql"``, as SQLAlchemy names them): before creating or comparing them on such a
    database. Setting them again is harmless."""
    for table, index_name, option, value in DIALECT_OPTIONS.get(name, ()):
        item = table if index_name is None else next(ix for ix in table.indexes if ix.name == index_name)
        item.dialect_options[name][option] = value
