"""The run state machine: decide what runs next in a run, expand maps, and end the run.

:func:`advance_run` is the reduce/advance step (the chord callback). It holds the run's row lock,
evaluates the trigger rule of every undecided task instance against its upstream instances,
expands mapped tasks (one bulk insert), marks skipped / upstream_failed, and ends the run when
nothing is left to do. It then hands what must run to a :class:`Dispatcher` -- the executor's
Celery chords in production, a stub in tests. It is idempotent: calling it again changes nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

from orchestrator.baseoperator import DAGNode
from orchestrator.dag import DAG
from orchestrator.dates import as_utc_naive
from orchestrator.expand_input import ExpandInput
from orchestrator.params import validate_conf
from orchestrator.resolve import StoreXComReader
from orchestrator.states import FINISHED_STATES, DagRunState, TaskInstanceState
from orchestrator.store import RunRecord, RunTransaction, Store
from orchestrator.trigger_rules import Decision, UpstreamCounts, evaluate_trigger_rule

log = logging.getLogger("chordflow.scheduler")

_FINISHED = {s.value for s in FINISHED_STATES}
_FAILED_LEAF = {TaskInstanceState.FAILED.value, TaskInstanceState.UPSTREAM_FAILED.value}
_STATE_OF = {Decision.SKIP: TaskInstanceState.SKIPPED, Decision.UPSTREAM_FAILED: TaskInstanceState.UPSTREAM_FAILED}


@dataclass(frozen=True)
class Dispatch:
    """Instances of one task to send to workers, as one chord."""

    task_id: str
    map_indices: list[int]


class Dispatcher(Protocol):
    """Where the state machine hands what must run; the executor implements it with Celery."""

    def dispatch(self, run_id: str, task: DAGNode, map_indices: list[int]) -> None:
        """Run these instances (already ``queued``), then call the advance step of the run."""

    def queue_is_empty(self, queue: str | None) -> bool | None:
        """Whether no message waits in ``queue`` (``None``: the broker cannot tell)."""

    def workers_alive(self) -> bool | None:
        """Whether any worker answers (``None``: cannot tell)."""


@dataclass
class AdvanceResult:
    """What an advance step left: the run's state and the instances it sent to run."""

    state: str
    dispatches: list[Dispatch] = field(default_factory=list)


def start_run(store: Store, dag: DAG, run_id: str, logical_date: datetime, conf: dict[str, Any], fileloc: str,
              dispatcher: Dispatcher, max_map_length: int) -> AdvanceResult:
    """Create a run of ``dag`` and take its first advance step in the same transaction, so that
    its maps over literals exist from the moment the run does (as in Airflow). Raises
    :class:`~orchestrator.errors.BadInput` when ``conf`` breaks a param's schema (nothing is
    written), :class:`~orchestrator.errors.DuplicateRunError` when ``run_id`` exists already."""
    validate_conf(dag.params, conf)
    tasks = [(task.task_id, task.retries) for task in dag.tasks]
    with store.new_run(run_id, dag.dag_id, as_utc_naive(logical_date), conf, fileloc, tasks) as tx:
        decided = _take_step(tx, dag, store, max_map_length)
    return _after_step(decided, dag, dispatcher)


def advance_run(store: Store, dag: DAG, run_id: str, dispatcher: Dispatcher, max_map_length: int) -> AdvanceResult:
    """Decide everything that can be decided in the run now; dispatch what must run."""
    with store.locked_run(run_id) as tx:
        if tx.run.state in (DagRunState.SUCCESS.value, DagRunState.FAILED.value):
            return AdvanceResult(tx.run.state)
        decided = _take_step(tx, dag, store, max_map_length)
    return _after_step(decided, dag, dispatcher)


@dataclass
class _Decided:
    run: RunRecord
    state: DagRunState | None
    dispatches: list[Dispatch]


