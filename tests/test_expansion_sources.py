"""What the task feeding a map decides, for every trigger rule (the table of issue 11).

Airflow's rule for expansion sources (apache/airflow#25698, fixed by PR #25757): a mapped task
whose source failed or is upstream_failed is ``upstream_failed``, whatever its trigger rule; a
skipped source makes it ``skipped``; a source that pushes nothing to map over fails
(``XComForMappingNotPushed``, apache/airflow PR #22954); a source that pushed an empty list makes
it ``skipped`` (map_count 0). Otherwise the mapped task's own trigger rule decides. The expected
values are written out below, not computed by the code under test.
"""
from __future__ import annotations

import textwrap

import pytest

from orchestrator import TriggerRule
from tests.harness import Harness

#: How the source ends, as a DAG file's source task (``upstream`` fails first where named).
SOURCES = {
    "values": "@task\ndef source():\n    return [1, 2, 3]\n",
    "empty": "@task\ndef source():\n    return []\n",
    "failed": "@task\ndef source():\n    raise RuntimeError('listing service down')\n",
    "upstream_failed": "@task\ndef source(_after):\n    return [1, 2, 3]\n",
    "skipped": "@task\ndef source():\n    raise AirflowSkipException('nothing landed')\n",
    "no_value_pushed": "@task(do_xcom_push=False)\ndef source():\n    return [1, 2, 3]\n",
}

#: The source's own state for each kind.
SOURCE_STATE = {"values": "success", "empty": "success", "failed": "failed", "upstream_failed": "upstream_failed",
                "skipped": "skipped", "no_value_pushed": "failed"}

#: Rules that give up (skip) when their only upstream succeeded: Airflow's table, by hand.
SKIPPED_AFTER_SUCCESS = {TriggerRule.ALL_FAILED, TriggerRule.ALL_SKIPPED, TriggerRule.ONE_FAILED}


def expected(kind: str, rule: TriggerRule) -> tuple[dict[int, str], str]:
    """The mapped task's instances ``{map_index: state}`` and the run's state."""
    if kind == "values":
        if rule in SKIPPED_AFTER_SUCCESS:
            return {-1: "skipped"}, "success"
        return {0: "success", 1: "success", 2: "success"}, "success"
    if kind in ("empty", "skipped"):
        return {-1: "skipped"}, "success"
    return {-1: "upstream_failed"}, "failed"  # failed, upstream_failed, no value pushed


#: A classic operator as the mapped task: Airflow 2.10 refuses a ``@task`` with trigger rule
#: ``always`` mapped over an output when the file loads (decorators/base.py), not an operator.
TIMES_TEN = """
from orchestrator.baseoperator import BaseOperator

class TimesTen(BaseOperator):
    def __init__(self, x, **kwargs):
        super().__init__(**kwargs)
        self.x = x

    def execute(self, context):
        return self.x * 10
"""


def dag_source(kind: str, rule: TriggerRule) -> str:
    call = "source(broken())" if kind == "upstream_failed" else "source()"
    return f"""
from orchestrator import AirflowSkipException
{TIMES_TEN}

@task
def broken():
    raise RuntimeError("upstream of the source")

{SOURCES[kind]}

with DAG(dag_id="source_{kind}_{rule.value}") as d:
    TimesTen.partial(task_id="mapped", trigger_rule={rule.value!r}).expand(x={call})
"""


@pytest.fixture(scope="module")
def h(tmp_path_factory) -> Harness:
    return Harness(tmp_path_factory.mktemp("sources"))


@pytest.mark.parametrize("rule", list(TriggerRule), ids=lambda r: r.value)
@pytest.mark.parametrize("kind", list(SOURCES))
def test_mapped_task_and_run_state_for_each_source_state_and_trigger_rule(h, kind, rule):
    run_id = h.run(dag_source(kind, rule))
    want_instances, want_run = expected(kind, rule)
    assert h.states(run_id, "source") == {-1: SOURCE_STATE[kind]}
    assert h.states(run_id, "mapped") == want_instances
    assert h.store.get_run(run_id).state == want_run
    assert h.store.map_lengths(run_id).get("mapped", 0) == len([i for i in want_instances if i >= 0])


