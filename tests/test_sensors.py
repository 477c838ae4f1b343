"""Sensors and ``@task.bash``, each rule checked against Airflow's documented behaviour.

Sources: Airflow's ``airflow/sensors/base.py`` (BaseSensorOperator: ``poke``, ``execute``,
``poke_interval``, ``timeout``, ``soft_fail``, ``mode``, ``exponential_backoff``, ``max_wait``,
``PokeReturnValue``; docs: https://airflow.apache.org/docs/apache-airflow/2.2.0/_api/airflow/sensors/base/index.html),
``airflow/sensors/python.py`` (PythonSensor), ``airflow/sensors/filesystem.py`` (FileSensor),
``airflow/decorators/sensor.py`` (``@task.sensor``), ``airflow/decorators/bash.py`` (``@task.bash``),
and the docs' "Sensors" concept page (reschedule mode, ``up_for_reschedule``).
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from executor.reconciler import Reconciler
from orchestrator.baseoperator import detached_operators
from orchestrator.errors import DagDefinitionError
from orchestrator.schema import task_instance
from orchestrator.sensors import BaseSensorOperator, FileSensor
from orchestrator.store import utcnow
from tests.harness import Harness


@pytest.fixture
def h(tmp_path) -> Harness:
    return Harness(tmp_path)


@pytest.fixture
def alone():
    """Operators built outside a DAG, as a worker builds one map index's."""
    with detached_operators():
        yield


def sensor_dag(tmp_path, body: str) -> str:
    return f"""
from orchestrator.sensors import FileSensor, PokeReturnValue, PythonSensor
import os
FLAG = {str(tmp_path / "flag")!r}
{body}
"""


def run_one_message(h: Harness):
    """Run the next message the stub dispatcher holds; returns what became of its batch."""
    run_id, task_id, indices = h.dispatcher.pending.popleft()
    return h.runner.run_batch(run_id, task_id, indices, "stub")


def test_poke_mode_pokes_in_its_slot_until_done_and_pushes_the_poke_return_value(h, tmp_path):
    """Airflow: execute() pokes every poke_interval until poke() is true; a PokeReturnValue's
    xcom_value is what the sensor returns (airflow/sensors/base.py, execute)."""
    run_id = h.run(sensor_dag(tmp_path, """
@task.sensor(poke_interval=0.01, timeout=30)
def wait(n: int):
    count = int(open(FLAG).read()) + 1 if os.path.exists(FLAG) else 1
    open(FLAG, "w").write(str(count))
    return PokeReturnValue(is_done=count >= n, xcom_value=f"after {count}")

with DAG(dag_id="poke_mode") as d:
    wait(3)
"""))
    assert h.states(run_id, "wait") == {-1: "success"}
    assert h.xcom(run_id, "wait") == "after 3"
    assert h.store.get_instance(run_id, "wait", -1)["try_number"] == 1


def test_a_sensor_that_returns_true_pushes_nothing(h, tmp_path):
    """Airflow: a bool poke result gives the sensor no return value (xcom_value None)."""
    run_id = h.run(sensor_dag(tmp_path, """
with DAG(dag_id="bool_sensor") as d:
    PythonSensor(task_id="ready", python_callable=lambda: True, poke_interval=0)
"""))
    assert h.states(run_id, "ready") == {-1: "success"}
    with pytest.raises(KeyError):
        h.xcom(run_id, "ready")


def test_reschedule_mode_gives_the_slot_back_in_the_same_try_until_done(h, tmp_path):
    """Airflow: in reschedule mode an unmet poke raises AirflowRescheduleException, the
    instance becomes up_for_reschedule and its try_number is not consumed."""
    run_id = h.start(h.write(sensor_dag(tmp_path, """
@task.sensor(mode="reschedule", poke_interval=5, retries=2)
def landed(name):
    return os.path.exists(FLAG)

with DAG(dag_id="reschedule_mode") as d:
    landed.expand(name=["a", "b", "c"])
""")))
    h.advance(run_id)
    outcome = run_one_message(h)
    assert outcome.reschedule_indices == [0, 1, 2] and outcome.sent_again_after == 5
    assert h.states(run_id, "landed") == {0: "up_for_reschedule", 1: "up_for_reschedule", 2: "up_for_reschedule"}
    due_in(h, run_id, 0)  # as Celery's countdown brings the message back
    again = h.runner.run_batch(run_id, "landed", outcome.sent_again, "stub")
    assert again.reschedule_indices == [0, 1, 2]
    (tmp_path / "flag").write_text("")
    due_in(h, run_id, 0)
    done = h.runner.run_batch(run_id, "landed", again.sent_again, "stub")
    assert done.finished == {"success": 3} and not done.sent_again
    rows = h.store.list_instances(run_id, "landed")
    assert [(r["state"], r["try_number"]) for r in rows] == [("success", 1)] * 3


