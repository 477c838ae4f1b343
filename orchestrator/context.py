"""The run's context as a task sees it, and Jinja rendering of templated arguments."""
from __future__ import annotations

import contextlib
import functools
import json
import random
import time
import uuid
from collections.abc import Collection, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from orchestrator.dates import as_pendulum
from orchestrator.errors import ChordflowError
from orchestrator.variables import TEMPLATE_VARIABLES

if TYPE_CHECKING:
    import jinja2

_current_context: ContextVar[dict[str, Any] | None] = ContextVar("chordflow_context", default=None)


def get_current_context() -> dict[str, Any]:
    """The context of the task instance running in this thread (``ds``, ``ti``, ``params``, ...)."""
    context = _current_context.get()
    if context is None:
        raise ChordflowError("get_current_context() is only available while a task instance runs")
    return context


@contextlib.contextmanager
def current_context(context: dict[str, Any]) -> Iterator[None]:
    """Inside, :func:`get_current_context` returns ``context`` (one task instance's)."""
    token = _current_context.set(context)
    try:
        yield
    finally:
        _current_context.reset(token)


@dataclass
class DagRunInfo:
    """What ``context["dag_run"]`` shows of the run."""

    run_id: str
    dag_id: str
    logical_date: datetime
    conf: dict[str, Any] = field(default_factory=dict)
    run_type: str = "manual"
    #: The data interval the run covers (aware; ``None``: the logical date, as for runs made before schedules).
    data_interval_start: datetime | None = None
    data_interval_end: datetime | None = None
    #: The DAG's latest earlier ``success`` run (by logical date), or ``None``: for ``prev_*_success``.
    previous_success: Any = None

    @classmethod
    def from_record(cls, record: Any, previous_success: Any = None) -> DagRunInfo:
        """What a task sees of a stored run (a :class:`~orchestrator.store.RunRecord`), with its
        DAG's latest earlier successful run's record when known."""
        return cls(record.run_id, record.dag_id, _aware(record.logical_date), record.conf, record.run_type,
                   _aware(record.data_interval_start), _aware(record.data_interval_end), previous_success)


def _aware(value: datetime | None) -> datetime | None:
    """A stored (naive UTC) date as an aware one."""
    return None if value is None else value.replace(tzinfo=timezone.utc)


