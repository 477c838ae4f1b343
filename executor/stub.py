"""A stub dispatcher: runs dispatched instances in this thread, no broker (the state machine's tests)."""
from __future__ import annotations

from collections import deque
from collections.abc import Callable

from orchestrator.baseoperator import DAGNode


class StubDispatcher:
    """:class:`orchestrator.advance.Dispatcher` that queues work in memory until :meth:`drain`.

    ``run_batch(run_id, task_id, indices) -> indices to retry`` executes a batch (e.g. a
    ``workers.instance_runner.InstanceRunner``); ``advance(run_id)`` is the advance step.
    """

    def __init__(self) -> None:
        self.pending: deque[tuple[str, str, list[int]]] = deque()
        self.dispatched: list[tuple[str, list[int]]] = []
        #: Runs whose advance step was asked for (``send_advance``), taken by :meth:`drain`.
        self.advances: deque[str] = deque()
        #: Runs whose end was announced (``run_ended``), in order.
        self.ended: list[str] = []

    def dispatch(self, run_id: str, task: DAGNode, map_indices: list[int]) -> None:
        self.dispatched.append((task.task_id, list(map_indices)))
        self.pending.append((run_id, task.task_id, list(map_indices)))

    def send_advance(self, run_id: str) -> None:
        self.advances.append(run_id)

    def run_ended(self, run_id: str) -> None:
        self.ended.append(run_id)

    def queue_is_empty(self, queue: str | None) -> bool:
        return not self.pending

    def workers_alive(self) -> bool:
        return True

    def drain(self, run_batch: Callable[[str, str, list[int]], list[int]], advance: Callable[[str], object]) -> None:
        """Run everything, as a chord would: each dispatch's tries to the end, then advance; and
        the advance steps asked for."""
        while self.pending or self.advances:
            if not self.pending:
                advance(self.advances.popleft())
                continue
            run_id, task_id, indices = self.pending.popleft()
            while indices:
                indices = run_batch(run_id, task_id, indices)
            advance(run_id)
