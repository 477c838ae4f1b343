"""What the web server does when asked to act: trigger a run, clear task instances -- through the
same services, read models and submission steps as ``chordflow run`` and ``tasks clear``. With a
broker, the workers run the tasks; on the embedded default (no broker), a worker inside the web
server's process does, started on the first action and stopped with the server."""
from __future__ import annotations

import threading
from typing import Any

from orchestrator import read_models
from orchestrator.dates import parse_logical_date
from orchestrator.settings import Settings


class RunDriver:
    """Starts and advances runs for the web server (Celery app and task bodies made on the first action).

    :param settings: the configuration (a broker, or the embedded default).
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._services = None
        self._worker = None
        self._lock = threading.Lock()

    @property
    def services(self):
        """The executor's :class:`~executor.services.Services`, with the embedded worker running
        when there is no broker."""
        with self._lock:
            if self._services is None:
                from executor.services import Services

                services = Services(self.settings)
                services.store  # noqa: B018 - registers the task bodies, creates or migrates the schema
                if self.settings.embedded:
                    from executor.embedded import EmbeddedWorker

                    self._worker = EmbeddedWorker(services.app).start()
                    # This process lives on: its worker may take the steps of the runs that wait on others.
                    services.runtime.dispatcher.wake_later_runs = True
                self._services = services
        return self._services

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
        if self._services is not None:
            self._services.runtime.after_fork()  # closes its store's connections

    def trigger(self, dag_id: str, conf: dict[str, Any], run_id: str | None = None,
                logical_date: str | None = None) -> dict[str, Any]:
        """Start a run of ``dag_id`` (``run --output json``: ``{"run_id", "dag_id", "state"}``).
        Raises ``DagNotFound``, ``BadInput`` (conf breaking the DAG's params, bad date),
        ``DuplicateRunError``."""
        from executor.submission import new_run_id

        runtime = self.services.runtime
        dag = runtime.dagbag.find(dag_id)
        date = parse_logical_date(logical_date)
        run_id = run_id or new_run_id(date)
        state = runtime.start(dag, run_id, date, conf).state
        return {"run_id": run_id, "dag_id": dag.dag_id, "state": state}

    def clear(self, run_id: str, task_id: str, map_indices: list[int], only_failed: bool,
              downstream: bool) -> dict[str, Any]:
        """Run instances again (``tasks clear --output json``: ``{"run_id", "cleared", "state"}``).
        Raises ``RunNotFound``, ``TaskNotFound``, ``DagNotFound``."""
        from executor.submission import clear_instances

        services = self.services
        plan = read_models.clear_plan(services.store, services.runtime.dagbag, run_id, task_id, map_indices,
                                      only_failed, downstream)
        cleared = clear_instances(services, plan)
        state = services.runtime.advance(run_id).state if cleared else services.store.get_run(run_id).state
        return {"run_id": run_id, "cleared": cleared, "state": state, "plan": plan}
