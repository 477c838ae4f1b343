"""ELT over the files that landed today: one mapped load per file, then a transform in the
warehouse and a copy of the files to ``processed/``, in parallel; finally the landing folder
is deleted.

    chordflow run examples/mapping_elt.py --logical-date 2022-04-12 --wait

Storage is ``ELT_STORAGE_URL`` (default ``$CHORDFLOW_HOME/elt-storage``; ``s3://bucket/elt``
with s3fs installed): files land under ``landing/<ds_nodash>/`` and are kept under
``processed/<ds_nodash>/``. The warehouse is connection ``warehouse``
(``CHORDFLOW_CONN_WAREHOUSE``; unset: the store's PostgreSQL database, or a SQLite file beside
the embedded store). So that the example runs anywhere, ``land_sample_files`` first copies the
sample files of the day shipped in ``examples/data/`` to the landing folder (the samples stay);
set ``ELT_LAND_SAMPLES=0`` where files land by themselves. ``wait_for_landing`` (a FileSensor in
reschedule mode: no worker process waits) waits up to ``ELT_WAIT_FOR_FILES`` seconds (default 0:
one look) for the day's first file, then lets the day go on with what has landed.

A day with no files: the sensor ends ``skipped`` (``soft_fail``), ``get_files``
(``none_failed``) returns ``[]``, the load is ``skipped``; the transform and the copy
(``all_success``) are skipped with it -- nothing to transform -- and the cleanup
(``none_failed``) still runs. A failed load fails the run and keeps the landed files for a retry.
"""
import os
from datetime import datetime
from pathlib import Path

from orchestrator import TriggerRule, dag, task
from orchestrator.operators import (
    CopyObjectsOperator,
    DeleteObjectsOperator,
    FileToTableOperator,
    SQLExecuteQueryOperator,
)
from orchestrator.operators.storage import list_objects
from orchestrator.sensors import FileSensor
from orchestrator.settings import Settings

HERE = Path(__file__).resolve().parent
STORAGE = (os.environ.get("ELT_STORAGE_URL") or str(Settings.from_env().home / "elt-storage")).rstrip("/")
SAMPLES = os.environ.get("ELT_SAMPLES_URL") or str(HERE / "data")
LAND_SAMPLES = os.environ.get("ELT_LAND_SAMPLES", "1") != "0"
WAIT_FOR_FILES = float(os.environ.get("ELT_WAIT_FOR_FILES", "0"))
LANDING = f"{STORAGE}/landing"
PROCESSED = f"{STORAGE}/processed"
WAREHOUSE = "warehouse"


@task(trigger_rule=TriggerRule.NONE_FAILED)
def get_files(current_prefix: str) -> list[list[str]]:
    """One element per file that landed under the day's prefix (a list: a load takes files)."""
    return [[url] for url in list_objects(f"{LANDING}/{current_prefix}/") if url.endswith(".csv")]


@dag(
    dag_id="mapping_elt",
    schedule="@daily",
    start_date=datetime(2022, 4, 1),
    template_searchpath="include",
    tags=["example", "elt"],
)
def mapping_elt():
    create_tables = SQLExecuteQueryOperator(task_id="create_tables", conn_id=WAREHOUSE, sql="create_tables.sql")
    files = get_files(current_prefix="{{ ds_nodash }}")
    wait_for_landing = FileSensor(
        task_id="wait_for_landing",
        filepath=LANDING + "/{{ ds_nodash }}/*.csv",
        mode="reschedule",
        poke_interval=min(60.0, WAIT_FOR_FILES) or 60.0,
        timeout=WAIT_FOR_FILES,
        soft_fail=True,
    )
    wait_for_landing >> files
    if LAND_SAMPLES:
        CopyObjectsOperator(
            task_id="land_sample_files", source=SAMPLES + "/{{ ds_nodash }}", destination=LANDING + "/{{ ds_nodash }}"
        ) >> wait_for_landing

    load = FileToTableOperator.partial(
        task_id="load_files_to_warehouse",
        table="homes_raw",
        conn_id=WAREHOUSE,
        file_format={"delimiter": ",", "header": True},
        source_column="source_file",
        retries=2,
    ).expand(files=files)
    create_tables >> load

    copy_to_processed = CopyObjectsOperator(
        task_id="copy_to_processed",
        source=LANDING + "/{{ ds_nodash }}",
        destination=PROCESSED + "/{{ ds_nodash }}",
    )
    transform = SQLExecuteQueryOperator(task_id="transform", conn_id=WAREHOUSE, sql="transform.sql")
    delete_landing = DeleteObjectsOperator(
        task_id="delete_landing_folder",
        prefix=LANDING + "/{{ ds_nodash }}",
        trigger_rule=TriggerRule.NONE_FAILED,
    )
    load >> [copy_to_processed, transform] >> delete_landing


mapping_elt()