def test_a_rescheduled_index_does_not_hold_back_the_others_of_its_batch(h, tmp_path):
    """Each index keeps its own state: the done ones end now, only the others are sent again."""
    run_id = h.start(h.write(sensor_dag(tmp_path, """
@task.sensor(mode="reschedule", poke_interval=1, batch_size=4)
def even(x):
    return x % 2 == 0

with DAG(dag_id="batch_reschedule") as d:
    even.expand(x=[0, 1, 2, 3])
""")))
    h.advance(run_id)
    outcome = run_one_message(h)
    assert outcome.finished == {"success": 2} and outcome.sent_again == [1, 3]
    assert h.states(run_id, "even") == {0: "success", 1: "up_for_reschedule", 2: "success", 3: "up_for_reschedule"}


@pytest.mark.parametrize("mode", ["poke", "reschedule"])
def test_timeout_fails_the_sensor_without_its_retries(h, tmp_path, mode):
    """Airflow: past `timeout` (counted from the first poke) the sensor raises
    AirflowSensorTimeout, which fails the task without retrying it."""
    run_id = h.run(sensor_dag(tmp_path, f"""
with DAG(dag_id="timeout_{mode}") as d:
    PythonSensor(task_id="never", python_callable=lambda: False, poke_interval=0.05, timeout=0.2,
                 mode={mode!r}, retries=3)
"""))
    row = h.store.get_instance(run_id, "never", -1)
    assert (row["state"], row["try_number"]) == ("failed", 1)
    assert "SensorTimeout" in row["error"] and "timed out" in row["error"]


@pytest.mark.parametrize("mode", ["poke", "reschedule"])
def test_soft_fail_skips_the_sensor_on_timeout(h, tmp_path, mode):
    """Airflow: soft_fail=True marks the task SKIPPED on failure (timeout included)."""
    run_id = h.run(sensor_dag(tmp_path, f"""
@task
def after():
    return 1

with DAG(dag_id="soft_fail_{mode}") as d:
    PythonSensor(task_id="never", python_callable=lambda: False, poke_interval=0.05, timeout=0.1,
                 mode={mode!r}, soft_fail=True) >> after()
"""))
    assert h.states(run_id, "never") == {-1: "skipped"}
    assert h.states(run_id, "after") == {-1: "skipped"}


def test_what_a_poke_raises_as_airflow_2_10_takes_it(h, tmp_path):
    """Airflow 2.10's BaseSensorOperator.execute: soft_fail skips on a timeout or
    AirflowFailException raised by the poke, not on another exception (that one fails the try);
    never_fail skips on anything; silent_fail counts another exception as "not done yet"."""
    run_id = h.run(sensor_dag(tmp_path, """
from orchestrator import AirflowFailException

def broken():
    raise OSError("bucket unreachable")

def refused():
    raise AirflowFailException("no such bucket")

calls = []

def flaky():
    calls.append(1)
    if len(calls) == 1:
        raise OSError("once")
    return True

with DAG(dag_id="poke_raises") as d:
    PythonSensor(task_id="soft_other", python_callable=broken, soft_fail=True)
    PythonSensor(task_id="soft_fail_exc", python_callable=refused, soft_fail=True)
    PythonSensor(task_id="never", python_callable=broken, never_fail=True)
    PythonSensor(task_id="silent", python_callable=flaky, silent_fail=True, poke_interval=0.1)
"""))
    assert h.states(run_id, "soft_other") == {-1: "failed"}
    assert h.states(run_id, "soft_fail_exc") == {-1: "skipped"}
    assert h.states(run_id, "never") == {-1: "skipped"}
    assert h.states(run_id, "silent") == {-1: "success"}


def test_soft_fail_and_never_fail_together_are_refused(alone):
    with pytest.raises(DagDefinitionError, match="mutually exclusive"):
        BaseSensorOperator(task_id="s", soft_fail=True, never_fail=True)


def test_an_unknown_mode_or_a_negative_interval_is_refused_at_definition(alone):
    """Airflow: "The mode must be one of ['poke', 'reschedule']"; poke_interval and timeout
    must be non-negative (BaseSensorOperator._validate_input_values)."""
    with pytest.raises(DagDefinitionError, match="mode must be one of"):
        BaseSensorOperator(task_id="s", mode="defer")
    with pytest.raises(DagDefinitionError, match="poke_interval"):
        BaseSensorOperator(task_id="s", poke_interval=-1)
    with pytest.raises(DagDefinitionError, match="timeout"):
        BaseSensorOperator(task_id="s", timeout="soon")


