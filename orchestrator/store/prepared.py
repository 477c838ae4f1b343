"""The worker's two statements on PostgreSQL, as text: prepared once on each connection of the
store's autocommit pool (no planning per call), and the array literals their calls pass.

Both find their rows by the whole primary key (``map_index = ANY(array)``), one lookup per index
whatever the size of the map and whatever the statistics say: joined to the unnested array
instead, the end of tries was planned from statistics taken at expansion (every row ``queued``,
so ``state = 'running'`` looked like one row) as a scan of the whole map per write. Their
``WHERE state`` and ``SET state`` come from the named transitions of :mod:`orchestrator.states`.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from orchestrator.states import TRANSITIONS, TRY_ENDS


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


_CLAIM = TRANSITIONS["claim"]
_TAKE_OVER = TRANSITIONS["take_over"]
_RESUME_POKE = TRANSITIONS["resume_poke"]
#: Seconds before its due time a rescheduled sensor's message may claim it (clocks of hosts differ a
#: little); earlier -- a duplicate of its message -- it is left to the message that is on time.
EARLY_POKE_TOLERANCE = 1.0
#: States a claim takes an instance from without counting a new try.
_SAME_TRY = sorted(set(_TAKE_OVER.source_values) | set(_RESUME_POKE.source_values))
#: The states a try may end from (every end of try starts from the same ones).
TRY_END_SOURCES = sorted({value for t in TRY_ENDS.values() for value in t.source_values})

def _claim_set(now: str, hostname: str) -> str:
    """The SET of a claim (or take-over, or a rescheduled sensor's next poke, which keeps its
    try's start: a sensor's timeout counts from its first poke); ``now`` and ``hostname`` are the
    dialect's parameter markers."""
    return f"""state = '{_CLAIM.target.value}',
        try_number = try_number + CASE WHEN state IN ({_sql_list(_SAME_TRY)}) THEN 0 ELSE 1 END,
        start_date = CASE WHEN state IN ({_sql_list(_RESUME_POKE.source_values)}) THEN start_date ELSE {now} END,
        end_date = NULL, heartbeat_at = {now}, hostname = {hostname}, error = NULL"""


def _claimable(poke_due_by: str, zombie_before: str | None) -> str:
    """The rows a claim may take: ready ones, rescheduled sensors due by ``poke_due_by`` and, with
    ``zombie_before``, ``running`` ones whose heartbeat is older (parameter markers of the dialect)."""
    ready = f"state IN ({_sql_list(_CLAIM.source_values)})"
    due = f"state IN ({_sql_list(_RESUME_POKE.source_values)}) AND (queued_at IS NULL OR queued_at <= {poke_due_by})"
    lost = f" OR (state IN ({_sql_list(_TAKE_OVER.source_values)}) AND heartbeat_at < {zombie_before})"
    return f"({ready} OR ({due}){lost if zombie_before else ''})"


def _finish_statement(one: bool) -> tuple[str, str]:
    """The parameter types and text of the end of tries: with ``one``, of a single try, whose
    values are scalars (a ``batch_size=1`` message's end, about a third cheaper for the server than
    the same row found through arrays). Parameters, in the order of :data:`_FINISH_CALL`: run_id,
    task_id, now, then per try its map index, try number, state, error; the XComs' map indices, keys
    and values; the logs' map indices, try numbers, contents and hostnames; then per try its
    start, end, rendered map index, next poke and rendered fields. With ``one``, the per-try
    values and the log's are scalars (the log's map index and try number are the try's own: unused)."""
    def at(number: int) -> str:  # the value of parameter ``number`` for the row being updated
        return f"${number}" if one else f"(${number})[array_position($4, ti.map_index)]"

    each = "integer" if one else "integer[]"
    text, stamp = ("text", "timestamp") if one else ("text[]", "timestamp[]")
    types = (f"text, text, timestamp, {each}, {each}, {text}, {text}, integer[], text[], text[], {each}, {each}, "
             f"{text}, {text}, {stamp}, {stamp}, {text}, {stamp}, {text}")
    if one:
        xcom_rows = "SELECT $1, $2, e.map_index, x.key, x.value FROM ended AS e, unnest($9, $10) AS x(key, value)"
        log_rows = "SELECT $1, $2, e.map_index, $5, $13, $14 FROM ended AS e WHERE $13 IS NOT NULL"
    else:
        xcom_rows = """SELECT $1, $2, x.map_index, x.key, x.value FROM unnest($8, $9, $10) AS x(map_index, key, value)
    WHERE x.map_index IN (SELECT map_index FROM ended)"""
        log_rows = """SELECT $1, $2, l.map_index, l.try_number, l.content, l.hostname
    FROM unnest($11, $12, $13, $14) AS l(map_index, try_number, content, hostname)
    WHERE l.map_index IN (SELECT map_index FROM ended)"""
    return types, f"""
WITH ended AS (
    UPDATE task_instance AS ti
    SET state = {at(6)}, error = {at(7)}, end_date = coalesce({at(16)}, $3),
        start_date = coalesce({at(15)}, ti.start_date), rendered_map_index = {at(17)},
        queued_at = coalesce({at(18)}, ti.queued_at), rendered_fields = {at(19)}
    WHERE ti.run_id = $1 AND ti.task_id = $2 AND ti.map_index {"= $4" if one else "= ANY($4)"}
      AND ti.try_number = {at(5)} AND ti.state IN ({_sql_list(TRY_END_SOURCES)})
    RETURNING ti.map_index
), xcoms AS (
    INSERT INTO xcom (run_id, task_id, map_index, key, value)
    {xcom_rows}
    ON CONFLICT (run_id, task_id, map_index, key) DO UPDATE SET value = excluded.value
), logs AS (
    INSERT INTO task_log (run_id, task_id, map_index, try_number, content, hostname)
    {log_rows}
    ON CONFLICT (run_id, task_id, map_index, try_number)
    DO UPDATE SET content = task_log.content || excluded.content, hostname = excluded.hostname
)
SELECT map_index FROM ended
"""


