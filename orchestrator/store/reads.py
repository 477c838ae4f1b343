"""The reads a user makes of a run -- the run, a page of runs, its state counts and map
lengths, a page of its instances -- as SQL text in the driver's own parameter style.

The same statements serve the :class:`~orchestrator.store.Store` (run on its SQLAlchemy
connections by ``exec_driver_sql``: wrapped errors, retries) and ``chordflow``'s read commands
(:mod:`orchestrator.store.direct`: the database's driver alone, because SQLAlchemy's import is
most of such a command's fixed cost). This module imports nothing of SQLAlchemy.

Dates are naive UTC ``datetime``s whichever the database: SQLite keeps them as the text
SQLAlchemy writes (``YYYY-MM-DD HH:MM:SS.ffffff``), read back here.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from orchestrator.errors import RunNotFound
from orchestrator.store.records import RunRecord

#: Runs a statement: ``(sql, params) -> (column names, rows)``.
Execute = Callable[[str, dict[str, Any]], tuple[Sequence[str], Sequence[Sequence[Any]]]]

#: The columns of ``dag_run`` and ``task_instance`` that hold dates (a test checks them against
#: :mod:`orchestrator.schema`).
DATE_COLUMNS = frozenset({"logical_date", "start_date", "end_date", "created_at", "data_interval_start",
                          "data_interval_end", "queued_at", "heartbeat_at"})


@functools.lru_cache(maxsize=64)
def _in_style(sql: str, sqlite: bool) -> str:
    """``sql`` written with ``%(name)s`` markers (psycopg2's), in SQLite's ``:name`` when ``sqlite``."""
    return re.sub(r"%\((\w+)\)s", r":\1", sql) if sqlite else sql


class RunReads:
    """The reads of runs and their instances through one ``execute`` (see :data:`Execute`).
    Method names and results are the :class:`~orchestrator.store.Store`'s, which delegates to them.

    :param execute: runs one statement on the database.
    :param dialect: ``"sqlite"`` or ``"postgresql"``.
    """

    def __init__(self, execute: Execute, dialect: str):
        self._execute = execute
        self._sqlite = dialect == "sqlite"

    def _rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        names, rows = self._execute(_in_style(sql, self._sqlite), params)
        found = [dict(zip(names, row, strict=True)) for row in rows]
        if self._sqlite:
            dates = [name for name in names if name in DATE_COLUMNS]
            for row in found:
                for name in dates:
                    if isinstance(row[name], str):
                        row[name] = datetime.fromisoformat(row[name])
        return found

    def _page(self, limit: int | None, offset: int | None) -> str:
        """The LIMIT / OFFSET of a page: ``limit`` rows after the first ``offset`` (``None``: every one)."""
        if limit is not None:
            return " LIMIT %(limit)s OFFSET %(offset)s"
        if not offset:
            return ""
        return " LIMIT -1 OFFSET %(offset)s" if self._sqlite else " OFFSET %(offset)s"  # (SQLite's "no limit")

    def get_run(self, run_id: str) -> RunRecord:
        """The run's record. Raises :class:`RunNotFound` when there is no such run."""
        rows = self._rows("SELECT * FROM dag_run WHERE run_id = %(run_id)s", run_id=run_id)
        if not rows:
            raise RunNotFound(f"no run with id {run_id!r} (see `chordflow runs list`)")
        return RunRecord.from_mapping(rows[0])

    def list_runs(self, dag_id: str | None = None, state: str | None = None, limit: int = 100,
                  offset: int = 0) -> list[RunRecord]:
        """The latest ``limit`` runs after the newest ``offset``, newest first, of one DAG and in one
        state when given."""
        where = " AND ".join(f"{name} = %({name})s" for name, value in (("dag_id", dag_id), ("state", state)) if value)
        rows = self._rows(f"SELECT * FROM dag_run {'WHERE ' + where if where else ''} "
                          f"ORDER BY created_at DESC, run_id{self._page(limit, offset)}",
                          dag_id=dag_id, state=state, limit=limit, offset=offset or 0)
        return [RunRecord.from_mapping(row) for row in rows]

    def state_counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """``{task_id: {state: count}}`` over every instance of the run (``{}``: no such run):
        an ended run's as kept when it ended (:meth:`kept_counts`), else :meth:`counted_states`."""
        kept = self.kept_counts(run_id)
        return kept if kept is not None else self.counted_states(run_id)

    def kept_counts(self, run_id: str) -> dict[str, dict[str, int]] | None:
        """An ended run's ``{task_id: {state: count}}`` as kept when it ended (``dag_run.final_counts``);
        ``None``: not ended, or not kept (count them)."""
        kept = self._rows("SELECT final_counts FROM dag_run WHERE run_id = %(run_id)s", run_id=run_id)
        return json.loads(kept[0]["final_counts"]) if kept and kept[0]["final_counts"] else None

    def counted_states(self, run_id: str) -> dict[str, dict[str, int]]:
        """``{task_id: {state: count}}`` over every instance of the run, counted by the database."""
        counts: dict[str, dict[str, int]] = {}
        for row in self._rows("SELECT task_id, state, count(*) AS n FROM task_instance WHERE run_id = %(run_id)s "
                              "GROUP BY task_id, state", run_id=run_id):
            counts.setdefault(row["task_id"], {})[row["state"]] = row["n"]
        return counts

    def map_lengths(self, run_id: str) -> dict[str, int]:
        """``{task_id: number of instances}`` of every expanded task of the run."""
        rows = self._rows("SELECT task_id, length FROM task_map WHERE run_id = %(run_id)s", run_id=run_id)
        return {row["task_id"]: row["length"] for row in rows}

    def instance_exists(self, run_id: str, task_id: str, map_index: int | None = None) -> bool:
        """True when the run has an instance of ``task_id`` (at ``map_index``, when given): one
        index lookup, whatever the width of the map."""
        at_index = "" if map_index is None else " AND map_index = %(map_index)s"
        return bool(self._rows("SELECT map_index FROM task_instance WHERE run_id = %(run_id)s "
                               f"AND task_id = %(task_id)s{at_index} LIMIT 1",
                               run_id=run_id, task_id=task_id, map_index=map_index))

    def list_instances(self, run_id: str, task_id: str | None = None, limit: int | None = None,
                       offset: int = 0) -> list[dict[str, Any]]:
        """The run's instance rows as ``{column: value}``, by task and map index (one task's when
        given; a page of ``limit`` rows from ``offset`` when given). ``[]`` when there are none."""
        of_task = "" if task_id is None else " AND task_id = %(task_id)s"
        return self._rows(f"SELECT * FROM task_instance WHERE run_id = %(run_id)s{of_task} "
                          f"ORDER BY task_id, map_index{self._page(limit, offset)}", run_id=run_id, task_id=task_id,
                          limit=limit, offset=offset or 0)

    def count_instances(self, run_id: str, task_id: str | None = None) -> int:
        """How many instances the run has (of ``task_id`` only, when given)."""
        of_task = "" if task_id is None else " AND task_id = %(task_id)s"
        return self._rows(f"SELECT count(*) AS n FROM task_instance WHERE run_id = %(run_id)s{of_task}",
                          run_id=run_id, task_id=task_id)[0]["n"]
