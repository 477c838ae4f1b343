"""The store's compare-and-set and upserts, on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import orchestrator
from orchestrator.errors import DuplicateRunError, RunNotFound, RunStateError
from orchestrator.schema import SCHEMA_REVISION, metadata
from orchestrator.states import TaskInstanceState as TI
from orchestrator.store import LogChunk, Store, TryEnd, masked_url
from tests.harness import claim, create_run, finish


def make_run(store: Store, run_id: str = "r1", width: int = 3) -> None:
    create_run(store, run_id, [("t", 1)])
    with store.locked_run(run_id) as tx:
        tx.expand("t", [width], TI.QUEUED, 1)


def test_claim_is_exclusive(store):
    make_run(store)
    first = claim(store, "r1", "t", [0, 1], "host-a")
    again = claim(store, "r1", "t", [0, 1, 2], "host-b")
    assert [c.map_index for c in first] == [0, 1] and all(c.try_number == 1 for c in first)
    assert [c.map_index for c in again] == [2]


def test_a_stale_try_cannot_finish_an_instance(store):
    make_run(store)
    claim(store, "r1", "t", [0], "h")
    assert not finish(store, "r1", "t", 0, 2, TI.SUCCESS, xcoms={"return_value": "1"})
    with pytest.raises(KeyError):
        store.xcom_value("r1", "t", 0)
    assert finish(store, "r1", "t", 0, 1, TI.SUCCESS, xcoms={"return_value": "1"})
    assert store.xcom_value("r1", "t", 0) == 1


def test_a_finished_instance_never_moves_backwards(store):
    make_run(store)
    claim(store, "r1", "t", [0], "h")
    assert finish(store, "r1", "t", 0, 1, TI.SUCCESS, xcoms={"return_value": "7"})
    assert claim(store, "r1", "t", [0], "h") == []
    assert not finish(store, "r1", "t", 0, 1, TI.FAILED, error="late duplicate")
    row = store.list_instances("r1", "t")[0]
    assert (row["state"], row["error"]) == ("success", None)


def test_xcom_writes_are_upserts(store):
    make_run(store)
    claim(store, "r1", "t", [0], "h")
    finish(store, "r1", "t", 0, 1, TI.UP_FOR_RETRY, xcoms={"return_value": '"first"'})
    claim(store, "r1", "t", [0], "h")
    finish(store, "r1", "t", 0, 2, TI.SUCCESS, xcoms={"return_value": '"second"'})
    assert store.xcom_value("r1", "t", 0) == "second"
    assert store.xcom_count("r1", "t") == 1


AWKWARD_TEXTS = ['', 'NULL', 'null', '"quoted"', 'back\\slash', '\\"', '{a,b}', 'a, b', ' padded ', 'tab\tline\nnext',
                 "it's", 'ünïcødé ✓', '\\N', '}', '{', '"']


@pytest.mark.parametrize("one_by_one", [False, True], ids=["together", "one-by-one"])
def test_ends_of_tries_keep_every_text_and_time_exactly(store, one_by_one):
    """Ends are written in bulk (on PostgreSQL as array literals we build), or one try alone
    (PostgreSQL's statement for one try, its values as scalars): quotes, backslashes, braces,
    commas, blanks, 'NULL' and None each come back as they were, in every column of the end."""
    make_run(store, width=len(AWKWARD_TEXTS) + 1)
    indices = list(range(len(AWKWARD_TEXTS) + 1))
    claim(store, "r1", "t", indices, "h")
    began = datetime(2022, 1, 1, 12, 0, 0, 123456)
    endings = [
        TryEnd(i, 1, TI.FAILED, {"return_value": json.dumps(text), text or "k": json.dumps([text])}, text,
               text, f"host {text}", began + timedelta(seconds=i), began + timedelta(seconds=i, microseconds=7),
               rendered_map_index=f"name {text}", rendered_fields=text)
        for i, text in enumerate(AWKWARD_TEXTS)
    ] + [TryEnd(len(AWKWARD_TEXTS), 1, TI.SUCCESS, {}, None, None, None)]
    if one_by_one:
        assert [store.finish_many("r1", "t", [ending]) for ending in endings] == [[True]] * len(endings)
    else:
        assert store.finish_many("r1", "t", endings) == [True] * len(endings)
    rows = {r["map_index"]: r for r in store.list_instances("r1", "t")}
    for i, text in enumerate(AWKWARD_TEXTS):
        assert (rows[i]["error"], rows[i]["rendered_map_index"]) == (text, f"name {text}")
        assert store.get_instance("r1", "t", i)["rendered_fields"] == text
        assert store.xcom_value("r1", "t", i) == text
        assert store.xcom_value("r1", "t", i, text or "k") == [text]
        [log] = store.get_logs("r1", "t", i)
        assert (log["content"], log["hostname"]) == (text, f"host {text}")
        assert rows[i]["start_date"].replace(tzinfo=None) == began + timedelta(seconds=i)
        assert rows[i]["end_date"].replace(tzinfo=None) == began + timedelta(seconds=i, microseconds=7)
    last = rows[len(AWKWARD_TEXTS)]
    assert (last["state"], last["error"], last["end_date"] is not None) == ("success", None, True)
    assert (last["rendered_map_index"], store.xcom_map_indices("r1", "t")) == (None, indices[:-1])
    assert store.get_logs("r1", "t", len(AWKWARD_TEXTS)) == []


def test_expansion_is_one_row_per_index(store):
    make_run(store, width=500)
    rows = store.list_instances("r1", "t")
    assert [r["map_index"] for r in rows] == list(range(500))
    assert store.map_lengths("r1") == {"t": 500}


def test_duplicate_run_id_is_refused_and_unknown_run_named(store):
    make_run(store)
    with pytest.raises(DuplicateRunError, match="r1"):
        make_run(store)
    with pytest.raises(RunNotFound, match="nope"):
        store.get_run("nope")


def test_streamed_values_come_in_map_index_order(store):
    make_run(store, width=5)
    for index in (3, 0, 4):
        claim(store, "r1", "t", [index], "h")
        finish(store, "r1", "t", index, 1, TI.SUCCESS, xcoms={"return_value": str(index * 10)})
    assert list(store.iter_xcom_values("r1", "t")) == [0, 30, 40]
    assert store.xcom_map_indices("r1", "t") == [0, 3, 4]


def test_code_expects_the_migrations_head():
    config = Config()
    config.set_main_option("script_location", str(Path(orchestrator.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION


def test_migrations_create_exactly_the_models(pg_url):
    """The migrations, run one by one from nothing, make the schema the models describe (an empty
    database is given the models' tables at once, stamped at the head: the two must agree)."""
    from alembic import command

    store = Store(pg_url)
    config = Config()
    config.set_main_option("script_location", str(Path(orchestrator.__file__).parent / "migrations"))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        options = task_instance_options(conn)
    store.engine.dispose()
    assert diff == []
    assert "fillfactor=50" in options  # storage parameters are not compared by alembic


def task_instance_options(conn) -> list[str]:
    from sqlalchemy import text

    return conn.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'task_instance'")).scalar() or []


def test_an_empty_database_is_created_at_the_head_and_upgrades_as_a_noop(pg_url):
    store = Store(pg_url)
    store.upgrade()
    assert store.schema_revision() == SCHEMA_REVISION
    store.upgrade()  # now through alembic: already at the head
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert "fillfactor=50" in task_instance_options(conn)
    store.engine.dispose()


def test_masked_url_hides_the_password():
    assert "s3cret" not in masked_url("postgresql+psycopg2://user:s3cret@db:5432/x")
    assert "db:5432" in masked_url("postgresql+psycopg2://user:s3cret@db:5432/x")


def age_heartbeat(store: Store, seconds: float) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from orchestrator.schema import task_instance
    from orchestrator.store import utcnow

    with store.begin() as conn:
        conn.execute(update(task_instance).values(heartbeat_at=utcnow() - timedelta(seconds=seconds),
                                                  queued_at=utcnow() - timedelta(seconds=seconds)))


def test_a_running_instance_with_a_fresh_heartbeat_is_not_taken_over(store):
    make_run(store)
    claim(store, "r1", "t", [0], "a")
    assert claim(store, "r1", "t", [0], "b", zombie_after=30) == []
    assert store.requeue_zombies(30) == {}


def test_a_silent_worker_loses_its_instance_without_losing_a_try(store):
    make_run(store)
    claim(store, "r1", "t", [0], "dead")
    age_heartbeat(store, 60)
    taken = claim(store, "r1", "t", [0], "alive", zombie_after=30)
    assert [(c.map_index, c.try_number) for c in taken] == [(0, 1)]
    assert store.list_instances("r1", "t")[0]["hostname"] == "alive"


def test_scheduler_requeues_instances_of_a_dead_worker(store):
    make_run(store)
    claim(store, "r1", "t", [0, 1], "dead")
    assert store.heartbeat([("r1", "t", 0, 1), ("r1", "t", 1, 1)]) == {("r1", "t", 0, 1), ("r1", "t", 1, 1)}
    age_heartbeat(store, 60)
    assert store.requeue_zombies(30) == {("r1", "t"): [0, 1]}
    again = claim(store, "r1", "t", [0, 1], "alive")
    assert [c.try_number for c in again] == [1, 1]
    assert not finish(store, "r1", "t", 0, 0, TI.SUCCESS)


def test_only_one_scheduler_sends_a_stale_queued_instance_again(store):
    make_run(store, width=2)
    age_heartbeat(store, 120)
    assert store.stale_queued_tasks(60) == [("r1", "t")]
    assert store.touch_queued("r1", "t", 60, [1]) == [1]
    assert store.touch_queued("r1", "t", 60) == [0]
    assert store.touch_queued("r1", "t", 60) == []
    assert store.stale_queued_tasks(60) == []


def test_a_postgresql_url_without_a_driver_uses_psycopg2(pg_url):
    """SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3, which Chordflow does not ship."""
    bare = "postgresql://" + pg_url.split("://", 1)[1]
    store = Store(bare)
    try:
        store.ensure_schema()
        make_run(store)
        assert [c.map_index for c in claim(store, "r1", "t", [0], "h")] == [0]
    finally:
        store.dispose()


def test_the_worker_statements_find_their_rows_by_the_whole_primary_key(pg_url):
    """Without statistics PostgreSQL takes task_instance for tiny and plans each claim as a
    scan of the whole map (O(N) per instance); an expansion the statistics do not know of yet
    is followed by ANALYZE. Those statistics say every row is ``queued``: the end of tries,
    whose compare-and-set asks for ``running``, must still look its rows up by the whole key
    rather than scan the map for the "one" running row (a 1000-way map read 1000 rows per write)."""
    from sqlalchemy import text

    from orchestrator.store import PREPARED_PG, utcnow

    store = Store(pg_url)
    store.ensure_schema()
    make_run(store, width=2000)
    explain = {
        "chordflow_claim": {"run_id": "r1", "task_id": "t", "maps": [7, 8], "now": utcnow(), "hostname": "h",
                            "zombie_before": None, "poke_due_by": utcnow()},
        "chordflow_finish": {"run_id": "r1", "task_id": "t", "now": utcnow(), "maps": "{7,8}", "tries": "{1,1}",
                             "states": "{success,failed}", "errors": "{NULL,boom}", "starts": "{NULL,NULL}",
                             "ends": "{NULL,NULL}", "names": "{NULL,NULL}", "next_pokes": "{NULL,NULL}",
                             "rendered": "{NULL,NULL}", "x_maps": "{7}", "x_keys": "{return_value}", "x_values": "{1}",
                             "l_maps": "{}", "l_tries": "{}", "l_contents": "{}", "l_hosts": "{}"},
        "chordflow_finish_one": {"run_id": "r1", "task_id": "t", "now": utcnow(), "maps": 7, "tries": 1,
                                 "states": "success", "errors": None, "starts": None, "ends": None, "names": None,
                                 "next_pokes": None, "rendered": None, "x_maps": "{}", "x_keys": "{return_value}",
                                 "x_values": "{1}", "l_maps": 7, "l_tries": 1, "l_contents": "log", "l_hosts": "h"},
    }
    with store.autocommit() as conn:
        known = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'task_instance'")).scalar()
        plans = {name: "\n".join(conn.exec_driver_sql("EXPLAIN " + PREPARED_PG[name][2], params).scalars())
                 for name, params in explain.items()}
    store.dispose()
    assert known >= 2000
    for name, plan in plans.items():
        updated = plan.split("Update on task_instance", 1)[1].split("CTE", 1)[0]
        assert "Index Cond" in updated and "map_index = " in updated, (name, plan)
        assert "Seq Scan" not in updated and "Bitmap" not in updated, (name, plan)


def test_an_end_of_tries_sets_each_row_from_its_own_array_element(store):
    """The end of tries reads each row's state, error and dates at the row's own position in
    the arrays, whatever order the rows are found in."""
    make_run(store, width=6)
    claimed = claim(store, "r1", "t", [5, 1, 3, 0], "h")
    assert sorted(c.map_index for c in claimed) == [0, 1, 3, 5]
    start, end = datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 1, 2, 3, 4, 9)
    endings = [
        TryEnd(5, 1, TI.FAILED, {}, "five", None, "h", start, end, rendered_map_index='file "5".csv'),
        TryEnd(1, 1, TI.SUCCESS, {"return_value": "1"}, None, None, "h"),
        TryEnd(3, 2, TI.SUCCESS, {"return_value": "3"}, None, None, "h"),  # not its try
        TryEnd(0, 1, TI.SKIPPED, {}, None, None, "h", None, end),
    ]
    assert store.finish_many("r1", "t", endings) == [True, True, False, True]
    rows = {row["map_index"]: row for row in store.list_instances("r1", "t")}
    assert [rows[5][k] for k in ("state", "error", "start_date", "end_date", "rendered_map_index")] == [
        "failed", "five", start, end, 'file "5".csv']
    assert rows[1]["rendered_map_index"] is None
    assert (rows[1]["state"], rows[1]["error"]) == ("success", None)
    assert (rows[3]["state"], rows[0]["state"], rows[0]["end_date"]) == ("running", "skipped", end)
    assert store.xcom_map_indices("r1", "t") == [1]


def test_a_worker_statement_on_a_dropped_connection_is_retried_on_a_fresh_one(pg_url):
    """The claim and the end of tries run on pooled connections through the driver's cursor; a
    connection the server dropped (restart, idle timeout) fails once, leaves the pool and the
    statement runs again on a new connection."""
    from sqlalchemy import create_engine, text

    store = Store(pg_url)
    store.ensure_schema()
    make_run(store)
    assert [c.map_index for c in claim(store, "r1", "t", [0], "h")] == [0]
    killer = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    killer.dispose()
    assert killed >= 1
    assert [c.map_index for c in claim(store, "r1", "t", [1], "h")] == [1]
    assert store.finish_many("r1", "t", [TryEnd(1, 1, TI.SUCCESS, {"return_value": "5"})]) == [True]
    assert store.xcom_value("r1", "t", 1) == 5
    store.dispose()


def chunk(text: str, index: int = 0, try_number: int = 1, host: str = "h") -> LogChunk:
    return LogChunk("r1", "t", index, try_number, text, host)


def test_a_try_end_appends_to_the_log_written_while_it_ran(store):
    make_run(store)
    claim(store, "r1", "t", [0], "h")
    assert store.append_logs([chunk("first ✓\n")]) == [True]
    assert store.append_logs([chunk("second\n")]) == [True]
    assert store.finish_many("r1", "t", [TryEnd(0, 1, TI.SUCCESS, {}, None, "the end\n", "h")]) == [True]
    [log] = store.get_logs("r1", "t", 0)
    assert log["content"] == "first ✓\nsecond\nthe end\n"
    assert store.log_since("r1", "t", 0, 1, len("first ✓\n")) == ("second\nthe end\n", "h")
    assert store.log_since("r1", "t", 0, 2, 0) is None


def test_a_live_log_is_written_only_while_the_try_is_its_hosts(store):
    make_run(store)
    claim(store, "r1", "t", [0, 1], "h")
    assert store.append_logs([chunk("not my host", host="other"), chunk("not my try", try_number=2),
                              chunk("queued", index=2), chunk("mine", index=1)]) == [False, False, False, True]
    finish(store, "r1", "t", 1, 1, TI.SUCCESS, log="end\n", hostname="h")
    assert store.append_logs([chunk("after the end", index=1)]) == [False]
    assert [log["content"] for log in store.get_logs("r1", "t", 1)] == ["mineend\n"]
    assert store.get_logs("r1", "t", 0) == []


def test_a_resumed_try_keeps_what_its_dead_worker_wrote(store):
    make_run(store)
    claim(store, "r1", "t", [0], "dead")
    assert store.append_logs([chunk("before the kill\n", host="dead")]) == [True]
    age_heartbeat(store, 60)
    assert [c.try_number for c in claim(store, "r1", "t", [0], "alive", zombie_after=30)] == [1]
    assert store.append_logs([chunk("late write of the dead one\n", host="dead")]) == [False]
    assert finish(store, "r1", "t", 0, 1, TI.SUCCESS, log="resumed\n", hostname="alive")
    [log] = store.get_logs("r1", "t", 0)
    assert (log["content"], log["hostname"]) == ("before the kill\nresumed\n", "alive")


def test_heartbeat_tells_which_instances_are_still_running(store):
    make_run(store)
    claim(store, "r1", "t", [0, 1, 2], "h")
    finish(store, "r1", "t", 1, 1, TI.SUCCESS)
    assert store.heartbeat([("r1", "t", i, 1) for i in range(3)]) == {("r1", "t", 0, 1), ("r1", "t", 2, 1)}
    assert store.instance_states([("r1", "t", 1), ("r1", "t", 9)]) == {("r1", "t", 1): ("success", None)}


def test_cancel_fails_every_unfinished_instance_and_the_run_with_its_note(store):
    create_run(store, "r1", [("t", 1), ("after", 0), ("done", 0)])
    with store.locked_run("r1") as tx:
        tx.expand("t", [4], TI.QUEUED, 1)
        tx.set_states("done", None, TI.SKIPPED)
    claim(store, "r1", "t", [0, 1], "h")
    finish(store, "r1", "t", 1, 1, TI.SUCCESS, xcoms={"return_value": "1"})
    claim(store, "r1", "t", [2], "h")
    finish(store, "r1", "t", 2, 1, TI.UP_FOR_RETRY)
    assert store.cancel_run("r1", "cancelled: why", "the run was cancelled: why") == {"running": 1, "waiting": 3}
    run = store.get_run("r1")
    assert (run.state, run.note, run.end_date is not None) == ("failed", "cancelled: why", True)
    rows = {(r["task_id"], r["map_index"]): (r["state"], r["error"]) for r in store.list_instances("r1")}
    cancelled = ("failed", "the run was cancelled: why")
    assert rows == {("t", 0): cancelled, ("t", 1): ("success", None), ("t", 2): cancelled, ("t", 3): cancelled,
                    ("after", -1): cancelled, ("done", -1): ("skipped", None)}
    # the worker holding index 0 can no longer end it, and the queued one cannot be claimed
    assert not finish(store, "r1", "t", 0, 1, TI.SUCCESS, xcoms={"return_value": "0"})
    assert claim(store, "r1", "t", [2, 3], "h") == []
    assert store.heartbeat([("r1", "t", 0, 1)]) == set()


def test_cancelling_an_ended_run_is_refused(store):
    make_run(store)
    store.cancel_run("r1", "cancelled", "the run was cancelled")
    with pytest.raises(RunStateError, match="has ended already"):
        store.cancel_run("r1", "cancelled again", "the run was cancelled again")
    assert store.get_run("r1").note == "cancelled"
    with pytest.raises(RunNotFound):
        store.cancel_run("nope", "cancelled", "the run was cancelled")


def test_deleting_a_run_removes_its_rows_from_every_table_and_nothing_else(store):
    from sqlalchemy import func, insert, select

    from orchestrator.schema import dag_run, task_instance_history, task_log, task_map, xcom
    from orchestrator.schema import task_instance as ti

    tables = (dag_run, ti, task_map, xcom, task_log, task_instance_history)
    for run_id in ("r1", "r2"):
        make_run(store, run_id)
        claim(store, run_id, "t", [0], "h")
        finish(store, run_id, "t", 0, 1, TI.SUCCESS, xcoms={"return_value": "1"}, log="log\n", hostname="h")
        with store.begin() as conn:
            conn.execute(insert(task_instance_history).values(run_id=run_id, task_id="t", map_index=0, try_number=1,
                                                              state="failed"))
        store.cancel_run(run_id, "cancelled", "the run was cancelled")

    def rows(run_id):
        with store.begin() as conn:
            return [conn.execute(select(func.count()).select_from(t).where(t.c.run_id == run_id)).scalar()
                    for t in tables]

    before = rows("r2")
    assert store.delete_run("r1") == {"xcom": 1, "task_log": 1, "task_map": 1, "task_instance_history": 1,
                                      "task_instance": 3, "dag_run": 1}
    assert rows("r1") == [0] * len(tables)
    assert rows("r2") == before and all(before)


def test_deleting_a_run_that_has_not_ended_is_refused(store):
    make_run(store)
    with pytest.raises(RunStateError, match="chordflow runs cancel r1"):
        store.delete_run("r1")
    assert store.get_run("r1").state == "running"


@pytest.mark.parametrize("max_active_runs", [None, 16], ids=["no limit", "max_active_runs"])
def test_statistics_know_an_expansion_once_its_transaction_committed(pg_url, tmp_path, max_active_runs):
    """A run created under its DAG's max_active_runs expands inside the transaction that counts
    the DAG's runs: ANALYZE must come after that commit (before it, it sees no new rows, and the
    first run's claims were planned for an empty table: that map ran twice slower)."""
    from sqlalchemy import text

    from orchestrator.advance import ActiveRunLimit, start_run
    from tests.harness import Harness

    dag_file = tmp_path / "wide.py"
    dag_file.write_text(
        "from datetime import datetime\nfrom orchestrator import dag, task\n\n"
        "@task\ndef work(x):\n    return x\n\n"
        "@dag(dag_id='wide', schedule=None, start_date=datetime(2022, 1, 1))\n"
        "def wide():\n    work.expand(x=list(range(3000)))\n\nwide()\n")
    harness = Harness(tmp_path, pg_url)
    try:
        dag = harness.dagbag.find(str(dag_file))
        limit = None if max_active_runs is None else ActiveRunLimit(max_active_runs)
        start_run(harness.store, dag, "r1", datetime(2022, 4, 12), {}, harness.dagbag.fileloc_for(dag_file),
                  harness.dispatcher, harness.max_map_length, limit=limit)
        with harness.store.autocommit() as conn:
            known = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'task_instance'")).scalar()
            # Every admission pass looks for the rows with limits; with statistics on its column too,
            # PostgreSQL finds them in their partial index rather than scanning every instance.
            admission_plan = "\n".join(conn.execute(text(
                "EXPLAIN SELECT run_id, count(*) FROM task_instance WHERE admission IS NOT NULL GROUP BY run_id"
            )).scalars())
    finally:
        harness.store.dispose()
    assert known >= 3000
    assert "ix_task_instance_admission" in admission_plan, admission_plan


def test_a_store_loads_only_its_own_dialect_and_still_makes_the_partial_indexes(store):
    """The tables' dialect options are given when a database of that dialect is opened (given at
    definition, SQLAlchemy would import every dialect at every command's start); the indexes it
    makes are still partial, and PostgreSQL's task_instance keeps its fill factor."""
    import subprocess
    import sys

    other = "postgresql" if store.is_sqlite else "sqlite"
    code = ("import sys; from orchestrator.store import Store; s = Store(sys.argv[1]); s.ensure_schema(); "
            f"print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.{other}')))")
    shown = subprocess.run([sys.executable, "-c", code, store.url], capture_output=True, text=True, timeout=60)
    assert (shown.returncode, shown.stdout.strip()) == (0, "[]"), shown.stderr
    with store.begin() as conn:
        if store.is_sqlite:
            made = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'").all())
        else:
            made = dict(conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes").all())
            assert "fillfactor=50" in task_instance_options(conn)
    assert "WHERE" in made["ux_dag_run_automated"] and "'backfill'" in made["ux_dag_run_automated"]
    assert "WHERE" in made["ix_task_instance_admission"] and "IS NOT NULL" in made["ix_task_instance_admission"]
