"""The baselines: a raw Celery chord whose tasks each do one PostgreSQL INSERT, and a raw Celery
chain of one-line tasks, on the same Redis as Chordflow's runs.

``run_benchmarks.py`` starts ``celery -A bench.raw_celery worker``; the broker, backend and database
come from the ``BENCH_BROKER`` / ``BENCH_DATABASE`` environment variables; ``BENCH_ACK_EMULATION=0``
turns kombu's ack emulation off, as Chordflow's workers do.

``python -m bench.raw_celery chord N`` is the chord's client, run as a process of its own so that
its end-to-end time includes what ``chordflow run --wait``'s does (interpreter start, imports,
publishing, waiting): it submits the chord and returns when the callback has written its row.
"""
from __future__ import annotations

import os
import sys
import time

import psycopg2
from celery import Celery

app = Celery("raw_bench", broker=os.environ.get("BENCH_BROKER"), backend=os.environ.get("BENCH_BROKER"))
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                worker_prefetch_multiplier=1, task_acks_late=True)
if os.environ.get("BENCH_ACK_EMULATION") == "0":  # the transport setting Chordflow's workers use
    app.conf.broker_transport_options = {"ack_emulation": False}

_conn = None


def _db():
    global _conn
    if _conn is None:
        _conn = psycopg2.connect(os.environ["BENCH_DATABASE"])
        _conn.autocommit = True
    return _conn


@app.task(name="raw.insert")
def insert(i: int) -> int:
    with _db().cursor() as cur:
        cur.execute("INSERT INTO raw_result (i, value) VALUES (%s, %s)", (i, i + 1))
    return i + 1


@app.task(name="raw.done")
def done(_results) -> None:
    with _db().cursor() as cur:
        cur.execute("INSERT INTO raw_done (n) VALUES (1)")


@app.task(name="raw.inc")
def inc(x: int) -> int:
    return x + 1


def chord_client(n: int, timeout: float = 600) -> None:
    """Submit a chord of ``n`` INSERT tasks with ``done`` as callback; return once it has run."""
    from celery import chord

    chord(insert.si(i) for i in range(n))(done.s())
    conn = _db()
    deadline = time.monotonic() + timeout
    with conn.cursor() as cur:
        while time.monotonic() < deadline:
            cur.execute("SELECT count(*) FROM raw_done")
            if cur.fetchone()[0]:
                cur.execute("SELECT count(*) FROM raw_result")
                if cur.fetchone()[0] != n:
                    raise SystemExit("raw chord: rows missing")
                return
            time.sleep(0.02)
    raise SystemExit(f"raw chord: not done within {timeout:.0f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["chord"]:
        chord_client(int(sys.argv[2]))
    else:
        raise SystemExit("usage: python -m bench.raw_celery chord N")
