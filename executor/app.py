"""The Celery application and its settings: JSON only, acks late, never lose a message."""
from __future__ import annotations

from typing import TYPE_CHECKING

from celery import Celery
from celery.signals import worker_process_init

from orchestrator.settings import Settings

if TYPE_CHECKING:
    from orchestrator.dag_loader import DagBag
    from orchestrator.store import Store

#: Queue used for advance steps and for tasks that name no queue.
DEFAULT_QUEUE = "chordflow"

#: Broker and result backend of the embedded default: in-process memory, no servers.
EMBEDDED_BROKER = "memory://"
EMBEDDED_BACKEND = "cache+memory://"

#: Characters a key prefix may end with as it is; any other end gets ":" added (Celery's result
#: backend would add "_" and kombu nothing, and their keys must share one prefix).
KEY_PREFIX_ENDS = ":_-."


def key_prefix(prefix: str) -> str:
    """``CHORDFLOW_BROKER_KEY_PREFIX`` as put before keys: ``"prod"`` -> ``"prod:"``, ``""`` -> ``""``."""
    return prefix if not prefix or prefix[-1] in KEY_PREFIX_ENDS else prefix + ":"


def create_app(settings: Settings, store: Store | None = None, dagbag: DagBag | None = None) -> Celery:
    """A Celery app wired to the configured broker (or the in-process memory transport); its
    runtime uses ``store`` and ``dagbag`` when given (see :class:`~executor.runtime.Runtime`)."""
    from executor.runtime import Runtime

    broker = settings.broker_url or EMBEDDED_BROKER
    backend = settings.result_backend or (EMBEDDED_BACKEND if settings.embedded else broker)
    app = Celery("chordflow", broker=broker, backend=backend, set_as_current=True)
    # On Redis, kombu and Celery put the prefix before every key and pub/sub channel: queues,
    # bindings, results, chord counters and the control (ping) fanout alike.
    prefixed = {"global_keyprefix": key_prefix(settings.broker_key_prefix)} if settings.broker_key_prefix else {}
    app.conf.update(
        broker_url=broker,
        result_backend=backend,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=DEFAULT_QUEUE,
        task_track_started=False,
        result_expires=24 * 3600,
        result_extended=False,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=10,
        # Unacknowledged messages are held by the worker that received them, not mirrored in Redis
        # (kombu's ack emulation: two more Redis round trips per message in the worker's main
        # process, the serial step of every message -- a 1000-way map of one-index messages ran
        # about 30 % longer with it). `acks_late` and `reject_on_worker_lost` still return a
        # message to its queue when a pool process dies or the worker stops; a worker host that
        # dies outright takes its messages along, and `chordflow scheduler` sends its instances
        # again (silent heartbeats, or `queued` with no message), as it must for the instances
        # themselves anyway. (Mirrored, those messages came back after the visibility timeout
        # and ran a second time.)
        # The in-process memory transport has no blocking read: its worker polls, and a task hop
        # waits for two polls (the instance's message, then the advance step's).
        broker_transport_options={"ack_emulation": False, "polling_interval": 0.001 if settings.embedded else 0.01,
                                  **prefixed},
        result_backend_transport_options={"retry_policy": {"timeout": 10.0}, **prefixed},
        redis_backend_health_check_interval=30,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        enable_utc=True,
    )
    app.chordflow = Runtime(settings, app, store, dagbag)
    return app


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs) -> None:
    # A forked pool child must not share the parent's database connections.
    from celery import current_app

    runtime = getattr(current_app, "chordflow", None)
    if runtime is not None:
        runtime.after_fork()
