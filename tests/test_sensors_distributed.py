"""Sensors in reschedule mode on real `chordflow worker` processes (Redis + PostgreSQL).

A 1,000-way mapped sensor in reschedule mode on ONE worker with ``--concurrency 2``: every
index is poked and waits (``up_for_reschedule``, its message held by Celery with a countdown)
while the worker holds its 2 pool processes and no more; the map completes when the condition
comes true (a file appears).

How it is measured: while the map waits, the test samples every 0.2 s (a) the worker's child
processes, read from ``/proc`` (the prefork pool: what holds a worker slot), and (b) the number
of the map's instances in each state, read from PostgreSQL. It asserts that there were never
more than 2 children nor more than 2 ``running`` instances (``batch_size=1``: one instance per
message, so a running instance is a busy pool process), and that at some moment at least 998
of the 1,000 sensors were waiting in ``up_for_reschedule`` at once.
"""
from __future__ import annotations

import json
import os
import signal
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import run_cli
from tests.test_distributed import json_of, wait_for_state

#: How many map indices wait at once.
WIDTH = 1000

SENSOR_MAP = """
from datetime import datetime
from pathlib import Path
from orchestrator import dag, task
from orchestrator.sensors import PokeReturnValue

FLAG = Path("FLAG_PATH")  # outside the DAGs folder: the worker's copy of the folder is its own

@task.sensor(mode="reschedule", poke_interval=2, timeout=600, batch_size=1)
def landed(x: int) -> PokeReturnValue:
    return PokeReturnValue(is_done=FLAG.exists(), xcom_value=x)

@task
def count(values) -> list:
    return [len(values), sum(values)]

@dag(dag_id="sensor_map", schedule=None, start_date=datetime(2022, 1, 1))
def sensor_map():
    count(landed.expand(x=list(range(WIDTH))))

sensor_map()
"""


def children(pid: int) -> list[int]:
    """The live child processes of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue
        if int(ppid) == pid and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


@pytest.mark.timeout(600)
def test_a_thousand_way_mapped_sensor_in_reschedule_mode_holds_at_most_two_worker_processes(
        distributed_env, workers, tmp_path):
    flag = tmp_path / "landed.flag"
    folder = Path(distributed_env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sensor_map.py").write_text(
        textwrap.dedent(SENSOR_MAP).replace("FLAG_PATH", str(flag)).replace("WIDTH", str(WIDTH)))
    worker = workers.start("solo", concurrency=2)
    workers.wait_ready()
    started = json_of(run_cli(distributed_env, "run", "sensor_map", "--output", "json", "--run-id", "wide"))
    assert started["state"] == "running"

    db = create_engine(distributed_env["CHORDFLOW_DATABASE_URL"])
    most_children = most_running = most_waiting = 0
    deadline = time.monotonic() + 300
    try:
        while most_waiting < WIDTH - 2:
            assert time.monotonic() < deadline, f"the sensors never all waited at once (most: {most_waiting})"
            with db.connect() as conn:
                states = dict(conn.execute(text(
                    "SELECT state, count(*) FROM task_instance WHERE run_id = 'wide' AND task_id = 'landed' "
                    "GROUP BY state")).all())
            most_children = max(most_children, len(children(worker.pid)))
            most_running = max(most_running, states.get("running", 0))
            most_waiting = max(most_waiting, states.get("up_for_reschedule", 0))
            assert not set(states) & {"success", "failed", "skipped"}, states
            time.sleep(0.2)
        for _ in range(25):  # a few more poke rounds of the waiting map, still sampled
            most_children = max(most_children, len(children(worker.pid)))
            with db.connect() as conn:
                most_running = max(most_running, conn.execute(text(
                    "SELECT count(*) FROM task_instance WHERE run_id = 'wide' AND state = 'running'")).scalar())
            time.sleep(0.2)
        flag.touch()
        assert wait_for_state(distributed_env, "wide", timeout=240) == "success"
    finally:
        db.dispose()
    print(json.dumps({"most_children": most_children, "most_running": most_running, "most_waiting": most_waiting}))
    assert 1 <= most_children <= 2
    assert most_running <= 2
    rows = json_of(run_cli(distributed_env, "tasks", "list", "wide", "--task-id", "landed", "--output", "json"))
    assert len(rows) == WIDTH
    assert {(row["state"], row["try_number"]) for row in rows} == {("success", 1)}  # reschedules are not tries
    total = json_of(run_cli(distributed_env, "xcom", "get", "wide", "count", "--output", "json"))
    assert total == [WIDTH, sum(range(WIDTH))]


LOST_POKE = """
from datetime import datetime
from pathlib import Path
from orchestrator import dag
from orchestrator.sensors import FileSensor

@dag(dag_id="lost_poke", schedule=None, start_date=datetime(2022, 1, 1))
def lost_poke():
    FileSensor(task_id="wait", filepath="FLAG_PATH", mode="reschedule", poke_interval=3, timeout=600)

lost_poke()
"""


def instance_state(env, run_id: str, task_id: str) -> dict:
    return json_of(run_cli(env, "tasks", "list", run_id, "--task-id", task_id, "--output", "json"))[0]


@pytest.mark.timeout(300)
def test_the_scheduler_sends_again_a_rescheduled_sensor_whose_worker_died_holding_its_message(
        distributed_env, workers, tmp_path):
    """The worker that holds a sensor's delayed message dies outright (SIGKILL: the message is
    gone with it). While the next poke is not overdue, `chordflow scheduler` leaves the
    up_for_reschedule instance alone; once it is CHORDFLOW_REQUEUE_AFTER seconds overdue, the
    scheduler sends it again, another worker pokes it, in the same try, until the file lands."""
    flag = tmp_path / "landed.flag"
    folder = Path(distributed_env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lost_poke.py").write_text(textwrap.dedent(LOST_POKE).replace("FLAG_PATH", str(flag)))
    env = {**distributed_env, "CHORDFLOW_REQUEUE_AFTER": "4"}
    doomed = workers.start("doomed", concurrency=1)
    workers.wait_ready()
    assert json_of(run_cli(env, "run", "lost_poke", "--output", "json", "--run-id", "lp"))["state"] == "running"
    deadline = time.monotonic() + 60
    while instance_state(env, "lp", "wait")["state"] != "up_for_reschedule":
        assert time.monotonic() < deadline, "the sensor was never rescheduled"
        time.sleep(0.2)
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait()
    workers.start("survivor", concurrency=1)
    workers.wait_ready()
    scheduler = run_cli(env, "scheduler", "--once")  # due in < 3 s: not lost
    assert scheduler.returncode == 0, scheduler.stderr
    assert "sent" not in scheduler.stdout + scheduler.stderr
    time.sleep(3 + 4 + 1)  # the poke is due, and then overdue by more than CHORDFLOW_REQUEUE_AFTER
    assert instance_state(env, "lp", "wait")["state"] == "up_for_reschedule"  # nobody poked it
    scheduler = run_cli(env, "scheduler", "--once")
    assert scheduler.returncode == 0, scheduler.stderr
    assert "sent 1 instance(s) again" in scheduler.stderr
    flag.touch()
    assert wait_for_state(env, "lp", timeout=60) == "success"
    row = instance_state(env, "lp", "wait")
    assert (row["state"], row["try_number"], row["hostname"].split("@")[0]) == ("success", 1, "survivor")
