"""One state machine: every change of a task instance's state the store makes is a named
transition of ``orchestrator.states.TRANSITIONS``, on SQLite and on PostgreSQL.

A trigger in the test's database records each ``(old state, new state)`` of every UPDATE that
sets ``task_instance.state`` -- whichever way the statement reached the database (SQLAlchemy,
the driver's cursor, PostgreSQL's prepared statements) -- while the store goes through every
path that changes states.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from orchestrator.admission import SlotLimits
from orchestrator.schema import task_instance
from orchestrator.states import TRANSITIONS, decision, try_end
from orchestrator.states import TaskInstanceState as TI
from orchestrator.store import Store, TryEnd, utcnow
from tests.harness import claim, create_run

_TRIGGERS = {
    "sqlite": [
        "CREATE TABLE state_change (old TEXT, new TEXT)",
        "CREATE TRIGGER record_state_change AFTER UPDATE OF state ON task_instance "
        "BEGIN INSERT INTO state_change VALUES (OLD.state, NEW.state); END",
    ],
    "postgresql": [
        "CREATE TABLE state_change (old TEXT, new TEXT)",
        "CREATE FUNCTION record_state_change() RETURNS trigger AS $$ BEGIN "
        "INSERT INTO state_change VALUES (OLD.state, NEW.state); RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER record_state_change AFTER UPDATE OF state ON task_instance "
        "FOR EACH ROW EXECUTE FUNCTION record_state_change()",
    ],
}


@pytest.fixture
def store(store: Store) -> Store:
    """The store with a trigger recording every state change (see ``_TRIGGERS``)."""
    with store.begin() as conn:
        for statement in _TRIGGERS[store.engine.dialect.name]:
            conn.exec_driver_sql(statement)
    return store


def state_changes(store: Store) -> list[tuple[str, str]]:
    """Every ``(old, new)`` state change recorded so far, in order."""
    with store.begin() as conn:
        return [tuple(row) for row in conn.exec_driver_sql("SELECT old, new FROM state_change")]


def unnamed(changes: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The changes no named transition allows."""
    return {(old, new) for old, new in changes if not any(t.allows(old, new) for t in TRANSITIONS.values())}


def named(changes: list[tuple[str, str]]) -> set[str]:
    """The names of the transitions that allow some of the changes."""
    return {t.name for t in TRANSITIONS.values() for old, new in changes if t.allows(old, new)}


def age(store: Store, run_id: str, seconds: float) -> None:
    with store.begin() as conn:
        conn.execute(update(task_instance).where(task_instance.c.run_id == run_id)
                     .values(heartbeat_at=utcnow() - timedelta(seconds=seconds)))


def go_through_every_path(store: Store) -> None:
    """Runs that take the store through each of its state-changing statements."""
    tasks = [("t", 1), ("skipped", 0), ("upstream", 0), ("unmappable", 0), ("queued", 0), ("limited", 0)]
    with store.new_run("r1", "d", datetime(2022, 1, 1), {}, "d.py", tasks) as tx:
        tx.set_states("limited", None, TI.SCHEDULED, limits=SlotLimits("d", "default_pool", per_run=1))
        tx.set_states("skipped", None, TI.SKIPPED)
        tx.set_states("upstream", None, TI.UPSTREAM_FAILED)
        tx.set_states("unmappable", [-1], TI.FAILED, error="not a list")
        tx.set_states("queued", None, TI.QUEUED)
        tx.expand("t", [6], TI.QUEUED, 1)
    assert store.admit_scheduled() == {("r1", "limited"): [-1]}  # scheduled -> queued
    claim(store, "r1", "t", [0, 1, 2, 3, 4], "h")
    age(store, "r1", 60)
    claim(store, "r1", "t", [4], "other", zombie_after=30)  # take-over
    store.finish_many("r1", "t", [TryEnd(0, 1, TI.SUCCESS, {"return_value": "0"}), TryEnd(1, 1, TI.FAILED, {}, "x"),
                                  TryEnd(2, 1, TI.UP_FOR_RETRY, {}), TryEnd(3, 1, TI.SKIPPED, {})])
    claim(store, "r1", "t", [2], "h")  # the retry
    store.finish_many("r1", "t", [TryEnd(2, 2, TI.UP_FOR_RESCHEDULE, {})])  # a sensor not done yet
    claim(store, "r1", "t", [2], "h")  # its next poke, same try
    age(store, "r1", 60)
    store.requeue_zombies(30)  # 2 and 4: running -> queued
    store.fail_queued("no worker")  # queued -> failed
    store.clear("r1", [("t", None, False, 1)], [])  # finished -> none
    with store.locked_run("r1") as tx:
        tx.set_states("t", [0, 1], TI.QUEUED)
    claim(store, "r1", "t", [0], "h")
    store.cancel_run("r1", "cancelled", "the run was cancelled")  # running and waiting -> failed


