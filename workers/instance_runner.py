"""Run a batch of task instances of one task: claim, execute, record -- each index on its own."""
from __future__ import annotations

import logging
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from typing import Any

from orchestrator.context import (
    DagRunInfo,
    TaskInstanceInfo,
    build_context,
    current_context,
    render_template,
    rendered_fields_json,
)
from orchestrator.dag import DAG
from orchestrator.dag_loader import DagBag
from orchestrator.errors import FailTask, RescheduleTask, RunNotFound, SkipTask
from orchestrator.expand_input import check_map_source, map_total
from orchestrator.params import resolve_params, validate_task_params
from orchestrator.past_dependency import tasks_waiting_on
from orchestrator.resolve import Materializer, StoreXComReader
from orchestrator.states import TaskInstanceState
from orchestrator.store import ClaimedInstance, LogChunk, RunRecord, Store, TryEnd, utcnow
from orchestrator.xcom_backend import XComBackend
from workers.heartbeat import Heartbeat
from workers.log_capture import LogCapture
from workers.log_shipper import LogShipper
from workers.timeout import Interruptible, TaskTerminated

log = logging.getLogger("chordflow.worker")

#: Ends of tries recorded in one transaction at most (a batch of tiny tasks commits once per this many).
FLUSH_EVERY = 200
#: Seconds an ended try may wait for its batch's next write (states stay fresh for long tasks).
FLUSH_AFTER = 0.5


@dataclass
class BatchOutcome:
    """What became of a batch: indices that wait for another try or a sensor's next poke, and after how long."""

    finished: dict[str, int] = field(default_factory=dict)
    retry_indices: list[int] = field(default_factory=list)
    retry_delay: float = 0.0
    #: Sensors in reschedule mode not done yet: poked again after ``reschedule_delay`` seconds.
    reschedule_indices: list[int] = field(default_factory=list)
    reschedule_delay: float = 0.0
    not_claimed: int = 0
    #: Instances ended from outside (run cancelled or interrupted) while this batch held them.
    stopped: int = 0
    #: The batch's instances held slots (slot-limited): those that ended freed theirs.
    held_slots: bool = False
    #: The tasks whose instances in the DAG's next run may wait on this batch's (``depends_on_past``,
    #: ``wait_for_downstream``: :func:`~orchestrator.past_dependency.tasks_waiting_on`).
    waiting_on_it: list[str] = field(default_factory=list)

    @property
    def frees_slots(self) -> bool:
        """Whether slots were freed (admission may give them to waiting instances)."""
        return self.held_slots and bool(self.finished or self.stopped)

    @property
    def sent_again(self) -> list[int]:
        """The indices the batch's message is sent again with: retries and rescheduled sensors."""
        return sorted(self.retry_indices + self.reschedule_indices)

    @property
    def sent_again_after(self) -> float:
        """Seconds before that message: none of its indices runs earlier than it asked."""
        return max(self.retry_delay, self.reschedule_delay)

    def summary(self) -> dict[str, Any]:
        return {"finished": self.finished, "retrying": len(self.retry_indices),
                "rescheduled": len(self.reschedule_indices), "not_claimed": self.not_claimed, "stopped": self.stopped}

    def describe(self) -> str:
        """The summary's counts that are not 0, as one short text (``"success=1"``,
        ``"failed=2 retrying=1"``; ``"nothing run"``): the Celery result of the batch's message.
        A text, not the summary's dict: Celery's tracer takes the repr of every result (for its log
        line, logged or not), which for that dict cost about a tenth of a one-index message's time."""
        counts = {**self.finished, **{name: value for name, value in self.summary().items() if name != "finished"}}
        return " ".join(f"{name}={value}" for name, value in counts.items() if value) or "nothing run"


class RunCache:
    """The runs a worker process executes instances of, read once each: what an instance needs of
    its run (DAG file, logical date, conf) never changes after the run is created."""

    def __init__(self, store: Store, size: int = 256):
        self.store = store
        self.size = size
        self._runs: OrderedDict[str, RunRecord] = OrderedDict()
        self._previous: dict[str, RunRecord | None] = {}

    def get(self, run_id: str) -> RunRecord:
        run = self._runs.get(run_id)
        if run is None:
            run = self._runs[run_id] = self.store.get_run(run_id)
            if len(self._runs) > self.size:
                self._runs.popitem(last=False)
        else:
            self._runs.move_to_end(run_id)
        return run

    def previous_success(self, run: RunRecord) -> RunRecord | None:
        """The DAG's latest successful run before ``run`` (``prev_*_success``), read once per run."""
        if run.run_id not in self._previous:
            if len(self._previous) >= self.size:
                self._previous.clear()
            self._previous[run.run_id] = self.store.previous_success(run)
        return self._previous[run.run_id]


