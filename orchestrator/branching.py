"""Skip decisions of branch and short-circuit tasks, recorded as Airflow's SkipMixin records them.

A branch or short-circuit instance does not skip anything itself: it pushes its decision under
the XCom key ``skipmixin_key`` -- ``{"followed": [task ids]}`` (a branch) or ``{"skipped": [task
ids]}`` (a short-circuit whose condition was false) -- together with its ``success``, in the
same write. The advance step reads it in the run's transaction and skips the undecided
instances it names (:func:`skipped_by`), so a retried or redelivered instance changes nothing:
a try's XCom is written once, with its end.

Which instances a decision reaches, as in Airflow (``SkipMixin.skip_all_except`` looks the
downstream instance up at the deciding instance's ``map_index``; ``NotPreviouslySkippedDep``
reads the decision at that index when the parent is mapped, apache/airflow#30883, PR #70926):
an unmapped decider reaches every instance of the tasks it names; index ``i`` of a mapped decider
(its own ``expand()`` or a mapped task group) reaches index ``i`` of its mapped direct downstream
tasks and of the tasks of its own mapped group -- not an unmapped task, and not a mapped task
further on outside its group, whose index ``i`` need not be the same element (Airflow only skips
the instances that exist when the decider runs, and such a map is expanded later).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.errors import DagDefinitionError

if TYPE_CHECKING:
    from orchestrator.baseoperator import DAGNode
    from orchestrator.dag import DAG

#: The XCom key a decision is pushed under (Airflow's ``XCOM_SKIPMIXIN_KEY``).
XCOM_SKIPMIXIN_KEY = "skipmixin_key"
#: The decision of a branch: the direct downstream tasks it follows (Airflow's name).
XCOM_SKIPMIXIN_FOLLOWED = "followed"
#: The decision of a short-circuit: the tasks it skips (Airflow's name).
XCOM_SKIPMIXIN_SKIPPED = "skipped"


def _groups_of(dag: DAG) -> dict[str, Any]:
    """Every task group of ``dag`` by its id."""
    from orchestrator.task_group import TaskGroup

    groups: dict[str, Any] = {}
    pending = [dag.task_group]
    while pending:
        for child in pending.pop().children.values():
            if isinstance(child, TaskGroup):
                groups[child.group_id] = child
                pending.append(child)
    return groups


def branch_decision(dag: DAG, task_id: str, chosen: Any) -> dict[str, list[str]]:
    """What a branch that returned ``chosen`` (a task id or task group id, a list of them, or
    ``None``) follows: its direct downstream tasks that are chosen, roots of a chosen group, or
    downstream of a chosen task (Airflow keeps a join reached through a followed branch).
    Raises ``ValueError`` naming ids the DAG lacks."""
    if chosen is None:
        wanted: set[str] = set()
    elif isinstance(chosen, str):
        wanted = {chosen}
    elif isinstance(chosen, Iterable) and all(isinstance(item, str) for item in chosen):
        wanted = set(chosen)
    else:
        raise ValueError(f"branch {task_id!r} must return a task id, a list of task ids or None, "
                         f"not {type(chosen).__name__}: {chosen!r}")
    groups = _groups_of(dag)
    for group_id in wanted - set(dag.task_dict):
        if group_id in groups:  # Airflow follows a chosen task group's roots
            wanted = (wanted - {group_id}) | {t.task_id for t in groups[group_id].roots()}
    unknown = sorted(wanted - set(dag.task_dict))
    if unknown:
        raise ValueError(f"branch {task_id!r} returned task ids that are not in DAG {dag.dag_id!r}: "
                         f"{', '.join(unknown)}")
    reached = set(wanted)
    for chosen_id in wanted:
        reached.update(t.task_id for t in dag.iter_downstream(chosen_id))
    followed = sorted(t for t in dag.task_dict[task_id].downstream_task_ids if t in reached)
    return {XCOM_SKIPMIXIN_FOLLOWED: followed}


def short_circuit_decision(dag: DAG, task_id: str, ignore_downstream_trigger_rules: bool) -> dict[str, list[str]]:
    """What a short-circuit whose condition was false skips: every task downstream of it
    (``ignore_downstream_trigger_rules=True``) or its direct downstream ones only -- teardown
    tasks never (Airflow's ``get_tasks_to_skip``)."""
    task = dag.task_dict[task_id]
    if ignore_downstream_trigger_rules:
        reached = list(dag.iter_downstream(task_id))
    else:
        reached = [dag.task_dict[t] for t in task.downstream_task_ids]
    return {XCOM_SKIPMIXIN_SKIPPED: sorted(t.task_id for t in reached if not t.is_teardown)}


def skips(decision: Mapping[str, Any], decider: DAGNode, task_id: str) -> bool:
    """Whether ``decision`` of ``decider`` skips task ``task_id``."""
    if XCOM_SKIPMIXIN_FOLLOWED in decision:
        return task_id in decider.downstream_task_ids and task_id not in decision[XCOM_SKIPMIXIN_FOLLOWED]
    return task_id in decision.get(XCOM_SKIPMIXIN_SKIPPED, ())


def reaches_by_index(decider: DAGNode, task: DAGNode) -> bool:
    """Whether index ``i`` of mapped ``decider`` decides for index ``i`` of mapped ``task``."""
    same_group = task.mapped_group is not None and task.mapped_group is decider.mapped_group
    return same_group or task.task_id in decider.downstream_task_ids


def deciders_of(dag: DAG, task: DAGNode) -> list[DAGNode]:
    """The tasks whose decisions may skip ``task``: its direct upstream branch and short-circuit
    tasks, and the short-circuits upstream of it at any depth (``ignore_downstream_trigger_rules``)."""
    found = [dag.task_dict[t] for t in sorted(task.upstream_task_ids) if dag.task_dict[t].decides_skips]
    seen = set(task.upstream_task_ids)
    pending = [dag.task_dict[t] for t in task.upstream_task_ids]
    while pending:
        for upstream in sorted(pending.pop().upstream_task_ids):
            if upstream in seen:
                continue
            seen.add(upstream)
            node = dag.task_dict[upstream]
            if node.decides_skips and getattr(node, "ignore_downstream_trigger_rules", False):
                found.append(node)
            pending.append(node)
    return found


def check_branch_option(task_id: str, value: Any) -> bool:
    """``ignore_downstream_trigger_rules`` as a bool; :class:`DagDefinitionError` for anything else."""
    if not isinstance(value, bool):
        raise DagDefinitionError(f"task {task_id!r}: ignore_downstream_trigger_rules must be True or False, "
                                 f"got {value!r}")
    return value
