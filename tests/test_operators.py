"""The SQL and object-storage operators: mapped, templated, repeatable, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from orchestrator import connections
from orchestrator.errors import DagDefinitionError
from orchestrator.operators import DeleteObjectsOperator, FileToTableOperator
from orchestrator.operators.sql import split_sql
from tests.harness import Harness


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse(request, tmp_path, monkeypatch) -> str:
    """The URL of connection ``wh``, set the way users set it: CHORDFLOW_CONN_WH."""
    url = f"sqlite:///{tmp_path / 'wh.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    monkeypatch.setenv("CHORDFLOW_CONN_WH", url)
    yield url
    connections._engine.cache_clear()  # drop pooled connections before the database is dropped


@pytest.fixture
def harness(tmp_path):
    h = Harness(tmp_path)
    yield h
    h.store.dispose()


def query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def write_csv(folder, name: str, rows: list[tuple], header=("id", "name")) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    lines = ([",".join(header)] if header else []) + [",".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_sql_files_are_found_templated_and_run_statement_by_statement(harness, warehouse):
    (harness.folder / "sql").mkdir()
    (harness.folder / "sql" / "setup.sql").write_text(
        "CREATE TABLE notes (ds TEXT, body TEXT);\n"
        "INSERT INTO notes VALUES ('{{ ds }}', 'semi;colon -- not a comment');\n"
        "INSERT INTO notes VALUES ('{{ ds }}', '%/percent/%');\n"
    )
    run_id = harness.run("""
from orchestrator.operators import SQLExecuteQueryOperator

with DAG(dag_id="sql_files", template_searchpath="sql") as d:
    setup = SQLExecuteQueryOperator(task_id="setup", conn_id="wh", sql="setup.sql")
    count = SQLExecuteQueryOperator(task_id="count", conn_id="wh",
                                    sql="SELECT ds, COUNT(*) FROM notes WHERE body LIKE :p GROUP BY ds",
                                    parameters={"p": "%/{{ 'per' + 'cent' }}/%"})
    per_query = SQLExecuteQueryOperator.partial(task_id="per_query", conn_id="wh").expand(
        sql=["SELECT body FROM notes ORDER BY body", "SELECT COUNT(*) FROM notes WHERE body LIKE '%;%'"])
    setup >> count
    setup >> per_query
""")
    assert harness.store.get_run(run_id).state == "success"
    bodies = [("%/percent/%",), ("semi;colon -- not a comment",)]
    assert query(warehouse, "SELECT body FROM notes ORDER BY body") == bodies
    assert harness.xcom(run_id, "count") == [["2022-04-12", 1]]  # the templated parameter was bound
    assert harness.xcom(run_id, "per_query", 0) == [["%/percent/%"], ["semi;colon -- not a comment"]]
    assert harness.xcom(run_id, "per_query", 1) == [[1]]


def test_a_missing_sql_file_fails_naming_where_it_was_looked_for(harness, warehouse):
    run_id = harness.run("""
from orchestrator.operators import SQLExecuteQueryOperator

with DAG(dag_id="no_sql_file") as d:
    SQLExecuteQueryOperator(task_id="q", conn_id="wh", sql="missing.sql")
""")
    [row] = harness.store.list_instances(run_id, "q")
    assert row["state"] == "failed" and "missing.sql" in row["error"] and str(harness.folder) in row["error"]


def test_sql_scripts_split_outside_strings():
    assert split_sql("SELECT 'a;b'; SELECT 2;\n-- done\n") == ["SELECT 'a;b'", "SELECT 2"]


def test_file_loads_are_mapped_per_file_and_repeatable(harness, warehouse, tmp_path):
    query(warehouse, "CREATE TABLE people (id INTEGER, name TEXT, source TEXT)")
    first = write_csv(tmp_path / "in", "a.csv", [(1, "ann"), (2, "bob")])
    second = write_csv(tmp_path / "in", "b.csv", [(3, "cy"), (4, ""), (5, "dee")])
    source = f"""
from orchestrator.operators import FileToTableOperator

@task
def files():
    return [{first!r}, {second!r}]

with DAG(dag_id="loads") as d:
    FileToTableOperator.partial(task_id="load", table="people", conn_id="wh", source_column="source").expand(
        files=files())
"""
    run_id = harness.run(source)
    assert harness.store.get_run(run_id).state == "success"
    assert [harness.xcom(run_id, "load", i)["rows"] for i in (0, 1)] == [2, 3]
    assert query(warehouse, "SELECT id, name, source FROM people ORDER BY id") == [
        (1, "ann", first), (2, "bob", first), (3, "cy", second), (4, None, second), (5, "dee", second)]
    harness.run(source)  # loading the same files again replaces their rows
    assert query(warehouse, "SELECT COUNT(*) FROM people") == [(5,)]


def test_a_file_with_a_bad_line_loads_nothing_and_names_the_line(harness, warehouse, tmp_path):
    query(warehouse, "CREATE TABLE people (id INTEGER, name TEXT)")
    bad = write_csv(tmp_path / "in", "bad.csv", [(1, "ann"), ("2,bob,extra",)])
    run_id = harness.run(f"""
