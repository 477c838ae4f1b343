"""BaseSensorOperator: poke a condition until it holds, in one worker slot or giving it back between pokes."""
from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from typing_extensions import override

from orchestrator.baseoperator import BaseOperator
from orchestrator.errors import (
    AirflowSkipException,
    DagDefinitionError,
    FailTask,
    RescheduleTask,
    SensorTimeout,
    SkipTask,
    TaskTimeout,
)

log = logging.getLogger("chordflow.task")

#: The modes a sensor runs in (Airflow's ``valid_modes``).
VALID_MODES = ("poke", "reschedule")
#: Airflow's defaults: a poke a minute, for at most seven days.
DEFAULT_POKE_INTERVAL = 60.0
DEFAULT_TIMEOUT = 60 * 60 * 24 * 7.0


@dataclass
class PokeReturnValue:
    """What a poke may return instead of a bool: whether the sensor is done, and the value it
    pushes as its XCom when it is (Airflow's ``airflow.sensors.base.PokeReturnValue``).

    :param is_done: the condition holds.
    :param xcom_value: the sensor's return value once done (default ``None``: nothing pushed).
    """

    is_done: bool
    xcom_value: Any = None

    def __bool__(self) -> bool:
        """Whether the sensor is done."""
        return self.is_done


def _seconds(value: float | timedelta, name: str, task_id: str) -> float:
    """``value`` in seconds; a negative or non-numeric value is refused, naming ``name``."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise DagDefinitionError(f"task {task_id!r}: {name} must be a non-negative number of seconds "
                                 f"or a timedelta, got {value!r}")
    return float(seconds)


#: Longest single sleep between pokes: a try on a thread is stopped (timeout, cancel) between
#: Python instructions, so a long wait is slept in slices.
SLEEP_SLICE = 0.2


def _sleep(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, SLEEP_SLICE))


def poke_wait(elapsed: float, poke_interval: float, timeout: float, exponential_backoff: bool,
              max_wait: float | None) -> float:
    """Seconds a sensor waits before its next poke, ``elapsed`` seconds after its first one."""
    if not exponential_backoff:
        return poke_interval
    # Waiting as long as has passed doubles the wait at each poke, as Airflow's backoff
    # (poke_interval * 2 ** (pokes - 2)) does, without its jitter; never past the timeout.
    interval = min(max(poke_interval, elapsed), max(timeout - elapsed, 0.0))
    return interval if max_wait is None else min(interval, max_wait)


class BaseSensorOperator(BaseOperator):
    """A sensor: :meth:`poke` until it returns true, then succeed (Airflow's ``BaseSensorOperator``).

    :param poke_interval: seconds (or a timedelta) between two pokes (default 60).
    :param timeout: seconds (or a timedelta) from the first poke after which a poke that is still
        not done ends the instance ``failed`` without retries (default seven days).
    :param soft_fail: end ``skipped`` instead of ``failed`` when the sensor times out, or its
        poke raises a timeout (``AirflowSensorTimeout``, ``AirflowTaskTimeout``) or
        ``AirflowFailException`` (default False). Another exception fails the try as any task's.
    :param silent_fail: a poke that raises anything else counts as not done: logged, poked again.
    :param never_fail: a poke that raises anything skips the sensor (not with ``soft_fail``).
    :param mode: ``"poke"``: the instance holds its worker slot and sleeps between pokes;
        ``"reschedule"``: it gives the slot back between pokes (state ``up_for_reschedule``) and
        is sent again when the next poke is due, in the same try (default ``"poke"``).
    :param exponential_backoff: wait longer between pokes as time passes: the wait is the time
        elapsed since the first poke, at least ``poke_interval`` (default False).
    :param max_wait: the longest wait between pokes with ``exponential_backoff`` (default none).
    """

    def __init__(
        self,
        *,
        poke_interval: float | timedelta = DEFAULT_POKE_INTERVAL,
        timeout: float | timedelta = DEFAULT_TIMEOUT,
        soft_fail: bool = False,
        silent_fail: bool = False,
        never_fail: bool = False,
        mode: str = "poke",
        exponential_backoff: bool = False,
        max_wait: float | timedelta | None = None,
        **kwargs: Any,
    ):
        task_id = kwargs.get("task_id", "?")
        if mode not in VALID_MODES:
            raise DagDefinitionError(f"task {task_id!r}: the mode must be one of {list(VALID_MODES)}, got {mode!r}")
        self.poke_interval = _seconds(poke_interval, "poke_interval", task_id)
        self.timeout = _seconds(timeout, "timeout", task_id)
        self.max_wait = None if max_wait is None else _seconds(max_wait, "max_wait", task_id)
        if soft_fail and never_fail:  # (Airflow's words)
            raise DagDefinitionError(f"task {task_id!r}: soft_fail and never_fail are mutually exclusive, "
                                     "you can not provide both.")
        self.soft_fail = soft_fail
        self.silent_fail = silent_fail
        self.never_fail = never_fail
        self.mode = mode
        self.exponential_backoff = exponential_backoff
        super().__init__(**kwargs)

    @property
    def reschedule(self) -> bool:
        """Whether the sensor gives its worker slot back between pokes."""
        return self.mode == "reschedule"

    def poke(self, context: dict[str, Any]) -> bool | PokeReturnValue:
        """Whether the condition holds now; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} does not implement poke()")

    def next_poke_interval(self, elapsed: float) -> float:
        """Seconds to wait before the next poke, ``elapsed`` seconds after the first one."""
        return poke_wait(elapsed, self.poke_interval, self.timeout, self.exponential_backoff, self.max_wait)

    @override
    def execute(self, context: dict[str, Any]) -> Any:
        started = getattr(context.get("ti"), "start_date", None) or datetime.now(timezone.utc)
        pokes = 0
        while True:
            pokes += 1
            # What a poke raises, as Airflow 2.10's BaseSensorOperator.execute takes it.
            try:
                result = self.poke(context)
            except (RescheduleTask, SkipTask):
                raise
            except (FailTask, TaskTimeout) as exc:  # (a SensorTimeout is a FailTask)
                if self.soft_fail or self.never_fail:
                    which = "soft_fail" if self.soft_fail else "never_fail"
                    raise AirflowSkipException(f"Skipping due to {which} is set to True: {exc}") from exc
                raise
            except Exception as exc:
                if self.never_fail:
                    raise AirflowSkipException(f"Skipping due to never_fail is set to True: {exc}") from exc
                if not self.silent_fail:
                    raise
                log.error("Sensor poke failed:\n%s", traceback.format_exc())
                result = False
            if result:
                log.info("Success criteria met. Exiting.")
                return result.xcom_value if isinstance(result, PokeReturnValue) else None
            elapsed = (datetime.now(timezone.utc) - started).total_seconds()
            if elapsed > self.timeout:
                message = (f"Sensor has timed out; run duration of {elapsed:.1f} s is more than the timeout "
                           f"{self.timeout:g} s")
                if self.soft_fail:
                    raise AirflowSkipException(message + " (soft_fail)")
                raise SensorTimeout(message)
            interval = self.next_poke_interval(elapsed)
            if self.reschedule:
                log.info("Not done %.1f s after the first poke; rescheduled in %g s", elapsed, interval)
                raise RescheduleTask(interval)
            log.info("Poke %d: not done; poking again in %g s", pokes, interval)
            _sleep(interval)
