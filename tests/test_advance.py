"""The run state machine on the stub dispatcher (no broker): expansion, trigger rules, run end."""
from __future__ import annotations

import pytest

from orchestrator.read_models import plan_clear
from orchestrator.store import Store
from orchestrator.store.transaction import RunQueries
from tests.harness import Harness


@pytest.fixture
def h(tmp_path) -> Harness:
    return Harness(tmp_path)


SEED = """
@task
def add(x, y):
    return x + y

@task
def total(values):
    return sum(values)

@dag(dag_id="seed", start_date=datetime(2022, 1, 1))
def seed():
    total(add.partial(y=10).expand(x=[1, 2, 3]))

seed()
"""


def test_expansion_dispatches_every_index_of_a_map_at_once(h):
    run_id = h.run(SEED)
    assert h.dispatcher.dispatched == [("add", [0, 1, 2]), ("total", [-1])]
    assert h.states(run_id, "add") == {0: "success", 1: "success", 2: "success"}
    assert h.xcom(run_id, "total") == 36
    assert h.store.get_run(run_id).state == "success"
    assert h.store.map_lengths(run_id) == {"add": 3}


def test_advance_after_the_end_changes_nothing(h):
    run_id = h.run(SEED)
    h.dispatcher.dispatched.clear()
    result = h.advance(run_id)
    assert result.state == "success" and result.dispatches == []
    assert h.dispatcher.dispatched == []


def test_an_ended_run_keeps_its_counts_and_a_clear_drops_them(h):
    """``dag_run.final_counts`` (migration 0011): written by the step that ends the run, equal to
    counting its instances, read instead of counting; a clear puts the run back to counting."""
    run_id = h.run(SEED.replace("x=[1, 2, 3]", "x=[1, 2, 0]").replace("return x + y", "return 1 // x"))
    with h.store.begin() as conn:
        counted = RunQueries(conn, run_id).state_counts()
    assert counted == {"add": {"success": 2, "failed": 1}, "total": {"upstream_failed": 1}}
    assert h.store.get_run(run_id).final_counts == counted
    assert h.store.state_counts(run_id) == counted
    h.store.clear(run_id, [("add", [2], False, 0)], [("total", 0)])
    record = h.store.get_run(run_id)
    assert (record.state, record.final_counts) == ("running", None)
    assert h.store.state_counts(run_id) == {"add": {"success": 2, "none": 1}, "total": {"none": 1}}


def test_the_step_that_ends_a_run_announces_it_once(h):
    run_id = h.run(SEED)
    h.advance(run_id)
    assert h.dispatcher.ended == [run_id]


CHAIN = """
@task
def step(x=0):
    return x + 1

@dag(dag_id="chain20", start_date=datetime(2022, 1, 1))
def chain20():
    value = step()
    for _ in range(19):
        value = step(value)

chain20()
"""


def test_a_chain_step_evaluates_only_the_task_after_the_last_that_ended(h, monkeypatch):
    """Tasks none of whose upstream instances has finished wait whatever their rule: a step of a
    chain of 20 looks at one task, not at the 19 still to come (the run still ends as before)."""
    from orchestrator.run_step import RunStep

    decided: list[str] = []
    original = RunStep._decide

    def counting(self, task):
        decided.append(task.task_id)
        return original(self, task)

    monkeypatch.setattr(RunStep, "_decide", counting)
    run_id = h.start(h.write(CHAIN))
    assert decided == ["step"]  # the root, at the run's first step
    h.drain()
    assert h.store.get_run(run_id).state == "success"
    assert h.xcom(run_id, "step__19") == 20
    # One evaluation per step: each step decides the next task, the last step ends the run.
    assert decided == ["step"] + [f"step__{i}" for i in range(1, 20)]


def test_a_map_waits_for_its_upstream_before_expanding(h):
    path = h.write("""
    @task
    def make():
        return [5, 6]

    @task
    def double(x):
        return 2 * x

    with DAG(dag_id="wait") as d:
        double.expand(x=make())
    """)
    run_id = h.start(path)
    assert h.states(run_id, "double") == {-1: "none"}
    assert h.dispatcher.dispatched == [("make", [-1])]
    h.drain()
    assert h.states(run_id, "double") == {0: "success", 1: "success"}
    assert [h.xcom(run_id, "double", i) for i in (0, 1)] == [10, 12]


