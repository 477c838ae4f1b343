"""SQL operators: run statements in a database, load files into a table (both mappable)."""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import logging
from collections.abc import Sequence
from typing import Any, ClassVar

from typing_extensions import override

from orchestrator.baseoperator import BaseOperator
from orchestrator.connections import database_engine
from orchestrator.errors import DagDefinitionError
from orchestrator.operators.storage import open_url

log = logging.getLogger("chordflow.task")


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


def split_sql(sql: str) -> list[str]:
    """The statements of a script (sqlparse: semicolons inside strings and comments are kept);
    what is only a comment is not a statement."""
    import sqlparse

    statements = (statement.strip().rstrip(";").strip() for statement in sqlparse.split(sql))
    return [s for s in statements if sqlparse.format(s, strip_comments=True).strip()]


class SQLExecuteQueryOperator(BaseOperator):
    """Run SQL in the database of ``conn_id`` in one transaction, as Airflow's operator of that name.

    :param sql: statements, a list of them, or a ``.sql`` file (templated; looked for in the DAG's
        ``template_searchpath`` and its file's folder).
    :param conn_id: the connection (``CHORDFLOW_CONN_<ID>``; see :mod:`orchestrator.connections`).
    :param parameters: bound parameters (``:name`` in the SQL), templated.
    :param split_statements: run a script statement by statement (default True).
    :param return_last: the XCom is the rows of the last statement (default); False: of each.
    """

    template_fields: ClassVar[tuple[str, ...]] = ("sql", "parameters")
    template_ext: ClassVar[tuple[str, ...]] = (".sql",)

    def __init__(self, *, sql: str | Sequence[str], conn_id: str = "sql_default",
                 parameters: dict[str, Any] | None = None, split_statements: bool = True,
                 return_last: bool = True, **kwargs: Any):
        self.sql = sql
        self.conn_id = conn_id
        self.parameters = parameters
        self.split_statements = split_statements
        self.return_last = return_last
        super().__init__(**kwargs)

    @override
    def execute(self, context: dict[str, Any]) -> Any:
        from sqlalchemy import text

        scripts = [self.sql] if isinstance(self.sql, str) else list(self.sql)
        statements = [s for script in scripts for s in (split_sql(script) if self.split_statements else [script])]
        if not statements:
            raise ValueError(f"task {self.task_id!r}: no SQL statement to run")
        results: list[list[list[Any]] | None] = []
        with database_engine(self.conn_id).begin() as conn:
            # Without parameters the statement goes to the driver as it is (no placeholder
            # parsing: a LIKE '%...%' stays a pattern), in the transaction of ``conn``.
            cursor = conn.connection.dbapi_connection.cursor()
            for statement in statements:
                log.info("Running statement: %s", " ".join(statement.split())[:500])
                if self.parameters:
                    result = conn.execute(text(statement), self.parameters)
                    rows = [list(row) for row in result] if result.returns_rows else None
                    affected = None if result.returns_rows else result.rowcount
                else:
                    cursor.execute(statement)
                    rows = [list(row) for row in cursor.fetchall()] if cursor.description else None
                    affected = None if cursor.description else cursor.rowcount
                if affected is not None and affected >= 0:
                    log.info("Rows affected: %d", affected)
                results.append(None if rows is None else [[_jsonable(v) for v in row] for row in rows])
            cursor.close()
        return results[-1] if self.return_last else results


