"""What the UI shows beyond the CLI's read models: each DAG's recent runs, a mapped task's
instances sorted and filtered by SQL, one instance with its tries, a try's log from an offset
(to follow a running try), and an instance's XComs with previews (tables for DataFrames, big
values cut with the link to the whole: ``read_models.xcom_json``). Nothing here reads every
instance of a map."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Float, asc, cast, desc, func, select

from orchestrator import read_models, typed_json, xcom_backend
from orchestrator.dag_loader import DagBag
from orchestrator.errors import BadInput
from orchestrator.params import Param
from orchestrator.schema import task_instance, xcom
from orchestrator.store import Store
from orchestrator.store.transaction import RunQueries

#: Orders a Mapped Instances page can be sorted by.
SORTS = ("map_index", "state", "duration", "start_date")
#: Characters of an XCom value's JSON shown on the page; the rest is behind the download link.
XCOM_PREVIEW_CHARS = 20_000
#: Rows of a DataFrame shown as a table on the page.
XCOM_PREVIEW_ROWS = 50
#: Characters of a log one request returns at most (a follower asks again from where it stopped).
LOG_CHUNK_CHARS = 1_000_000


def dags_with_recent_runs(store: Store, dagbag: DagBag, recent: int = 5) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """``dags list`` rows, each with ``"recent_runs"``: its latest ``recent`` run rows, newest first."""
    rows, errors = read_models.dag_rows(dagbag)
    for row in rows:
        row["recent_runs"] = read_models.run_rows(store, dag_id=row["dag_id"], limit=recent) if recent else []
    return rows, errors


def dag_params(dagbag: DagBag, dag_id: str) -> dict[str, dict[str, Any]]:
    """A DAG's params as ``{name: {"default", "required", "description", "schema"}}``."""
    shown = {}
    for name, value in dagbag.find(dag_id).params.items():
        if isinstance(value, Param):
            shown[name] = {"default": value.value if value.has_default else None, "required": not value.has_default,
                           "description": value.description, "schema": value.schema}
        else:
            shown[name] = {"default": value, "required": False, "description": None, "schema": {}}
    return shown


def _duration(store: Store):
    """Seconds between an instance's start and end, in SQL (NULL until it ended); on SQLite to
    the millisecond (its Julian days' difference is a float a few microseconds off: equal
    durations must compare equal, for the map index to order them)."""
    start, end = task_instance.c.start_date, task_instance.c.end_date
    if store.is_sqlite:
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
    return cast(func.extract("epoch", end - start), Float)


def _duration_order(store: Store):
    """What instances are sorted by duration on: PostgreSQL's interval itself (comparing
    intervals is cheap; EXTRACT's numeric result, made for every row of a 1M-way map, took three
    times as long as the rest of the query)."""
    if store.is_sqlite:
        return _duration(store)
    return task_instance.c.end_date - task_instance.c.start_date


def with_duration(row: dict[str, Any], seconds: float | None) -> dict[str, Any]:
    return {**row, "duration": None if seconds is None else round(seconds, 3)}


def instance_page(store: Store, run_id: str, task_id: str, limit: int = read_models.DEFAULT_PAGE_SIZE, offset: int = 0,
                  state: str | None = None, sort: str = "map_index", descending: bool = False) -> dict[str, Any]:
    """One page of a task's instances: ``{"run_id", "task_id", "total", "limit", "offset", "state",
    "sort", "descending", "states": {state: count}, "rows": [instance row + "duration"]}``; ``total``
    counts the rows that match ``state``. Sorted by SQL on ``sort`` (then map index); instances
    without a value for it go last. Raises ``RunNotFound``, ``TaskNotFound``, ``BadInput``."""
    if sort not in SORTS:
        raise BadInput(f"cannot sort by {sort!r}: choose one of {', '.join(SORTS)}")
    read_models.require_task(store, run_id, task_id)
    where = [task_instance.c.run_id == run_id, task_instance.c.task_id == task_id]
    states_query = (select(task_instance.c.state, func.count()).where(*where).group_by(task_instance.c.state))
    if state:
        where.append(task_instance.c.state == state)
    duration = _duration(store)
    key = {"map_index": task_instance.c.map_index, "state": task_instance.c.state, "duration": _duration_order(store),
           "start_date": task_instance.c.start_date}[sort]
    by_key = sort == "map_index" and not state

    def ordered(descending: bool) -> list:
        direction = desc if descending else asc
        if sort == "map_index":
            return [direction(task_instance.c.map_index)]
        return [direction(key.is_(None)), direction(key), direction(task_instance.c.map_index)]

    order = ordered(descending)

    def read():
        with store.begin() as conn:
            kept = RunQueries(conn, run_id).kept_counts()  # (an ended run's: nothing to count)
            states = kept.get(task_id, {}) if kept is not None else {s: n for s, n in conn.execute(states_query)}
            matching = states.get(state, 0) if state else sum(states.values())
            if offset >= matching:  # (nothing to read: e.g. "failed only" where none failed)
                return states, []
            rows_query = select(task_instance, duration.label("duration")).where(*where).order_by(*order)
            if by_key:
                # A map's indices are 0..N-1: the page starts at a key, found in the primary key's
                # index (no rows skipped one by one, however deep the page).
                first = matching - 1 - offset if descending else offset
                rows_query = rows_query.where(
                    task_instance.c.map_index <= first if descending else task_instance.c.map_index >= first)
            else:
                # Sorted by state, duration or start, or filtered by state: a top-N of this map's
                # rows (no index on those columns, so that the workers' updates stay HOT), of their
                # map indices alone -- then the page's whole rows by primary key.
                page = select(task_instance.c.map_index).where(*where)
                if offset > matching // 2:  # a deep page: the same one counted from the other end
                    page = page.order_by(*ordered(not descending)).limit(min(limit, matching - offset)).offset(
                        max(0, matching - offset - limit))
                else:
                    page = page.order_by(*order).limit(limit).offset(offset)
                rows_query = rows_query.where(task_instance.c.map_index.in_(page.scalar_subquery()))
            rows = [with_duration(read_models.instance_row(row._mapping), row.duration)
                    for row in conn.execute(rows_query.limit(limit))]
        return states, rows

    states, rows = store.retrying(read)
    total = states.get(state, 0) if state else sum(states.values())
    return {"run_id": run_id, "task_id": task_id, "total": total, "limit": limit, "offset": offset, "state": state,
            "sort": sort, "descending": descending, "states": states, "rows": rows}