def test_empty_map_skips_mapped_task_and_all_success_downstream(h):
    run_id = h.run("""
    @task
    def nothing():
        return []

    @task
    def each(x):
        return x

    @task
    def reduce(values):
        return len(values)

    with DAG(dag_id="empty") as d:
        reduce(each.expand(x=nothing()))
    """)
    assert h.states(run_id, "each") == {-1: "skipped"}
    assert h.states(run_id, "reduce") == {-1: "skipped"}
    assert h.store.map_lengths(run_id)["each"] == 0
    assert h.store.get_run(run_id).state == "success"


def test_reduce_that_runs_after_an_empty_map_receives_an_empty_sequence(h):
    run_id = h.run("""
    @task
    def each(x):
        return x

    @task(trigger_rule="all_done")
    def reduce(values):
        assert values is not None
        return [len(values), list(values)]

    with DAG(dag_id="empty_reduce") as d:
        reduce(each.expand(x=[]))
    """)
    assert h.xcom(run_id, "reduce") == [0, []]


def test_failed_indices_are_absent_from_the_reduce_sequence(h):
    run_id = h.run("""
    @task
    def risky(x):
        if x % 2:
            raise ValueError(x)
        return x

    @task(trigger_rule="all_done")
    def reduce(values):
        return [len(values), values[0], values[-1], list(values)]

    with DAG(dag_id="absent") as d:
        reduce(risky.expand(x=list(range(6))))
    """)
    assert h.xcom(run_id, "reduce") == [3, 0, 4, [0, 2, 4]]
    assert h.store.get_run(run_id).state == "success"


def test_run_fails_when_a_leaf_fails_but_not_when_a_middle_task_does(h):
    run_id = h.run("""
    @task
    def boom():
        raise RuntimeError("no")

    @task(trigger_rule="always")
    def cleanup():
        return "ok"

    with DAG(dag_id="leaves") as d:
        boom() >> cleanup()
    """)
    assert h.store.get_run(run_id).state == "success"
    run_id = h.run("""
    @task
    def boom():
        raise RuntimeError("no")

    with DAG(dag_id="leaf_fails") as d:
        boom()
    """)
    assert h.store.get_run(run_id).state == "failed"


def test_mapped_group_failure_stays_in_its_index(h):
    run_id = h.run("""
    @task
    def load(name):
        if name == "b":
            raise ValueError("corrupt")
        return name

    @task
    def publish(text):
        return text + "!"

    @task_group
    def per_file(name):
        return publish(load(name))

    with DAG(dag_id="group") as d:
        per_file.expand(name=["a", "b", "c"])
    """)
    assert h.states(run_id, "per_file.load") == {0: "success", 1: "failed", 2: "success"}
    assert h.states(run_id, "per_file.publish") == {0: "success", 1: "upstream_failed", 2: "success"}
    assert h.xcom(run_id, "per_file.publish", 2) == "c!"


def test_retries_are_counted_per_map_index(h):
    marker = h.folder / "tried"
    run_id = h.run(f"""
    from datetime import timedelta
    from pathlib import Path

    @task(retries=2, retry_delay=timedelta(0))
    def flaky(x):
        marker = Path({str(marker)!r} + str(x))
        if x == 1 and not marker.exists():
            marker.touch()
            raise RuntimeError("first try fails")
        return x

    with DAG(dag_id="retry") as d:
        flaky.expand(x=[0, 1])
    """)
    rows = {r["map_index"]: r for r in h.store.list_instances(run_id, "flaky")}
    assert (rows[0]["state"], rows[0]["try_number"]) == ("success", 1)
    assert (rows[1]["state"], rows[1]["try_number"]) == ("success", 2)
    logs = h.store.get_logs(run_id, "flaky", 1)
    assert [entry["try_number"] for entry in logs] == [1, 2]
    assert "first try fails" in logs[0]["content"]


