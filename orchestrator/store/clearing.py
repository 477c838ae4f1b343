"""Clearing: instances made to run again, their tries that ran kept in task_instance_history."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from orchestrator import xcom_backend
from orchestrator.schema import dag_run, task_instance, task_instance_history, task_map, xcom
from orchestrator.states import TRANSITIONS, DagRunState, TaskInstanceState
from orchestrator.store.database import unit_of_work
from orchestrator.store.dialects import dialect_of
from orchestrator.store.xcoms import referenced_objects

#: What task_instance_history keeps of a try.
HISTORY_COLUMNS = ("run_id", "task_id", "map_index", "try_number", "state", "start_date", "end_date", "hostname",
                   "error", "rendered_map_index", "rendered_fields")


def _archive_tries(conn: Connection, where: list) -> None:
    """Copy the tries that ran, among the instances ``where`` selects, into task_instance_history
    (a try archived already keeps its first record: it ended then)."""
    tried = select(*(task_instance.c[name] for name in HISTORY_COLUMNS)).where(*where, task_instance.c.try_number > 0)
    statement = dialect_of(conn).insert(task_instance_history).from_select(HISTORY_COLUMNS, tried)
    conn.execute(statement.on_conflict_do_nothing())


class ClearingStore:
    """``tasks clear`` in the store (a part of :class:`~orchestrator.store.Store`)."""

    @unit_of_work
    def archive_retried(self, run_id: str, task_id: str, map_indices: list[int]) -> None:
        """Keep the tries of these instances that just ended ``up_for_retry`` in
        ``task_instance_history`` -- their times, host and error -- before the next try's claim
        writes over them, as Airflow 2.10's ``handle_failure`` records a try it will retry
        (``TaskInstanceHistory.record_ti``)."""
        with self.begin() as conn:
            _archive_tries(conn, [task_instance.c.run_id == run_id, task_instance.c.task_id == task_id,
                                  task_instance.c.map_index.in_(map_indices),
                                  task_instance.c.state == TaskInstanceState.UP_FOR_RETRY.value])

    @unit_of_work
    def clear(
        self,
        run_id: str,
        selections: Iterable[tuple[str, list[int] | None, bool, int]],
        resets: Iterable[tuple[str, int]],
    ) -> int:
        """Make instances run again and the run ``running``; returns how many were cleared.

        ``selections``: ``(task_id, map_indices or None for all, only_failed, retries)``: finished
        instances go back to ``none`` (transition ``clear``) with ``retries`` more tries (as
        Airflow's clear), their XComs dropped. ``resets``: ``(task_id, retries)`` of mapped tasks to
        expand again from one ``-1`` row. Either way the tries that ran are kept in
        ``task_instance_history`` (with their logs, under their own numbers), and the next try of
        each instance is numbered after them.
        """
        cleared = 0
        objects: list[str] = []
        transition = TRANSITIONS["clear"]
        failed_states = [TaskInstanceState.FAILED.value, TaskInstanceState.UPSTREAM_FAILED.value]
        with self.begin() as conn:
            for task_id, indices, only_failed, retries in selections:
                where = [task_instance.c.run_id == run_id, task_instance.c.task_id == task_id]
                if indices is not None:
                    where.append(task_instance.c.map_index.in_(indices))
                if only_failed:
                    where.append(task_instance.c.state.in_(failed_states))
                where.append(task_instance.c.state.in_(transition.source_values))
                chosen = list(conn.execute(select(task_instance.c.map_index).where(*where)).scalars())
                if not chosen:
                    continue
                cleared += len(chosen)
                _archive_tries(conn, where)
                conn.execute(
                    update(task_instance)
                    .where(*where)
                    .values(
                        state=transition.target.value,
                        end_date=None,
                        error=None,
                        max_tries=task_instance.c.try_number + retries,
                    )
                )
                if -1 in chosen:  # a map that ended before expanding (empty, or its source failed): expand again
                    conn.execute(delete(task_map).where(task_map.c.run_id == run_id, task_map.c.task_id == task_id))
                their_xcoms = [xcom.c.run_id == run_id, xcom.c.task_id == task_id, xcom.c.map_index.in_(chosen)]
                objects += referenced_objects(conn, their_xcoms)
                conn.execute(delete(xcom).where(*their_xcoms))
            for task_id, retries in resets:
                theirs = [task_instance.c.run_id == run_id, task_instance.c.task_id == task_id]
                _archive_tries(conn, theirs)
                rows = conn.execute(
                    delete(task_instance).where(*theirs).returning(task_instance.c.map_index,
                                                                   task_instance.c.try_number)
                ).all()
                cleared += len(rows)
                unexpanded_tries = max((row.try_number for row in rows if row.map_index == -1), default=0)
                objects += referenced_objects(conn, [xcom.c.run_id == run_id, xcom.c.task_id == task_id])
                conn.execute(delete(xcom).where(xcom.c.run_id == run_id, xcom.c.task_id == task_id))
                conn.execute(delete(task_map).where(task_map.c.run_id == run_id, task_map.c.task_id == task_id))
                conn.execute(
                    insert(task_instance).values(
                        run_id=run_id, task_id=task_id, map_index=-1, state=TaskInstanceState.NONE.value,
                        try_number=unexpanded_tries, max_tries=unexpanded_tries + retries,
                    )
                )
            if cleared:
                conn.execute(
                    update(dag_run)
                    .where(dag_run.c.run_id == run_id)
                    .values(state=DagRunState.RUNNING.value, end_date=None, note=None,  # its old end no longer holds
                            final_counts=None)
                )
        xcom_backend.delete_objects(objects)  # after the commit: a retried clear finds them again
        return cleared
