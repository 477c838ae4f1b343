"""Task instance and run states, with Airflow's names, and the transitions between them."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class StrEnum(str, Enum):
    """An enum whose members are their string values: ``str(member)`` is what is stored and printed
    (Python 3.11's ``enum.StrEnum``, kept here while 3.10 is supported)."""

    def __str__(self) -> str:
        """The member's value."""
        return self.value


class TaskInstanceState(StrEnum):
    """The life of one task instance (one map index of one task in one run).

    ``none -> queued -> running -> success | failed | up_for_retry``; ``up_for_retry -> running``;
    an instance of a slot-limited task (a pool, ``max_active_tis_per_dag(run)``, the DAG's
    ``max_active_tasks``) goes ``none -> scheduled -> queued`` instead, admitted to a free slot
    (see :mod:`orchestrator.admission`); a sensor in reschedule mode
    ``running -> up_for_reschedule -> running`` between pokes (same try); ``none -> skipped |
    upstream_failed`` when the trigger rule decides so; ``removed`` exists for Airflow
    compatibility of the vocabulary. Every change the store makes is named in :data:`TRANSITIONS`.
    """

    NONE = "none"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"
    UPSTREAM_FAILED = "upstream_failed"
    UP_FOR_RETRY = "up_for_retry"
    UP_FOR_RESCHEDULE = "up_for_reschedule"
    REMOVED = "removed"


#: States an instance never leaves on its own (only ``tasks clear`` moves it back to ``none``).
FINISHED_STATES = frozenset(
    {
        TaskInstanceState.SUCCESS,
        TaskInstanceState.FAILED,
        TaskInstanceState.SKIPPED,
        TaskInstanceState.UPSTREAM_FAILED,
        TaskInstanceState.REMOVED,
    }
)

#: States of an instance that has not ended: cancelling its run fails it.
UNFINISHED_STATES = frozenset(TaskInstanceState) - FINISHED_STATES

#: States of an instance of the DAG's previous run that let ``depends_on_past`` pass (Airflow's
#: ``PrevDagrunDep._SUCCESSFUL_STATES``).
PAST_DEPENDS_MET_STATES = frozenset({TaskInstanceState.SUCCESS, TaskInstanceState.SKIPPED})

#: States from which a worker may claim an instance and run it.
CLAIMABLE_STATES = frozenset({TaskInstanceState.QUEUED, TaskInstanceState.UP_FOR_RETRY})

#: States in which an instance of a slot-limited task holds its slot (pool slots, and a place
#: under ``max_active_tis_per_dag``, ``max_active_tis_per_dagrun`` and ``max_active_tasks``).
#: Airflow counts ``queued`` and ``running``; here an instance waiting for its retry or a
#: sensor's next poke keeps its slot too, as it goes back to ``running`` without admission.
SLOT_HOLDING_STATES = frozenset({TaskInstanceState.QUEUED, TaskInstanceState.RUNNING,
                                 TaskInstanceState.UP_FOR_RETRY, TaskInstanceState.UP_FOR_RESCHEDULE})

@dataclass(frozen=True)
class Transition:
    """One change of state the store makes, by name: ``sources -> target``.

    :param name: what the change is (``claim``, ``requeue_zombie``, ...).
    :param sources: the states an instance may be in for the change to apply (the statement's
        ``WHERE state IN (...)``: an instance in any other state is left alone).
    :param target: the state the change sets.
    """

    name: str
    sources: frozenset[TaskInstanceState]
    target: TaskInstanceState

    @property
    def source_values(self) -> list[str]:
        """The source states' values, sorted: what the statement's ``state IN (...)`` lists."""
        return sorted(state.value for state in self.sources)

    def allows(self, old: str, new: str) -> bool:
        """True when an instance in state ``old`` may be moved to ``new`` by this transition."""
        return new == self.target.value and old in self.source_values


_TI = TaskInstanceState
#: Every change of state the store makes; a statement that sets a task instance's state applies
#: one of these (``tests/test_state_machine.py`` watches the store and checks it).
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        # The advance step decides an undecided instance (trigger rules, empty or failed maps, and
        # the skip decisions of branch and short-circuit instances: orchestrator/branching.py).
        Transition("queue", frozenset({_TI.NONE}), _TI.QUEUED),
        Transition("schedule", frozenset({_TI.NONE}), _TI.SCHEDULED),  # slot-limited: waits for admission
        Transition("skip", frozenset({_TI.NONE}), _TI.SKIPPED),
        Transition("mark_upstream_failed", frozenset({_TI.NONE}), _TI.UPSTREAM_FAILED),
        Transition("fail_unexpanded", frozenset({_TI.NONE}), _TI.FAILED),  # its source returned no list
        # Admission of a slot-limited instance to a free slot (orchestrator/admission.py).
        Transition("admit", frozenset({_TI.SCHEDULED}), _TI.QUEUED),
        # A worker's compare-and-sets.
        Transition("claim", CLAIMABLE_STATES, _TI.RUNNING),
        Transition("take_over", frozenset({_TI.RUNNING}), _TI.RUNNING),  # a silent worker's try, same number
        Transition("succeed", frozenset({_TI.RUNNING}), _TI.SUCCESS),
        Transition("fail", frozenset({_TI.RUNNING}), _TI.FAILED),
        Transition("retry", frozenset({_TI.RUNNING}), _TI.UP_FOR_RETRY),
        Transition("skip_running", frozenset({_TI.RUNNING}), _TI.SKIPPED),  # the task raised a skip
        # A sensor in reschedule mode gives its worker slot back between pokes, and takes one
        # again for the next poke: the same try (a reschedule does not count against retries).
        Transition("reschedule", frozenset({_TI.RUNNING}), _TI.UP_FOR_RESCHEDULE),
        Transition("resume_poke", frozenset({_TI.UP_FOR_RESCHEDULE}), _TI.RUNNING),
        # The reconciler's repairs.
        Transition("requeue_zombie", frozenset({_TI.RUNNING}), _TI.QUEUED),
        Transition("fail_orphaned", frozenset({_TI.QUEUED}), _TI.FAILED),  # no worker for too long
        # Commands.
        Transition("cancel_waiting", UNFINISHED_STATES - {_TI.RUNNING}, _TI.FAILED),
        Transition("cancel_running", frozenset({_TI.RUNNING}), _TI.FAILED),
        Transition("clear", FINISHED_STATES, _TI.NONE),
    )
}

#: How the advance step moves an undecided (``none``) instance to a state, by that state.
DECISIONS: dict[TaskInstanceState, Transition] = {
    t.target: t for t in TRANSITIONS.values() if t.sources == frozenset({_TI.NONE})
}
#: How a worker ends a try (``running`` to its outcome), by the outcome.
TRY_ENDS: dict[TaskInstanceState, Transition] = {
    TRANSITIONS[name].target: TRANSITIONS[name]
    for name in ("succeed", "fail", "retry", "skip_running", "reschedule")
}


def decision(state: TaskInstanceState) -> Transition:
    """The transition that moves an undecided instance to ``state``. Raises ``ValueError`` when
    the advance step may not decide that state."""
    try:
        return DECISIONS[state]
    except KeyError:
        raise ValueError(f"an undecided instance cannot be moved to {state}") from None


def try_end(state: TaskInstanceState) -> Transition:
    """The transition that ends a running try as ``state``. Raises ``ValueError`` when a try
    cannot end in that state."""
    try:
        return TRY_ENDS[state]
    except KeyError:
        raise ValueError(f"a try cannot end as {state}") from None


class DagRunState(StrEnum):
    """The life of a run: ``queued -> running -> success | failed``."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"