def test_too_long_upstream_list_fails_the_upstream_naming_the_limit(tmp_path):
    h = Harness(tmp_path, max_map_length=3)
    run_id = h.run("""
    @task
    def many():
        return [1, 2, 3, 4]

    @task
    def each(x):
        return x

    with DAG(dag_id="limit") as d:
        each.expand(x=many())
    """)
    row = h.store.list_instances(run_id, "many")[0]
    assert row["state"] == "failed"
    assert "4 > CHORDFLOW_MAX_MAP_LENGTH=3" in row["error"]
    assert h.states(run_id, "each") == {-1: "upstream_failed"}


def test_literal_cross_product_over_the_limit_fails_the_mapped_task(tmp_path):
    h = Harness(tmp_path, max_map_length=5)
    run_id = h.run("""
    @task
    def each(x, y):
        return x

    with DAG(dag_id="limit2") as d:
        each.expand(x=[1, 2, 3], y=[1, 2])
    """)
    row = h.store.list_instances(run_id, "each")[0]
    assert row["state"] == "failed" and "CHORDFLOW_MAX_MAP_LENGTH=5" in row["error"]


def test_cleared_failed_index_runs_again_and_the_run_finishes_again(h):
    flag = h.folder / "fixed"
    run_id = h.run(f"""
    from pathlib import Path

    @task
    def load(x):
        if x == 2 and not Path({str(flag)!r}).exists():
            raise ValueError("file 2 missing")
        return x

    @task(trigger_rule="all_done")
    def total(values):
        return sum(values)

    with DAG(dag_id="clear") as d:
        total(load.expand(x=[1, 2, 3]))
    """)
    assert h.xcom(run_id, "total") == 4
    assert h.store.get_run(run_id).state == "success"
    flag.touch()
    cleared = h.store.clear(run_id, [("load", None, True, 0)], [("total", 0)])
    assert cleared == 2
    assert h.store.get_run(run_id).state == "running"
    h.advance(run_id)
    h.drain()
    rows = {r["map_index"]: r for r in h.store.list_instances(run_id, "load")}
    assert rows[1]["state"] == "success" and rows[1]["try_number"] == 2
    assert rows[0]["try_number"] == 1
    assert h.xcom(run_id, "total") == 6


def test_conf_overrides_params(h):
    run_id = h.start(h.write("""
    @task
    def width(**context):
        return list(range(context["params"]["n"]))

    @task
    def each(x):
        return x

    with DAG(dag_id="params", params={"n": 2}) as d:
        each.expand(x=width())
    """), conf={"n": 4})
    h.drain()
    assert h.store.map_lengths(run_id)["each"] == 4


def test_lazy_sequence_streams_in_pages(h, monkeypatch):
    import orchestrator.store.xcoms as xcoms_module

    monkeypatch.setattr(xcoms_module, "XCOM_STREAM_PAGE", 7)
    run_id = h.run("""
    @task(batch_size=10)
    def each(x):
        return x

    @task
    def total(values):
        return [sum(values), len(values), values[25]]

    with DAG(dag_id="pages") as d:
        total(each.expand(x=list(range(50))))
    """)
    assert h.xcom(run_id, "total") == [sum(range(50)), 50, 25]


def test_store_keeps_state_machine_results_on_postgres(tmp_path, pg_url):
    h = Harness(tmp_path, database_url=pg_url)
    run_id = h.run(SEED)
    assert h.xcom(run_id, "total") == 36
    assert isinstance(h.store, Store) and not h.store.is_sqlite


def test_instances_whose_dag_file_is_gone_on_the_worker_fail_saying_why(h):
    path = h.write(SEED)
    run_id = h.start(path)
    path.unlink()
    h.dagbag = h.runner.dagbag = type(h.dagbag)(h.folder)  # a worker that never loaded the file
    h.dispatcher.drain(
        lambda rid, task_id, indices: h.runner.run_batch(rid, task_id, indices, "stub").retry_indices,
        lambda rid: None,
    )
    rows = h.store.list_instances(run_id, "add")
    assert [r["state"] for r in rows] == ["failed"] * 3
    assert all("cannot load DAG 'seed'" in r["error"] for r in rows)
    assert "cannot load DAG" in h.store.get_logs(run_id, "add", 0)[0]["content"]