def test_intervals_and_timeouts_may_be_timedeltas(alone):
    sensor = BaseSensorOperator(task_id="s", poke_interval=timedelta(minutes=2), timeout=timedelta(hours=1))
    assert (sensor.poke_interval, sensor.timeout, sensor.mode, sensor.soft_fail) == (120, 3600, "poke", False)


def test_exponential_backoff_doubles_the_wait_within_max_wait_and_timeout(alone):
    """Airflow: with exponential_backoff the wait grows as poke_interval * 2 ** (pokes - 2)
    (here without Airflow's random jitter), capped by max_wait and the time left to timeout."""
    sensor = BaseSensorOperator(task_id="s", poke_interval=10, timeout=1000, exponential_backoff=True, max_wait=300)
    waits, elapsed = [], 0.0
    for _ in range(7):
        wait = sensor.next_poke_interval(elapsed)
        waits.append(wait)
        elapsed += wait
    assert waits == [10, 10, 20, 40, 80, 160, 300]
    assert sensor.next_poke_interval(950) == 50  # never past the timeout
    assert BaseSensorOperator(task_id="p", poke_interval=10).next_poke_interval(500) == 10


def test_file_sensor_waits_for_a_file_or_a_folder_with_files_at_an_fsspec_url(tmp_path, alone):
    """Airflow's FileSensor: true when the path (glob allowed) matches a file, or a folder that
    holds files; an empty folder is not enough."""
    landing = tmp_path / "landing"
    context: dict = {}
    assert not FileSensor(task_id="f", filepath=str(landing)).poke(context)
    landing.mkdir()
    assert not FileSensor(task_id="f", filepath=f"file://{landing}").poke(context)
    assert not FileSensor(task_id="f", filepath=f"file://{landing}/*.csv").poke(context)
    (landing / "sub").mkdir()
    (landing / "sub" / "orders.csv").write_text("id\n1\n")
    assert FileSensor(task_id="f", filepath=f"file://{landing}").poke(context)
    assert FileSensor(task_id="f", filepath=str(landing / "sub" / "*.csv")).poke(context)
    assert not FileSensor(task_id="f", filepath=str(landing / "**" / "*.json")).poke(context)
    assert FileSensor(task_id="f", filepath=str(landing / "**" / "*.csv"), recursive=True).poke(context)