class FileToTableOperator(BaseOperator):
    """Load delimited files (CSV) into an existing table: PostgreSQL ``COPY``, batched inserts on
    SQLite. Mapped over files, one instance loads one file (or a few).

    A retried load does not duplicate rows when ``source_column`` is set: the rows a file loaded
    before are deleted in the same transaction, and each row records the file it came from.

    :param files: one file URL or a list (local path, ``file://``, ``s3://`` ...; templated).
    :param table: the table (templated).
    :param conn_id: the database connection.
    :param file_format: ``{"delimiter": ",", "header": True, "null": ""}`` (header: the file's
        first line names the columns; without one, ``columns`` must).
    :param columns: the table columns the file's fields go to, in order (default: the header).
    :param source_column: a table column that receives each row's file URL (and makes loads repeatable).
    :param storage_options: passed to fsspec (e.g. S3 credentials or endpoint).
    """

    template_fields: ClassVar[tuple[str, ...]] = ("files", "table")

    def __init__(self, *, files: str | Sequence[str], table: str, conn_id: str = "sql_default",
                 file_format: dict[str, Any] | None = None, columns: Sequence[str] | None = None,
                 source_column: str | None = None, storage_options: dict[str, Any] | None = None, **kwargs: Any):
        fmt = {"delimiter": ",", "header": True, "null": "", **(file_format or {})}
        unknown = set(fmt) - {"delimiter", "header", "null"}
        if unknown:
            raise DagDefinitionError(f"task {kwargs.get('task_id')!r}: unknown file_format option(s) "
                                     f"{', '.join(sorted(unknown))} (delimiter, header, null)")
        self.files = files
        self.table = table
        self.conn_id = conn_id
        self.file_format = fmt
        self.columns = list(columns) if columns else None
        self.source_column = source_column
        self.storage_options = storage_options or {}
        super().__init__(**kwargs)

    @override
    def execute(self, context: dict[str, Any]) -> dict[str, Any]:
        files = [self.files] if isinstance(self.files, str) else list(self.files)
        engine = database_engine(self.conn_id)
        loaded = {}
        with engine.begin() as conn:
            for url in files:
                loaded[url] = self._load_one(conn, url)
                log.info("Loaded %d row(s) from %s into %s", loaded[url], url, self.table)
        return {"table": self.table, "rows": sum(loaded.values()), "files": loaded}

    def _header(self, url: str) -> list[str]:
        with open_url(url, "r", self.storage_options) as handle:
            first = handle.readline()
        return next(csv.reader([first], delimiter=self.file_format["delimiter"]), [])

    def _load_one(self, conn, url: str) -> int:
        header = self.file_format["header"]
        columns = self.columns or (self._header(url) if header else None)
        if not columns:
            raise ValueError(f"task {self.task_id!r}: {url} has no header; give columns=[...]")
        quote = conn.dialect.identifier_preparer.quote
        table = ".".join(quote(part) for part in self.table.split("."))
        source = quote(self.source_column) if self.source_column else None
        if source:
            from sqlalchemy import text

            conn.execute(text(f"DELETE FROM {table} WHERE {source} = :url"), {"url": url})
        names = ", ".join(quote(c.strip()) for c in columns)
        if conn.dialect.name == "postgresql":
            return self._copy_postgres(conn, url, table, names, source)
        return self._insert_rows(conn, url, table, names, len(columns), source)

    def _copy_postgres(self, conn, url: str, table: str, names: str, source: str | None) -> int:
        cursor = conn.connection.dbapi_connection.cursor()
        target = table
        if source:
            cursor.execute(f"CREATE TEMP TABLE chordflow_load AS SELECT {names} FROM {table} WITH NO DATA")
            target = "chordflow_load"
        fmt = self.file_format
        options = (f"FORMAT csv, HEADER {'true' if fmt['header'] else 'false'}, "
                   f"DELIMITER {_literal(fmt['delimiter'])}, NULL {_literal(fmt['null'])}")
        import psycopg2

        with open_url(url, "r", self.storage_options) as handle:
            try:
                cursor.copy_expert(f"COPY {target} ({names}) FROM STDIN WITH ({options})", handle)
            except psycopg2.DataError as exc:  # name the file: the server names only the line
                raise ValueError(f"{url}: {' '.join(str(exc).split())}") from None
        count = cursor.rowcount
        if source:
            cursor.execute(f"INSERT INTO {table} ({names}, {source}) SELECT {names}, %s FROM chordflow_load", (url,))
            cursor.execute("DROP TABLE chordflow_load")
        cursor.close()
        return count

    def _insert_rows(self, conn, url: str, table: str, names: str, width: int, source: str | None) -> int:
        fmt = self.file_format
        extra = [url] if source else []
        marks = ", ".join("?" * (width + len(extra)))
        statement = f"INSERT INTO {table} ({names}{f', {source}' if source else ''}) VALUES ({marks})"
        cursor = conn.connection.dbapi_connection.cursor()
        count = 0
        with open_url(url, "r", self.storage_options) as handle:
            reader = csv.reader(handle, delimiter=fmt["delimiter"])
            if fmt["header"]:
                next(reader, None)
            batch: list[list[Any]] = []
            for line, row in enumerate(reader, start=2 if fmt["header"] else 1):
                if not row:
                    continue
                if len(row) != width:
                    raise ValueError(f"{url} line {line}: {len(row)} field(s), expected {width}")
                batch.append([None if v == fmt["null"] else v for v in row] + extra)
                if len(batch) >= 1000:
                    cursor.executemany(statement, batch)
                    count, batch = count + len(batch), []
            cursor.executemany(statement, batch)
            count += len(batch)
        cursor.close()
        return count


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
