"""Branching and short-circuit, as in Airflow, on the stub dispatcher: each test names the
Airflow rule it checks and where it is written down.

Sources: docs core-concepts/dags.rst "Branching"; howto/operator/python.rst "ShortCircuitOperator";
airflow/models/skipmixin.py (``skip_all_except``: the downstream instance at the branch's
``map_index``; a task reached through a followed branch is not skipped; XCom ``skipmixin_key``);
ti_deps/deps/not_previously_skipped_dep.py; providers' ``get_tasks_to_skip`` (teardowns never
skipped by a short-circuit); apache/airflow#30883, #48845, PR #70926 (mapped task groups).
"""
from __future__ import annotations

import pytest

from orchestrator.branching import XCOM_SKIPMIXIN_KEY
from orchestrator.errors import DagDefinitionError
from tests.harness import Harness


@pytest.fixture
def h(tmp_path) -> Harness:
    return Harness(tmp_path)


def run_state(h: Harness, run_id: str) -> str:
    return h.store.get_run(run_id).state


# -- @task.branch / BranchPythonOperator --------------------------------------------------------
BRANCH = """
from orchestrator.operators import EmptyOperator

@task.branch
def choose():
    return {chosen!r}

with DAG(dag_id="branch") as d:
    choose() >> [EmptyOperator(task_id="a"), EmptyOperator(task_id="b"), EmptyOperator(task_id="c")]
"""


def test_branch_follows_the_returned_task_id_and_skips_the_other_direct_downstreams(h):
    # dags.rst "Branching": the task id returned is followed, "all other paths are skipped".
    run_id = h.run(BRANCH.format(chosen="b"))
    assert [h.states(run_id, t)[-1] for t in "abc"] == ["skipped", "success", "skipped"]
    assert run_state(h, run_id) == "success"


def test_branch_returning_a_list_follows_each_task_in_it(h):
    # dags.rst: "It can also return a list of task IDs".
    run_id = h.run(BRANCH.format(chosen=["a", "c"]))
    assert [h.states(run_id, t)[-1] for t in "abc"] == ["success", "skipped", "success"]


def test_branch_returning_none_skips_every_direct_downstream(h):
    # dags.rst: "It can also return None to skip all downstream tasks".
    run_id = h.run(BRANCH.format(chosen=None))
    assert [h.states(run_id, t)[-1] for t in "abc"] == ["skipped", "skipped", "skipped"]
    assert run_state(h, run_id) == "success"


def test_branch_decision_is_pushed_as_airflows_skipmixin_xcom(h):
    # skipmixin.py: skip_all_except pushes {"followed": [...]} under XCOM_SKIPMIXIN_KEY.
    run_id = h.run(BRANCH.format(chosen="b"))
    assert h.store.xcom_value(run_id, "choose", -1, XCOM_SKIPMIXIN_KEY) == {"followed": ["b"]}
    assert h.xcom(run_id, "choose") == "b"


def test_branch_returning_a_task_id_not_in_the_dag_fails_the_branch(h):
    # skipmixin.py: "'branch_task_ids' must contain only valid task_ids. Invalid tasks found".
    run_id = h.run(BRANCH.format(chosen="nowhere"))
    assert h.states(run_id, "choose")[-1] == "failed"
    assert h.store.list_instances(run_id, "choose")[0]["error"].endswith("nowhere")
    assert h.states(run_id, "a")[-1] == "upstream_failed"


JOIN = """
from orchestrator.operators import EmptyOperator

@task.branch
def choose():
    return "a"

with DAG(dag_id="join") as d:
    branch = choose()
    a, b = EmptyOperator(task_id="a"), EmptyOperator(task_id="b")
    branch >> [a, b]
    [a, b] >> EmptyOperator(task_id="join_default")
    [a, b] >> EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
"""


def test_skips_propagate_by_trigger_rules_after_a_branch(h):
    # dags.rst "Branching": a join after branches with all_success is skipped (one upstream
    # skipped); with none_failed_min_one_success it runs.
    run_id = h.run(JOIN)
    assert h.states(run_id, "b")[-1] == "skipped"
    assert h.states(run_id, "join_default")[-1] == "skipped"
    assert h.states(run_id, "join")[-1] == "success"


def test_a_direct_downstream_reached_through_the_followed_branch_is_not_skipped(h):
    # skipmixin.py: "In case the task to skip is also downstream of branch_task_ids, we add it to
    # branch_task_ids and exclude it from skipping" (branch >> [a, join], a >> join).
    run_id = h.run("""
    from orchestrator.operators import EmptyOperator

    @task.branch
    def choose():
        return "a"

    with DAG(dag_id="reached") as d:
        branch = choose()
        a = EmptyOperator(task_id="a")
        join = EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
        branch >> [a, join]
        a >> join
    """)
    assert h.states(run_id, "join")[-1] == "success"


