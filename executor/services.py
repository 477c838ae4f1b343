"""What the commands of one process share: the settings, and the Celery app, runtime and store
made on first use (a command that only parses its arguments opens nothing, and one that only
reads the store makes no Celery app: about a tenth of a second at every such command's start)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.settings import Settings

if TYPE_CHECKING:  # Celery is imported when the app is first asked for, not by `chordflow --help`
    from celery import Celery

    from executor.runtime import Runtime
    from orchestrator.dag_loader import DagBag
    from orchestrator.store import Store
    from orchestrator.store.direct import DirectReads
    from workers.heartbeat import Heartbeat


class Services:
    """The process's Chordflow services, made when first asked for.

    :param settings: the configuration (read once, from the environment).
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._app: Celery | None = None
        self._store: Store | None = None
        self._heartbeat: Heartbeat | None = None
        self._dagbag: DagBag | None = None
        self._reads: DirectReads | None = None
        self._reads_tried = False
        #: Whether this process runs task instances: the embedded default always does, else only a worker.
        self._executes = settings.embedded

    def serve(self) -> None:
        """A long-running service (worker, scheduler) rides out longer database outages."""
        self.settings = self.settings.for_service()

    def execute_here(self) -> None:
        """This process is a worker: its app gets Chordflow's task bodies (call before :attr:`app`)."""
        if self._app is not None and self._heartbeat is None:
            raise RuntimeError("execute_here() after the Celery app was made without the task bodies")
        self._executes = True

    @property
    def app(self) -> Celery:
        """The Celery app; with Chordflow's task bodies registered when this process runs them
        (embedded, or :meth:`execute_here`). Other processes send their messages by name: their
        modules -- the worker's, the instance runner's, Jinja's -- cost a command's start about
        0.1 s of imports for nothing."""
        if self._app is None:
            from executor.app import create_app

            self._app = create_app(self.settings, self._store, self._dagbag)
            if self._executes:
                from workers.tasks import register_tasks

                self._heartbeat = register_tasks(self._app)
        return self._app

    @property
    def heartbeat(self) -> Heartbeat:
        """The heartbeat of the instances this process runs (the embedded worker's). Raises
        ``RuntimeError`` in a process that runs none."""
        self.app  # noqa: B018 - registering the task bodies makes it
        if self._heartbeat is None:
            raise RuntimeError("this process runs no task instances: it has no heartbeat")
        return self._heartbeat

    @property
    def runtime(self) -> Runtime:
        """The DAG bag, dispatcher and store of the app."""
        return self.app.chordflow

    @property
    def dagbag(self) -> DagBag:
        """The DAG bag: the runtime's once there is one, else one of its own (shared with it later)."""
        if self._app is not None:
            return self.runtime.dagbag
        if self._dagbag is None:
            from orchestrator.dag_loader import DagBag

            self._dagbag = DagBag(self.settings.dags_folder)
        return self._dagbag

    @property
    def reader(self) -> Store | DirectReads:
        """What a command that only reads runs and instances reads them with: the store once this
        process has one, else the database's driver alone when it can (:mod:`orchestrator.store.direct`:
        no SQLAlchemy to import), else the store."""
        if self._store is None and not self._reads_tried:
            from orchestrator.store.direct import open_direct

            self._reads_tried = True
            self._reads = open_direct(self.settings.database_url)
        return self.store if self._store is not None or self._reads is None else self._reads

    def close(self) -> None:
        """Close the connection opened for reads through the driver alone, if any (the store's
        pools close with the process)."""
        if self._reads is not None:
            self._reads.close()
            self._reads = None

    @property
    def store(self) -> Store:
        """The store, its schema created or migrated on first use, with ``default_pool``: the
        runtime's once there is one, else opened without the Celery app (and shared with it later)."""
        if self._store is None:
            if self._app is not None:
                store = self.runtime.store
            else:
                store = open_store(self.settings)
            store.ensure_schema()
            store.ensure_default_pool(self.settings.default_pool_slots)
            self._store = store
        return self._store


def open_store(settings: Settings) -> Store:
    """The store of ``settings`` (it connects when first used)."""
    from orchestrator.store import Store

    return Store(settings.database_url, retry_for=settings.store_retry_seconds)
