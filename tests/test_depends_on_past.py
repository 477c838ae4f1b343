"""``depends_on_past`` / ``wait_for_downstream`` / ``ignore_first_depends_on_past`` in the advance
step, on SQLite and PostgreSQL (stub dispatcher, no broker).

Each rule is Airflow's ``PrevDagrunDep`` (airflow/ti_deps/deps/prev_dagrun_dep.py, Airflow 2.10 and
3.x) unless said otherwise; the comment above each test names the branch of that file it pins.
The previous run's instances are moved by the worker's own compare-and-sets (claim, end of try).
"""
from __future__ import annotations

from datetime import datetime

import pytest

from orchestrator.errors import DagDefinitionError
from orchestrator.past_dependency import PastOfTask, tasks_waiting_on, unmet_reason
from orchestrator.read_models import plan_clear
from orchestrator.states import TaskInstanceState as TI
from tests.harness import Harness, claim, create_run, finish

DAY1, DAY2, DAY3 = datetime(2022, 1, 1), datetime(2022, 1, 2), datetime(2022, 1, 3)

MAPPED = """
@task(depends_on_past=True)
def each(x):
    return x

@dag(dag_id="dop", start_date=datetime(2022, 1, 1))
def dop():
    each.expand(x=[1, 2, 3])

dop()
"""

CHAIN = """
@task
def first():
    return 1

@task(depends_on_past=True)
def second(value):
    return value

@dag(dag_id="chain", start_date=datetime(2022, 1, 1))
def chain_dag():
    second(first())

chain_dag()
"""

