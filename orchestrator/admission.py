"""Admission of task instances to slots: pools, per-task and per-DAG concurrency limits, priority.

Airflow's model, kept in the store so that it holds across every worker host. A task is
*slot-limited* when its pool has a finite size, or it has ``max_active_tis_per_dag`` or
``max_active_tis_per_dagrun``, or its DAG has ``max_active_tasks``. The advance step moves a
ready instance of such a task ``none -> scheduled`` (transition ``schedule``) with its
:class:`SlotLimits`, instead of queueing and dispatching it at once. :func:`choose_admitted` then
picks, in one transaction serialised across hosts (:meth:`Store.admit_scheduled`), the
``scheduled`` instances that fit every limit -- highest ``priority_weight`` first, then the
oldest run's (logical date), then by map index, as Airflow's scheduler orders them -- and they
go ``scheduled -> queued`` (transition ``admit``) and are dispatched. Admission runs after each
advance step that scheduled something, after a slot-holding try ends on a worker, and at every
pass of ``chordflow scheduler``.

An instance holds its slot from admission until it ends (:data:`SLOT_HOLDING_STATES`), so
at most ``k`` instances under a limit of ``k`` are ever ``running``. Tasks that are not
slot-limited keep the direct path (queued and dispatched by the advance step).
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from orchestrator.errors import BadInput
from orchestrator.states import SLOT_HOLDING_STATES, TaskInstanceState

if TYPE_CHECKING:
    from orchestrator.baseoperator import DAGNode
    from orchestrator.dag import DAG

#: The pool of a task that names none (Airflow's ``default_pool``); it always exists.
DEFAULT_POOL = "default_pool"
#: A pool's size meaning "no limit".
UNLIMITED = -1
#: The states of a slot-holding instance, as stored.
_HOLDING = frozenset(state.value for state in SLOT_HOLDING_STATES)


@dataclass(frozen=True)
class SlotLimits:
    """The limits one instance is admitted under, recorded with it when it is scheduled.

    :param dag_id: its DAG (``max_active_tis_per_dag`` and ``max_active_tasks`` count over its runs).
    :param pool: the pool it takes slots of, and ``pool_slots`` how many.
    :param priority_weight: its task's effective weight (:mod:`orchestrator.weight_rule`).
    :param per_dag: ``max_active_tis_per_dag`` (``None``: none).
    :param per_run: ``max_active_tis_per_dagrun`` (``None``: none).
    :param dag_tasks: the DAG's ``max_active_tasks`` (``None``: none).
    """

    dag_id: str
    pool: str
    pool_slots: int = 1
    priority_weight: int = 1
    per_dag: int | None = None
    per_run: int | None = None
    dag_tasks: int | None = None

    def to_json(self) -> str:
        """What the store keeps in ``task_instance.admission``."""
        return json.dumps({k: v for k, v in asdict(self).items() if k not in ("pool", "pool_slots", "priority_weight")})

    @classmethod
    def from_row(cls, admission: str, pool: str, pool_slots: int, priority_weight: int) -> SlotLimits:
        """The limits of a stored instance."""
        return cls(pool=pool, pool_slots=pool_slots, priority_weight=priority_weight, **json.loads(admission))


def slot_limits(dag: DAG, task: DAGNode, pool_sizes: Mapping[str, int], weight: int) -> SlotLimits | None:
    """The limits of ``task``'s instances, or ``None`` when it is not slot-limited (an unknown pool
    counts as unlimited here: :func:`check_pools` refuses it before a run starts)."""
    pool = task.pool or DEFAULT_POOL
    limits = SlotLimits(dag.dag_id, pool, task.pool_slots, weight, task.max_active_tis_per_dag,
                        task.max_active_tis_per_dagrun, dag.max_active_tasks)
    if pool_sizes.get(pool, UNLIMITED) == UNLIMITED and limits.per_dag is None and limits.per_run is None \
            and limits.dag_tasks is None:
        return None
    return limits


def check_pools(dag: DAG, known: Iterable[str]) -> None:
    """Raise :class:`BadInput` naming the first task of ``dag`` whose pool is not among ``known``
    (Airflow refuses such a task too, where it checks its dependencies)."""
    known = set(known) | {DEFAULT_POOL}
    for task in dag.tasks:
        if task.pool is not None and task.pool not in known:
            raise BadInput(f"task {task.task_id!r} of DAG {dag.dag_id!r} uses pool {task.pool!r}, which does not "
                           f"exist: create it with `chordflow pools set {task.pool} SLOTS`")


@dataclass(frozen=True)
class Candidate:
    """Instances of one task in one run, in one state, as admission reads them (one aggregate
    row: instances of a task in a run share their limits and weight).

    :param count: how many instances; ``state``: ``scheduled`` (waiting) or a slot-holding state.
    """

    run_id: str
    task_id: str
    state: str
    logical_date: datetime
    limits: SlotLimits
    count: int = 1


def choose_admitted(groups: Iterable[Candidate], pool_sizes: Mapping[str, int]) -> list[tuple[Candidate, int]]:
    """How many ``scheduled`` instances of each waiting group to admit now, given every group of
    slot-holding and waiting instances: ``[(group, n)]`` with ``n >= 1``, in the order admitted.

    Waiting groups are taken by ``priority_weight`` (highest first), then logical date, run and
    task (within a group the lowest map indices go first: Airflow orders by weight, logical date,
    map index). Each group gets as many instances as fit its pool's open slots (``pool_slots``
    each), its task's ``max_active_tis_per_dag`` and ``max_active_tis_per_dagrun`` and its DAG's
    ``max_active_tasks``; a group that does not fit is passed over and those after it may still
    fit (Airflow: a starved pool does not hold back another pool's instances). A pool missing from
    ``pool_sizes`` (deleted since) admits nothing, as in Airflow.
    """
    groups = list(groups)
    pool_used: Counter = Counter()
    per_dag: Counter = Counter()
    per_run: Counter = Counter()
    dag_tasks: Counter = Counter()

    def take(group: Candidate, n: int) -> None:
        pool_used[group.limits.pool] += group.limits.pool_slots * n
        per_dag[(group.limits.dag_id, group.task_id)] += n
        per_run[(group.run_id, group.task_id)] += n
        dag_tasks[group.limits.dag_id] += n

    for group in groups:
        if group.state in _HOLDING:
            take(group, group.count)
    waiting = sorted((g for g in groups if g.state == TaskInstanceState.SCHEDULED.value),
                     key=lambda g: (-g.limits.priority_weight, g.logical_date, g.run_id, g.task_id))
    admitted = []
    for group in waiting:
        limits = group.limits
        size = pool_sizes.get(limits.pool)
        if size is None:
            continue
        room = [group.count]
        if size != UNLIMITED:
            room.append((size - pool_used[limits.pool]) // limits.pool_slots)
        if limits.per_dag is not None:
            room.append(limits.per_dag - per_dag[(limits.dag_id, group.task_id)])
        if limits.per_run is not None:
            room.append(limits.per_run - per_run[(group.run_id, group.task_id)])
        if limits.dag_tasks is not None:
            room.append(limits.dag_tasks - dag_tasks[limits.dag_id])
        n = min(room)
        if n > 0:
            take(group, n)
            admitted.append((group, n))
    return admitted
