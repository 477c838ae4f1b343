"""The baseline of issue #4: a raw Celery chord whose tasks each do one PostgreSQL INSERT.

Used by ``run_benchmarks.py`` (which starts ``celery -A bench.raw_celery worker``); the broker,
backend and database come from ``BENCH_BROKER`` / ``BENCH_DATABASE`` environment variables;
``BENCH_ACK_EMULATION=0`` turns kombu's ack emulation off, as Chordflow does.
"""
from __future__ import annotations

import os

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