class InstanceRunner:
    """Executes task instances on a worker.

    :param store: the store results and states go to.
    :param dagbag: where DAG files are loaded from (cached while unchanged).
    :param max_map_length: ``CHORDFLOW_MAX_MAP_LENGTH``, checked on values a downstream maps over.
    :param xcoms: turns results into XCom texts (the object store of the worker's settings).
    :param heartbeat: marks held instances alive and stops the tries of those ended from outside
        (``None``: no heartbeats, e.g. in unit tests).
    :param zombie_after: take over ``running`` instances whose heartbeat is this old (seconds).
    :param runs: the runs read so far (shared by the runners of a worker process).
    :param log_shipper: writes the logs of long tries while they run (``None``: each log once, at its try's end).
    """

    def __init__(self, store: Store, dagbag: DagBag, max_map_length: int, xcoms: XComBackend,
                 heartbeat: Heartbeat | None = None, zombie_after: float | None = None, runs: RunCache | None = None,
                 log_shipper: LogShipper | None = None):
        self.store = store
        self.xcoms = xcoms
        self.runs = runs or RunCache(store)
        self.dagbag = dagbag
        self.max_map_length = max_map_length
        self.heartbeat = heartbeat
        self.zombie_after = zombie_after
        self.log_shipper = log_shipper

    def run_batch(self, run_id: str, task_id: str, map_indices: list[int], hostname: str) -> BatchOutcome:
        outcome = BatchOutcome()
        try:
            run = self.runs.get(run_id)
        except RunNotFound:  # deleted (`runs delete`) while its messages waited: nothing is left to run
            log.info("run %s no longer exists: %d instance(s) of %s not run", run_id, len(map_indices), task_id)
            outcome.not_claimed = len(map_indices)
            return outcome
        load_error = None
        try:
            dag = self.dagbag.get_dag(run.fileloc, run.dag_id)
            task = dag.task_dict[task_id]
            outcome.waiting_on_it = tasks_waiting_on(dag, task)
        except Exception as exc:  # the instances must end, with the reason, rather than hang
            load_error = f"cannot load DAG {run.dag_id!r} from {run.fileloc!r} on {hostname}: {exc}"
        batch = self.store.claim_batch(run_id, task_id, map_indices, hostname, self.zombie_after)
        claimed = batch.instances
        outcome.not_claimed = len(map_indices) - len(claimed)
        outcome.held_slots = any(c.holds_slot for c in claimed)
        if load_error is not None:
            self._record(run_id, task_id, [
                TryEnd(c.map_index, c.try_number, TaskInstanceState.FAILED, {}, load_error, load_error + "\n", hostname)
                for c in claimed
            ])
            if claimed:
                outcome.finished["failed"] = len(claimed)
            return outcome
        held = [(run_id, task_id, c.map_index, c.try_number) for c in claimed]
        if self.heartbeat is not None:
            self.heartbeat.hold(held)
        pending: list[TryEnd] = []
        flushed_at = time.monotonic()
        try:
            lengths = batch.lengths if task.is_mapped else None
            reader = StoreXComReader(self.store, dag, run_id)
            run_info = DagRunInfo.from_record(run, self.runs.previous_success(run))
            shared = build_context(dag, task, run_info, None, resolve_params({**dag.params, **task.params}, run.conf))
            # Airflow's expanded_ti_count: the instances of this map (None for an unmapped task).
            shared["expanded_ti_count"] = map_total(lengths) if lengths is not None else None
            materialize = Materializer(task, lengths, reader, shared["params"])
            for instance in claimed:
                held_now = (run_id, task_id, instance.map_index, instance.try_number)
                if self.heartbeat is not None and self.heartbeat.is_lost(held_now):
                    outcome.stopped += 1  # ended from outside before its turn came
                    continue
                ending, next_poke = self._run_one(dag, task, shared, instance, materialize, reader, hostname)
                if self.heartbeat is not None and self.heartbeat.is_lost(held_now):
                    self._keep_log_of_stopped(run_id, task_id, ending)
                    outcome.stopped += 1
                    continue
                pending.append(ending)
                if ending.state is TaskInstanceState.UP_FOR_RETRY:
                    outcome.retry_indices.append(instance.map_index)
                    outcome.retry_delay = max(outcome.retry_delay, task.delay_before_try(instance.try_number + 1))
                elif ending.state is TaskInstanceState.UP_FOR_RESCHEDULE:
                    outcome.reschedule_indices.append(instance.map_index)
                    outcome.reschedule_delay = max(outcome.reschedule_delay, next_poke)
                else:
                    outcome.finished[ending.state.value] = outcome.finished.get(ending.state.value, 0) + 1
                if len(pending) >= FLUSH_EVERY or time.monotonic() - flushed_at >= FLUSH_AFTER:
                    self._record(run_id, task_id, pending)
                    pending, flushed_at = [], time.monotonic()
            self._record(run_id, task_id, pending)
        finally:
            if self.heartbeat is not None:
                self.heartbeat.release_all(held)
        return outcome

    def _keep_log_of_stopped(self, run_id: str, task_id: str, ending: TryEnd) -> None:
        """A try ended from outside records nothing over the state it was given, only the rest of its log."""
        chunk = LogChunk(run_id, task_id, ending.map_index, ending.try_number, ending.log or "", ending.hostname or "")
        if not self.store.retrying(self.store.append_logs, [chunk], while_running=False)[0]:
            log.warning("%s[%d] try %d: the end of its log was dropped (the instance moved on)",
                        task_id, ending.map_index, ending.try_number)

    def _interruptible(self, instance: tuple[str, str, int, int], task) -> Interruptible:
        """The try's body: its ``execution_timeout``, and stopped when the heartbeat finds it ended from outside."""
        if self.heartbeat is None:
            return Interruptible(task.execution_timeout, task.task_id)
        return self.heartbeat.stoppable(instance, task.execution_timeout, task.task_id)

    def _record(self, run_id: str, task_id: str, endings: list[TryEnd]) -> None:
        if not endings:
            return
        retried = []
        for ending, recorded in zip(endings, self.store.finish_many(run_id, task_id, endings), strict=True):
            if not recorded:
                log.warning("%s[%d] try %d was no longer current; its result was dropped",
                            task_id, ending.map_index, ending.try_number)
            elif ending.state is TaskInstanceState.UP_FOR_RETRY:
                retried.append(ending.map_index)
        if retried:  # (before the retry is sent: its claim writes over the try's times and error)
            try:
                self.store.retrying(self.store.archive_retried, run_id, task_id, retried)
            except Exception:  # its log keeps what happened
                log.warning("%s: tries to be retried not kept in the history", task_id, exc_info=True)

    def _run_one(self, dag: DAG, task, shared: dict[str, Any], instance: ClaimedInstance,
                 materialize: Materializer, reader: StoreXComReader, hostname: str) -> tuple[TryEnd, float]:
        """Execute one claimed instance; its end is recorded later, with its batch's. ``shared``
        is the context every instance of the batch has in common. Returns its end, and the seconds
        before its next poke when it is a sensor that rescheduled itself (else 0)."""
        run_info = shared["dag_run"]
        # A rescheduled sensor's try began at its first poke: its timeout counts from there.
        started = instance.resumed_from or utcnow()
        ti = TaskInstanceInfo(
            task_id=task.task_id,
            map_index=instance.map_index,
            try_number=instance.try_number,
            run_id=run_info.run_id,
            dag_id=run_info.dag_id,
            max_tries=instance.max_tries,
            hostname=hostname,
            start_date=started.replace(tzinfo=timezone.utc),
            _reader=reader,
        )
        context = {**shared, "ti": ti, "task_instance": ti, "params": dict(shared["params"])}
        xcoms: dict[str, str] = {}
        with LogCapture() as capture:
            live = None if self.log_shipper is None else self.log_shipper.open(
                capture, run_info.run_id, task.task_id, instance.map_index, instance.try_number, hostname)
            try:
                state, error, name, rendered = self._execute(dag, task, context, instance, materialize, hostname,
                                                             capture, xcoms)
            finally:
                text = capture.text if live is None else self.log_shipper.close(live)
        ended, next_poke = utcnow(), context.get("_next_poke_after", 0.0)
        due = ended + timedelta(seconds=next_poke) if state is TaskInstanceState.UP_FOR_RESCHEDULE else None
        return TryEnd(instance.map_index, instance.try_number, state, xcoms, error, text, hostname, started, ended,
                      name, rendered_fields=rendered, next_poke_at=due), next_poke

    def _execute(self, dag: DAG, task, context: dict[str, Any], instance: ClaimedInstance,
                 materialize: Materializer, hostname: str, capture: LogCapture,
                 xcoms: dict[str, str]) -> tuple[TaskInstanceState, str | None, str | None, str | None]:
        """Run one try in ``context``, its log in ``capture``, its XCom texts put in ``xcoms``;
        returns its state, error, name (``map_index_template``) and rendered template fields (JSON)."""
        run_info = context["dag_run"]
        ti = context["ti"]
        error = None
        label = f"{task.task_id}" + (f"[{instance.map_index}]" if instance.map_index >= 0 else "")
        capture.log(f"Running {label} of run {run_info.run_id}, try {instance.try_number}, on {hostname}")
        held = (run_info.run_id, task.task_id, instance.map_index, instance.try_number)
        rendered = None
        try:
            validate_task_params(task.params, run_info.conf)
            with current_context(context):
                operator = materialize(instance.map_index)
                operator.render_template_fields(context)
                rendered = rendered_fields_json(operator)
                context["task"] = operator
                _call_back(task, "on_execute_callback", context, capture)
                with self._interruptible(held, task):
                    result = operator.execute(context)
            pushed = dict(ti._pushed)
            if operator.do_xcom_push and result is not None:
                pushed["return_value"] = result
                if getattr(operator, "multiple_outputs", False) and isinstance(result, dict):
                    pushed.update((str(key), value) for key, value in result.items())
            mapped_over = dag.expand_sources().get(task.task_id)
            if mapped_over is not None:
                check_map_source(task.task_id, task.is_mapped, operator.do_xcom_push, pushed, mapped_over,
                                 self.max_map_length)
            for key, value in pushed.items():  # (a lazy sequence a task returns is written as a list)
                xcoms[key] = self.xcoms.serialize(value, run_id=run_info.run_id, task_id=task.task_id,
                                                  map_index=instance.map_index, key=key,
                                                  inline_only=mapped_over is not None)
            state = TaskInstanceState.SUCCESS
        except RescheduleTask as exc:  # a sensor gives its slot back: no callback, the try goes on
            capture.log(f"Rescheduling {label}: {exc}")
            context["_next_poke_after"] = exc.delay
            return TaskInstanceState.UP_FOR_RESCHEDULE, None, None, rendered
        except SkipTask as exc:
            capture.log(f"Skipped: {exc}")
            state = TaskInstanceState.SKIPPED
        except TaskTerminated as exc:  # its state was set from outside: no callback, nothing more of its own
            capture.log(f"Terminating try {instance.try_number} of {label}: {exc}", "WARNING")
            return TaskInstanceState.FAILED, f"TaskTerminated: {exc}", None, rendered
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            capture.write(traceback.format_exc())
            # (a source that pushed nothing to map over is retried too: Airflow's XComForMappingNotPushed
            # is a plain AirflowException, only AirflowFailException skips the retries)
            retry = not isinstance(exc, FailTask) and (
                instance.try_number <= instance.max_tries)
            state = TaskInstanceState.UP_FOR_RETRY if retry else TaskInstanceState.FAILED
            context["exception"] = exc
        _call_back(task, _CALLBACK_OF[state], context, capture)
        name = _rendered_map_index(task, context, capture)
        capture.log(f"Marking {label} as {state.value.upper()}" + (f" ({name})" if name is not None else ""))
        return state, error, name, rendered


