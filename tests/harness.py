"""Running DAG runs in-process on the stub dispatcher: the state machine without a broker."""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from executor.stub import StubDispatcher
from orchestrator.advance import advance_run, start_run
from orchestrator.dag_loader import DagBag
from orchestrator.states import TaskInstanceState
from orchestrator.store import ClaimedInstance, Store, TryEnd
from orchestrator.xcom_backend import XComBackend
from workers.instance_runner import InstanceRunner


class Harness:
    """A store, a DAG bag and a stub dispatcher; ``run(source)`` runs a DAG file's text to its end."""

    def __init__(self, tmp_path: Path, database_url: str | None = None, max_map_length: int = 100_000):
        self.folder = tmp_path / "dags"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.store = Store(database_url or f"sqlite:///{tmp_path / 'store.db'}")
        self.store.ensure_schema()
        self.dagbag = DagBag(self.folder)
        self.dispatcher = StubDispatcher()
        self.max_map_length = max_map_length
        xcoms = XComBackend(str(tmp_path / "xcom-objects"))
        self.runner = InstanceRunner(self.store, self.dagbag, max_map_length, xcoms)
        self._count = 0

    def write(self, source: str, name: str | None = None) -> Path:
        self._count += 1
        path = self.folder / (name or f"dag_{self._count}.py")
        path.write_text("from datetime import datetime\nfrom orchestrator import *\n" + textwrap.dedent(source))
        return path

    def start(self, path: Path, conf: dict | None = None, run_id: str | None = None,
              logical_date: datetime | None = None) -> str:
        dag = self.dagbag.find(str(path))
        self._count += 1
        run_id = run_id or f"run_{self._count}"
        start_run(self.store, dag, run_id, logical_date or datetime(2022, 4, 12), conf or {},
                  self.dagbag.fileloc_for(path), self.dispatcher, self.max_map_length)
        return run_id

    def advance(self, run_id: str, end_if_unloadable: bool = True):
        """As ``Runtime.advance`` (a DAG file that does not load raises here, whatever ``end_if_unloadable``)."""
        record = self.store.get_run(run_id)
        dag = self.dagbag.get_dag(record.fileloc, record.dag_id)
        return advance_run(self.store, dag, run_id, self.dispatcher, self.max_map_length)

    def admit(self) -> int:
        """Admission to free slots (as ``Runtime.admit``), dispatching to the stub."""
        admitted = self.store.admit_scheduled()
        for (run_id, task_id), indices in admitted.items():
            record = self.store.get_run(run_id)
            self.dispatcher.dispatch(run_id, self.dagbag.get_dag(record.fileloc, record.dag_id).task_dict[task_id],
                                     indices)
        return sum(len(indices) for indices in admitted.values())

    def drain(self) -> None:
        self.dispatcher.drain(
            lambda run_id, task_id, indices: self.runner.run_batch(run_id, task_id, indices, "stub").sent_again,
            self.advance,
        )

    def run(self, source: str, conf: dict | None = None) -> str:
        run_id = self.start(self.write(source), conf)
        self.drain()
        return run_id

    def states(self, run_id: str, task_id: str) -> dict[int, str]:
        return {r["map_index"]: r["state"] for r in self.store.list_instances(run_id, task_id)}

    def xcom(self, run_id: str, task_id: str, map_index: int = -1):
        return self.store.xcom_value(run_id, task_id, map_index)


def create_run(store: Store, run_id: str, tasks: Sequence[tuple[str, int]], dag_id: str = "d",
               logical_date: datetime = datetime(2022, 1, 1)) -> None:
    """A run of ``dag_id`` with one ``none`` row per task (``tasks``: ``(task_id, retries)``), as
    :meth:`Store.new_run` writes it when nothing is decided in its first step."""
    with store.new_run(run_id, dag_id, logical_date, {}, f"{dag_id}.py", tasks):
        pass


def claim(store: Store, run_id: str, task_id: str, map_indices: Sequence[int], hostname: str,
          zombie_after: float | None = None) -> list[ClaimedInstance]:
    """The instances :meth:`Store.claim_batch` claimed (the worker's claim, without the lengths)."""
    return store.claim_batch(run_id, task_id, map_indices, hostname, zombie_after).instances


def finish(store: Store, run_id: str, task_id: str, map_index: int, try_number: int, state: TaskInstanceState, *,
           xcoms: dict[str, str] | None = None, error: str | None = None, log: str | None = None,
           hostname: str | None = None) -> bool:
    """End one try through :meth:`Store.finish_many`; False when the try was no longer current."""
    ending = TryEnd(map_index, try_number, state, xcoms or {}, error, log, hostname)
    return store.finish_many(run_id, task_id, [ending]) == [True]