def test_a_source_that_pushes_nothing_fails_after_its_retries_saying_why(h):
    """Airflow's XComForMappingNotPushed is a plain AirflowException: the try fails and is retried
    while tries are left (only AirflowFailException skips them)."""
    run_id = h.run("""
    from datetime import timedelta

    @task(do_xcom_push=False, retries=2, retry_delay=timedelta(0))
    def source():
        return [1, 2, 3]

    @task
    def mapped(x):
        return x

    with DAG(dag_id="no_push_message") as d:
        mapped.expand(x=source())
    """)
    row = h.store.list_instances(run_id, "source")[0]
    assert (row["state"], row["try_number"]) == ("failed", 3)
    assert "do_xcom_push=False" in row["error"] and "must push" in row["error"]


def test_a_multiple_outputs_source_missing_the_mapped_key_fails(h):
    run_id = h.run("""
    @task(multiple_outputs=True)
    def source():
        return {"other": [1]}

    @task
    def mapped(x):
        return x

    with DAG(dag_id="missing_key") as d:
        mapped.expand(x=source()["files"])
    """)
    assert h.states(run_id, "source") == {-1: "failed"}
    assert "'files'" in h.store.list_instances(run_id, "source")[0]["error"]
    assert h.states(run_id, "mapped") == {-1: "upstream_failed"}
    assert h.store.get_run(run_id).state == "failed"


@pytest.mark.parametrize(("rule", "state", "run_state"), [
    (TriggerRule.ALL_DONE, "skipped", "success"), (TriggerRule.ALWAYS, "skipped", "success"),
    (TriggerRule.NONE_FAILED, "upstream_failed", "failed"), (TriggerRule.ALL_SUCCESS, "upstream_failed", "failed")])
def test_map_over_a_map_whose_every_instance_failed(h, rule, state, run_state):
    """An expanded source is no verdict of its own (Airflow 2.10's MappedTaskUpstreamDep reads
    unexpanded sources only): the trigger rule decides, and a rule that runs the map expands it
    over the values pushed -- none, so it is skipped; the run's state is its leaves'."""
    run_id = h.run(f"""
    {textwrap.indent(TIMES_TEN, "    ").strip()}

    @task
    def parse(x):
        raise ValueError(x)

    with DAG(dag_id="all_failed_source_{rule.value}") as d:
        TimesTen.partial(task_id="mapped", trigger_rule={rule.value!r}).expand(x=parse.expand(x=[1, 2]))
    """)
    assert h.states(run_id, "mapped") == {-1: state}
    assert h.store.get_run(run_id).state == run_state


def test_map_over_a_map_whose_every_instance_skipped_is_skipped(h):
    run_id = h.run("""
    from orchestrator import AirflowSkipException

    @task
    def parse(x):
        raise AirflowSkipException(x)

    @task(trigger_rule="all_done")
    def mapped(x):
        return x

    with DAG(dag_id="all_skipped_source") as d:
        mapped.expand(x=parse.expand(x=[1, 2]))
    """)
    assert h.states(run_id, "mapped") == {-1: "skipped"}
    assert h.store.get_run(run_id).state == "success"


def test_an_always_mapped_task_waits_for_its_running_source(h):
    path = h.write(f"""
    {textwrap.indent(TIMES_TEN, "    ").strip()}

    @task
    def source():
        return [1, 2]

    with DAG(dag_id="always_waits") as d:
        TimesTen.partial(task_id="mapped", trigger_rule="always").expand(x=source())
    """)
    run_id = h.start(path)
    assert h.states(run_id, "mapped") == {-1: "none"}  # the source is queued: nothing to map over yet
    h.drain()
    assert h.states(run_id, "mapped") == {0: "success", 1: "success"}