def test_task_and_dag_callbacks_are_called_as_in_airflow(h, tmp_path):
    """on_execute/on_success/on_failure/on_retry/on_skipped of a task (also from default_args, a
    list of them, and per map index) and the DAG's on_failure_callback once at the end, each
    with the context; a failing callback changes no state and goes to the instance's log."""
    events = tmp_path / "events.txt"
    run_id = h.run(f"""
from datetime import timedelta

EVENTS = {str(events)!r}

def record(what):
    def callback(context):
        ti = context["ti"]
        extra = type(context["exception"]).__name__ if "exception" in context else ""
        with open(EVENTS, "a") as out:
            out.write(f"{{what}} {{ti.task_id}}[{{ti.map_index}}] try {{ti.try_number}} {{extra}}\\n")
    return callback

def broken(context):
    raise RuntimeError("the callback itself fails")

def dag_failed(context):
    with open(EVENTS, "a") as out:
        out.write(f"dag {{context['dag_run'].run_id}} {{context['reason']}}\\n")

@task(on_execute_callback=record("execute"), on_success_callback=[record("success"), broken],
      on_failure_callback=record("failure"), on_retry_callback=record("retry"),
      on_skipped_callback=record("skipped"), retries=1, retry_delay=timedelta(seconds=0))
def work(x):
    if x == 1:
        raise ValueError("one")
    if x == 2:
        raise AirflowSkipException("two")
    return x

@task
def plain():
    return "plain"

@dag(dag_id="callbacks", schedule=None, start_date=datetime(2022, 1, 1), on_failure_callback=dag_failed,
     default_args={{"on_success_callback": record("default-success")}})
def callbacks():
    work.expand(x=[0, 1, 2])
    plain()

callbacks()
""")
    assert h.store.get_run(run_id).state == "failed"
    assert h.states(run_id, "work") == {0: "success", 1: "failed", 2: "skipped"}
    lines = sorted(events.read_text().splitlines())
    assert lines == sorted([
        "execute work[0] try 1 ", "success work[0] try 1 ",
        "execute work[1] try 1 ", "retry work[1] try 1 ValueError",
        "execute work[1] try 2 ", "failure work[1] try 2 ValueError",
        "execute work[2] try 1 ", "skipped work[2] try 1 ",
        "default-success plain[-1] try 1 ",
        f"dag {run_id} task_failure",
    ]), lines
    [log] = h.store.get_logs(run_id, "work", 0)
    assert "on_success_callback 'broken' failed" in log["content"] and "the callback itself fails" in log["content"]


def test_a_mapped_group_expanded_with_kwargs_uses_the_group_function_defaults(h):
    run_id = h.run("""
    @task
    def combine(first, second):
        return f"{first}-{second}"

    @task_group
    def grouped(first, second="default"):
        return combine(first, second)

    with DAG(dag_id="group_defaults") as d:
        grouped.expand_kwargs([{"first": "a"}, {"first": "b", "second": "given"}])
    """)
    assert [h.xcom(run_id, "grouped.combine", i) for i in (0, 1)] == ["a-default", "b-given"]


def test_a_group_kwargs_dict_missing_a_parameter_without_default_fails_naming_it(h):
    run_id = h.run("""
    @task
    def combine(first, second):
        return f"{first}-{second}"

    @task_group
    def grouped(first, second):
        return combine(first, second)

    with DAG(dag_id="group_missing") as d:
        grouped.expand_kwargs([{"first": "a", "second": "b"}, {"first": "c"}])
    """)
    assert h.states(run_id, "grouped.combine") == {0: "success", 1: "failed"}
    error = h.store.list_instances(run_id, "grouped.combine")[1]["error"]
    assert "element 1" in error and "'second'" in error and "no default" in error