def test_classic_branch_python_operator_branches_like_the_decorator(h):
    run_id = h.run("""
    from orchestrator.operators import BranchPythonOperator, EmptyOperator

    with DAG(dag_id="classic") as d:
        branch = BranchPythonOperator(task_id="branch", python_callable=lambda: ["left"])
        branch >> [EmptyOperator(task_id="left"), EmptyOperator(task_id="right")]
    """)
    assert h.states(run_id, "left")[-1] == "success"
    assert h.states(run_id, "right")[-1] == "skipped"


MAPPED_BRANCH = """
from orchestrator.operators import EmptyOperator

@task.branch
def choose(x):
    return "even" if x % 2 == 0 else "odd"

@task
def even(x):
    return x

@task
def odd(x):
    return x

with DAG(dag_id="mapped_branch") as d:
    xs = [0, 1, 2]
    branch = choose.expand(x=xs)
    branch >> [even.expand(x=xs), odd.expand(x=xs), EmptyOperator(task_id="after")]
"""


def test_mapped_branch_index_skips_the_same_index_of_mapped_downstreams(h):
    # skipmixin.py skip_all_except: the downstream instance is looked up at the branch's map_index;
    # not_previously_skipped_dep.py reads a mapped parent's decision at the child's map_index.
    run_id = h.run(MAPPED_BRANCH)
    assert h.states(run_id, "even") == {0: "success", 1: "skipped", 2: "success"}
    assert h.states(run_id, "odd") == {0: "skipped", 1: "success", 2: "skipped"}


def test_mapped_branch_does_not_skip_an_unmapped_downstream(h):
    # There is no instance of an unmapped task at map_index 0..N-1 to skip, and a mapped parent's
    # decision is read at the child's map_index (-1, where the branch pushed nothing): it runs.
    run_id = h.run(MAPPED_BRANCH)
    assert h.states(run_id, "after")[-1] == "success"


def test_branch_in_a_mapped_group_skips_only_its_own_index(h):
    # apache/airflow#30883 and PR #70926: each index of a mapped task group branches on its own.
    run_id = h.run("""
    @task.branch
    def choose(x):
        return "g.big" if x > 1 else "g.small"

    @task
    def big(x):
        return "big"

    @task
    def small(x):
        return "small"

    @task_group
    def g(x):
        choose(x) >> [big(x), small(x)]

    with DAG(dag_id="group_branch") as d:
        g.expand(x=[1, 2, 3])
    """)
    assert h.states(run_id, "g.big") == {0: "skipped", 1: "success", 2: "success"}
    assert h.states(run_id, "g.small") == {0: "success", 1: "skipped", 2: "skipped"}


def test_an_unmapped_branch_skips_every_index_of_a_mapped_task_it_does_not_follow(h):
    # not_previously_skipped_dep.py: an unmapped parent's decision is read at map_index -1 for
    # every instance of the child, so each index of the map is skipped.
    run_id = h.run("""
    @task.branch
    def choose():
        return "other"

    @task
    def each(x):
        return x

    @task
    def other():
        return 1

    with DAG(dag_id="before_map") as d:
        choose() >> [each.expand(x=[1, 2]), other()]
    """)
    assert h.states(run_id, "each") == {0: "skipped", 1: "skipped"}
    assert h.states(run_id, "other")[-1] == "success"


def test_a_second_advance_or_a_redelivered_branch_changes_nothing(h):
    # The decision is read from the branch's XCom in the advance step's transaction: taking the
    # step again, or running the finished branch's message again, moves no instance.
    run_id = h.run(BRANCH.format(chosen="a"))
    before = {t: h.states(run_id, t) for t in ("choose", "a", "b", "c")}
    h.advance(run_id)
    outcome = h.runner.run_batch(run_id, "choose", [-1], "again")
    h.advance(run_id)
    assert outcome.not_claimed == 1
    assert {t: h.states(run_id, t) for t in ("choose", "a", "b", "c")} == before


def test_a_branch_that_failed_once_decides_with_the_try_that_succeeded(h):
    # Only a successful try pushes XComs: the retried branch's decision is that of its last try.
    run_id = h.run("""
    from orchestrator.operators import EmptyOperator

    @task.branch(retries=1, retry_delay=0)
    def choose(ti=None):
        if ti.try_number == 1:
            raise RuntimeError("flaky")
        return "b"

    with DAG(dag_id="retried") as d:
        choose() >> [EmptyOperator(task_id="a"), EmptyOperator(task_id="b")]
    """)
    assert h.store.list_instances(run_id, "choose")[0]["try_number"] == 2
    assert h.states(run_id, "a")[-1] == "skipped"
    assert h.states(run_id, "b")[-1] == "success"