DOWNSTREAM = """
@task(wait_for_downstream=True)
def each(x):
    return x

@task
def total(values):
    return sum(values)

@dag(dag_id="wfd", start_date=datetime(2022, 1, 1))
def wfd():
    total(each.expand(x=[1, 2]))

wfd()
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def h(request, tmp_path) -> Harness:
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    harness = Harness(tmp_path, url)
    yield harness
    harness.store.dispose()


def end_try(h: Harness, run_id: str, task_id: str, index: int, state: TI) -> None:
    """A worker claims the instance and ends its try as ``state``."""
    [claimed] = claim(h.store, run_id, task_id, [index], "test-host")
    assert finish(h.store, run_id, task_id, index, claimed.try_number, state)


def start(h: Harness, source_path, day: datetime, run_id: str, conf: dict | None = None) -> str:
    """Start a run and forget what it dispatched (the test moves instances itself)."""
    h.start(source_path, conf=conf, run_id=run_id, logical_date=day)
    h.dispatcher.pending.clear()
    return run_id


# -- "This task instance was the first task instance for its task." -------------------------------
def test_the_first_run_of_a_dag_does_not_wait(h):
    run_id = start(h, h.write(MAPPED), DAY1, "r1")
    assert h.states(run_id, "each") == {0: "queued", 1: "queued", 2: "queued"}
    assert h.dispatcher.dispatched == [("each", [0, 1, 2])]


# -- "depends_on_past is true for this task, but N previous task instance(s) are not in a successful
#    state": success and skipped pass, every other state waits (undecided, never failed). ----------
def test_an_index_runs_when_its_previous_instance_succeeded_or_was_skipped_and_waits_otherwise(h):
    path = h.write(MAPPED)
    start(h, path, DAY1, "r1")
    end_try(h, "r1", "each", 0, TI.SUCCESS)
    end_try(h, "r1", "each", 1, TI.SKIPPED)
    end_try(h, "r1", "each", 2, TI.FAILED)
    start(h, path, DAY2, "r2")
    assert h.states("r2", "each") == {0: "queued", 1: "queued", 2: "none"}
    assert h.store.get_run("r2").state == "running"


def test_an_index_waits_while_its_previous_instance_is_queued_or_running(h):
    path = h.write(MAPPED)
    start(h, path, DAY1, "r1")
    claim(h.store, "r1", "each", [0], "test-host")  # running; 1 and 2 stay queued
    start(h, path, DAY2, "r2")
    assert h.states("r2", "each") == {0: "none", 1: "none", 2: "none"}


def test_a_task_waits_while_its_previous_instance_is_undecided_or_upstream_failed(h):
    path = h.write(CHAIN)
    start(h, path, DAY1, "r1")  # r1: first queued, second none
    start(h, path, DAY2, "r2")
    end_try(h, "r2", "first", -1, TI.SUCCESS)
    h.advance("r2")
    assert h.states("r2", "second") == {-1: "none"}
    end_try(h, "r1", "first", -1, TI.FAILED)
    h.advance("r1")  # r1: second upstream_failed
    assert h.states("r1", "second") == {-1: "upstream_failed"}
    h.advance("r2")
    assert h.states("r2", "second") == {-1: "none"}


# -- Beyond Airflow (which waits for every instance of the task, _count_unsuccessful_tis): map index
#    i waits for map index i of the previous run only. -------------------------------------------
def test_map_index_i_waits_only_for_map_index_i_of_the_previous_run(h):
    path = h.write(MAPPED)
    start(h, path, DAY1, "r1")
    start(h, path, DAY2, "r2")
    assert h.states("r2", "each") == {0: "none", 1: "none", 2: "none"}
    end_try(h, "r1", "each", 1, TI.SUCCESS)
    h.dispatcher.dispatched.clear()
    h.advance("r2")
    assert h.states("r2", "each") == {0: "none", 1: "queued", 2: "none"}
    assert h.dispatcher.dispatched == [("each", [1])]


def test_an_index_the_previous_run_lacks_waits_for_every_instance_there(h):
    path = h.write("""
    @task
    def make(params=None):
        return list(range(params["n"]))

    @task(depends_on_past=True)
    def each(x):
        return x

    @dag(dag_id="grow", start_date=datetime(2022, 1, 1), params={"n": 2})
    def grow():
        each.expand(x=make())

    grow()
    """)
    h.start(path, conf={"n": 2}, run_id="r1", logical_date=DAY1)
    h.drain()
    assert h.states("r1", "each") == {0: "success", 1: "success"}
    h.store.clear("r1", [("each", [0], False, 0)], [])  # r1's index 0 back to none
    h.start(path, conf={"n": 3}, run_id="r2", logical_date=DAY2)
    h.drain()
    # index 1 has its counterpart (success); 0 waits for its own; 2 has none: waits for all of r1's.
    assert h.states("r2", "each") == {0: "none", 1: "success", 2: "none"}


# -- The previous run is the DAG's run with the latest logical date before this one's, whatever the
#    order the runs were created in (DagRun.get_previous_dagrun). ---------------------------------
def test_the_previous_run_is_chosen_by_logical_date_not_by_creation(h):
    path = h.write(MAPPED)
    start(h, path, DAY3, "r3")  # the first created, but the latest date
    start(h, path, DAY1, "r1")  # no run before DAY1: the first run
    assert h.states("r1", "each") == {0: "queued", 1: "queued", 2: "queued"}
    for index in range(3):
        end_try(h, "r1", "each", index, TI.SUCCESS)
    start(h, path, DAY2, "r2")  # previous: r1 (done), not r3 (queued)
    assert h.states("r2", "each") == {0: "queued", 1: "queued", 2: "queued"}


# -- "depends_on_past is true for this task's DAG, but the previous task instance has not run yet":
#    a previous run without the task waits ... -----------------------------------------------------
def test_a_task_the_previous_run_does_not_have_waits(h):
    create_run(h.store, "r1", [("other", 0)], dag_id="dop", logical_date=DAY1)
    start(h, h.write(MAPPED), DAY2, "r2")
    rows = h.store.list_instances("r2", "each")
    assert {r["state"] for r in rows} == {"none"}
    assert "has not run yet in the previous run r1" in rows[0]["error"]


#    ... unless ignore_first_depends_on_past and no earlier run has the task (_has_any_prior_tis).
IGNORE_FIRST = MAPPED.replace("@task(depends_on_past=True)",
                              "@task(depends_on_past=True, ignore_first_depends_on_past=True)")


def test_ignore_first_depends_on_past_runs_a_task_no_earlier_run_has(h):
    create_run(h.store, "r1", [("other", 0)], dag_id="dop", logical_date=DAY1)
    start(h, h.write(IGNORE_FIRST), DAY2, "r2")
    assert h.states("r2", "each") == {0: "queued", 1: "queued", 2: "queued"}


def test_ignore_first_depends_on_past_waits_when_an_earlier_run_had_the_task(h):
    create_run(h.store, "r0", [("each", 0)], dag_id="dop", logical_date=DAY1)
    create_run(h.store, "r1", [("other", 0)], dag_id="dop", logical_date=DAY2)
    start(h, h.write(IGNORE_FIRST), DAY3, "r3")
    assert {r["state"] for r in h.store.list_instances("r3", "each")} == {"none"}


# -- "The tasks downstream of the previous task instance(s) haven't completed, and
#    wait_for_downstream is True" (_has_unsuccessful_dependants: every instance of each immediate
#    downstream task must be success or skipped). ---------------------------------------------------
def test_wait_for_downstream_waits_until_the_previous_runs_downstream_ended(h):
    path = h.write(DOWNSTREAM)
    start(h, path, DAY1, "r1")
    for index in (0, 1):
        end_try(h, "r1", "each", index, TI.SUCCESS)
    h.advance("r1")  # total queued
    h.dispatcher.pending.clear()
    start(h, path, DAY2, "r2")
    rows = h.store.list_instances("r2", "each")
    assert {r["state"] for r in rows} == {"none"}
    assert rows[0]["error"].startswith("wait_for_downstream: 1 downstream instance(s) of 'each'")
    end_try(h, "r1", "total", -1, TI.SUCCESS)
    h.advance("r2")
    assert h.states("r2", "each") == {0: "queued", 1: "queued"}
    assert [r["error"] for r in h.store.list_instances("r2", "each")] == [None, None]


# -- BaseOperator.__init__: "if wait_for_downstream: self.depends_on_past = True". -----------------
def test_wait_for_downstream_implies_depends_on_past(h):
    path = h.write(DOWNSTREAM)
    dag = h.dagbag.find(str(path))
    assert dag.task_dict["each"].depends_on_past is True
    assert dag.task_dict["total"].depends_on_past is False


def test_depends_on_past_comes_from_default_args(h):
    path = h.write("""
    from orchestrator.operators import BashOperator

    with DAG(dag_id="defaults", default_args={"depends_on_past": True}) as d:
        BashOperator(task_id="t", bash_command="true")
    """)
    assert h.dagbag.find(str(path)).task_dict["t"].depends_on_past is True


def test_depends_on_past_cannot_be_mapped(h):
    with pytest.raises(DagDefinitionError, match="depends_on_past"):
        h.dagbag.find(str(h.write("""
        from orchestrator.operators import BashOperator

        with DAG(dag_id="mapped_dop") as d:
            BashOperator.partial(task_id="t").expand(depends_on_past=[True])
        """)))


# -- The trigger rule decides first: an instance it ends is not held back (Airflow's default
#    wait_for_past_depends_before_skipping=False). --------------------------------------------------
def test_a_failed_upstream_ends_the_task_without_waiting_for_the_past(h):
    path = h.write(CHAIN)
    start(h, path, DAY1, "r1")
    start(h, path, DAY2, "r2")
    end_try(h, "r2", "first", -1, TI.FAILED)
    h.advance("r2")
    assert h.states("r2", "second") == {-1: "upstream_failed"}
    assert h.store.get_run("r2").state == "failed"


def test_a_skipped_upstream_skips_the_task_without_waiting_for_the_past_by_default(h):
    path = h.write(CHAIN)
    start(h, path, DAY1, "r1")
    start(h, path, DAY2, "r2")
    end_try(h, "r2", "first", -1, TI.SKIPPED)
    h.advance("r2")
    assert h.states("r2", "second") == {-1: "skipped"}


# -- wait_for_past_depends_before_skipping (TriggerRuleDep / NotPreviouslySkippedDep: "Task should be
#    skipped but the past depends are not met"): a skip waits for the past; upstream_failed does not.
WAIT_BEFORE_SKIPPING = CHAIN.replace("@task(depends_on_past=True)",
                                     "@task(depends_on_past=True, wait_for_past_depends_before_skipping=True)")


def test_wait_for_past_depends_before_skipping_holds_a_skip_until_the_past_is_met(h):
    path = h.write(WAIT_BEFORE_SKIPPING)
    start(h, path, DAY1, "r1")
    start(h, path, DAY2, "r2")
    end_try(h, "r2", "first", -1, TI.SKIPPED)
    h.advance("r2")
    assert h.states("r2", "second") == {-1: "none"}
    end_try(h, "r1", "first", -1, TI.SUCCESS)
    h.advance("r1")
    end_try(h, "r1", "second", -1, TI.SUCCESS)
    h.advance("r2")
    assert h.states("r2", "second") == {-1: "skipped"}


def test_wait_for_past_depends_before_skipping_does_not_hold_upstream_failed(h):
    path = h.write(WAIT_BEFORE_SKIPPING)
    start(h, path, DAY1, "r1")
    start(h, path, DAY2, "r2")
    end_try(h, "r2", "first", -1, TI.FAILED)
    h.advance("r2")
    assert h.states("r2", "second") == {-1: "upstream_failed"}


def test_wait_for_past_depends_before_skipping_holds_each_index_of_a_literal_map_skipped_at_once(h):
    path = h.write("""
    @task
    def nothing(x):
        return x

    @task(depends_on_past=True, wait_for_past_depends_before_skipping=True)
    def each(x):
        return x

    @dag(dag_id="literal_skip", start_date=datetime(2022, 1, 1))
    def literal_skip():
        nothing.expand(x=[]) >> each.expand(x=[1, 2])

    literal_skip()
    """)
    create_run(h.store, "r1", [("nothing", 0), ("each", 0)], dag_id="literal_skip", logical_date=DAY1)
    start(h, path, DAY2, "r2")  # the empty map is skipped in the first step: `each` would be too
    assert h.states("r2", "each") == {0: "none", 1: "none"}
    with h.store.locked_run("r1") as tx:
        tx.set_states("each", None, TI.SKIPPED)
    h.advance("r2")
    assert h.states("r2", "each") == {0: "skipped", 1: "skipped"}


# -- Waking the next run: the step of a run asks for the step of the DAG's next running run. -------
def test_a_step_of_a_run_asks_for_the_step_of_the_next_running_run(h):
    path = h.write(MAPPED)
    start(h, path, DAY1, "r1")
    start(h, path, DAY2, "r2")
    h.dispatcher.advances.clear()
    end_try(h, "r1", "each", 0, TI.SUCCESS)
    h.advance("r1")
    assert list(h.dispatcher.advances) == ["r2"]
    h.advance("r2")  # r2 has no run after it
    assert list(h.dispatcher.advances) == ["r2"]


def test_the_next_run_waiting_is_found_only_while_it_has_undecided_instances_of_the_task(h):
    path = h.write(MAPPED)
    start(h, path, DAY1, "r1")
    assert h.store.next_run_waiting("r1", ["each"]) is None  # no later run
    start(h, path, DAY2, "r2")
    assert h.store.next_run_waiting("r1", ["each"]) == "r2"
    assert h.store.next_run_waiting("r1", ["other"]) is None
    assert h.store.next_run_waiting("r2", ["each"]) is None
    for index in range(3):
        end_try(h, "r1", "each", index, TI.SUCCESS)
    h.advance("r2")  # every index queued: nothing of r2 waits any more
    assert h.store.next_run_waiting("r1", ["each"]) is None


def test_the_tasks_waiting_on_a_task_are_itself_and_its_upstreams_with_wait_for_downstream(h):
    dag = h.dagbag.find(str(h.write(DOWNSTREAM)))
    assert tasks_waiting_on(dag, dag.task_dict["each"]) == ["each"]
    assert tasks_waiting_on(dag, dag.task_dict["total"]) == ["each"]


def test_a_dag_without_depends_on_past_wakes_no_run(h):
    path = h.write(MAPPED.replace("depends_on_past=True", "retries=0"))
    start(h, path, DAY1, "r1")
    start(h, path, DAY2, "r2")
    assert h.states("r2", "each") == {0: "queued", 1: "queued", 2: "queued"}
    h.advance("r1")
    assert not h.dispatcher.advances


def test_two_runs_drained_end_to_end_the_second_after_the_first(h):
    path = h.write(MAPPED)
    h.start(path, run_id="r1", logical_date=DAY1)
    h.start(path, run_id="r2", logical_date=DAY2)  # waits: r1's instances are queued
    assert h.states("r2", "each") == {0: "none", 1: "none", 2: "none"}
    h.drain()  # r1 runs; its last step wakes r2, which runs
    assert h.store.get_run("r1").state == "success"
    assert h.store.get_run("r2").state == "success"


# -- Clear and retry: a failed previous instance holds its index back until it is cleared and succeeds.
def test_a_cleared_and_succeeded_previous_instance_lets_its_index_run(h):
    path = h.write(MAPPED)
    start(h, path, DAY1, "r1")
    end_try(h, "r1", "each", 0, TI.SUCCESS)
    end_try(h, "r1", "each", 1, TI.FAILED)
    end_try(h, "r1", "each", 2, TI.SUCCESS)
    h.advance("r1")
    assert h.store.get_run("r1").state == "failed"
    start(h, path, DAY2, "r2")
    assert h.states("r2", "each") == {0: "queued", 1: "none", 2: "queued"}
    assert "'each' at this map index is failed in the previous run r1" in h.store.get_instance("r2", "each", 1)["error"]
    h.store.clear("r1", *plan_clear(h.dagbag.find("dop"), "each", [1], False, False))
    h.advance("r1")  # queues r1's index 1 again
    end_try(h, "r1", "each", 1, TI.SUCCESS)
    h.advance("r1")
    assert h.dispatcher.advances[-1] == "r2"
    h.advance("r2")
    assert h.states("r2", "each")[1] == "queued"


# -- The rule itself, one row per branch of PrevDagrunDep (and the per-index extension). -------------
class Node:
    """The attributes of a task the rule reads."""

    def __init__(self, **options):
        self.task_id = "t"
        self.depends_on_past = options.get("depends_on_past", True)
        self.wait_for_downstream = options.get("wait_for_downstream", False)
        self.ignore_first_depends_on_past = options.get("ignore_first_depends_on_past", False)


@pytest.mark.parametrize("options, past, index, waits", [
    ({"depends_on_past": False}, PastOfTask("r1", {-1: "failed"}), -1, False),  # "did not have depends_on_past set"
    ({}, PastOfTask(None, {}), 3, False),  # "the first task instance for its task"
    ({}, PastOfTask("r1", {}), -1, True),  # "the previous task instance has not run yet"
    ({"ignore_first_depends_on_past": True}, PastOfTask("r1", {}, ran_before=False), -1, False),
    ({"ignore_first_depends_on_past": True}, PastOfTask("r1", {}, ran_before=True), -1, True),
    ({}, PastOfTask("r1", {-1: "success"}), -1, False),
    ({}, PastOfTask("r1", {-1: "skipped"}), -1, False),
    *[({}, PastOfTask("r1", {-1: state}), -1, True)  # "not in a successful state"
      for state in ("none", "queued", "running", "up_for_retry", "failed", "upstream_failed", "removed")],
    ({}, PastOfTask("r1", {0: "failed", 1: "success"}), 1, False),  # per index (beyond Airflow)
    ({}, PastOfTask("r1", {0: "failed", 1: "success"}), 0, True),
    ({}, PastOfTask("r1", {0: "failed", 1: "success"}), 2, True),  # no counterpart: every instance
    ({}, PastOfTask("r1", {0: "success", 1: "skipped"}), 2, False),
    ({}, PastOfTask("r1", {-1: "skipped"}), 0, False),  # the previous map was empty
    ({"wait_for_downstream": True}, PastOfTask("r1", {-1: "success"}, downstream_unsuccessful=1), -1, True),
    ({"wait_for_downstream": True}, PastOfTask("r1", {-1: "success"}, downstream_unsuccessful=0), -1, False),
])
def test_unmet_reason(options, past, index, waits):
    assert (unmet_reason(Node(**options), past, index) is not None) is waits
