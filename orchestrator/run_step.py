"""The decisions of one advance step (see :mod:`orchestrator.advance`): each undecided task's
trigger rule against its upstream instances, the skips of branches and short-circuits, the
setup constraint, ``depends_on_past`` (:mod:`orchestrator.past_dependency`), map expansion, and
the run's end state."""
from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass

from orchestrator.admission import SlotLimits, slot_limits
from orchestrator.baseoperator import DAGNode
from orchestrator.branching import XCOM_SKIPMIXIN_KEY, deciders_of, reaches_by_index, skips
from orchestrator.dag import DAG
from orchestrator.expand_input import ExpandInput
from orchestrator.past_dependency import PastDependency
from orchestrator.resolve import StoreXComReader
from orchestrator.setup_teardown import relevant_setups
from orchestrator.states import FINISHED_STATES, DagRunState, TaskInstanceState
from orchestrator.store import RunTransaction, Store
from orchestrator.trigger_rules import Decision, TriggerRule, UpstreamCounts, evaluate_trigger_rule
from orchestrator.weight_rule import priority_weights

log = logging.getLogger("chordflow.scheduler")

_FINISHED = {s.value for s in FINISHED_STATES}
_FAILED_LEAF = {TaskInstanceState.FAILED.value, TaskInstanceState.UPSTREAM_FAILED.value}
_STATE_OF = {Decision.SKIP: TaskInstanceState.SKIPPED, Decision.UPSTREAM_FAILED: TaskInstanceState.UPSTREAM_FAILED}
#: Per task object (as long as its DAG file stays loaded): the ids of the branch/short-circuit
#: tasks that may skip it, and of the setups of its scope it does not depend on directly.
_DECIDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_INDIRECT_SETUPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Dispatch:
    """Instances of one task to send to workers, as one chord."""

    task_id: str
    map_indices: list[int]


