"""The read commands' reads through the database's driver alone (orchestrator.store.direct):
the same records, counts and rows SQLAlchemy reads, on SQLite and PostgreSQL; the store left to
open whatever they cannot; and `runs list` / `runs show` / `tasks list` importing no SQLAlchemy."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import DateTime, select

from executor.services import Services
from orchestrator.errors import ChordflowError
from orchestrator.schema import dag_run, task_instance
from orchestrator.settings import Settings
from orchestrator.store import RunRecord
from orchestrator.store.direct import DirectReads, open_direct
from orchestrator.store.reads import DATE_COLUMNS
from tests.conftest import base_env
from tests.harness import Harness
from tests.test_read_models import SEED  # add.expand(x=[1, 2, 3]) (x == 2 fails) -> total


@pytest.fixture(params=["sqlite", "postgresql"])
def h(request, tmp_path) -> Harness:
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    harness = Harness(tmp_path, url)
    yield harness
    harness.store.dispose()


def sqlalchemy_runs(h: Harness) -> dict[str, RunRecord]:
    with h.store.begin() as conn:
        return {row.run_id: RunRecord.from_row(row) for row in conn.execute(select(dag_run))}


def sqlalchemy_instances(h: Harness, run_id: str) -> list[dict]:
    with h.store.begin() as conn:
        query = select(task_instance).where(task_instance.c.run_id == run_id)
        return [dict(row._mapping) for row in conn.execute(query.order_by(task_instance.c.task_id,
                                                                           task_instance.c.map_index))]


def test_the_driver_alone_reads_what_sqlalchemy_reads(h):
    ended = h.run(SEED)
    started = h.start(h.write(SEED.replace('"seed"', '"other"')))  # expanded, nothing run: counted
    reads = open_direct(h.store.url)
    assert reads is not None
    expected = sqlalchemy_runs(h)
    assert expected[ended].final_counts and expected[started].final_counts is None
    for run_id in (ended, started):
        # Dates (SQLite keeps text) and JSON columns come back as SQLAlchemy's types make them.
        assert reads.get_run(run_id) == expected[run_id]
        assert isinstance(reads.get_run(run_id).logical_date, type(expected[run_id].logical_date))
        rows = sqlalchemy_instances(h, run_id)
        assert reads.list_instances(run_id) == rows
        assert reads.list_instances(run_id, "add", limit=2, offset=1) == [r for r in rows if r["task_id"] == "add"][1:3]
        assert reads.list_instances(run_id, offset=2) == rows[2:]  # an offset alone: every row after it
        assert reads.list_instances(run_id, limit=3) == rows[:3]
        assert reads.count_instances(run_id) == len(rows) and reads.count_instances(run_id, "total") == 1
        counted: dict[str, dict[str, int]] = {}
        for row in rows:
            counted.setdefault(row["task_id"], {}).setdefault(row["state"], 0)
            counted[row["task_id"]][row["state"]] += 1
        assert reads.state_counts(run_id) == counted
        assert reads.map_lengths(run_id) == {"add": 3}
        assert reads.instance_exists(run_id, "add", 2) and not reads.instance_exists(run_id, "add", 3)
        assert reads.instance_exists(run_id, "total") and not reads.instance_exists(run_id, "nope")
    assert reads.state_counts(ended) == {"add": {"success": 2, "failed": 1}, "total": {"success": 1}}
    assert [r.run_id for r in reads.list_runs()] == [started, ended]  # newest first
    assert reads.list_runs(dag_id="seed") == [expected[ended]]
    assert reads.list_runs(state="success", limit=5) == [expected[ended]]
    assert reads.list_runs(limit=1, offset=1) == [expected[ended]]
    assert reads.list_runs(limit=None) == reads.list_runs()  # no limit, as SQLAlchemy's .limit(None)
    assert reads.list_runs(limit=None, offset=1) == [expected[ended]]


def test_date_columns_are_the_schemas():
    assert DATE_COLUMNS == {c.name for table in (dag_run, task_instance) for c in table.columns
                            if isinstance(c.type, DateTime)}


def test_what_the_driver_cannot_open_is_left_to_the_store(tmp_path, pg_url):
    missing = tmp_path / "none.db"
    assert open_direct(f"sqlite:///{missing}") is None
    assert not missing.exists()  # not created: the store creates and migrates it
    assert open_direct("sqlite://") is None  # in memory
    assert open_direct("mysql://u@localhost/db") is None
    assert open_direct(f"sqlite://{missing}") is None  # not a URL SQLAlchemy reads either
    assert open_direct("postgresql+psycopg2://postgres@127.0.0.1:1/nothing") is None  # nobody listens
    assert open_direct(pg_url) is None  # a database without the schema
    h = Harness(tmp_path, pg_url)
    assert open_direct(pg_url) is not None
    assert open_direct(pg_url.replace("postgresql+psycopg2://", "postgresql://")) is not None
    assert open_direct(pg_url.replace("postgresql+psycopg2://", "postgres+psycopg2://")) is None  # as the store
    with h.store.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    assert open_direct(pg_url) is None  # another revision: the store migrates it first
    h.store.dispose()


def _cli_in_process(env: dict[str, str], *args: str) -> tuple[dict | list, bool]:
    """The JSON a command prints, and whether its process imported SQLAlchemy."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('sqlalchemy' in sys.modules, file=sys.stderr))\n"
            f"sys.argv = ['chordflow', *{list(args)!r}]\n"
            "import cli\ncli.main()\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr.strip().splitlines()[-1] == "True"