def _take_step(tx: RunTransaction, dag: DAG, store: Store, max_map_length: int) -> _Decided:
    """The advance step inside the run's transaction: every decision, and the run's end."""
    step = _RunStep(tx, dag, store, max_map_length)
    step.decide_all()
    state = step.final_state()
    if state is not None:
        tx.finish_run(state)
        log.info("run %s ended %s", tx.run.run_id, state.value)
    return _Decided(tx.run, state, step.dispatches)


def _after_step(decided: _Decided, dag: DAG, dispatcher: Dispatcher) -> AdvanceResult:
    """After the step's commit: the DAG's callback when the run ended, then what must run."""
    if decided.state is not None:
        _call_dag_back(dag, decided.run, decided.state)
    for item in decided.dispatches:
        dispatcher.dispatch(decided.run.run_id, dag.task_dict[item.task_id], item.map_indices)
    state = decided.state.value if decided.state else DagRunState.RUNNING.value
    return AdvanceResult(state, decided.dispatches)


def _call_dag_back(dag: DAG, run, state: DagRunState) -> None:
    """The DAG's ``on_success_callback`` / ``on_failure_callback``, once, by the advance step that
    ended the run (after its commit), with the run's context and Airflow's ``reason``. A failing
    callback is logged; the run keeps its state."""
    name = "on_success_callback" if state is DagRunState.SUCCESS else "on_failure_callback"
    functions = dag.callbacks.get(name, ())
    if not functions:
        return
    from orchestrator.context import DagRunInfo, build_context
    from orchestrator.params import resolve_params

    info = DagRunInfo(run.run_id, run.dag_id, run.logical_date.replace(tzinfo=timezone.utc), run.conf)
    context = build_context(dag, None, info, None, resolve_params(dag.params, run.conf))
    context["reason"] = "success" if state is DagRunState.SUCCESS else "task_failure"
    for function in functions:
        try:
            function(context)
        except Exception:
            log.exception("run %s: %s of DAG %r failed", run.run_id, name, dag.dag_id)


