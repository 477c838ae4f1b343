"""``BranchDateTimeOperator``: branch on whether now is between two dates or times, as Airflow's
``airflow.operators.datetime``."""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from orchestrator.errors import DagDefinitionError
from orchestrator.operators.python import BranchPythonOperator


def target_times_as_dates(
    base_date: datetime.datetime,
    lower: datetime.datetime | datetime.time | None,
    upper: datetime.datetime | datetime.time | None,
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The bounds as datetimes, as Airflow's: a time is on ``base_date``'s day, and an upper time before
    the lower one is on the next day (``15:00`` to ``00:00`` spans the evening)."""
    if isinstance(lower, datetime.datetime) and isinstance(upper, datetime.datetime):
        return lower, upper
    if isinstance(lower, datetime.time):
        lower = datetime.datetime.combine(base_date, lower)
    if isinstance(upper, datetime.time):
        upper = datetime.datetime.combine(base_date, upper)
    if lower is None or upper is None:
        return lower, upper
    if upper < lower:
        upper += datetime.timedelta(days=1)
    return lower, upper


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A naive datetime is taken as UTC (the DAG's time zone in Chordflow), an aware one kept."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.timezone.utc)


class BranchDateTimeOperator(BranchPythonOperator):
    """Follow ``follow_task_ids_if_true`` when now is within ``[target_lower, target_upper]``, else
    ``follow_task_ids_if_false`` (Airflow's ``BranchDateTimeOperator``).

    :param follow_task_ids_if_true: task id(s) to follow inside the range.
    :param follow_task_ids_if_false: task id(s) to follow outside it.
    :param target_lower: the lower bound, a datetime or a time of day (``None``: no lower bound).
    :param target_upper: the upper bound, likewise; at least one bound is required.
    :param use_task_logical_date: compare the run's logical date instead of the current time (UTC).

    A time of day is taken on the compared date's day; an upper time before the lower one on the next
    day. Naive datetimes are UTC. Like Airflow's, it is a branch: the other direct downstreams are skipped.
    """

    def __init__(
        self,
        *,
        follow_task_ids_if_true: str | Iterable[str],
        follow_task_ids_if_false: str | Iterable[str],
        target_lower: datetime.datetime | datetime.time | None,
        target_upper: datetime.datetime | datetime.time | None,
        use_task_logical_date: bool = False,
        **kwargs: Any,
    ):
        task_id = kwargs.get("task_id")
        if target_lower is None and target_upper is None:
            raise DagDefinitionError(f"task {task_id!r}: both target_upper and target_lower are None; at least "
                                     "one must be defined to be compared to the current datetime")
        for name, bound in (("target_lower", target_lower), ("target_upper", target_upper)):
            if bound is not None and not isinstance(bound, (datetime.datetime, datetime.time)):
                raise DagDefinitionError(f"task {task_id!r}: {name} must be a datetime or a time, "
                                         f"not {type(bound).__name__}")
        self.follow_task_ids_if_true = follow_task_ids_if_true
        self.follow_task_ids_if_false = follow_task_ids_if_false
        self.target_lower = target_lower
        self.target_upper = target_upper
        self.use_task_logical_date = use_task_logical_date

        def choose_branch(logical_date: datetime.datetime) -> str | Iterable[str]:
            now = _aware(logical_date) if use_task_logical_date else datetime.datetime.now(datetime.timezone.utc)
            lower, upper = (_aware(bound) for bound in target_times_as_dates(now, target_lower, target_upper))
            if upper is not None and upper < now:
                return follow_task_ids_if_false
            if lower is not None and lower > now:
                return follow_task_ids_if_false
            return follow_task_ids_if_true

        super().__init__(python_callable=choose_branch, **kwargs)
