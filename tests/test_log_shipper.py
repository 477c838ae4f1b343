"""Live logs: a running try's log reaches the store while it runs, in order, each piece once; its
end appends the rest."""
from __future__ import annotations

import threading
import time

import pytest

from orchestrator.states import TaskInstanceState as TI
from orchestrator.store import Store, TryEnd
from tests.harness import claim, create_run
from workers.log_capture import LogCapture
from workers.log_shipper import LogShipper


@pytest.fixture
def store(store: Store) -> Store:
    """The store with run ``r1``'s one instance of ``t`` claimed by host ``h``."""
    create_run(store, "r1", [("t", 0)])
    with store.locked_run("r1") as tx:
        tx.expand("t", [1], TI.QUEUED, 0)
    claim(store, "r1", "t", [0], "h")
    return store


def test_a_running_try_log_is_written_while_it_runs_in_order_and_once(store):
    """The task writes while the shipper writes (its writes racing the task's lines and the try's
    end): the log in the store is exactly what the task wrote, in order."""
    shipper = LogShipper(store, every=3600, after=0)  # its thread sleeps: this test ships by hand
    lines = [f"line {i} ✓\n" for i in range(3000)]
    shipped_while_running = []
    with LogCapture() as capture:
        live = shipper.open(capture, "r1", "t", 0, 1, "h")
        done = threading.Event()

        def ship_until_done():
            while not done.is_set():
                shipper.ship()
                log = store.get_logs("r1", "t", 0)
                if log:
                    shipped_while_running.append(log[0]["content"])

        writer = threading.Thread(target=ship_until_done)
        writer.start()
        for number, line in enumerate(lines):
            capture.write(line)  # as a print or log record of the task lands
            if number == len(lines) // 2:  # half-way, let a write land before going on
                deadline = time.monotonic() + 30
                while not shipped_while_running and time.monotonic() < deadline:
                    time.sleep(0.01)
        done.set()
        rest = shipper.close(live)
        writer.join()
    assert store.finish_many("r1", "t", [TryEnd(0, 1, TI.SUCCESS, {}, None, rest, "h")]) == [True]
    [log] = store.get_logs("r1", "t", 0)
    assert log["content"] == "".join(lines)
    assert shipped_while_running and len(shipped_while_running[0]) < len(log["content"])
    assert all(log["content"].startswith(part) for part in shipped_while_running)


def test_a_short_try_writes_nothing_before_its_end(store):
    shipper = LogShipper(store, every=3600)  # after: the default second
    with LogCapture() as capture:
        live = shipper.open(capture, "r1", "t", 0, 1, "h")
        capture.write("quick\n")
        shipper.ship()
        rest = shipper.close(live)
    assert store.get_logs("r1", "t", 0) == []
    assert rest == "quick\n"