def instance_detail(store: Store, run_id: str, task_id: str, map_index: int) -> dict[str, Any]:
    """One instance as ``tasks list`` prints it, with ``"duration"``, ``"max_tries"``, ``"mapped"``,
    ``"map_count"``, ``"tries"`` (``tasks tries`` rows, oldest first) and ``"rendered_fields"``
    (``{field: rendered value}`` of its latest try; ``None`` when none was recorded). Raises
    ``RunNotFound``, ``TaskNotFound``."""
    tries = read_models.try_rows(store, run_id, task_id, map_index)
    row = store.get_instance(run_id, task_id, map_index)
    start, end = row["start_date"], row["end_date"]
    seconds = (end - start).total_seconds() if start and end else None
    map_count = store.map_lengths(run_id).get(task_id)
    return {**with_duration(read_models.instance_row(row), seconds), "max_tries": row["max_tries"],
            "mapped": map_index >= 0 or map_count is not None, "map_count": map_count, "tries": tries,
            "rendered_fields": json.loads(row["rendered_fields"]) if row.get("rendered_fields") else None}


def log_since(store: Store, run_id: str, task_id: str, map_index: int, try_number: int | None = None,
              offset: int = 0) -> dict[str, Any]:
    """A try's log from character ``offset`` on (the latest try when none is named):
    ``{"try_number", "hostname", "offset", "content", "next_offset", "running"}``; ``running``
    while more may come (the try runs, or has yet to begin). Raises ``RunNotFound``, ``TaskNotFound``."""
    read_models.require_task(store, run_id, task_id, map_index)
    instance = store.get_instance(run_id, task_id, map_index)
    if try_number is None:
        try_number = read_models.try_to_come(instance) or max(instance["try_number"], 1)
    found = store.log_since(run_id, task_id, map_index, try_number, offset)
    content, hostname = found if found is not None else ("", None)
    content = content[:LOG_CHUNK_CHARS]
    return {"try_number": try_number, "hostname": hostname, "offset": offset, "content": content,
            "next_offset": offset + len(content), "running": read_models.try_in_progress(instance, try_number)}


def xcom_entries(store: Store, run_id: str, task_id: str, map_index: int) -> list[dict[str, Any]]:
    """Every XCom an instance pushed, by key: ``{"key", "kind", "bytes", "truncated", "value" |
    "table": {"columns", "rows"}}``. ``value`` is the JSON of the value (cut to a preview when
    ``truncated``: the whole is at the ``xcom/{key}`` route); a DataFrame comes as ``table`` (its
    first rows). Raises ``RunNotFound``, ``TaskNotFound``."""
    read_models.require_task(store, run_id, task_id, map_index)
    query = select(xcom.c.key, xcom.c.value).where(
        xcom.c.run_id == run_id, xcom.c.task_id == task_id, xcom.c.map_index == map_index).order_by(xcom.c.key)

    def read():
        with store.begin() as conn:
            return conn.execute(query).all()

    return [_xcom_entry(key, text) for key, text in store.retrying(read)]


def _xcom_entry(key: str, text: str) -> dict[str, Any]:
    stored = typed_json.loads(text)  # (dates, Decimals, sets, ... as themselves: shown as `xcom get` prints them)
    reference = stored.get(xcom_backend.REFERENCE_KEY) if xcom_backend.is_reference(stored) else None
    entry: dict[str, Any] = {"key": key, "kind": reference["type"] if reference else type(stored).__name__,
                             "bytes": reference.get("bytes") if reference else len(text), "truncated": False}
    value = xcom_backend.resolve(stored) if reference else stored
    if entry["kind"] == "pandas.DataFrame":
        head = value.head(XCOM_PREVIEW_ROWS)
        entry["table"] = {"columns": [str(c) for c in head.columns],
                          "rows": json.loads(head.to_json(orient="values", date_format="iso"))}
        entry["rows"] = len(value)
        entry["truncated"] = len(value) > XCOM_PREVIEW_ROWS
        return entry
    shown = json.dumps(xcom_backend.for_json(value), indent=2)
    entry["truncated"] = len(shown) > XCOM_PREVIEW_CHARS
    entry["value"] = shown[:XCOM_PREVIEW_CHARS]
    return entry

