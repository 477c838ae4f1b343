"""Task instance and run states, with Airflow's names, and the transitions between them."""
from __future__ import annotations

from enum import Enum


class TaskInstanceState(str, Enum):
    """The life of one task instance (one map index of one task in one run).

    ``none -> queued -> running -> success | failed | up_for_retry``; ``up_for_retry -> running``;
    ``none -> skipped | upstream_failed`` when the trigger rule decides so; ``scheduled`` and
    ``removed`` exist for Airflow compatibility of the vocabulary.
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
    REMOVED = "removed"

    def __str__(self) -> str:
        return self.value


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

#: States from which a worker may claim an instance and run it.
CLAIMABLE_STATES = frozenset({TaskInstanceState.QUEUED, TaskInstanceState.UP_FOR_RETRY})

#: Which state may follow which: a change not listed here is a bug (or a stale message) and is refused.
TRANSITIONS: dict[TaskInstanceState, frozenset[TaskInstanceState]] = {
    TaskInstanceState.NONE: frozenset(
        {TaskInstanceState.QUEUED, TaskInstanceState.SKIPPED, TaskInstanceState.UPSTREAM_FAILED}
    ),
    TaskInstanceState.QUEUED: frozenset({TaskInstanceState.RUNNING}),
    TaskInstanceState.UP_FOR_RETRY: frozenset({TaskInstanceState.RUNNING}),
    TaskInstanceState.RUNNING: frozenset(
        {
            TaskInstanceState.SUCCESS,
            TaskInstanceState.FAILED,
            TaskInstanceState.UP_FOR_RETRY,
            TaskInstanceState.SKIPPED,
        }
    ),
}


class DagRunState(str, Enum):
    """The life of a run: ``queued -> running -> success | failed``."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value