def test_read_commands_import_no_sqlalchemy_and_print_what_the_store_reads(h, tmp_path):
    run_id = h.run(SEED)
    env = {**base_env(tmp_path / "home"), "CHORDFLOW_DATABASE_URL": h.store.url,
           "CHORDFLOW_DAGS_FOLDER": str(h.folder)}
    from orchestrator import read_models

    shown, imported = _cli_in_process(env, "runs", "show", run_id, "--output", "json")
    assert not imported
    assert shown == read_models.run_summary(h.store, h.dagbag, run_id)
    assert [t["map_count"] for t in shown["tasks"]] == [3, None] and shown["tasks"][1]["upstream"] == ["add"]
    listed, imported = _cli_in_process(env, "tasks", "list", run_id, "--task-id", "add", "--limit", "2",
                                       "--offset", "1", "--output", "json")
    assert not imported
    assert [(r["map_index"], r["state"]) for r in listed] == [(1, "failed"), (2, "success")]
    assert listed == read_models.instance_rows(h.store, run_id, "add", 2, 1)
    runs, imported = _cli_in_process(env, "runs", "list", "--output", "json")
    assert not imported and [r["run_id"] for r in runs] == [run_id]
    # No store yet: the command opens the store, which creates the schema, and answers.
    fresh, imported = _cli_in_process(base_env(tmp_path / "fresh"), "runs", "list", "--output", "json")
    assert fresh == [] and imported and (tmp_path / "fresh" / "chordflow.db").is_file()


def test_the_authoring_api_and_the_cli_import_neither_sqlalchemy_nor_celery():
    # A DAG file imports `orchestrator`; every command imports `cli`: each pays only for what it uses.
    code = "import orchestrator, cli, sys; print(sorted({'sqlalchemy', 'celery', 'kombu'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_connection_lost_during_a_read_is_one_clear_error_and_services_close_theirs(tmp_path, pg_url):
    h = Harness(tmp_path, pg_url.replace("postgres@", "postgres:secret@"))
    run_id = h.run(SEED)
    svc = Services(Settings.from_env({"CHORDFLOW_HOME": str(tmp_path), "CHORDFLOW_DATABASE_URL": h.store.url,
                                      "CHORDFLOW_BROKER_URL": "redis://127.0.0.1:6379/13"}))
    reads = svc.reader
    assert isinstance(reads, DirectReads) and reads.get_run(run_id).state == "success"
    with h.store.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({reads._conn.get_backend_pid()})")
    with pytest.raises(ChordflowError, match=r"cannot read the database at postgresql\+psycopg2://postgres:\*\*\*@"):
        reads.get_run(run_id)
    svc.close()
    assert reads._conn.closed
    h.store.dispose()