# -- @task.short_circuit / ShortCircuitOperator -------------------------------------------------
SHORT = """
from orchestrator.operators import EmptyOperator

@task.short_circuit({options})
def gate():
    return {condition!r}

with DAG(dag_id="short") as d:
    after = EmptyOperator(task_id="after")
    last = EmptyOperator(task_id="last", trigger_rule=TriggerRule.ALL_DONE)
    gate() >> after >> last
"""


def test_short_circuit_false_skips_every_downstream_task_whatever_its_trigger_rule(h):
    # python.rst ShortCircuitOperator: with ignore_downstream_trigger_rules=True (the default),
    # "all downstream tasks are skipped" -- an all_done task too.
    run_id = h.run(SHORT.format(options="", condition=False))
    assert h.states(run_id, "after")[-1] == "skipped"
    assert h.states(run_id, "last")[-1] == "skipped"
    assert run_state(h, run_id) == "success"


def test_short_circuit_that_respects_trigger_rules_skips_only_its_direct_downstream(h):
    # python.rst: with ignore_downstream_trigger_rules=False "only direct downstream tasks are
    # skipped" and the trigger rules of the rest decide (the all_done task runs).
    run_id = h.run(SHORT.format(options="ignore_downstream_trigger_rules=False", condition=0))
    assert h.states(run_id, "after")[-1] == "skipped"
    assert h.states(run_id, "last")[-1] == "success"


def test_short_circuit_true_lets_downstream_run_and_pushes_its_condition(h):
    # python.rst: a truthy result lets the pipeline go on; the condition is the task's XCom.
    run_id = h.run(SHORT.format(options="", condition=[1]))
    assert h.states(run_id, "after")[-1] == "success"
    assert h.xcom(run_id, "gate") == [1]


def test_short_circuit_never_skips_a_teardown(h):
    # get_tasks_to_skip: "for t in tasks: if not t.is_teardown: yield t".
    run_id = h.run("""
    @task
    def create():
        return "c"

    @task.short_circuit
    def gate():
        return False

    @task
    def work():
        return 1

    @teardown
    def delete():
        return "deleted"

    with DAG(dag_id="sc_teardown") as d:
        c = create()
        gate() >> work() >> delete().as_teardown(setups=c)
    """)
    assert h.states(run_id, "work")[-1] == "skipped"
    assert h.states(run_id, "delete")[-1] == "success"


def test_classic_short_circuit_operator_on_a_mapped_group_index(h):
    # apache/airflow#48845, PR #44925: a short-circuit in a mapped group skips in its own index.
    run_id = h.run("""
    from orchestrator.operators import EmptyOperator, ShortCircuitOperator

    @task_group
    def g(x):
        ShortCircuitOperator(task_id="gate", python_callable=lambda value: value > 1,
                             op_kwargs={"value": x}) >> EmptyOperator(task_id="after")

    with DAG(dag_id="sc_group") as d:
        g.expand(x=[1, 2])
    """)
    assert h.states(run_id, "g.after") == {0: "skipped", 1: "success"}


def test_mapped_short_circuit_skips_the_same_index_of_a_mapped_downstream(h):
    run_id = h.run("""
    @task.short_circuit
    def keep(x):
        return x != 2

    @task
    def use(x):
        return x

    with DAG(dag_id="sc_mapped") as d:
        xs = [1, 2, 3]
        keep.expand(x=xs) >> use.expand(x=xs)
    """)
    assert h.states(run_id, "use") == {0: "success", 1: "skipped", 2: "success"}


def test_short_circuit_option_must_be_a_bool():
    from orchestrator import DAG
    from orchestrator.operators import ShortCircuitOperator

    with DAG(dag_id="bad"), pytest.raises(DagDefinitionError, match="ignore_downstream_trigger_rules"):
        ShortCircuitOperator(task_id="s", python_callable=bool, ignore_downstream_trigger_rules="yes")


def test_short_circuit_in_a_group_skips_every_task_after_it_in_its_own_index(h):
    # ignore_downstream_trigger_rules=True: every downstream task of the index, all_done ones too.
    run_id = h.run("""
    @task.short_circuit
    def gate(x):
        return x > 1

    @task
    def step(x):
        return x

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def last(x):
        return x

    @task_group
    def g(x):
        gate(x) >> step(x) >> last(x)

    with DAG(dag_id="sc_group_all") as d:
        g.expand(x=[1, 2])
    """)
    assert h.states(run_id, "g.last") == {0: "skipped", 1: "success"}


