"""``depends_on_past`` / ``wait_for_downstream``: whether an instance may run given the DAG's previous run.

Airflow's ``PrevDagrunDep`` (``airflow/ti_deps/deps/prev_dagrun_dep.py``), rule by rule:

- the previous run is the run of the same DAG with the latest logical date before this run's,
  whatever its state or how it was started (``DagRun.get_previous_dagrun``);
- no previous run: the DAG's first run, the dependency is met;
- the previous run has no instance of the task: not met ("the previous task instance has not run
  yet"), unless ``ignore_first_depends_on_past`` and no earlier run has the task at all;
- an instance of the previous run that is not ``success``/``skipped`` (``failed``, ``running``,
  ``none``, ``upstream_failed``, ``removed``, ...) keeps the instance waiting -- undecided, never
  failed -- until it is cleared and succeeds;
- ``wait_for_downstream``: the previous run's instances of the task's immediate downstream tasks
  must also be ``success``/``skipped``.

Beyond Airflow, for mapped tasks: map index ``i`` waits for map index ``i`` of the previous run
only (Airflow 2.10 and 3.x wait for every instance of the task, ``_count_unsuccessful_tis``), so one
slow index does not hold back the others of the next run. An index the previous run does not
have (its map was shorter, or never expanded) falls back to Airflow's rule: every instance of
the task in the previous run must have ended ``success``/``skipped``. ``wait_for_downstream``
keeps Airflow's rule (every downstream instance).

The trigger rule is decided first: an instance the rule skips or marks ``upstream_failed`` is
not held back -- unless ``wait_for_past_depends_before_skipping``, which holds back a skip (from the
trigger rule or a branch), never an ``upstream_failed`` (Airflow's ``TriggerRuleDep`` and
``NotPreviouslySkippedDep``: "Task should be skipped but the past depends are not met").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.baseoperator import DAGNode
from orchestrator.states import PAST_DEPENDS_MET_STATES, TaskInstanceState
from orchestrator.store import RunQueries, RunTransaction

if TYPE_CHECKING:
    from orchestrator.dag import DAG

#: Not read yet (the DAG's previous run is read once per step, when a task depends on the past).
_UNREAD = object()
#: The values of :data:`~orchestrator.states.PAST_DEPENDS_MET_STATES` (success, skipped).
SUCCESSFUL_STATES = frozenset(state.value for state in PAST_DEPENDS_MET_STATES)


@dataclass(frozen=True)
class PastOfTask:
    """What the DAG's previous run holds of one task: all :func:`unmet_reason` reads.

    :param run_id: the previous run (``None``: this is the DAG's first run).
    :param states: ``{map_index: state}`` of the task's instances in it (``{}``: none).
    :param ran_before: whether any earlier run has an instance of the task (read only when
        ``states`` is empty and the task has ``ignore_first_depends_on_past``).
    :param downstream_unsuccessful: the previous run's instances of the task's immediate downstream
        tasks not ``success``/``skipped`` (read only for ``wait_for_downstream``).
    """

    run_id: str | None
    states: dict[int, str]
    ran_before: bool = True
    downstream_unsuccessful: int = 0


def unmet_reason(task: DAGNode, past: PastOfTask, map_index: int) -> str | None:
    """Why instance ``map_index`` of ``task`` may not run yet given ``past``; ``None`` when it may
    (always for a task without ``depends_on_past``). The reason names the previous run."""
    if not task.depends_on_past or past.run_id is None:
        return None
    where = f"in the previous run {past.run_id}"
    if not past.states:
        if task.ignore_first_depends_on_past and not past.ran_before:
            return None
        return f"depends_on_past: {task.task_id!r} has not run yet {where}"
    own = past.states.get(map_index)
    if own is not None:
        if own not in SUCCESSFUL_STATES:
            # (no index in the text: the instances of one step share few reasons, written in bulk)
            which = f"{task.task_id!r} at this map index" if map_index >= 0 else repr(task.task_id)
            return f"depends_on_past: {which} is {own} {where}, not success or skipped"
    else:
        unsuccessful = sum(1 for state in past.states.values() if state not in SUCCESSFUL_STATES)
        if unsuccessful:
            return (f"depends_on_past: {unsuccessful} instance(s) of {task.task_id!r} {where} "
                    f"are not success or skipped")
    if task.wait_for_downstream and past.downstream_unsuccessful:
        return (f"wait_for_downstream: {past.downstream_unsuccessful} downstream instance(s) of "
                f"{task.task_id!r} {where} are not success or skipped")
    return None


def tasks_waiting_on(dag: DAG, task: DAGNode) -> list[str]:
    """The tasks whose instances in the DAG's next run may wait on the instances of ``task`` in
    this one: ``task`` itself with ``depends_on_past``, and its upstream tasks with ``wait_for_downstream``."""
    waiting = [task.task_id] if task.depends_on_past else []
    waiting += sorted(u for u in task.upstream_task_ids if dag.task_dict[u].wait_for_downstream)
    return waiting


class PastDependency:
    """The past dependencies of one advance step's run: the DAG's previous run read once per
    step, then per task one query for its states there (plus one for ``ignore_first_depends_on_past``
    or ``wait_for_downstream`` when they matter), whatever the width of its map.

    :param tx: the run's transaction (the advance step's).
    """

    def __init__(self, tx: RunTransaction):
        self.tx = tx
        #: Whether an instance was held back in this step.
        self.waits = False
        self._previous_run: object = _UNREAD
        self._past: dict[str, PastOfTask] = {}
        self._noted: set[str] = set()

    def past_of(self, task: DAGNode) -> PastOfTask:
        """What the DAG's previous run holds of ``task`` (read once per step)."""
        if task.task_id not in self._past:
            if self._previous_run is _UNREAD:
                self._previous_run = self.tx.previous_run_id()
            previous = self._previous_run
            if previous is None:
                past = PastOfTask(None, {})
            else:
                queries = RunQueries(self.tx.conn, previous)
                states = queries.states_by_index(task.task_id)
                first = not states and task.ignore_first_depends_on_past
                past = PastOfTask(
                    previous, states,
                    ran_before=self.tx.ran_before(task.task_id) if first else True,
                    downstream_unsuccessful=queries.unsuccessful_count(sorted(task.downstream_task_ids))
                    if task.wait_for_downstream and states else 0,
                )
            self._past[task.task_id] = past
        return self._past[task.task_id]

    def allowed(self, task: DAGNode, indices: list[int] | None) -> list[int]:
        """Of the undecided instances ``indices`` of ``task`` that its trigger rule lets run (or
        skips, with ``wait_for_past_depends_before_skipping``; ``None``: all of them), those whose
        past dependency is met. Why the others stay
        undecided is written into their ``error`` column (``tasks list`` shows it)."""
        if indices is None:
            indices = [i for i, state in self.tx.states_by_index(task.task_id).items()
                       if state == TaskInstanceState.NONE.value]
        past = self.past_of(task)
        allowed: list[int] = []
        waiting: dict[str, list[int]] = {}
        for index in indices:
            reason = unmet_reason(task, past, index)
            if reason is None:
                allowed.append(index)
            else:
                waiting.setdefault(reason, []).append(index)
        if waiting:
            self.waits = True
            if task.task_id not in self._noted:
                self._noted.add(task.task_id)
                self.tx.note_waiting(task.task_id, waiting)
        return allowed
