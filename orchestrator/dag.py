"""DAGs: ``with DAG(...)`` or ``@dag``; the set of tasks and their edges."""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.errors import DagDefinitionError
from orchestrator.identifiers import next_free_id, validate_key
from orchestrator.task_group import TaskGroup
from orchestrator.timetables import create_timetable, timezone_of
from orchestrator.xcom_arg import XComArg

if TYPE_CHECKING:
    from orchestrator.baseoperator import DAGNode

_dag_stack: list[DAG] = []
# DAGs created since the loader started collecting (one list per file being imported).
_collectors: list[list[DAG]] = []


def current_dag() -> DAG | None:
    """The DAG being declared (innermost ``with DAG`` / ``@dag`` call), or ``None``."""
    return _dag_stack[-1] if _dag_stack else None


def callbacks_of(owner: str, given: dict[str, Any]) -> dict[str, list[Callable[[dict], Any]]]:
    """Airflow callbacks by name, each given as one callable or a list of them (``None``: none),
    as lists; anything else is refused naming ``owner`` and the argument."""
    found = {}
    for name, value in given.items():
        functions = list(value) if isinstance(value, (list, tuple)) else [] if value is None else [value]
        if not all(callable(fn) for fn in functions):
            raise DagDefinitionError(f"{owner}: {name} must be a callable or a list of callables")
        if functions:
            found[name] = functions
    return found