def test_a_mapped_short_circuit_does_not_skip_by_index_a_map_expanded_later_outside_its_group(h):
    # SkipMixin skips the instances at its map_index that exist when it runs; a map over a partly
    # skipped map's results is expanded afterwards, over the values pushed, so its index i is not
    # the short-circuit's element i: it is left to its trigger rule.
    run_id = h.run("""
    @task.short_circuit
    def keep(x):
        return x != 1

    @task
    def first(x):
        return x

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def second(x):
        return x * 10

    with DAG(dag_id="sc_later_map") as d:
        xs = [0, 1, 2]
        made = first.expand(x=xs)
        keep.expand(x=xs) >> made
        second.expand(x=made)
    """)
    assert h.states(run_id, "first") == {0: "success", 1: "skipped", 2: "success"}
    assert h.states(run_id, "second") == {0: "success", 1: "success"}
    assert h.xcom(run_id, "second", 1) == 20


def test_on_postgresql_redelivered_branch_messages_and_racing_advances_skip_each_index_once(tmp_path, pg_url):
    # Several workers: each message of the run is executed by two workers at once (a redelivery),
    # then two advance steps race. The compare-and-set keeps one try per index, the decision is
    # read under the run's lock, and every index ends as its own branch chose.
    from concurrent.futures import ThreadPoolExecutor

    h = Harness(tmp_path, database_url=pg_url)
    run_id = h.start(h.write("""
    @task.branch
    def choose(x):
        return "g.odd" if x % 2 else "g.even"

    @task
    def odd(x):
        return x

    @task
    def even(x):
        return x

    @task_group
    def g(x):
        choose(x) >> [odd(x), even(x)]

    with DAG(dag_id="racing") as d:
        g.expand(x=[0, 1, 2, 3])
    """))
    with ThreadPoolExecutor(2) as pool:
        while h.dispatcher.pending:
            _, task_id, indices = h.dispatcher.pending.popleft()
            workers = [f"worker{n}" for n in range(2)]
            list(pool.map(h.runner.run_batch, [run_id] * 2, [task_id] * 2, [indices] * 2, workers))
            list(pool.map(lambda _: h.advance(run_id), range(2)))
    assert h.states(run_id, "g.odd") == {0: "skipped", 1: "success", 2: "skipped", 3: "success"}
    assert h.states(run_id, "g.even") == {0: "success", 1: "skipped", 2: "success", 3: "skipped"}
    assert {r["try_number"] for r in h.store.list_instances(run_id, "g.choose")} == {1}
    assert h.store.get_run(run_id).state == "success"


def test_branch_returning_a_task_group_id_follows_the_groups_first_tasks(h):
    # BranchMixIn._expand_task_group_roots: a returned task group id stands for its root tasks.
    run_id = h.run("""
    from orchestrator.operators import EmptyOperator

    @task.branch
    def choose():
        return "section"

    with DAG(dag_id="to_group") as d:
        with TaskGroup("section") as section:
            EmptyOperator(task_id="first") >> EmptyOperator(task_id="second")
        choose() >> [section, EmptyOperator(task_id="elsewhere")]
    """)
    assert h.states(run_id, "section.first")[-1] == "success"
    assert h.states(run_id, "section.second")[-1] == "success"
    assert h.states(run_id, "elsewhere")[-1] == "skipped"


def test_branch_and_short_circuit_decorators_refuse_options_they_do_not_take():
    from orchestrator import task

    with pytest.raises(DagDefinitionError, match="ignore_downstream_trigger_rules"):
        task.branch(ignore_downstream_trigger_rules=False)(lambda: None)
    assert task.short_circuit(ignore_downstream_trigger_rules=False)(lambda: True).options == {
        "ignore_downstream_trigger_rules": False}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_branch_short_circuit_and_teardown_runs_change_states_by_named_transitions_only(tmp_path, request, dialect):
    # tests/test_state_machine.py's trigger watches every state change of these runs.
    from tests.test_state_machine import _TRIGGERS, state_changes, unnamed

    h = Harness(tmp_path, database_url=None if dialect == "sqlite" else request.getfixturevalue("pg_url"))
    with h.store.begin() as conn:
        for statement in _TRIGGERS[dialect]:
            conn.exec_driver_sql(statement)
    run_id = h.run("""
    @task.branch
    def choose(x):
        return "g.a" if x else "g.b"

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def gate(x):
        return x

    @task
    def a(x):
        return x

    @task
    def b(x):
        return x

    @setup
    def create(x):
        return x

    @teardown
    def delete(x):
        raise RuntimeError("cannot delete")

    @task_group
    def g(x):
        c = create(x)
        chooser = choose(x)
        c >> chooser >> [a(x), b(x)] >> gate(x) >> delete(c)

    with DAG(dag_id="transitions") as d:
        g.expand(x=[0, 1])
    """)
    assert h.states(run_id, "g.delete") == {0: "failed", 1: "failed"}
    assert unnamed(state_changes(h.store)) == set()
