"""Which setups a task belongs to, as Airflow reads setup/teardown scopes.

A setup is *relevant* to a work task when it is upstream of the task and has a teardown
downstream of the task, or no teardown at all (Airflow's
``get_upstreams_only_setups_and_teardowns``). ``tasks clear`` clears a work task's relevant
setups and their teardowns; the advance step holds a task back by the relevant setups it does not
depend on directly (Airflow's setup constraint, ``TriggerRuleDep._evaluate_setup_constraint``).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from orchestrator.dependency import nodes_of
from orchestrator.errors import DagDefinitionError
from orchestrator.trigger_rules import TriggerRule

if TYPE_CHECKING:
    from orchestrator.baseoperator import DAGNode
    from orchestrator.dag import DAG


class SetupTeardownMixin:
    """``as_setup()``, ``as_teardown()`` and ``with setup >> teardown:`` scopes of a task (a part
    of :class:`~orchestrator.baseoperator.DAGNode`, which holds ``is_setup``/``is_teardown``)."""

    def as_setup(self) -> DAGNode:
        """Mark this task a setup task (Airflow's ``as_setup()``); returns it."""
        if self.is_teardown:
            raise DagDefinitionError(f"task {self.task_id!r} is a teardown task: it cannot be a setup task too")
        self.is_setup = True
        return self

    def as_teardown(self, *, setups: Any = None, on_failure_fail_dagrun: bool | None = None) -> DAGNode:
        """Mark this task a teardown task (Airflow's ``as_teardown()``): its trigger rule becomes
        ``all_done_setup_success``; ``setups`` (tasks or outputs) are marked setups and made
        upstream of it; ``on_failure_fail_dagrun=True`` lets its failure fail the run. Returns it."""
        if self.is_setup:
            raise DagDefinitionError(f"task {self.task_id!r} is a setup task: it cannot be a teardown task too")
        self.is_teardown = True
        self.trigger_rule = TriggerRule.ALL_DONE_SETUP_SUCCESS
        if on_failure_fail_dagrun is not None:
            self.on_failure_fail_dagrun = bool(on_failure_fail_dagrun)
        if setups is not None:
            for setup in nodes_of(setups, as_upstream=True):
                setup.as_setup()
                self.set_upstream(setup)
        return self

    def __enter__(self) -> DAGNode:
        """``with setup >> teardown:`` -- the tasks added inside run after the setups and before the
        teardowns of this task (Airflow's setup/teardown context)."""
        if not (self.is_setup or self.is_teardown):
            raise DagDefinitionError(f"task {self.task_id!r}: only setup and teardown tasks can be used as "
                                     f"context managers (mark it with as_setup() or as_teardown())")
        assert self.dag is not None
        self._scope_stack().append(set(self.dag.task_dict))
        return self

    def __exit__(self, *exc: Any) -> None:
        """Make the scope's first tasks downstream of its setups, its last ones upstream of its teardowns."""
        before = self._scope_stack().pop()
        assert self.dag is not None
        if exc[0] is not None:
            return
        if self.is_teardown:
            teardowns = [self]
            setups = [self.dag.task_dict[t] for t in sorted(self.upstream_task_ids) if self.dag.task_dict[t].is_setup]
        else:
            setups = [self]
            teardowns = [self.dag.task_dict[t] for t in sorted(self.downstream_task_ids)
                         if self.dag.task_dict[t].is_teardown]
        marked = {t.task_id for t in setups + teardowns}
        inside = {tid for tid in self.dag.task_dict if tid not in before and tid not in marked}
        for tid in sorted(inside):
            node = self.dag.task_dict[tid]
            if not node.upstream_task_ids & inside:
                for setup in setups:
                    node.set_upstream(setup)
            if not node.downstream_task_ids & inside:
                for teardown in teardowns:
                    teardown.set_upstream(node)

    def _scope_stack(self) -> list[set[str]]:
        stack = self.__dict__.get("_scopes")
        if stack is None:
            stack = self.__dict__["_scopes"] = []
        return stack


def iter_upstream(dag: DAG, task_id: str) -> Iterator[DAGNode]:
    """Every task upstream of ``task_id``, transitively."""
    seen: set[str] = set()
    pending = list(dag.task_dict[task_id].upstream_task_ids)
    while pending:
        up = pending.pop()
        if up not in seen:
            seen.add(up)
            pending.extend(dag.task_dict[up].upstream_task_ids)
            yield dag.task_dict[up]


def teardowns_of(dag: DAG, setup: DAGNode) -> list[DAGNode]:
    """The teardown tasks directly downstream of ``setup``."""
    return [dag.task_dict[t] for t in sorted(setup.downstream_task_ids) if dag.task_dict[t].is_teardown]


def relevant_setups(dag: DAG, task: DAGNode) -> list[DAGNode]:
    """The setups whose scope ``task`` (a work task) is in; none for a setup or teardown task."""
    if task.is_setup or task.is_teardown:
        return []
    after = {t.task_id for t in dag.iter_downstream(task.task_id) if t.is_teardown}
    found = []
    for upstream in iter_upstream(dag, task.task_id):
        if upstream.is_setup:
            teardowns = {t.task_id for t in teardowns_of(dag, upstream)}
            if not teardowns or teardowns & after:
                found.append(upstream)
    return sorted(found, key=lambda t: t.task_id)
