"""Setup and teardown tasks, as in Airflow: each test names the rule it checks and where it is
written down.

Sources: docs howto/setup-and-teardown.rst ("Key features": a teardown "will run if its setup was
successful, even if its work tasks failed. But it will skip if the setup was skipped"; "teardown
tasks are ignored for the purpose of evaluating dag run state"; "Teardown tasks are ignored when
setting dependencies against task groups"; the ``with s >> t:`` context manager;
``on_failure_fail_dagrun``); models/dagrun.py ``_tis_for_dagrun_state`` (effective leaves);
ti_deps/deps/trigger_rule_dep.py (``all_done_setup_success``); PR #32820 (mapped setups/teardowns).
"""
from __future__ import annotations

import pytest

from orchestrator.errors import DagDefinitionError
from orchestrator.trigger_rules import TriggerRule
from tests.harness import Harness


@pytest.fixture
def h(tmp_path) -> Harness:
    return Harness(tmp_path)


def dag_of(h: Harness, source: str):
    return h.dagbag.find(str(h.write(source)))


CLUSTER = """
@task
def create():
    {create}
    return "cluster"

@task
def query(cluster):
    {query}
    return "rows"

@teardown{options}
def delete():
    {delete}
    return "deleted"

with DAG(dag_id="cluster") as d:
    c = create()
    c >> query(c) >> delete().as_teardown(setups=c)
"""


def cluster(create="pass", query="pass", delete="pass", options=""):
    return CLUSTER.format(create=create, query=query, delete=delete, options=options)


def test_as_teardown_marks_setup_and_teardown_and_links_them():
    # setup-and-teardown.rst: as_teardown(setups=create_cluster) "will mark ... as setup ... and
    # arrow create_cluster >> delete_cluster"; the teardown's rule is all_done_setup_success.
    from orchestrator import DAG, task

    @task
    def create():
        return 1

    @task
    def delete():
        return 2

    with DAG(dag_id="marks") as d:
        c = create()
        delete().as_teardown(setups=c)
    assert d.task_dict["create"].is_setup
    assert d.task_dict["delete"].is_teardown
    assert d.task_dict["delete"].trigger_rule is TriggerRule.ALL_DONE_SETUP_SUCCESS
    assert d.task_dict["delete"].upstream_task_ids == {"create"}


def test_teardown_runs_when_work_failed_and_the_failed_work_fails_the_run(h):
    # "A teardown task will run if its setup was successful, even if its work tasks failed";
    # the run state comes from the work (dagrun.py: a task whose downstream tasks are only
    # ignorable teardowns is an effective leaf).
    run_id = h.run(cluster(query="raise RuntimeError('query failed')"))
    assert h.states(run_id, "query")[-1] == "failed"
    assert h.states(run_id, "delete")[-1] == "success"
    assert h.store.get_run(run_id).state == "failed"


def test_a_failed_teardown_does_not_fail_the_run(h):
    # "By default, teardown tasks are ignored for the purpose of evaluating dag run state."
    run_id = h.run(cluster(delete="raise RuntimeError('cannot delete')"))
    assert h.states(run_id, "delete")[-1] == "failed"
    assert h.store.get_run(run_id).state == "success"


def test_on_failure_fail_dagrun_lets_a_failed_teardown_fail_the_run(h):
    # setup-and-teardown.rst: "set on_failure_fail_dagrun=True" to have the teardown's failure
    # fail the run (dagrun.py: such a teardown is not ignorable).
    run_id = h.run(cluster(delete="raise RuntimeError('cannot delete')", options="(on_failure_fail_dagrun=True)"))
    assert h.store.get_run(run_id).state == "failed"


def test_teardown_is_skipped_when_its_setup_was_skipped(h):
    # "But it will skip if the setup was skipped."
    run_id = h.run(cluster(create="raise AirflowSkipException('no cluster today')"))
    assert h.states(run_id, "query")[-1] == "skipped"
    assert h.states(run_id, "delete")[-1] == "skipped"
    assert h.store.get_run(run_id).state == "success"


def test_teardown_is_upstream_failed_when_its_setup_failed(h):
    # trigger_rule_dep.py all_done_setup_success: "if none succeeded, mark upstream failed".
    run_id = h.run(cluster(create="raise RuntimeError('no quota')"))
    assert h.states(run_id, "delete")[-1] == "upstream_failed"
    assert h.store.get_run(run_id).state == "failed"


