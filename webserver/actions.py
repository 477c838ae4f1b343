"""What the web server does when asked to act: trigger a run, clear task instances. It starts
and advances runs through the same Celery app and runtime as ``chordflow run`` / ``tasks clear``:
with a broker, the workers run the tasks; on the embedded default (no broker), a worker inside
the web server's process does, started on the first action and stopped with the server."""
from __future__ import annotations

import secrets
import threading
from datetime import datetime, timezone
from typing import Any

from orchestrator.errors import BadInput, TaskNotFound
from orchestrator.settings import Settings
from webserver import reads


def parse_logical_date(raw: str | None) -> datetime:
    """A run's logical date from ``YYYY-MM-DD`` or ISO 8601 (naive UTC; now when ``None``)."""
    if raw is None:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"logical_date {raw!r} is not a date: use YYYY-MM-DD or an ISO 8601 timestamp") from None
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def new_run_id(logical_date: datetime) -> str:
    return f"manual__{logical_date.replace(tzinfo=timezone.utc).isoformat()}__{secrets.token_hex(4)}"


class RunDriver:
    """Starts and advances runs for the web server (the Celery app is made on the first action).

    :param settings: the configuration (a broker, or the embedded default).
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._app = None
        self._worker = None
        self._lock = threading.Lock()

    @property
    def runtime(self):
        with self._lock:
            if self._app is None:
                from executor.app import create_app
                from workers.tasks import register_tasks

                app = create_app(self.settings)
                register_tasks(app)
                if self.settings.embedded:
                    from executor.embedded import EmbeddedWorker

                    self._worker = EmbeddedWorker(app).start()
                self._app = app
        return self._app.chordflow

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
        if self._app is not None:
            self._app.chordflow.after_fork()  # closes its store's connections

    def trigger(self, dag_id: str, conf: dict[str, Any], run_id: str | None = None,
                logical_date: str | None = None) -> dict[str, Any]:
        """Start a run of ``dag_id`` (``run --output json``: ``{"run_id", "dag_id", "state"}``).
        Raises ``DagNotFound``, ``BadInput`` (conf breaking the DAG's params, bad date),
        ``DuplicateRunError``."""
        runtime = self.runtime
        dag = runtime.dagbag.find(dag_id)
        date = parse_logical_date(logical_date)
        run_id = run_id or new_run_id(date)
        state = runtime.start(dag, run_id, date, conf).state
        return {"run_id": run_id, "dag_id": dag.dag_id, "state": state}

    def clear(self, run_id: str, task_id: str, map_indices: list[int], only_failed: bool,
              downstream: bool) -> dict[str, Any]:
        """Run instances again (``tasks clear --output json``: ``{"run_id", "cleared", "state"}``).
        Raises ``RunNotFound``, ``TaskNotFound``."""
        from orchestrator.scheduling import plan_clear

        runtime = self.runtime
        store = runtime.store
        record = store.get_run(run_id)
        reads.require_task(store, run_id, task_id)
        for index in map_indices:
            reads.require_task(store, run_id, task_id, index)
        dag = runtime.dagbag.get_dag(record.fileloc, record.dag_id)
        if task_id not in dag.task_dict:
            raise TaskNotFound(f"task {task_id!r} is no longer in DAG {dag.dag_id!r}")
        selections, resets = plan_clear(dag, task_id, map_indices or None, only_failed, downstream)
        cleared = store.clear(run_id, selections, resets)
        state = runtime.advance(run_id).state if cleared else store.get_run(run_id).state
        return {"run_id": run_id, "cleared": cleared, "state": state}
