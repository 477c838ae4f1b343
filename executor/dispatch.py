"""Chord building: one chord per dispatch, header = batches of map indices, callback = advance."""
from __future__ import annotations

from celery import Celery, chain, chord

from orchestrator.baseoperator import DAGNode

#: Task names on the wire (a worker of any version answers to these).
RUN_INSTANCES = "chordflow.run_instances"
ADVANCE = "chordflow.advance"

#: Most map indices one Celery message carries when the batch size is chosen automatically.
MAX_AUTO_BATCH = 256
#: Batches per map aimed at when choosing automatically: enough to spread over many workers.
TARGET_BATCHES = 64


def choose_batch_size(task: DAGNode, count: int) -> int:
    """``@task(batch_size=N)`` when set; else enough batches to keep every worker busy."""
    if task.batch_size:
        return int(task.batch_size)
    return max(1, min(MAX_AUTO_BATCH, count // TARGET_BATCHES))


class CeleryDispatcher:
    """:class:`orchestrator.scheduling.Dispatcher` over Celery."""

    def __init__(self, app: Celery):
        self.app = app

    def dispatch(self, run_id: str, task: DAGNode, map_indices: list[int]) -> None:
        size = choose_batch_size(task, len(map_indices))
        header = [
            self.app.signature(RUN_INSTANCES, args=(run_id, task.task_id, map_indices[i : i + size]),
                               queue=task.queue, immutable=True)
            for i in range(0, len(map_indices), size)
        ]
        callback = self.app.signature(ADVANCE, args=(run_id,), immutable=True)
        if len(header) == 1:
            chain(header[0], callback).apply_async()
        else:
            chord(header, app=self.app)(callback)

    def request_advance(self, run_id: str) -> None:
        self.app.signature(ADVANCE, args=(run_id,), immutable=True).apply_async()

    def workers_alive(self) -> bool:
        return bool(self.app.control.ping(timeout=1.0))

    def queue_is_empty(self, queue: str | None) -> bool | None:
        name = queue or self.app.conf.task_default_queue
        with self.app.connection_for_read() as conn:
            client = getattr(conn.default_channel, "client", None)
            if client is None or not hasattr(client, "llen"):
                return None
            # Celery's Redis transport keeps each priority in its own list (name, name\x06\x163, ...).
            names = [name] + [f"{name}\x06\x16{p}" for p in range(1, 10)]
            return sum(client.llen(n) for n in names) == 0
