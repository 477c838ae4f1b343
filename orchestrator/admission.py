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
    """One instance of a slot-limited task, as admission reads it: holding a slot or waiting."""

    run_id: str
    task_id: str
    map_index: int
    state: str
    logical_date: datetime
    limits: SlotLimits


def choose_admitted(instances: Iterable[Candidate], pool_sizes: Mapping[str, int]) -> list[Candidate]:
    """The ``scheduled`` instances to admit now, given every slot-holding and waiting one.

    Waiting instances are taken by ``priority_weight`` (highest first), then logical date, run
    and map index; each is admitted when its pool has ``pool_slots`` open slots and it stays
    under its task's ``max_active_tis_per_dag`` and ``max_active_tis_per_dagrun`` and its DAG's
    ``max_active_tasks``; one that does not fit is passed over, and those after it may still fit
    (Airflow: a starved pool does not hold back another pool's instances). A pool missing from
    ``pool_sizes`` (deleted since) admits nothing, as in Airflow.
    """
    instances = list(instances)
    pool_used: Counter = Counter()
    per_dag: Counter = Counter()
    per_run: Counter = Counter()
    dag_tasks: Counter = Counter()

    def take(c: Candidate) -> None:
        pool_used[c.limits.pool] += c.limits.pool_slots
        per_dag[(c.limits.dag_id, c.task_id)] += 1
        per_run[(c.run_id, c.task_id)] += 1
        dag_tasks[c.limits.dag_id] += 1

    for c in instances:
        if c.state in _HOLDING:
            take(c)
    waiting = sorted((c for c in instances if c.state == TaskInstanceState.SCHEDULED.value),
                     key=lambda c: (-c.limits.priority_weight, c.logical_date, c.run_id, c.task_id, c.map_index))
    admitted = []
    for c in waiting:
        size, limits = pool_sizes.get(c.limits.pool), c.limits
        if size is None or (size != UNLIMITED and pool_used[limits.pool] + limits.pool_slots > size):
            continue
        if limits.per_dag is not None and per_dag[(limits.dag_id, c.task_id)] >= limits.per_dag:
            continue
        if limits.per_run is not None and per_run[(c.run_id, c.task_id)] >= limits.per_run:
            continue
        if limits.dag_tasks is not None and dag_tasks[limits.dag_id] >= limits.dag_tasks:
            continue
        take(c)
        admitted.append(c)
    return admitted
