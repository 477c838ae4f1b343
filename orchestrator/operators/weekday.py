"""``BranchDayOfWeekOperator``: branch on the day of the week, as Airflow's ``airflow.operators.weekday``."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from orchestrator.errors import DagDefinitionError
from orchestrator.operators.python import BranchPythonOperator
from orchestrator.utils.weekday import WeekDay


class BranchDayOfWeekOperator(BranchPythonOperator):
    """Follow ``follow_task_ids_if_true`` when today is one of ``week_day``, else ``follow_task_ids_if_false``.

    :param follow_task_ids_if_true: task id(s) to follow on one of those days.
    :param follow_task_ids_if_false: task id(s) to follow on the other days.
    :param week_day: a day (``"Monday"``, ``WeekDay.MONDAY``) or several (a set or list of them).
    :param use_task_logical_date: decide by the run's logical date instead of the current date
        (UTC), as in Airflow.

    Like Airflow's, it is a branch: the other direct downstream tasks are skipped.
    """

    def __init__(
        self,
        *,
        follow_task_ids_if_true: str | Iterable[str],
        follow_task_ids_if_false: str | Iterable[str],
        week_day: str | WeekDay | Iterable[str] | Iterable[WeekDay],
        use_task_logical_date: bool = False,
        **kwargs: Any,
    ):
        try:
            days = WeekDay.validate_week_day(week_day)
        except (AttributeError, TypeError) as exc:
            raise DagDefinitionError(f"week_day of task {kwargs.get('task_id')!r}: {exc}") from None
        self.follow_task_ids_if_true = follow_task_ids_if_true
        self.follow_task_ids_if_false = follow_task_ids_if_false
        self.week_day = week_day
        self.use_task_logical_date = use_task_logical_date

        def choose_branch(logical_date: datetime) -> str | Iterable[str]:
            now = logical_date if use_task_logical_date else datetime.now(timezone.utc)
            return follow_task_ids_if_true if now.isoweekday() in days else follow_task_ids_if_false

        super().__init__(python_callable=choose_branch, **kwargs)