class _RunStep:
    """One advance step: in-memory counts of the run, updated as decisions are written."""

    def __init__(self, tx: RunTransaction, dag: DAG, store: Store, max_map_length: int):
        self.tx = tx
        self.dag = dag
        self.max_map_length = max_map_length
        self.reader = StoreXComReader(store, dag, tx.run.run_id, conn=tx.conn)
        self.counts = tx.state_counts()
        self.lengths = tx.map_lengths()
        self.dispatches: list[Dispatch] = []

    # -- counts ---------------------------------------------------------------------------
    def _refresh(self, task_id: str) -> None:
        self.counts[task_id] = self.tx.task_state_counts(task_id)

    def _whole(self, task_id: str) -> UpstreamCounts:
        return UpstreamCounts.from_mapping(self.counts.get(task_id, {}))

    def _undecided(self, task_id: str) -> int:
        return self.counts.get(task_id, {}).get(TaskInstanceState.NONE.value, 0)

    def _is_expanded(self, task_id: str) -> bool:
        return task_id in self.lengths

    def _same_group_upstreams(self, task: DAGNode) -> list[str]:
        group = task.mapped_group
        if group is None:
            return []
        return sorted(u for u in task.upstream_task_ids if self.dag.task_dict[u].mapped_group is group)

    # -- decisions ------------------------------------------------------------------------
    def decide_all(self) -> None:
        order = self.dag.topological_order()
        changed = True
        while changed:
            changed = False
            for task in order:
                if self._undecided(task.task_id) and self._decide(task):
                    changed = True

    def _decide(self, task: DAGNode) -> bool:
        siblings = self._same_group_upstreams(task)
        if task.is_mapped and not self._is_expanded(task.task_id):
            if siblings:
                return self._expand_like_sibling(task, siblings)
            return self._decide_unexpanded(task)
        if siblings:
            return self._decide_per_index(task, siblings)
        decision = self._evaluate(task, self._upstream_counts(task))
        return self._apply(task, None, decision)

    def _upstream_counts(self, task: DAGNode, exclude: tuple[str, ...] = ()) -> UpstreamCounts:
        total = UpstreamCounts()
        for upstream in task.upstream_task_ids:
            if upstream not in exclude:
                total = total + self._whole(upstream)
        return total

    def _evaluate(self, task: DAGNode, counts: UpstreamCounts) -> Decision:
        return evaluate_trigger_rule(task.trigger_rule, counts, task.min_success_ratio)

    def _apply(self, task: DAGNode, indices: list[int] | None, decision: Decision) -> bool:
        if decision is Decision.WAIT:
            return False
        if decision is Decision.RUN:
            queued = self.tx.set_states(task.task_id, indices, TaskInstanceState.QUEUED)
            if queued:
                self.dispatches.append(Dispatch(task.task_id, queued))
        else:
            self.tx.set_states(task.task_id, indices, _STATE_OF[decision])
        self._refresh(task.task_id)
        return True

    def _source_verdict(self, task: DAGNode) -> Decision | None:
        """What the tasks a map reads its elements from decide, before and whatever its trigger
        rule (Airflow's rule for expansion sources, apache/airflow#25698): ``WAIT`` until every
        source ended; ``UPSTREAM_FAILED`` when one failed or is upstream_failed; ``SKIP`` when
        one was skipped; ``None`` when every source delivered. A mapped source delivered when
        any of its instances pushed a value (the map is over those, as in Airflow)."""
        verdict = None
        for source in {op.task_id: op for op in task.expand_input.iter_references()}.values():
            counts = self.counts.get(source.task_id, {})
            if any(state not in _FINISHED for state in counts):
                return Decision.WAIT
            whole = UpstreamCounts.from_mapping(counts)
            if source.is_mapped and self.reader.count(source.task_id):
                continue
            if whole.failed or whole.upstream_failed:
                verdict = Decision.UPSTREAM_FAILED
            elif whole.skipped and verdict is None:
                verdict = Decision.SKIP
        return verdict

    def _literal_lengths(self, task: DAGNode) -> list[int] | None:
        """The lengths of a map over literals of 1 to ``max_map_length`` instances, else ``None``."""
        expand_input = task.expand_input
        if next(expand_input.iter_references(), None) is not None:
            return None
        lengths = expand_input.lengths(self.reader)  # (no XCom is read: there are only literals)
        return lengths if 0 < ExpandInput.total(lengths) <= self.max_map_length else None

    def _decide_unexpanded(self, task: DAGNode) -> bool:
        verdict = self._source_verdict(task)
        if verdict in (Decision.UPSTREAM_FAILED, Decision.SKIP):
            return self._apply(task, [-1], verdict)
        decision = self._evaluate(task, self._upstream_counts(task))
        if decision is Decision.RUN and verdict is Decision.WAIT:
            return False  # (``always`` runs at once, but there is nothing to map over yet)
        if decision is not Decision.RUN:
            # A map over literals is expanded at the run's first step, whatever it waits for, as
            # Airflow creates its instances with the run; each one then ends as the rule says.
            literal = self._literal_lengths(task)
            if literal is None:
                return self._apply(task, [-1], decision)
            return self._expand(task, literal, _STATE_OF.get(decision, TaskInstanceState.NONE))
        expand_input: ExpandInput = task.expand_input
        try:
            lengths = expand_input.lengths(self.reader)
        except Exception as exc:  # a bad upstream value must end this task, not the advance step
            self._fail_unexpanded(task, f"cannot expand {task.task_id!r}: {exc}")
            return True
        total = ExpandInput.total(lengths)
        if total > self.max_map_length:
            self._fail_unexpanded(
                task, f"map length {total} > CHORDFLOW_MAX_MAP_LENGTH={self.max_map_length} for {task.task_id!r}"
            )
            return True
        return self._expand(task, lengths, TaskInstanceState.QUEUED)

    def _expand(self, task: DAGNode, lengths: list[int], state: TaskInstanceState) -> bool:
        total = ExpandInput.total(lengths)
        if total == 0:
            self.tx.set_states(task.task_id, [-1], TaskInstanceState.SKIPPED)
            self.tx.record_map(task.task_id, lengths)
        else:
            self.tx.expand(task.task_id, lengths, state, task.retries)
            if state is TaskInstanceState.QUEUED:
                self.dispatches.append(Dispatch(task.task_id, list(range(total))))
        self.lengths[task.task_id] = total
        if total:  # every new row is in ``state``: nothing to read back
            self.counts[task.task_id] = {state.value: total}
        else:
            self._refresh(task.task_id)
        log.debug("expanded %s to %d instances", task.task_id, total)
        return True

    def _fail_unexpanded(self, task: DAGNode, error: str) -> None:
        self.tx.set_states(task.task_id, [-1], TaskInstanceState.FAILED, error=error)
        self.tx.record_map(task.task_id, [0])
        self.lengths[task.task_id] = 0
        self._refresh(task.task_id)

    def _expand_like_sibling(self, task: DAGNode, siblings: list[str]) -> bool:
        """A task inside a mapped group takes the group's length from an expanded sibling."""
        sibling = siblings[0]
        if self.lengths.get(sibling):
            return self._expand(task, self.tx.map_dims(sibling), TaskInstanceState.NONE)
        if self._undecided(sibling) or not self._sibling_settled(sibling):
            return False
        # The sibling never expanded: the group's sources failed or were skipped, its map was
        # empty, or the sibling's trigger rule ended it before it expanded.
        verdict = self._source_verdict(task)
        if verdict in (Decision.UPSTREAM_FAILED, Decision.SKIP):
            return self._end_unexpanded(task, _STATE_OF[verdict])
        decision = self._evaluate(task, self._upstream_counts(task))
        if decision is Decision.WAIT:
            return False
        return self._end_unexpanded(task, _STATE_OF.get(decision, TaskInstanceState.SKIPPED))

    def _end_unexpanded(self, task: DAGNode, state: TaskInstanceState) -> bool:
        self.tx.set_states(task.task_id, [-1], state)
        self.tx.record_map(task.task_id, [0])
        self.lengths[task.task_id] = 0
        self._refresh(task.task_id)
        return True

    def _sibling_settled(self, task_id: str) -> bool:
        return all(state in _FINISHED for state in self.counts.get(task_id, {}))

    def _decide_per_index(self, task: DAGNode, siblings: list[str]) -> bool:
        """Inside a mapped group, index ``i`` looks at its siblings' index ``i`` only."""
        outside = self._upstream_counts(task, exclude=tuple(siblings))
        sibling_states = {s: self.tx.states_by_index(s) for s in siblings}
        own = self.tx.states_by_index(task.task_id)
        by_decision: dict[Decision, list[int]] = {}
        for index, state in own.items():
            if state != TaskInstanceState.NONE.value:
                continue
            counts = outside
            for states in sibling_states.values():
                counts = counts + UpstreamCounts.from_states([states.get(index, TaskInstanceState.REMOVED.value)])
            by_decision.setdefault(self._evaluate(task, counts), []).append(index)
        changed = False
        for decision, indices in by_decision.items():
            changed = self._apply(task, indices, decision) or changed
        return changed

    # -- the end ----------------------------------------------------------------------------
    def final_state(self) -> DagRunState | None:
        """``success``/``failed`` once every instance finished (by the leaves), else ``None``."""
        for counts in self.counts.values():
            if any(state not in _FINISHED for state in counts):
                return None
        for leaf in self.dag.leaves():
            if any(state in _FAILED_LEAF for state in self.counts.get(leaf.task_id, {})):
                return DagRunState.FAILED
        return DagRunState.SUCCESS