def test_every_state_change_of_the_store_is_a_named_transition(store):
    go_through_every_path(store)
    changes = state_changes(store)
    assert changes, "the trigger recorded nothing"
    assert unnamed(changes) == set()


def test_every_named_transition_is_made_by_the_store(store):
    go_through_every_path(store)
    assert named(state_changes(store)) == set(TRANSITIONS)


def test_a_state_change_outside_the_transitions_is_caught(store):
    create_run(store, "r1", [("t", 0)])
    with store.begin() as conn:  # what no path of the store may do: succeed unrun, then run again
        conn.execute(update(task_instance).values(state=TI.SUCCESS.value))
        conn.execute(update(task_instance).values(state=TI.RUNNING.value))
    assert unnamed(state_changes(store)) == {("none", "success"), ("success", "running")}


def test_the_store_refuses_a_change_that_is_not_a_transition(store):
    create_run(store, "r1", [("t", 0)])
    with pytest.raises(ValueError, match="cannot end as queued"):
        store.finish_many("r1", "t", [TryEnd(-1, 0, TI.QUEUED, {})])
    with pytest.raises(ValueError, match="cannot be moved to running"), store.locked_run("r1") as tx:
        tx.set_states("t", None, TI.RUNNING)
    assert state_changes(store) == []


def test_each_state_is_reached_by_the_named_transitions():
    assert decision(TI.QUEUED) is TRANSITIONS["queue"]
    assert try_end(TI.UP_FOR_RETRY) is TRANSITIONS["retry"]
    reachable = {t.target for t in TRANSITIONS.values()} | {TI.NONE}
    assert decision(TI.SCHEDULED) is TRANSITIONS["schedule"]
    assert reachable == set(TI) - {TI.REMOVED}  # it exists for Airflow's vocabulary only


def test_a_rescheduled_sensor_is_claimed_again_in_the_same_try_from_its_first_poke(store):
    """Airflow: a reschedule does not count as a try (its try_number is kept), and the sensor's
    timeout counts from its first poke (airflow/sensors/base.py, TaskReschedule's first start)."""
    create_run(store, "r1", [("t", 0)])
    with store.locked_run("r1") as tx:
        tx.set_states("t", None, TI.QUEUED)
    [first] = claim(store, "r1", "t", [-1], "h")
    assert first.resumed_from is None
    begun = store.get_instance("r1", "t", -1)["start_date"]
    store.finish_many("r1", "t", [TryEnd(-1, first.try_number, TI.UP_FOR_RESCHEDULE, {})])
    assert store.get_instance("r1", "t", -1)["state"] == TI.UP_FOR_RESCHEDULE.value
    [again] = claim(store, "r1", "t", [-1], "h")
    assert again.try_number == first.try_number == 1
    assert again.resumed_from == begun
    assert store.get_instance("r1", "t", -1)["start_date"] == begun


def test_a_rescheduled_sensor_is_claimed_only_once_its_next_poke_is_due(store):
    """Its next poke's time is kept (in queued_at); a message before it claims nothing."""
    create_run(store, "r1", [("t", 0)])
    with store.locked_run("r1") as tx:
        tx.set_states("t", None, TI.QUEUED)
    [first] = claim(store, "r1", "t", [-1], "h")
    due = utcnow() + timedelta(seconds=60)
    store.finish_many("r1", "t", [TryEnd(-1, first.try_number, TI.UP_FOR_RESCHEDULE, {}, next_poke_at=due)])
    assert claim(store, "r1", "t", [-1], "h") == []
    with store.begin() as conn:
        conn.execute(update(task_instance).values(queued_at=utcnow()))
    assert [c.try_number for c in claim(store, "r1", "t", [-1], "h")] == [first.try_number]
