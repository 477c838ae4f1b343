"""Seed a PostgreSQL store with wide maps for the web benchmark, by COPY (seconds, not minutes).

What it writes, as finished runs would have left it: one run of a ``width``-way map (``wide``)
and ``runs`` runs of a ``narrow``-way map, each run ``make_list -> work[N] -> total`` with every
instance's state row, its XCom and, for a few instances, a log. One index in 50 of each map
failed; the rest succeeded. The DAG file is written beside the data so the Graph can load it.
"""
from __future__ import annotations

import io
import json
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2

DAG = """
from datetime import datetime
from orchestrator import dag, task

@task
def make_list():
    return list(range(3))

@task
def work(x):
    print("working on", x)
    return x * 2

@task(trigger_rule="all_done")
def total(values):
    return sum(values)

@dag(dag_id="web_bench", schedule=None, start_date=datetime(2022, 1, 1))
def web_bench():
    total(work.expand(x=make_list()))

web_bench()
"""

#: The columns COPY fills, in order (the rest keep their defaults).
TI_COLUMNS = ("run_id", "task_id", "map_index", "state", "try_number", "max_tries", "queued_at",
              "start_date", "end_date", "hostname", "error", "rendered_map_index")


def write_dag(folder: Path) -> Path:
    """The benchmark's DAG file in ``folder``; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "web_bench.py"
    path.write_text(textwrap.dedent(DAG))
    return path


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def seed_run(cur, run_id: str, fileloc: str, width: int, logical_date: datetime) -> None:
    """One finished run whose ``work`` map has ``width`` instances (one in 50 failed)."""
    start = logical_date + timedelta(hours=1)
    cur.execute(
        "INSERT INTO dag_run (run_id, dag_id, state, logical_date, conf, fileloc, start_date, end_date, "
        "created_at) VALUES (%s, 'web_bench', 'failed', %s, '{}', %s, %s, %s, %s)",
        (run_id, logical_date, fileloc, start, start + timedelta(seconds=width / 1000 + 2), start))
    cur.execute("INSERT INTO task_map (run_id, task_id, length, lengths) VALUES (%s, 'work', %s, %s)",
                (run_id, width, json.dumps([width])))

    def instances():
        yield (run_id, "make_list", -1, "success", 1, 0, start, start, start + timedelta(seconds=1),
               "bench-host-0", None, None)
        for index in range(width):
            began = start + timedelta(seconds=1 + index / 1000)
            failed = index % 50 == 49
            yield (run_id, "work", index, "failed" if failed else "success", 1, 0, began, began,
                   began + timedelta(milliseconds=5 + index % 17), f"bench-host-{index % 4}",
                   "ValueError: bad input" if failed else None, None)
        yield (run_id, "total", -1, "success", 1, 0, start, start, start, "bench-host-0", None, None)

    _copy(cur, "task_instance", TI_COLUMNS, instances())
    _copy(cur, "xcom", ("run_id", "task_id", "map_index", "key", "value"),
          ((run_id, "work", index, "return_value", str(index * 2)) for index in range(width) if index % 50 != 49))
    _copy(cur, "task_log", ("run_id", "task_id", "map_index", "try_number", "hostname", "content"),
          ((run_id, "work", index, 1, "bench-host-0", f"working on {index}") for index in range(0, width, width // 10)))


def seed(dsn: str, folder: Path, width: int = 100_000, narrow: int = 1_000, runs: int = 25) -> dict[str, str]:
    """Seed the store at ``dsn`` (schema already upgraded); returns ``{"wide": run_id, "narrow": run_id}``
    (the newest narrow run)."""
    fileloc = str(write_dag(folder))
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        base = datetime(2026, 1, 1)
        seed_run(cur, "wide", fileloc, width, base)
        for number in range(runs):
            seed_run(cur, f"narrow_{number:02d}", fileloc, narrow, base + timedelta(days=number + 1))
        cur.execute("ANALYZE")
    conn.close()
    return {"wide": "wide", "narrow": f"narrow_{runs - 1:02d}"}