class DAG:
    """A set of tasks and the edges between them.

    :param dag_id: unique name of the DAG.
    :param schedule: when ``chordflow scheduler`` creates runs (default ``None``: only by hand): ``"@once"``,
        a preset (``"@daily"``, ...), a cron expression, a ``timedelta`` or a timetable -- see
        :mod:`orchestrator.timetables`. Raises :class:`DagDefinitionError` when it is none of those.
    :param start_date: the first data interval starts here; its time zone is the schedule's (default UTC).
    :param end_date: no scheduled run's interval starts after it (default: none).
    :param catchup: create a run for every interval since ``start_date`` not run yet (default ``False``,
        as Airflow 3), else only the latest complete one.
    :param max_active_runs: most runs of this DAG ``running`` at once; the others wait ``queued``
        (default ``CHORDFLOW_MAX_ACTIVE_RUNS_PER_DAG``, 16 as Airflow's).
    :param is_paused_upon_creation: whether the scheduler records a new DAG paused (default
        ``CHORDFLOW_DAGS_ARE_PAUSED_AT_CREATION``).
    :param params: default run parameters; ``--conf`` overrides them (``context["params"]``).
    :param default_args: defaults for every task's arguments (``retries``, ``retry_delay``, ...).
    :param description: one line shown by ``dags list``.
    :param tags: free-form labels.
    :param max_active_tasks: most instances of the DAG's tasks holding a slot at once, over all its
        runs (Airflow's option; ``concurrency`` is its older name); default ``None``: no limit
        (Airflow's default is 16, ``[core] max_active_tasks_per_dag``).
    :param template_searchpath: folders where template files (``transform.sql``) are looked for,
        before the DAG file's own folder (relative paths: from the DAG file's folder).
    """

    def __init__(
        self,
        dag_id: str,
        schedule: Any = None,
        start_date: datetime | None = None,
        params: dict[str, Any] | None = None,
        default_args: dict[str, Any] | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
        catchup: bool = False,
        end_date: datetime | None = None,
        max_active_runs: int | None = None,
        is_paused_upon_creation: bool | None = None,
        doc_md: str | None = None,
        template_searchpath: str | list[str] | None = None,
        render_template_as_native_obj: bool = False,
        user_defined_macros: dict[str, Any] | None = None,
        user_defined_filters: dict[str, Callable[..., Any]] | None = None,
        on_success_callback: Any = None,
        on_failure_callback: Any = None,
        **airflow_only: Any,
    ):
        validate_key("dag_id", dag_id)
        self.dag_id = dag_id
        limit = airflow_only.get("max_active_tasks", airflow_only.get("concurrency"))
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise DagDefinitionError(f"DAG {dag_id!r}: max_active_tasks must be a whole number of at least 1, "
                                     f"got {limit!r}")
        #: Most instances of its tasks holding a slot at once over all its runs (``None``: no limit).
        self.max_active_tasks: int | None = limit
        if schedule is None and "schedule_interval" in airflow_only:  # Airflow 2's older name
            schedule = airflow_only.pop("schedule_interval")
        self.schedule = schedule
        self.start_date = start_date if start_date is not None else (default_args or {}).get("start_date")
        self.end_date = end_date if end_date is not None else (default_args or {}).get("end_date")
        self.catchup = bool(catchup)
        if max_active_runs is not None and (not isinstance(max_active_runs, int) or max_active_runs < 1):
            raise DagDefinitionError(f"DAG {dag_id!r}: max_active_runs must be a whole number >= 1, "
                                     f"got {max_active_runs!r}")
        self.max_active_runs = max_active_runs
        self.is_paused_upon_creation = is_paused_upon_creation
        try:
            self.timetable = create_timetable(schedule, timezone_of(self.start_date))
        except DagDefinitionError as exc:
            raise DagDefinitionError(f"DAG {dag_id!r}: {exc}") from None
        self.params = dict(params or {})
        self.default_args = dict(default_args or {})
        # As Airflow 2: params given in default_args are the DAG's (validated against --conf), over its own.
        self.params.update(self.default_args.pop("params", None) or {})
        self.description = description
        self.tags = list(tags or [])
        self.doc_md = doc_md
        if isinstance(template_searchpath, str):
            template_searchpath = [template_searchpath]
        self.template_searchpath = list(template_searchpath or [])
        #: Templates render to Python objects rather than text (Airflow's option of that name).
        self.render_template_as_native_obj = bool(render_template_as_native_obj)
        #: Names and Jinja filters every template of the DAG sees (Airflow's options of those names).
        self.user_defined_macros = dict(user_defined_macros or {})
        self.user_defined_filters = dict(user_defined_filters or {})
        #: Called once when a run ends ``success`` / ``failed`` (Airflow's DAG callbacks).
        self.callbacks = callbacks_of(f"DAG {dag_id!r}", {"on_success_callback": on_success_callback,
                                                           "on_failure_callback": on_failure_callback})
        self.fileloc: str | None = None
        self.task_dict: dict[str, DAGNode] = {}
        self.task_group = TaskGroup(None, dag=self)
        for collector in _collectors:
            collector.append(self)

    def template_folders(self) -> list[Path]:
        """Where template files are looked for: ``template_searchpath``, then the DAG file's folder."""
        home = Path(self.fileloc).resolve().parent if self.fileloc else Path.cwd()
        return [home / folder for folder in self.template_searchpath] + [home]

    # -- building -------------------------------------------------------------------------
    def __enter__(self) -> DAG:
        _dag_stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _dag_stack.pop()

    def add_task(self, task: DAGNode) -> None:
        """Add ``task``; :class:`DagDefinitionError` when its id is taken."""
        if task.task_id in self.task_dict:
            raise DagDefinitionError(f"task id {task.task_id!r} appears twice in DAG {self.dag_id!r}")
        self.task_dict[task.task_id] = task

    def unique_task_id(self, task_id: str, group: TaskGroup) -> str:
        """``task_id``, or ``task_id__1``, ``task_id__2``, ... when a task is used again: one more
        than the highest suffix taken in ``group`` (Airflow's ``get_unique_task_id``)."""
        return next_free_id(task_id, self.task_dict, group.child_prefix)

    # -- reading --------------------------------------------------------------------------
    @property
    def tasks(self) -> list[DAGNode]:
        """Every task, in the order they were declared."""
        return list(self.task_dict.values())

    def get_task(self, task_id: str) -> DAGNode:
        """The task with this id; ``KeyError`` when there is none."""
        return self.task_dict[task_id]

    def leaves(self) -> list[DAGNode]:
        """Tasks without a downstream: they decide the run's state."""
        return [t for t in self.task_dict.values() if not t.downstream_task_ids]

    def topological_order(self) -> list[DAGNode]:
        """Tasks with every upstream before its downstream; ``DagDefinitionError`` on a cycle."""
        indegree = {tid: len(t.upstream_task_ids) for tid, t in self.task_dict.items()}
        ready = [tid for tid, n in indegree.items() if n == 0]
        order: list[DAGNode] = []
        while ready:
            tid = ready.pop(0)
            order.append(self.task_dict[tid])
            for down in sorted(self.task_dict[tid].downstream_task_ids):
                indegree[down] -= 1
                if indegree[down] == 0:
                    ready.append(down)
        if len(order) != len(self.task_dict):
            stuck = sorted(tid for tid, n in indegree.items() if n > 0)
            raise DagDefinitionError(f"DAG {self.dag_id!r} has a cycle through tasks {', '.join(stuck)}")
        return order

    def iter_downstream(self, task_id: str) -> Iterator[DAGNode]:
        """Every task downstream of ``task_id``, transitively."""
        seen: set[str] = set()
        pending = list(self.task_dict[task_id].downstream_task_ids)
        while pending:
            tid = pending.pop()
            if tid in seen:
                continue
            seen.add(tid)
            yield self.task_dict[tid]
            pending.extend(self.task_dict[tid].downstream_task_ids)

    def expand_sources(self) -> dict[str, frozenset[str]]:
        """``{task_id: XCom keys}`` of the tasks whose output some ``expand()`` maps over: what
        they must push (see :func:`orchestrator.expand_input.check_map_source`)."""
        cached = getattr(self, "_expand_sources", None)
        if cached is None:
            keys: dict[str, set[str]] = {}
            for task in self.task_dict.values():
                expand_input = task.expand_input
                if expand_input is not None:
                    for operator, key in expand_input.iter_keyed_references():
                        keys.setdefault(operator.task_id, set()).add(key)
            cached = self._expand_sources = {task_id: frozenset(found) for task_id, found in keys.items()}
        return cached

    def validate(self) -> None:
        """Refuse what cannot run: a cycle, a DAG without tasks, an edge to an unknown task."""
        if not self.task_dict:
            raise DagDefinitionError(f"DAG {self.dag_id!r} has no tasks")
        for task in self.task_dict.values():
            for other in task.upstream_task_ids | task.downstream_task_ids:
                if other not in self.task_dict:
                    raise DagDefinitionError(
                        f"task {task.task_id!r} of DAG {self.dag_id!r} depends on {other!r} from another DAG"
                    )
        self.topological_order()

    def __repr__(self) -> str:
        return f"<DAG {self.dag_id!r}>"


