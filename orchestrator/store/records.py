"""What the store hands out and takes in: runs, claimed instances, ends of tries, log chunks."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from orchestrator.states import TaskInstanceState


@dataclass(frozen=True)
class RunRecord:
    """One run's row: its id, DAG, state, logical date, conf, DAG file and dates."""

    run_id: str
    dag_id: str
    state: str
    logical_date: datetime
    conf: dict[str, Any]
    fileloc: str
    start_date: datetime | None
    end_date: datetime | None
    #: Why the run ended out of the ordinary (cancelled, interrupted); ``None`` otherwise.
    note: str | None = None
    #: ``manual``, ``scheduled`` or ``backfill`` (Airflow's DagRunType).
    run_type: str = "manual"
    #: The data interval the run covers, naive UTC (``None``: a run made before schedules existed).
    data_interval_start: datetime | None = None
    data_interval_end: datetime | None = None
    #: ``{task_id: {state: count}}`` as the run ended (``None``: not ended, cancelled, or ended
    #: before these were kept: count its instances).
    final_counts: dict[str, dict[str, int]] | None = None

    @classmethod
    def from_row(cls, row: Any) -> RunRecord:
        """The record of a ``dag_run`` row (SQLAlchemy's)."""
        return cls.from_mapping(row._mapping)

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> RunRecord:
        """The record of a ``dag_run`` row as ``{column: value}`` (dates naive UTC)."""
        return cls(
            run_id=row["run_id"],
            dag_id=row["dag_id"],
            state=row["state"],
            logical_date=row["logical_date"],
            conf=json.loads(row["conf"] or "{}"),
            fileloc=row["fileloc"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            note=row["note"],
            run_type=row["run_type"],
            data_interval_start=row["data_interval_start"],
            data_interval_end=row["data_interval_end"],
            final_counts=json.loads(row["final_counts"]) if row["final_counts"] else None,
        )


@dataclass(frozen=True)
class TryEnd:
    """How one try of an instance ended, to be recorded by :meth:`Store.finish_many`."""

    map_index: int
    try_number: int
    state: TaskInstanceState
    xcoms: dict[str, str]
    error: str | None = None
    log: str | None = None
    hostname: str | None = None
    #: When the try itself began and ended (a batch is claimed at once and its ends are written
    #: together, but its instances run one by one). ``None``: the claim's time, the write's time.
    start_date: datetime | None = None
    end_date: datetime | None = None
    #: The instance's name from its task's ``map_index_template`` (``None``: no template).
    rendered_map_index: str | None = None
    #: The try's template fields after rendering, a JSON object text (``None``: not rendered).
    rendered_fields: str | None = None
    #: A sensor that rescheduled itself: when its next poke is due (kept in ``queued_at``).
    next_poke_at: datetime | None = None


@dataclass(frozen=True)
class ClaimedInstance:
    """One instance a worker claimed: its map index, the try it runs, and its most tries."""

    map_index: int
    try_number: int
    max_tries: int
    #: When a rescheduled sensor's try began (its first poke); ``None``: the try begins now.
    resumed_from: datetime | None = None
    #: A slot-limited instance: when its try ends, its slot may go to a waiting instance.
    holds_slot: bool = False


@dataclass(frozen=True)
class ClaimedBatch:
    """What a worker claimed of a batch, and the task's map lengths (``None``: not mapped)."""

    instances: list[ClaimedInstance]
    lengths: list[int] | None


class LogChunk(NamedTuple):
    """Lines a try logged, to be appended to its log by :meth:`Store.append_logs`."""

    run_id: str
    task_id: str
    map_index: int
    try_number: int
    text: str
    hostname: str