def test_a_reduce_over_concat_of_a_task_that_pushed_nothing_fails_naming_it(h):
    run_id = h.run("""
    from orchestrator import AirflowSkipException

    @task
    def some():
        return [1]

    @task
    def none_today():
        raise AirflowSkipException("nothing")

    @task(trigger_rule="all_done")
    def total(values):
        return sum(values)

    with DAG(dag_id="concat_missing") as d:
        total(some().concat(none_today()))
    """)
    assert h.states(run_id, "total") == {-1: "failed"}
    assert "none_today" in h.store.list_instances(run_id, "total")[0]["error"]


def test_a_map_over_literals_has_its_instances_from_the_start(h):
    run_id = h.start(h.write("""
    @task
    def first():
        return 1

    @task
    def each(x, y):
        return x * y

    with DAG(dag_id="literal_map") as d:
        first() >> each.expand(x=[1, 2], y=[10, 20, 30])
    """))
    assert h.store.map_lengths(run_id)["each"] == 6  # known before anything ran, as in Airflow
    assert h.states(run_id, "each") == {i: "none" for i in range(6)}
    h.drain()
    assert h.states(run_id, "each") == {i: "success" for i in range(6)}
    assert h.xcom(run_id, "each", 5) == 60


def test_instances_of_a_map_over_literals_end_upstream_failed_with_their_upstream(h):
    run_id = h.run("""
    @task
    def first():
        raise RuntimeError("no")

    @task
    def each(x):
        return x

    @task_group
    def per_item(x):
        return each.override(task_id="inner")(x)

    with DAG(dag_id="literal_map_upstream_failed") as d:
        f = first()
        f >> each.expand(x=[1, 2, 3])
        f >> per_item.expand(x=["a", "b"])
    """)
    assert h.states(run_id, "each") == {0: "upstream_failed", 1: "upstream_failed", 2: "upstream_failed"}
    assert h.states(run_id, "per_item.inner") == {0: "upstream_failed", 1: "upstream_failed"}
    assert h.store.get_run(run_id).state == "failed"


CLEAR_HISTORY = """
from pathlib import Path

FLAG = Path({flag!r})

@task
def listing():
    return [1, 2] if FLAG.exists() else []

@task
def each(x):
    return x * 10

@task(trigger_rule="all_done")
def total(values):
    return sum(values)

with DAG(dag_id="clear_history") as d:
    total(each.expand(x=listing()))
"""


def test_clear_downstream_goes_on_from_the_last_try_and_keeps_earlier_logs(h):
    flag = h.folder / "landed"
    flag.touch()
    run_id = h.run(CLEAR_HISTORY.format(flag=str(flag)))
    assert h.xcom(run_id, "total") == 30
    selections, resets = plan_clear(h.dagbag.find("clear_history"), "listing", None, False, True)
    assert resets == [("each", 0)] and {s[0] for s in selections} == {"listing", "total"}
    h.store.clear(run_id, selections, resets)
    h.advance(run_id)
    h.drain()
    for task_id, index in (("listing", -1), ("each", 0), ("each", 1), ("total", -1)):
        row = [r for r in h.store.list_instances(run_id, task_id) if r["map_index"] == index][0]
        assert (row["state"], row["try_number"]) == ("success", 2), (task_id, index)
        assert [log["try_number"] for log in h.store.get_logs(run_id, task_id, index)] == [1, 2]
    first, second = h.store.get_logs(run_id, "total", -1)
    assert "try 1" in first["content"] and "try 2" in second["content"]  # the first try's log was kept


def test_clearing_a_map_that_expanded_to_nothing_expands_it_again(h):
    flag = h.folder / "landed_later"
    run_id = h.run(CLEAR_HISTORY.format(flag=str(flag)))
    assert h.states(run_id, "each") == {-1: "skipped"} and h.xcom(run_id, "total") == 0
    flag.touch()
    h.store.clear(run_id, *plan_clear(h.dagbag.find("clear_history"), "listing", None, False, True))
    h.advance(run_id)
    h.drain()
    assert h.states(run_id, "each") == {0: "success", 1: "success"}
    assert h.xcom(run_id, "total") == 30
    h.store.clear(run_id, [("each", None, False, 0)], [])  # the map itself, not its source
    h.advance(run_id)
    h.drain()
    assert [r["try_number"] for r in h.store.list_instances(run_id, "each")] == [2, 2]