from orchestrator.operators import FileToTableOperator

with DAG(dag_id="bad_load") as d:
    FileToTableOperator(task_id="load", table="people", conn_id="wh", files=[{bad!r}])
""")
    [row] = harness.store.list_instances(run_id, "load")
    assert row["state"] == "failed" and "bad.csv" in row["error"]
    assert query(warehouse, "SELECT COUNT(*) FROM people") == [(0,)]


def test_a_file_without_header_needs_columns(harness, warehouse, tmp_path):
    query(warehouse, "CREATE TABLE people (id INTEGER, name TEXT)")
    plain = write_csv(tmp_path / "in", "plain.csv", [(7, "gus")], header=None)
    run_id = harness.run(f"""
from orchestrator.operators import FileToTableOperator

with DAG(dag_id="headerless") as d:
    FileToTableOperator(task_id="load", table="people", conn_id="wh", files={plain!r},
                        file_format={{"header": False}}, columns=["id", "name"])
    FileToTableOperator(task_id="unnamed", table="people", conn_id="wh", files={plain!r},
                        file_format={{"header": False}})
""")
    assert harness.states(run_id, "load") == {-1: "success"}
    [row] = harness.store.list_instances(run_id, "unnamed")
    assert "no header" in row["error"]
    assert query(warehouse, "SELECT id, name FROM people") == [(7, "gus")]


def test_objects_are_copied_per_prefix_and_deleted(harness, tmp_path):
    landing = tmp_path / "landing"
    for day, names in (("d1", ["a.csv", "sub/b.csv"]), ("d2", ["c.csv"])):
        for name in names:
            (landing / day / name).parent.mkdir(parents=True, exist_ok=True)
            (landing / day / name).write_text(name)
    run_id = harness.run(f"""
from orchestrator.operators import CopyObjectsOperator, DeleteObjectsOperator

with DAG(dag_id="objects") as d:
    copy = CopyObjectsOperator.partial(task_id="copy").expand_kwargs([
        {{"source": "{landing}/d1", "destination": "{tmp_path}/kept/d1"}},
        {{"source": "{landing}/d2/c.csv", "destination": "{tmp_path}/kept/d2"}},
        {{"source": "{landing}/nothing", "destination": "{tmp_path}/kept/none"}},
    ])
    gone = DeleteObjectsOperator(task_id="delete", prefix="{landing}/d1")
    one = DeleteObjectsOperator(task_id="delete_one", objects=["{landing}/d2/c.csv", "{landing}/d2/absent.csv"])
    copy >> [gone, one]
""")
    assert harness.store.get_run(run_id).state == "success"
    assert [harness.xcom(run_id, "copy", i) for i in range(3)] == [2, 1, 0]
    kept = sorted(str(p.relative_to(tmp_path / "kept")) for p in (tmp_path / "kept").rglob("*") if p.is_file())
    assert kept == ["d1/a.csv", "d1/sub/b.csv", "d2/c.csv"]
    assert (harness.xcom(run_id, "delete"), harness.xcom(run_id, "delete_one")) == (2, 1)
    assert not (landing / "d1").exists() and list((landing / "d2").iterdir()) == []


def test_operator_arguments_are_checked_when_the_dag_is_defined():
    with pytest.raises(DagDefinitionError, match="either objects or prefix"):
        DeleteObjectsOperator(task_id="d")
    with pytest.raises(DagDefinitionError, match="unknown file_format option.*quote"):
        FileToTableOperator(task_id="l", files="x.csv", table="t", file_format={"quote": "'"})


def test_a_connection_not_configured_is_a_database_beside_the_store(monkeypatch, tmp_path):
    monkeypatch.delenv("CHORDFLOW_CONN_MY_DB", raising=False)
    monkeypatch.setenv("CHORDFLOW_HOME", str(tmp_path))
    monkeypatch.delenv("CHORDFLOW_DATABASE_URL", raising=False)
    assert connections.env_name("my-db") == "CHORDFLOW_CONN_MY_DB"
    assert connections.database_url("my-db") == f"sqlite:///{tmp_path / 'my-db.db'}"
    monkeypatch.setenv("CHORDFLOW_DATABASE_URL", "postgresql://u@db:5432/store")
    assert connections.database_url("my-db") == "postgresql+psycopg2://u@db:5432/store"
    monkeypatch.setenv("CHORDFLOW_CONN_MY_DB", "sqlite:////data/w.db")
    assert connections.database_url("my-db") == "sqlite:////data/w.db"