def test_setup_and_teardown_decorators_and_the_context_manager_scope_tasks(h):
    # setup-and-teardown.rst / example_setup_teardown_taskflow: `with s >> t: work()` makes
    # s >> work >> t.
    d = dag_of(h, """
    @setup
    def outer_setup():
        return 1

    @teardown
    def outer_teardown():
        return 2

    @task
    def work():
        return 3

    @task
    def more():
        return 4

    with DAG(dag_id="scoped") as d:
        s = outer_setup()
        t = outer_teardown()
        with s >> t:
            work() >> more()
    """)
    assert d.task_dict["outer_setup"].is_setup and d.task_dict["outer_teardown"].is_teardown
    assert d.task_dict["work"].upstream_task_ids == {"outer_setup"}
    assert d.task_dict["more"].downstream_task_ids == {"outer_teardown"}
    assert d.task_dict["work"].downstream_task_ids == {"more"}


def test_a_plain_task_is_no_context_manager(h):
    # BaseOperator.__enter__: "Only setup/teardown tasks can be used as context managers."
    with pytest.raises(DagDefinitionError, match="only setup and teardown tasks"):
        dag_of(h, """
        @task
        def plain():
            return 1

        with DAG(dag_id="plain") as d:
            with plain():
                pass
        """)


def test_a_teardown_cannot_be_a_setup():
    from orchestrator import DAG
    from orchestrator.operators import EmptyOperator

    with DAG(dag_id="both"), pytest.raises(DagDefinitionError, match="cannot be a setup task"):
        EmptyOperator(task_id="x").as_teardown().as_setup()


def test_teardowns_are_ignored_when_a_group_is_set_upstream(h):
    # "Teardown tasks are ignored when setting dependencies against task groups": the group's
    # work task, not its teardown, is linked to what follows the group.
    d = dag_of(h, """
    @task
    def final():
        return 0

    @task_group
    def section():
        @task
        def inner_setup():
            return "id"

        @task
        def inner_work(cluster_id):
            return cluster_id

        @task
        def inner_teardown(cluster_id):
            return cluster_id

        inner_work(s := inner_setup()) >> inner_teardown(s).as_teardown()

    with DAG(dag_id="groups") as d:
        section() >> final()
    """)
    assert d.task_dict["final"].upstream_task_ids == {"section.inner_work"}


def test_mapped_teardown_runs_every_index_after_a_partly_failed_map(h):
    # PR #32820 (task mapping with setup/teardown): a mapped teardown of a mapped setup runs in
    # every index even when some work failed; the work decides the run.
    run_id = h.run("""
    @task
    def create(name):
        return name

    @task
    def work(name):
        if name == "b":
            raise RuntimeError("b")
        return name

    @task
    def delete(name):
        return "deleted " + name

    with DAG(dag_id="mapped") as d:
        made = create.expand(name=["a", "b"])
        work.expand(name=made) >> delete.expand(name=made).as_teardown(setups=made)
    """)
    assert h.states(run_id, "delete") == {0: "success", 1: "success"}
    assert h.store.get_run(run_id).state == "failed"


def test_teardown_in_a_mapped_group_follows_its_own_index_setup(h):
    # all_done_setup_success per index: index 1's setup was skipped, so its teardown is skipped;
    # index 0's work failed, its teardown still runs.
    run_id = h.run("""
    @setup
    def create(x):
        if x == 2:
            raise AirflowSkipException("nothing to create")
        return x

    @task
    def work(x):
        raise RuntimeError("work failed")

    @teardown
    def delete(x):
        return x

    @task_group
    def per(x):
        c = create(x)
        c >> work(c) >> delete(c)

    with DAG(dag_id="group_teardown") as d:
        per.expand(x=[1, 2])
    """)
    assert h.states(run_id, "per.delete") == {0: "success", 1: "skipped"}
    assert h.states(run_id, "per.work") == {0: "failed", 1: "skipped"}
    assert h.store.get_run(run_id).state == "failed"


def test_clearing_work_clears_its_setup_and_teardown_and_they_run_again(h):
    # setup-and-teardown.rst: "If you clear a task, its setups and teardowns will be cleared."
    from orchestrator.read_models import plan_clear

    flag = h.folder / "fixed"
    path = h.write(cluster(create="return 'cluster'",
                           query=f"from pathlib import Path; assert Path({str(flag)!r}).exists(), 'not yet'"))
    run_id = h.start(path)
    h.drain()
    assert h.store.get_run(run_id).state == "failed"
    selections, resets = plan_clear(h.dagbag.find(str(path)), "query", None, True, False)
    assert sorted(t for t, *_ in selections) == ["create", "delete", "query"]
    flag.touch()
    h.store.clear(run_id, selections, resets)
    h.advance(run_id)
    h.drain()
    assert h.store.list_instances(run_id, "create")[0]["try_number"] == 2
    assert h.states(run_id, "delete")[-1] == "success"
    assert h.store.get_run(run_id).state == "success"