def test_file_sensor_path_is_templated_per_map_index(h, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("x")
    run_id = h.run(sensor_dag(tmp_path, f"""
with DAG(dag_id="files") as d:
    FileSensor.partial(task_id="arrived", poke_interval=0, timeout=0, soft_fail=True).expand(
        filepath=["{tmp_path}/in/a.csv", "{tmp_path}/in/{{{{ ti.map_index }}}}.csv"])
"""))
    assert h.states(run_id, "arrived") == {0: "success", 1: "skipped"}


def due_in(h: Harness, run_id: str, seconds: float) -> None:
    """Move the next poke of the run's rescheduled sensors to ``seconds`` from now."""
    with h.store.begin() as conn:
        conn.execute(task_instance.update().where(task_instance.c.run_id == run_id)
                     .values(queued_at=utcnow() + timedelta(seconds=seconds)))


def test_a_rescheduled_sensor_is_not_poked_before_its_time_by_a_duplicate_message(h, tmp_path):
    """A second message for a sensor (sent again by the scheduler while the first was only late)
    finds it not due and leaves it: only one chain of pokes goes on."""
    run_id = h.start(h.write(sensor_dag(tmp_path, """
with DAG(dag_id="early") as d:
    PythonSensor(task_id="wait", python_callable=lambda: False, poke_interval=30, mode="reschedule")
""")))
    h.advance(run_id)
    assert run_one_message(h).sent_again == [-1]
    early = h.runner.run_batch(run_id, "wait", [-1], "stub")
    assert (early.not_claimed, early.sent_again) == (1, [])
    due_in(h, run_id, -0.1)
    assert h.runner.run_batch(run_id, "wait", [-1], "stub").sent_again == [-1]


def test_the_reconciler_sends_again_a_rescheduled_sensor_whose_message_was_lost(h, tmp_path):
    """`chordflow scheduler` leaves a waiting up_for_reschedule instance alone (it is not lost),
    and sends it again once its next poke is overdue with no message for it."""
    run_id = h.start(h.write(sensor_dag(tmp_path, """
with DAG(dag_id="lost_poke") as d:
    PythonSensor(task_id="wait", python_callable=lambda: os.path.exists(FLAG), poke_interval=30, mode="reschedule")
""")))
    h.advance(run_id)
    assert run_one_message(h).sent_again == [-1]  # its message is then lost: nobody sends it
    settings = SimpleNamespace(zombie_after=60, requeue_after=10, orphan_timeout=300)
    runtime = SimpleNamespace(store=h.store, dagbag=h.dagbag, dispatcher=h.dispatcher, settings=settings,
                              advance=h.advance, admit=h.admit)
    reconciler = Reconciler(runtime)
    assert reconciler.reconcile()["requeued"] == 0  # poked 0 s ago, due in 30 s
    due_in(h, run_id, -5)  # due 5 s ago: not yet overdue
    assert reconciler.reconcile()["requeued"] == 0
    due_in(h, run_id, -15)  # overdue by more than requeue_after
    assert reconciler.reconcile()["requeued"] == 1
    assert h.dispatcher.pending[-1] == (run_id, "wait", [-1])
    (tmp_path / "flag").write_text("")
    h.drain()
    assert h.states(run_id, "wait") == {-1: "success"}
    assert h.store.get_run(run_id).state == "success"


def test_task_bash_runs_the_command_its_function_returns(h):
    """Airflow's @task.bash: the function's return value is the command, rendered as a template
    and run as BashOperator runs bash_command; the last line of output is the XCom."""
    run_id = h.run("""
@task.bash(env={"GREETING": "hello"}, append_env=True)
def greet(name: str) -> str:
    return f"echo $GREETING {name} {{{{ ti.map_index }}}}"

with DAG(dag_id="bash_decorator") as d:
    greet.expand(name=["ada", "bob"])
""")
    assert h.states(run_id, "greet") == {0: "success", 1: "success"}
    assert [h.xcom(run_id, "greet", i) for i in (0, 1)] == ["hello ada 0", "hello bob 1"]


def test_task_bash_fails_on_a_non_zero_exit_and_skips_on_99_and_refuses_a_non_string(h):
    """Airflow: a non-zero exit fails the task, 99 (skip_on_exit_code) skips it; the callable
    must return a non-empty string."""
    run_id = h.run("""
@task.bash
def command(code: int):
    return f"exit {code}"

@task.bash
def nothing():
    return None

with DAG(dag_id="bash_exits") as d:
    command.expand(code=[0, 3, 99])
    nothing()
""")
    assert h.states(run_id, "command") == {0: "success", 1: "failed", 2: "skipped"}
    row = h.store.get_instance(run_id, "nothing", -1)
    assert row["state"] == "failed" and "non-empty string" in row["error"]


def test_task_bash_function_may_name_context_entries_and_return_a_template(h):
    """Airflow's @task.bash how-to: a context entry named as a parameter (task_instance_key_str,
    ``{dag_id}__{task_id}__{ds_nodash}``) is passed in; a returned template is rendered."""
    run_id = h.run("""
@task.bash
def by_name(task_instance_key_str) -> str:
    return f"echo {task_instance_key_str}"

@task.bash
def by_template() -> str:
    return "echo {{ task_instance_key_str }}"

with DAG(dag_id="bash_context") as d:
    by_name()
    by_template()
""")
    assert h.xcom(run_id, "by_name") == "bash_context__by_name__20220412"
    assert h.xcom(run_id, "by_template") == "bash_context__by_template__20220412"


def test_cancelling_a_run_fails_its_waiting_sensor_and_its_next_message_pokes_nothing(h, tmp_path):
    """An up_for_reschedule sensor is unfinished: cancelling the run fails it, and the delayed
    message that comes afterwards finds nothing to claim."""
    run_id = h.start(h.write(sensor_dag(tmp_path, """
with DAG(dag_id="cancelled_sensor") as d:
    PythonSensor(task_id="wait", python_callable=lambda: False, poke_interval=1, mode="reschedule")
""")))
    h.advance(run_id)
    assert run_one_message(h).sent_again == [-1]
    h.store.cancel_run(run_id, "cancelled", "the run was cancelled")
    due_in(h, run_id, 0)
    late = h.runner.run_batch(run_id, "wait", [-1], "stub")
    assert (late.not_claimed, late.sent_again) == (1, [])
    row = h.store.get_instance(run_id, "wait", -1)
    assert (row["state"], row["error"]) == ("failed", "the run was cancelled")
