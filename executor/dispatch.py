"""Chord building: one chord per dispatch, header = batches of map indices, callback = advance."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from celery import Celery
from celery.backends.redis import RedisBackend
from celery.utils import uuid

from orchestrator.baseoperator import DAGNode
from orchestrator.weight_rule import priority_weights

log = logging.getLogger("chordflow.executor")

#: Task names on the wire (a worker of any version answers to these).
RUN_INSTANCES = "chordflow.run_instances"
ADVANCE = "chordflow.advance"

#: Most map indices one Celery message carries when the batch size is chosen automatically.
MAX_AUTO_BATCH = 256
#: Batches per map aimed at when nothing is known of the task's duration: enough to spread over many workers.
TARGET_BATCHES = 64
#: Seconds of work one message should carry when the task's typical duration is known.
TARGET_MESSAGE_SECONDS = 0.25
#: Fewest batches a map is cut into when the duration is known (so several workers share it).
MIN_BATCHES = 8
#: The pub/sub channel the advance step that ends a run announces it on (``run --wait`` returns then).
RUN_ENDED_CHANNEL = "chordflow:run-ended"
#: Messages per Redis pipeline when a chord's header is published.
PUBLISH_BATCH = 1000
#: Celery message priorities of instances by their effective priority_weight, highest weight
#: first: ``(least weight, priority)``. On Redis 0 is consumed first and kombu keeps the steps
#: 0, 3, 6, 9 as lists of their own; 0 is left to the advance steps (sent without a priority).
MESSAGE_PRIORITIES = ((100, 3), (10, 6))
#: The priority of instances weighing less than every step above.
LOWEST_MESSAGE_PRIORITY = 9


def message_priority(weight: int) -> int:
    """The Celery message priority (Redis: lower goes first) of an instance whose task's
    effective ``priority_weight`` is ``weight`` (see :data:`MESSAGE_PRIORITIES`)."""
    for least, priority in MESSAGE_PRIORITIES:
        if weight >= least:
            return priority
    return LOWEST_MESSAGE_PRIORITY


def choose_batch_size(task: DAGNode, count: int, typical_duration: float | None = None) -> int:
    """``@task(batch_size=N)`` when set. Else, when the task's typical duration is known (from
    the DAG's previous run), about :data:`TARGET_MESSAGE_SECONDS` of work per message, in at least
    :data:`MIN_BATCHES` batches; when it is not, enough batches to keep every worker busy."""
    if task.batch_size:
        return int(task.batch_size)
    if typical_duration is not None:
        by_duration = int(TARGET_MESSAGE_SECONDS / max(typical_duration, 1e-6))
        by_spread = -(-count // MIN_BATCHES)
        return max(1, min(MAX_AUTO_BATCH, by_duration, by_spread))
    return max(1, min(MAX_AUTO_BATCH, count // TARGET_BATCHES))


#: Header messages in the first Redis pipeline of a chord: workers start on them while the rest are built.
FIRST_PUBLISH = 32


def publish_slices(count: int) -> list[tuple[int, int]]:
    """``[(first, end)]`` message index ranges of a header of ``count`` messages, one Redis pipeline
    each: :data:`FIRST_PUBLISH` first (idle workers need not wait for a whole pipeline to be built),
    then :data:`PUBLISH_BATCH` at a time."""
    slices = [(0, min(count, FIRST_PUBLISH))]
    slices += [(first, min(count, first + PUBLISH_BATCH)) for first in range(FIRST_PUBLISH, count, PUBLISH_BATCH)]
    return slices


def header_messages(app: Celery, run_id: str, task_id: str, batches: list[list[int]], task_ids: list[str],
                    group_id: str, callback, ignore_result: bool) -> Iterator[tuple]:
    """The chord's header messages (Celery's task message protocol 2: ``(headers, properties,
    body, sent_event)``), one per batch of map indices, as ``app.send_task`` would make them:
    the first by Celery (``amqp.as_task_v2``), the others as copies of it that differ in the task
    id, the group index, the arguments and their repr. ``send_task`` costs about 0.25 ms a message
    (routing, configuration lookups, an ``AsyncResult`` each), three times the copies' cost, which
    a 2,000-way ``batch_size=1`` map waited 0.5 s for before its last message was sent.

    Sent from inside a task (an advance step in a worker), the messages name it as their parent
    and its root as their root, as ``send_task`` does."""
    parent = app.current_worker_task
    root_id = parent_id = None
    if parent is not None:
        root_id, parent_id = parent.request.root_id or parent.request.id, parent.request.id

    def argsrepr(batch: list[int]) -> str:
        return f"({run_id!r}, {task_id!r}, <{len(batch)} map indices {batch[0]}..>)"

    headers, properties, body, _ = app.amqp.as_task_v2(
        task_ids[0], RUN_INSTANCES, args=(run_id, task_id, batches[0]), group_id=group_id, group_index=0,
        chord=callback, ignore_result=ignore_result, argsrepr=argsrepr(batches[0]), root_id=root_id,
        parent_id=parent_id, reply_to=app.thread_oid)
    for index, (message_id, batch) in enumerate(zip(task_ids, batches, strict=True)):
        yield (dict(headers, id=message_id, group_index=index, argsrepr=argsrepr(batch), root_id=root_id or message_id),
               dict(properties, correlation_id=message_id), ((run_id, task_id, batch), body[1], body[2]), None)


class RunEndListener:
    """A Redis subscription to the ends of runs (:meth:`CeleryDispatcher.listen_for_run_ends`).

    :param pubsub: a redis-py ``PubSub`` subscribed to the channel.
    """

    def __init__(self, pubsub):
        self.pubsub = pubsub

    def wait(self, timeout: float) -> str | None:
        """The id of a run that ended, as soon as one is announced, or ``None`` after ``timeout``
        seconds (or when Redis does not answer: the caller reads the run's state anyway)."""
        try:
            message = self.pubsub.get_message(timeout=timeout)
        except Exception:
            log.debug("no answer from the run-ended subscription", exc_info=True)
            time.sleep(timeout)
            return None
        if message is None or message.get("type") != "message":
            return None
        data = message["data"]
        return data.decode() if isinstance(data, bytes) else str(data)

    def close(self) -> None:
        try:
            self.pubsub.close()
        except Exception:
            log.debug("closing the run-ended subscription failed", exc_info=True)


class CeleryDispatcher:
    """:class:`orchestrator.advance.Dispatcher` over Celery.

    :param app: the Celery app messages are sent through.
    :param typical_duration: ``(run_id, task_id) -> seconds`` an instance typically takes (batch sizes).
    :param wake_later_runs: send the advance step a later run may wait for (``depends_on_past``);
        off for a short-lived embedded process, whose in-process worker ends with its own run (that
        run's own process re-advances it while it waits instead).
    """

    def __init__(self, app: Celery, typical_duration: Callable[[str, str], float | None] | None = None,
                 wake_later_runs: bool = True):
        self.app = app
        self.typical_duration = typical_duration
        self.wake_later_runs = wake_later_runs

    def dispatch(self, run_id: str, task: DAGNode, map_indices: list[int], slot_limited: bool = False) -> None:
        """One chord: header = batches of ``map_indices``, callback = the run's advance step.
        Instances admitted to slots (``slot_limited``) go one per message unless the task sets
        ``batch_size``: a batch holds every slot of its indices while it runs them one by one.

        Built as Celery's ``chord.run`` builds it (the backend is told the group and its size,
        then every header message names the group, its index in it and the callback), but all
        header messages go through one producer in pipelines of :data:`PUBLISH_BATCH` (kombu's
        producer batch: one Redis round trip per pipeline, not per message). On Redis the chord
        is joined from the results the header tasks push to the group's list, so they need not
        store a result of their own each (``ignore_result``); other backends join stored results.
        Each header message carries the :func:`message_priority` of the task's effective weight.
        """
        typical = None
        if not task.batch_size and not slot_limited and self.typical_duration is not None and len(map_indices) > 1:
            typical = self.typical_duration(run_id, task.task_id)
        size = 1 if slot_limited and not task.batch_size else choose_batch_size(task, len(map_indices), typical)
        batches = [map_indices[i : i + size] for i in range(0, len(map_indices), size)]
        app, backend = self.app, self.app.backend
        group_id = uuid()
        task_ids = [uuid() for _ in batches]
        callback = app.signature(ADVANCE, args=(run_id,), immutable=True, ignore_result=True)
        callback.freeze(group_id=group_id)
        joined_in_redis = isinstance(backend, RedisBackend)
        priority = message_priority(priority_weights(task.dag)[task.task_id]) if task.dag is not None else None
        if not joined_in_redis:  # (Redis needs nothing more for plain results; its GroupResult would
            # subscribe to each header result on the way)
            backend.apply_chord((group_id, [app.AsyncResult(task_id) for task_id in task_ids]), callback)
        backend.set_chord_size(group_id, len(batches))
        messages = header_messages(app, run_id, task.task_id, batches, task_ids, group_id, callback, joined_in_redis)
        with app.producer_or_acquire() as producer:
            for first, last in publish_slices(len(batches)):
                with producer.batch(max_size=PUBLISH_BATCH):
                    for index in range(first, last):
                        # The first message declares the queue (kombu keeps it declared per
                        # connection) under Celery's publish retry policy; the others only join
                        # the pipeline, which goes out in one round trip when the slice ends.
                        app.amqp.send_task_message(producer, RUN_INSTANCES, next(messages), queue=task.queue,
                                                   declare=None if index == 0 else [], retry=index == 0,
                                                   priority=priority)

    def send_advance(self, run_id: str) -> None:
        """One message: the advance step of run ``run_id`` (nothing when ``wake_later_runs`` is off)."""
        if self.wake_later_runs:
            self.app.send_task(ADVANCE, args=(run_id,), ignore_result=True)

    @property
    def run_ended_channel(self) -> str:
        """The Redis pub/sub channel ends of runs are announced on (under the key prefix)."""
        prefix = self.app.conf.broker_transport_options.get("global_keyprefix", "")
        return f"{prefix}{RUN_ENDED_CHANNEL}"

    def run_ended(self, run_id: str) -> None:
        """Publish ``run_id`` on :attr:`run_ended_channel` (Redis only; nothing on other backends)."""
        backend = self.app.backend
        if not isinstance(backend, RedisBackend):
            return
        try:
            backend.client.publish(self.run_ended_channel, run_id)
        except Exception:  # (the waiters read the run's state on a timer too)
            log.warning("could not announce the end of run %s", run_id, exc_info=True)

    def listen_for_run_ends(self) -> RunEndListener | None:
        """A subscription to the ends of runs (``None`` off Redis): :meth:`RunEndListener.wait`."""
        backend = self.app.backend
        if not isinstance(backend, RedisBackend):
            return None
        pubsub = backend.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.run_ended_channel)
        return RunEndListener(pubsub)

    def workers_alive(self) -> bool:
        """Whether a worker answers a ping within a second (returns at the first answer)."""
        return bool(self.app.control.ping(timeout=1.0, limit=1))

    def queue_is_empty(self, queue: str | None) -> bool | None:
        name = queue or self.app.conf.task_default_queue
        with self.app.connection_for_read() as conn:
            client = getattr(conn.default_channel, "client", None)
            if client is None or not hasattr(client, "llen"):
                return None
            # Celery's Redis transport keeps each priority in its own list (name, name\x06\x163, ...).
            names = [name] + [f"{name}\x06\x16{p}" for p in range(1, 10)]
            return sum(client.llen(n) for n in names) == 0