#: The call of an end of tries' prepared statement (``%`` its name), with the driver's markers.
_FINISH_CALL = ("EXECUTE %s(%%(run_id)s, %%(task_id)s, %%(now)s, %%(maps)s, %%(tries)s, %%(states)s, %%(errors)s, "
                "%%(x_maps)s, %%(x_keys)s, %%(x_values)s, %%(l_maps)s, %%(l_tries)s, %%(l_contents)s, %%(l_hosts)s, "
                "%%(starts)s, %%(ends)s, %%(names)s, %%(next_pokes)s, %%(rendered)s)")


#: name -> (parameter types, statement, call).
PREPARED_PG = {
    # claim_batch: the compare-and-set of the claim (or take-over, or a rescheduled sensor's next
    # poke, which keeps its try's start: a sensor's timeout counts from its first poke), and the
    # task's map lengths.
    "chordflow_claim": ("text, text, integer[], timestamp, text, timestamp, timestamp", f"""
WITH claimed AS (
    UPDATE task_instance
    SET {_claim_set("$4", "$5")}
    WHERE run_id = $1 AND task_id = $2 AND map_index = ANY($3) AND {_claimable("$7", "$6")}
    RETURNING map_index, try_number, max_tries, start_date, admission IS NOT NULL AS holds_slot
)
SELECT c.map_index, c.try_number, c.max_tries,
       (SELECT lengths FROM task_map WHERE run_id = $1 AND task_id = $2) AS lengths, c.start_date, c.holds_slot
FROM claimed AS c
""", "EXECUTE chordflow_claim(%(run_id)s, %(task_id)s, %(maps)s, %(now)s, %(hostname)s, %(zombie_before)s, "
  "%(poke_due_by)s)"),
    # finish_many: each try's compare-and-set, then the XComs and logs of the tries that were
    # still current (joined on what the update returned); a log is appended to what the try wrote
    # while it ran. The same for one try, its values as scalars (see _finish_statement).
    "chordflow_finish": (*_finish_statement(one=False), _FINISH_CALL % "chordflow_finish"),
    "chordflow_finish_one": (*_finish_statement(one=True), _FINISH_CALL % "chordflow_finish_one"),
}

def claim_sqlite(count: int, take_over: bool) -> str:
    """claim_batch on SQLite, for ``count`` map indices: the claim's compare-and-set of
    ``chordflow_claim`` (with ``take_over``: of ``running`` instances whose heartbeat is older than
    parameter 6 too), run through the driver's cursor. Parameters: now (the try's start and
    heartbeat), hostname, run_id, task_id, the rescheduled sensor's due time, with ``take_over`` the
    heartbeat a take-over must be older than, then the map indices."""
    first = 7 if take_over else 6
    maps = ", ".join(f"?{number}" for number in range(first, first + count))
    return f"""
UPDATE task_instance
SET {_claim_set("?1", "?2")}
WHERE run_id = ?3 AND task_id = ?4 AND map_index IN ({maps}) AND {_claimable("?5", "?6" if take_over else None)}
RETURNING map_index, try_number, max_tries, start_date, admission
"""


#: finish_many on SQLite: the compare-and-set of one try (run through the driver's cursor).
FINISH_ONE_SQLITE = f"""
UPDATE task_instance SET state = ?, error = ?, end_date = ?, start_date = coalesce(?, start_date),
    rendered_map_index = ?, queued_at = coalesce(?, queued_at), rendered_fields = ?
WHERE run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state IN ({_sql_list(TRY_END_SOURCES)})
"""


def pg_text(value: str | None) -> str:
    """One text in a PostgreSQL array literal (``NULL`` for ``None``)."""
    return "NULL" if value is None else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pg_time(value: datetime | None) -> str:
    """One timestamp in a PostgreSQL array literal (``NULL`` for ``None``)."""
    return "NULL" if value is None else value.isoformat()


def pg_array(values: Sequence[Any], item=str) -> str:
    """A PostgreSQL array literal of ``values`` (``item``: how one is written; ints by default),
    given as one text parameter: psycopg2 adapts a Python list item by item, which cost more
    than the statement itself for a batch of 200 ends."""
    return "{" + ",".join(map(item, values)) + "}"


def sqlite_time(moment: datetime | None) -> str | None:
    """A timestamp as SQLAlchemy stores it in SQLite."""
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S.%f")
