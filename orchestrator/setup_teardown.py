"""Which setups a task belongs to, as Airflow reads setup/teardown scopes.

A setup is *relevant* to a work task when it is upstream of the task and has a teardown
downstream of the task, or no teardown at all (Airflow's
``get_upstreams_only_setups_and_teardowns``). ``tasks clear`` clears a work task's relevant
setups and their teardowns; the advance step holds a task back by the relevant setups it does not
depend on directly (Airflow's setup constraint, ``TriggerRuleDep._evaluate_setup_constraint``).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.baseoperator import DAGNode
    from orchestrator.dag import DAG


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