#: The callback Airflow calls when a try ends in each state.
_CALLBACK_OF = {
    TaskInstanceState.SUCCESS: "on_success_callback",
    TaskInstanceState.FAILED: "on_failure_callback",
    TaskInstanceState.UP_FOR_RETRY: "on_retry_callback",
    TaskInstanceState.SKIPPED: "on_skipped_callback",
}


def _call_back(task, name: str, context: dict[str, Any], capture: LogCapture) -> None:
    """Call the task's ``name`` callbacks with the instance's context, in its log. As in Airflow a
    failing callback is logged and changes nothing: the try keeps its state."""
    for function in task.callbacks.get(name, ()):
        try:
            with current_context(context):
                function(context)
        except Exception:
            capture.log(f"{name} {getattr(function, '__name__', function)!r} failed:", "ERROR")
            capture.write(traceback.format_exc())


def _rendered_map_index(task, context: dict[str, Any], capture: LogCapture) -> str | None:
    """The instance's name from ``map_index_template``, rendered as Airflow does once the try has
    run (the task may have put values in its context for it). A template that cannot be rendered
    leaves the instance unnamed and says why in its log; the try keeps its state."""
    template = getattr(task, "map_index_template", None)
    if template is None:
        return None
    try:
        return str(render_template(template, context))
    except Exception as exc:
        capture.log(f"map_index_template {template!r} not rendered: {exc}", "WARNING")
        return None