class RunStep:
    """One advance step's decisions: in-memory counts of the run, updated as decisions are written.

    :param tx: the run's transaction (its row lock held).
    :param dag: the run's DAG.
    :param store: the store (XComs a map expands over are read through it).
    :param max_map_length: the most instances one map may expand to.
    """

    def __init__(self, tx: RunTransaction, dag: DAG, store: Store, max_map_length: int):
        self.tx = tx
        self.dag = dag
        self.max_map_length = max_map_length
        self.reader = StoreXComReader(store, dag, tx.run.run_id, conn=tx.conn)
        self.counts = tx.state_counts()
        self.lengths = tx.map_lengths()
        self.dispatches: list[Dispatch] = []
        #: Instances were moved to ``scheduled``: admission should run after the commit.
        self.scheduled = False
        self.store = store
        self.past = PastDependency(tx)
        self._pool_sizes: dict[str, int] | None = None

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
        """Decide every task that can be decided now, until a pass changes nothing (a decision
        may let a downstream task be decided in the same step)."""
        order = self.dag.topological_order()
        changed = True
        while changed:
            changed = False
            for task in order:
                if self._undecided(task.task_id) and not self._waits_regardless(task) and self._decide(task):
                    changed = True

    def _waits_regardless(self, task: DAGNode) -> bool:
        """Whether ``task`` waits whatever its trigger rule, known without evaluating it: none of
        its upstream instances has finished (every rule but ``always`` waits then: see
        :func:`~orchestrator.trigger_rules.evaluate_trigger_rule`), and nothing else may end it
        first -- a branch or short-circuit that skips it, a setup of its scope, or the expansion
        of its map. A chain's step then looks at the one task after the last that ended, not at
        every task still to come (a tenth of a task hop in a chain of 100)."""
        if task.trigger_rule == TriggerRule.ALWAYS or not task.upstream_task_ids:
            return False
        if task.is_mapped and not self._is_expanded(task.task_id):
            return False
        if self._deciders_of(task) or self._setups_not_upstream(task):
            return False
        for upstream in task.upstream_task_ids:
            counts = self.counts.get(upstream)
            if not counts or not _FINISHED.isdisjoint(counts):
                return False
        return True

    def _decide(self, task: DAGNode) -> bool:
        if self._skip_decided(task) or self._ended_by_setups(task):
            return True
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
                total = total + self._as_upstream(upstream, self._whole(upstream))
        return total

    def _as_upstream(self, task_id: str, counts: UpstreamCounts) -> UpstreamCounts:
        """A setup task's instances count as setups too (``all_done_setup_success``)."""
        return counts.as_setups() if self.dag.task_dict[task_id].is_setup else counts

    # -- skips decided by branch and short-circuit tasks ----------------------------------
    def _deciders_of(self, task: DAGNode) -> list[DAGNode]:
        if task not in _DECIDERS:
            _DECIDERS[task] = [d.task_id for d in deciders_of(self.dag, task)]
        return [self.dag.task_dict[t] for t in _DECIDERS[task]]

    def _skip_decided(self, task: DAGNode) -> bool:
        """Skip the undecided instances of ``task`` that a finished branch or short-circuit
        instance decided to skip (see :mod:`orchestrator.branching`); ``True`` when any moved.
        An unmapped decider reaches every instance; index ``i`` of a mapped one reaches index
        ``i`` of a mapped task it reaches by index (:func:`~orchestrator.branching.reaches_by_index`)."""
        expanded = task.is_mapped and self._is_expanded(task.task_id)
        deciders = [d for d in self._deciders_of(task) if not d.is_mapped or (expanded and reaches_by_index(d, task))]
        if not deciders:
            return False
        undecided = [i for i, state in self.tx.states_by_index(task.task_id).items()
                     if state == TaskInstanceState.NONE.value]
        skipped: set[int] = set()
        for decider in deciders:
            decisions = self.store.xcom_values_by_index(self.tx.run.run_id, decider.task_id, XCOM_SKIPMIXIN_KEY,
                                                        conn=self.tx.conn)
            if not decider.is_mapped:
                if -1 in decisions and skips(decisions[-1], decider, task.task_id):
                    skipped.update(undecided)
            else:
                skipped.update(i for i in undecided if i in decisions and skips(decisions[i], decider, task.task_id))
        if not skipped:
            return False
        return self._apply(task, sorted(skipped), Decision.SKIP)

    # -- the setup constraint ---------------------------------------------------------------
    def _setups_not_upstream(self, task: DAGNode) -> list[DAGNode]:
        if task not in _INDIRECT_SETUPS:
            _INDIRECT_SETUPS[task] = [
                s.task_id for s in relevant_setups(self.dag, task) if s.task_id not in task.upstream_task_ids
            ] if task.trigger_rule is not TriggerRule.ALWAYS else []
        return [self.dag.task_dict[t] for t in _INDIRECT_SETUPS[task]]

    def _ended_by_setups(self, task: DAGNode) -> bool:
        """Airflow's setup constraint: a work task whose scope's setup (one it does not depend on
        directly) failed is ``upstream_failed``, one whose setup was skipped is ``skipped``,
        without waiting for the rest, whatever its trigger rule (but ``always``). A setup in the
        task's mapped group is read at the same index; ``True`` when any instance moved."""
        setups = self._setups_not_upstream(task)
        if not setups:
            return False
        undecided = [i for i, state in self.tx.states_by_index(task.task_id).items()
                     if state == TaskInstanceState.NONE.value]
        ended: dict[int, Decision] = {}
        for setup in setups:
            if setup.mapped_group is not None and setup.mapped_group is task.mapped_group:
                if not self._is_expanded(task.task_id):
                    continue  # (read index by index once the task is expanded)
                states = self.tx.states_by_index(setup.task_id)
                verdicts = {i: _setup_verdict(UpstreamCounts.from_states([states[i]]))
                            for i in undecided if i in states}
            else:
                verdict = _setup_verdict(self._whole(setup.task_id))
                verdicts = {i: verdict for i in undecided}
            for index, verdict in verdicts.items():
                if verdict is not None and ended.get(index) is not Decision.UPSTREAM_FAILED:
                    ended[index] = verdict
        changed = False
        for decision in (Decision.UPSTREAM_FAILED, Decision.SKIP):
            indices = sorted(i for i, d in ended.items() if d is decision)
            if indices:
                changed = self._apply(task, indices, decision) or changed
        return changed

    def _waits_for_mapped_decider(self, task: DAGNode) -> bool:
        """Whether a mapped decider upstream may skip some of ``task``'s indices (then it expands
        undecided, and each index is decided on its own)."""
        return any(decider.is_mapped and reaches_by_index(decider, task) for decider in self._deciders_of(task))

    def _evaluate(self, task: DAGNode, counts: UpstreamCounts) -> Decision:
        return evaluate_trigger_rule(task.trigger_rule, counts, task.min_success_ratio)

    def _limits(self, task: DAGNode) -> SlotLimits | None:
        """The slot limits of ``task``'s instances (``None``: not slot-limited, dispatched at once)."""
        if self._pool_sizes is None:
            self._pool_sizes = self.tx.pool_sizes()
        return slot_limits(self.dag, task, self._pool_sizes, priority_weights(self.dag)[task.task_id])

    def _run(self, task: DAGNode, indices: list[int] | None) -> None:
        """Queue and dispatch undecided instances, or -- for a slot-limited task -- schedule them
        to wait for admission to a slot (:mod:`orchestrator.admission`)."""
        limits = self._limits(task)
        if limits is None:
            queued = self.tx.set_states(task.task_id, indices, TaskInstanceState.QUEUED)
            if queued:
                self.dispatches.append(Dispatch(task.task_id, queued))
        elif self.tx.set_states(task.task_id, indices, TaskInstanceState.SCHEDULED, limits=limits):
            self.scheduled = True

    def _apply(self, task: DAGNode, indices: list[int] | None, decision: Decision) -> bool:
        if decision is Decision.WAIT:
            return False
        if task.depends_on_past and (decision is Decision.RUN or (
                decision is Decision.SKIP and task.wait_for_past_depends_before_skipping)):
            indices = self.past.allowed(task, indices)
            if not indices:
                return False
        if decision is Decision.RUN:
            self._run(task, indices)
        else:
            self.tx.set_states(task.task_id, indices, _STATE_OF[decision])
        self._refresh(task.task_id)
        return True

    def _source_verdict(self, task: DAGNode) -> Decision | None:
        """What the tasks a map reads its elements from decide, before and whatever its trigger
        rule (Airflow's rule for expansion sources, apache/airflow#25698): ``WAIT`` until every
        source ended; ``UPSTREAM_FAILED`` when one failed or is upstream_failed; ``SKIP`` when
        one was skipped; ``None`` when every source delivered. A mapped source that expanded to
        instances delivered, whatever they became: Airflow 2.10's ``MappedTaskUpstreamDep`` looks
        at unexpanded sources only ("if it has been expanded, it did not fail and was not skipped
        outright"), so the trigger rule decides and the map is over the values its instances
        pushed -- none: skipped (``AbstractOperator.expand_mapped_task``)."""
        verdict = None
        for source in {op.task_id: op for op in task.expand_input.iter_references()}.values():
            counts = self.counts.get(source.task_id, {})
            if any(state not in _FINISHED for state in counts):
                return Decision.WAIT
            whole = UpstreamCounts.from_mapping(counts)
            if source.is_mapped and self.lengths.get(source.task_id, 0) > 0:
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
            state = _STATE_OF.get(decision, TaskInstanceState.NONE)
            if state is TaskInstanceState.SKIPPED and task.wait_for_past_depends_before_skipping:
                state = TaskInstanceState.NONE  # (each index is skipped once its past allows it)
            return self._expand(task, literal, state)
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
        # Expanded undecided when each index is decided on its own: a mapped decider may skip some,
        # or each index waits for its own counterpart in the previous run (depends_on_past).
        undecided = task.depends_on_past or self._waits_for_mapped_decider(task)
        state = TaskInstanceState.NONE if undecided else TaskInstanceState.QUEUED
        return self._expand(task, lengths, state)

    def _expand(self, task: DAGNode, lengths: list[int], state: TaskInstanceState) -> bool:
        total = ExpandInput.total(lengths)
        if total == 0:
            self.tx.set_states(task.task_id, [-1], TaskInstanceState.SKIPPED)
            self.tx.record_map(task.task_id, lengths)
        elif state is TaskInstanceState.QUEUED and self._limits(task) is not None:
            self.tx.expand(task.task_id, lengths, TaskInstanceState.NONE, task.retries)
            self._run(task, None)  # scheduled, to wait for slots
            state = TaskInstanceState.SCHEDULED
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
            for sibling, states in sibling_states.items():
                sibling_state = states.get(index, TaskInstanceState.REMOVED.value)
                counts = counts + self._as_upstream(sibling, UpstreamCounts.from_states([sibling_state]))
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
        for leaf in _leaves_deciding_run_state(self.dag):
            if any(state in _FAILED_LEAF for state in self.counts.get(leaf.task_id, {})):
                return DagRunState.FAILED
        return DagRunState.SUCCESS


def _setup_verdict(counts: UpstreamCounts) -> Decision | None:
    """What a scope's setup instances impose on its work: failed -> upstream_failed, skipped -> skipped."""
    if counts.failed or counts.upstream_failed:
        return Decision.UPSTREAM_FAILED
    return Decision.SKIP if counts.skipped else None


def _leaves_deciding_run_state(dag: DAG) -> list[DAGNode]:
    """The tasks whose states decide the run's: Airflow's effective leaves (``DagRun._tis_for_dagrun_state``).
    A teardown without ``on_failure_fail_dagrun`` is ignored: a task whose only downstream tasks
    are such teardowns is a leaf, and such a teardown is none; when that leaves nothing (a DAG of
    teardowns only), the plain leaves."""

    def ignored(task: DAGNode) -> bool:
        return task.is_teardown and not task.on_failure_fail_dagrun

    leaves = [t for t in dag.tasks
              if not ignored(t) and all(ignored(dag.task_dict[d]) for d in t.downstream_task_ids)]
    return leaves or dag.leaves()