def test_clearing_work_after_a_setups_scope_leaves_that_setup_alone(h):
    # get_upstreams_only_setups_and_teardowns: only setups whose teardown is downstream of the
    # cleared task (or that have none) are relevant; `report` runs after `delete`, outside the scope.
    from orchestrator.read_models import plan_clear

    d = dag_of(h, """
    @setup
    def create():
        return 1

    @task
    def query():
        return 2

    @teardown
    def delete():
        return 3

    @task
    def report():
        return 4

    with DAG(dag_id="outside") as d:
        c, t = create(), delete()
        c >> query() >> t >> report()
        c >> t
    """)
    selections, _ = plan_clear(d, "report", None, False, False)
    assert [t for t, *_ in selections] == ["report"]
    selections, _ = plan_clear(d, "query", None, False, False)
    assert sorted(t for t, *_ in selections) == ["create", "delete", "query"]


SCOPE = """
@setup
def create():
    {create}

@task
def first():
    return 1

@task(trigger_rule=TriggerRule.ALL_DONE)
def second():
    return 2

@teardown
def delete():
    return 3

with DAG(dag_id="scope") as d:
    with create() >> delete():
        first() >> second()
"""


def test_a_work_task_after_a_failed_setup_is_upstream_failed_whatever_its_trigger_rule(h):
    # trigger_rule_dep.py _evaluate_setup_constraint: a relevant setup that failed makes the task
    # upstream_failed ("if there's a failure, we mark upstream_failed"), an all_done one included.
    run_id = h.run(SCOPE.format(create="raise RuntimeError('no cluster')"))
    assert h.states(run_id, "first")[-1] == "upstream_failed"
    assert h.states(run_id, "second")[-1] == "upstream_failed"
    assert h.states(run_id, "delete")[-1] == "upstream_failed"


def test_a_work_task_after_a_skipped_setup_is_skipped_whatever_its_trigger_rule(h):
    # _evaluate_setup_constraint: "if there's a skip, we mark skipped".
    run_id = h.run(SCOPE.format(create="raise AirflowSkipException('nothing to do')"))
    assert h.states(run_id, "second")[-1] == "skipped"
    assert h.store.get_run(run_id).state == "success"


def test_the_setup_constraint_reads_a_mapped_groups_setup_at_the_same_index(h):
    run_id = h.run("""
    @setup
    def create(x):
        if x == 2:
            raise RuntimeError("no cluster")
        return x

    @task
    def first(x):
        return x

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def second(x):
        return x

    @teardown
    def delete(x):
        return x

    @task_group
    def g(x):
        c = create(x)
        first(c) >> second(x) >> delete(c)

    with DAG(dag_id="group_scope") as d:
        g.expand(x=[1, 2])
    """)
    assert h.states(run_id, "g.second") == {0: "success", 1: "upstream_failed"}
    assert h.states(run_id, "g.delete") == {0: "success", 1: "upstream_failed"}


def test_setup_and_teardown_decorators_mark_mapped_tasks_and_wrap_a_task(h):
    # airflow.decorators.setup/teardown mark the task each use builds, mapped ones too, and take
    # an already decorated @task (its options kept).
    d = dag_of(h, """
    @setup
    @task(retries=2)
    def create(name):
        return name

    @teardown(on_failure_fail_dagrun=True)
    def delete(name):
        return name

    with DAG(dag_id="marks_mapped") as d:
        made = create.expand(name=["a", "b"])
        delete.expand(name=made)
    """)
    create, delete = d.task_dict["create"], d.task_dict["delete"]
    assert create.is_setup and create.is_mapped and create.retries == 2
    assert delete.is_teardown and delete.on_failure_fail_dagrun
    assert delete.trigger_rule is TriggerRule.ALL_DONE_SETUP_SUCCESS


def test_setup_and_teardown_are_importable_from_orchestrator_like_airflow_decorators():
    import orchestrator

    assert {"setup", "teardown"} <= set(orchestrator.__all__)
