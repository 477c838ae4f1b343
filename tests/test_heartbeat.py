"""A worker stops the try of an instance ended from outside (its run cancelled) at its next heartbeat,
and records nothing over that state: only the rest of the try's log."""
from __future__ import annotations

import threading
import time

import pytest

from tests.harness import Harness
from workers.heartbeat import Heartbeat
from workers.instance_runner import BatchOutcome, InstanceRunner

ENDLESS = """
import logging
import pathlib
import time

@task
def work(x):
    logging.getLogger("work").warning("working on %s", x)
    pathlib.Path("STARTED_MARKER").touch()  # the test cancels once the body has logged
    while True:  # ends only when stopped
        time.sleep(0.05)

with DAG(dag_id="endless") as d:
    work.expand(x=[0, 1])
"""


@pytest.mark.parametrize("on_main_thread", [True, False], ids=["prefork-main-thread", "worker-thread"])
def test_a_cancelled_runs_running_try_is_stopped_and_its_next_one_never_starts(tmp_path, on_main_thread):
    h = Harness(tmp_path)
    heartbeat = Heartbeat(h.store, interval=3600)  # beats by hand below
    runner = InstanceRunner(h.store, h.dagbag, h.max_map_length, h.runner.xcoms, heartbeat)
    started = tmp_path / "started"
    run_id = h.start(h.write(ENDLESS.replace("STARTED_MARKER", str(started))))
    outcome = []
    lost = []

    def cancel_once_running():
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        h.store.cancel_run(run_id, "cancelled: test", "the run was cancelled: test")
        lost.extend(heartbeat.beat())

    def run():
        outcome.append(runner.run_batch(run_id, "work", [0, 1], "host-a"))

    other = threading.Thread(target=run if not on_main_thread else cancel_once_running)
    other.start()
    (cancel_once_running if not on_main_thread else run)()
    other.join(timeout=30)
    assert not other.is_alive()
    assert sorted(lost) == [(run_id, "work", 0, 1), (run_id, "work", 1, 1)]
    assert outcome[0].summary() == {"finished": {}, "retrying": 0, "rescheduled": 0, "not_claimed": 0, "stopped": 2}
    rows = {r["map_index"]: (r["state"], r["error"]) for r in h.store.list_instances(run_id, "work")}
    assert rows == {0: ("failed", "the run was cancelled: test"), 1: ("failed", "the run was cancelled: test")}
    [log] = h.store.get_logs(run_id, "work", 0)
    assert "working on 0" in log["content"]
    assert "Terminating try 1 of work[0]: the instance was set to failed from outside" in log["content"]
    assert h.store.get_logs(run_id, "work", 1) == []


def test_a_batch_is_described_by_its_counts_that_are_not_zero():
    """The Celery result of a batch's message: a short text (Celery's tracer takes its repr)."""
    outcome = BatchOutcome(finished={"success": 2, "failed": 1}, retry_indices=[4], stopped=0)
    assert outcome.describe() == "success=2 failed=1 retrying=1"
    assert BatchOutcome().describe() == "nothing run"
    assert BatchOutcome(not_claimed=3).describe() == "not_claimed=3"