@dataclass
class TaskInstanceInfo:
    """What ``context["ti"]`` shows of the running instance; ``try_number`` starts at 1."""

    task_id: str
    map_index: int
    try_number: int
    run_id: str
    dag_id: str
    max_tries: int
    hostname: str
    #: When this try began (a rescheduled sensor's: its first poke); ``None`` outside a worker.
    start_date: datetime | None = None
    _reader: Any = None
    _pushed: dict[str, Any] = field(default_factory=dict)

    def xcom_push(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` for this instance (written with its result)."""
        self._pushed[key] = value

    def xcom_pull(self, task_ids: str | list[str] | None = None, dag_id: str | None = None,
                  key: str = "return_value", include_prior_dates: bool = False, *,
                  map_indexes: int | list[int] | None = None, default: Any = None) -> Any:
        """What another task pushed (Airflow 2.10's ``_xcom_pull``): one task's value, a mapped
        task's values under ``key`` as a lazy sequence, ``default`` when nothing was pushed; for a
        list of ``task_ids`` or of ``map_indexes``, one flat list of the values that exist, ordered
        by the task ids' order, then the map indexes' (a ``range`` with a negative step: descending),
        with no ``default`` for the missing ones. This run's XComs only (``dag_id`` must be this DAG's)."""
        if dag_id is not None and dag_id != self.dag_id:
            return default
        many_tasks = task_ids is not None and not isinstance(task_ids, str)
        if many_tasks or (map_indexes is not None and not isinstance(map_indexes, int)):
            return self._pull_many(list(task_ids) if many_tasks else [task_ids or self.task_id], key, map_indexes)
        task_id = task_ids or self.task_id
        if map_indexes is None and self._reader.is_mapped(task_id):
            # Airflow 2.10's _xcom_pull: every index's value under ``key``, ``default`` when none has one.
            values = self._reader.sequence(task_id, key)
            return values if len(values) else default
        try:
            return self._reader.value(task_id, -1 if map_indexes is None else map_indexes, key)
        except KeyError:
            return default


    def _pull_many(self, task_ids: list[str], key: str, map_indexes) -> list[Any]:
        """The values that exist of these tasks at these map indexes (see :meth:`xcom_pull`)."""
        found: list[Any] = []
        for task_id in dict.fromkeys(task_ids):
            if map_indexes is None:
                if self._reader.is_mapped(task_id):
                    found.extend(self._reader.sequence(task_id, key))
                    continue
                indexes: list[int] = [-1]
            elif isinstance(map_indexes, int):
                indexes = [map_indexes]
            elif isinstance(map_indexes, range):
                indexes = sorted(map_indexes, reverse=map_indexes.step < 0)
            else:
                indexes = list(dict.fromkeys(map_indexes))
            for index in indexes:
                try:
                    found.append(self._reader.value(task_id, index, key))
                except KeyError:
                    pass
        return found


def ds_add(ds: str, days: int) -> str:
    """``ds`` moved by ``days`` days (Airflow's ``macros.ds_add``)."""
    return (datetime.strptime(ds, "%Y-%m-%d") + timedelta(days=days)).strftime("%Y-%m-%d")


def ds_format(ds: str, input_format: str, output_format: str) -> str:
    """``ds`` rewritten from one strftime format to another (Airflow's ``macros.ds_format``)."""
    return datetime.strptime(ds, input_format).strftime(output_format)


#: What templates reach as ``macros`` (the part of Airflow's that needs no plugin).
MACROS = SimpleNamespace(
    ds_add=ds_add, ds_format=ds_format, datetime=datetime, timedelta=timedelta, json=json, time=time,
    uuid=uuid, random=random.random,
)


def build_context(dag: Any, task: Any, run: DagRunInfo, ti: TaskInstanceInfo | None, params: dict[str, Any]) -> dict:
    """The context dict of one task instance, with the keys of Airflow 2.10's
    ``_get_template_context`` (models/taskinstance.py) that mean something here: the run's
    ``logical_date`` and ``data_interval_start`` / ``_end``; ``prev_data_interval_start_success`` /
    ``_end_success``, ``prev_start_date_success`` / ``prev_end_date_success`` and
    ``prev_execution_date_success`` (the DAG's latest earlier ``success`` run, ``None`` when there
    is none); Airflow 2's deprecated ``next_ds`` / ``next_execution_date`` (a run by hand: its own
    logical date; else the next one on the schedule, its data interval's end), ``prev_ds`` /
    ``prev_execution_date`` (a run by hand: its own logical date; else the schedule's point before
    it, ``None`` for a timetable without intervals) and ``yesterday_ds`` / ``tomorrow_ds``
    (the logical date -/+ one day). ``test_mode`` is always ``False``; Airflow's ``conf``, ``conn``,
    ``inlets`` / ``outlets`` and dataset events are not given."""
    logical_date = as_pendulum(run.logical_date)
    interval_start = as_pendulum(run.data_interval_start) if run.data_interval_start else logical_date
    interval_end = as_pendulum(run.data_interval_end) if run.data_interval_end else logical_date
    previous = run.previous_success
    # Airflow's external_trigger: a run by hand has no "next" or "previous" on the schedule.
    by_hand = run.run_type == "manual"
    next_date = logical_date if by_hand else interval_end
    timetable = getattr(dag, "timetable", None)
    prev_date = logical_date if by_hand or timetable is None else timetable.previous_schedule(logical_date)
    ds = logical_date.strftime("%Y-%m-%d")
    ts = logical_date.isoformat()
    yesterday, tomorrow = logical_date - timedelta(days=1), logical_date + timedelta(days=1)
    return {
        "dag": dag,
        "task": task,
        "dag_run": run,
        "run_id": run.run_id,
        "ti": ti,
        "task_instance": ti,
        "params": params,
        "logical_date": logical_date,
        "execution_date": logical_date,
        "data_interval_start": interval_start,
        "data_interval_end": interval_end,
        "prev_data_interval_start_success": _stored(previous and (previous.data_interval_start
                                                                  or previous.logical_date)),
        "prev_data_interval_end_success": _stored(previous and (previous.data_interval_end or previous.logical_date)),
        "prev_start_date_success": _stored(previous and previous.start_date),
        "prev_end_date_success": _stored(previous and previous.end_date),
        "prev_execution_date_success": _stored(previous and previous.logical_date),
        "next_execution_date": next_date,
        "next_ds": next_date.strftime("%Y-%m-%d"),
        "next_ds_nodash": next_date.strftime("%Y%m%d"),
        "prev_execution_date": prev_date,
        "prev_ds": None if prev_date is None else prev_date.strftime("%Y-%m-%d"),
        "prev_ds_nodash": None if prev_date is None else prev_date.strftime("%Y%m%d"),
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "ts": ts,
        "ts_nodash": logical_date.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
        "yesterday_ds": yesterday.strftime("%Y-%m-%d"),
        "yesterday_ds_nodash": yesterday.strftime("%Y%m%d"),
        "tomorrow_ds": tomorrow.strftime("%Y-%m-%d"),
        "tomorrow_ds_nodash": tomorrow.strftime("%Y%m%d"),
        "test_mode": False,
        "map_index_template": getattr(task, "map_index_template", None),
        "task_instance_key_str": None if task is None else f"{run.dag_id}__{task.task_id}__{logical_date:%Y%m%d}",
        "macros": MACROS,
        "var": TEMPLATE_VARIABLES,
    }


def _stored(value: datetime | None) -> Any:
    """A stored date (naive UTC) as the context hands it out, or ``None``."""
    return as_pendulum(value) if value else None


def _new_environment(native: bool) -> jinja2.Environment:
    """Airflow's Jinja environment: strict undefined, newlines kept, no autoescape (Jinja is
    imported here, on first use, not by every command that imports the context)."""
    import jinja2
    import jinja2.nativetypes

    kind = jinja2.nativetypes.NativeEnvironment if native else jinja2.Environment
    return kind(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)


@functools.lru_cache(maxsize=2)
def _environment(native: bool) -> jinja2.Environment:
    return _new_environment(native)


@functools.lru_cache(maxsize=1024)
def _compile(source: str, native: bool) -> jinja2.Template:
    return _environment(native).from_string(source)


def _template(source: str, dag: Any) -> jinja2.Template:
    """``source`` compiled in the environment of ``dag``: native or text rendering, and its
    ``user_defined_macros`` (globals) and ``user_defined_filters``, as in Airflow."""
    native = bool(getattr(dag, "render_template_as_native_obj", False))
    macros = getattr(dag, "user_defined_macros", None)
    filters = getattr(dag, "user_defined_filters", None)
    if not macros and not filters:
        return _compile(source, native)
    cache = dag.__dict__.setdefault("_templates", {})
    if source not in cache:
        if len(cache) >= 1024:  # mapped values may each be a template of their own: stay bounded
            cache.clear()
        if "_jinja_environment" not in dag.__dict__:
            environment = _new_environment(native)
            environment.globals.update(macros or {})
            environment.filters.update(filters or {})
            dag.__dict__["_jinja_environment"] = environment
        cache[source] = dag.__dict__["_jinja_environment"].from_string(source)
    return cache[source]


def render_template(value: Any, context: dict[str, Any], data_ids: Collection[int] = ()) -> Any:
    """Render every string inside ``value`` (lists, tuples, dicts searched) as a Jinja template:
    to text, or to Python objects when the DAG says ``render_template_as_native_obj=True`` (as in
    Airflow: ``"{{ params.n }}"`` is then an int, ``"{{ [1, 2] }}"`` a list). The objects whose
    ids are in ``data_ids`` (values read from task outputs) are left as they are, as Airflow's
    ``seen_oids``."""
    if data_ids and id(value) in data_ids:
        return value
    if isinstance(value, str):
        if "{{" not in value and "{%" not in value:
            return value
        import jinja2

        try:
            return _template(value, context.get("dag")).render(context)
        except jinja2.TemplateError as exc:
            raise ChordflowError(f"cannot render template {value!r}: {exc}") from exc
    if isinstance(value, list):
        return [render_template(item, context, data_ids) for item in value]
    if isinstance(value, tuple):
        return tuple(render_template(item, context, data_ids) for item in value)
    if isinstance(value, dict):
        return {key: render_template(item, context, data_ids) for key, item in value.items()}
    return value


#: Most characters of one rendered field kept for the Rendered view (Airflow's
#: ``[core] max_templated_field_length``, also 4096).
MAX_RENDERED_FIELD_LENGTH = 4096
#: Most items of a list or dict shown in a rendered field; the rest are counted, not shown.
MAX_RENDERED_ITEMS = 100


def _displayable(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON can show it: containers walked (at most :data:`MAX_RENDERED_ITEMS` items,
    5 levels), anything else by its ``repr`` -- never iterating a lazy sequence of XComs, whose
    ``repr`` names its task and length."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth < 5 and isinstance(value, dict):
        shown = {str(key): _displayable(item, depth + 1) for key, item in list(value.items())[:MAX_RENDERED_ITEMS]}
        if len(value) > MAX_RENDERED_ITEMS:
            shown["..."] = f"{len(value) - MAX_RENDERED_ITEMS} more"
        return shown
    if depth < 5 and isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        shown = [_displayable(item, depth + 1) for item in items[:MAX_RENDERED_ITEMS]]
        if len(items) > MAX_RENDERED_ITEMS:
            shown.append(f"... {len(items) - MAX_RENDERED_ITEMS} more")
        return shown
    return repr(value)


def rendered_fields_json(operator: Any) -> str | None:
    """The operator's ``template_fields`` after rendering, as the JSON object text the store keeps
    for the Rendered view (``None``: the operator has none). A field longer than
    :data:`MAX_RENDERED_FIELD_LENGTH` characters is cut, saying so, as Airflow does. Written for
    every instance of a map: small plain fields take one ``json.dumps`` (a few microseconds)."""
    fields = getattr(operator, "template_fields", ())
    if not fields:
        return None
    values = {name: getattr(operator, name, None) for name in fields}
    try:  # anything JSON cannot write plainly (a lazy XCom sequence, a set) by its repr
        text = json.dumps(values, default=repr)
    except (TypeError, ValueError):
        text = None
    if text is not None and len(text) <= MAX_RENDERED_FIELD_LENGTH:
        return text
    shown: dict[str, Any] = {}
    for name, raw in values.items():
        value = _displayable(raw)
        text = json.dumps(value, default=repr)
        if len(text) > MAX_RENDERED_FIELD_LENGTH:
            value = (f"Truncated: {len(text)} characters, the first {MAX_RENDERED_FIELD_LENGTH} shown. "
                     + text[:MAX_RENDERED_FIELD_LENGTH])
        shown[name] = value
    return json.dumps(shown)