def dag(dag_id: str | Callable | None = None, **dag_kwargs: Any):
    """Decorator: calling the decorated function builds (and registers) the DAG it declares.

    ``@dag`` and ``@dag(dag_id=..., schedule=..., ...)`` both work; ``dag_id`` defaults to the
    function's name. Extra keyword arguments of the call are passed to the function.
    """
    if callable(dag_id):
        return dag()(dag_id)

    def decorator(fn: Callable[..., Any]) -> Callable[..., DAG]:
        @functools.wraps(fn)
        def build(*args: Any, **kwargs: Any) -> DAG:
            with DAG(dag_id=dag_id or fn.__name__, **dag_kwargs) as new_dag:
                if new_dag.doc_md is None and fn.__doc__:
                    new_dag.doc_md = fn.__doc__
                fn(*args, **{**dag_params(fn, new_dag, args, kwargs), **kwargs})
            return new_dag

        return build

    return decorator


def dag_params(fn: Callable[..., Any], new_dag: DAG, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The ``@dag`` function's parameters the call leaves out, as DAG params (Airflow 2): each
    becomes a param of the DAG (its default the function's; without one, the run's conf must
    give it) and the function receives a :class:`~orchestrator.params.DagParam` in its place,
    resolved to the run's value when an instance runs."""
    import inspect

    from orchestrator.params import NOTSET, DagParam, Param

    given = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
    found = {}
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.name in given or parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            continue
        if parameter.name not in new_dag.params:
            default = parameter.default
            new_dag.params[parameter.name] = Param(NOTSET) if default is parameter.empty else default
        found[parameter.name] = DagParam(parameter.name)
    return found


def chain(*items: Any) -> None:
    """``chain(a, b, [c, d], e)``: each item upstream of the next; lists pair up element-wise
    when two lists of the same length follow each other, else fan out / in."""
    for upstream, downstream in zip(items, items[1:], strict=False):
        if isinstance(upstream, (list, tuple)) and isinstance(downstream, (list, tuple)):
            if len(upstream) != len(downstream):
                raise DagDefinitionError(
                    f"chain() pairs lists element-wise: got lengths {len(upstream)} and {len(downstream)}"
                )
            for up, down in zip(upstream, downstream, strict=True):
                up >> down
        elif isinstance(upstream, (list, tuple)):
            for up in upstream:
                up >> downstream
        else:
            upstream >> downstream


def cross_downstream(from_tasks: Sequence[Any], to_tasks: Any) -> None:
    """Every task of ``from_tasks`` upstream of every task of ``to_tasks`` (Airflow's
    ``cross_downstream``; tasks or task outputs)."""
    for task in from_tasks:
        task >> to_tasks


def chain_linear(*elements: Any) -> None:
    """Each element (a task, an output or a list of them) upstream of every task of the next
    (Airflow 2.7's ``chain_linear``); raises :class:`DagDefinitionError` when no edge is made."""
    from orchestrator.utils.edgemodifier import Label

    previous: list[Any] | None = None
    linked = False
    for element in elements:
        if isinstance(element, Label):
            raise DagDefinitionError("chain_linear() does not take labels: use chain()")
        if previous is not None:
            for task in previous:
                task >> element
                linked = True
        previous = list(element) if isinstance(element, (list, tuple)) else [element]
    if not linked:
        raise DagDefinitionError("chain_linear() set no dependency: give it two or more tasks (or lists), "
                                 "e.g. chain_linear(*tasks)")


def collecting_dags() -> list[DAG]:
    """Start collecting every DAG created from now on; pair with :func:`stop_collecting`."""
    collector: list[DAG] = []
    _collectors.append(collector)
    return collector


def stop_collecting(collector: list[DAG]) -> None:
    _collectors.remove(collector)


__all__ = ["DAG", "XComArg", "chain", "chain_linear", "cross_downstream", "current_dag", "dag"]
