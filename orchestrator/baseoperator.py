"""Operators: the nodes of a DAG. ``BaseOperator`` runs once; ``MappedOperator`` once per map index."""
from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from orchestrator.dependency import DependencyMixin, iter_nested, nodes_of
from orchestrator.errors import DagDefinitionError
from orchestrator.expand_input import ExpandInput
from orchestrator.identifiers import validate_key
from orchestrator.setup_teardown import SetupTeardownMixin
from orchestrator.task_group import MappedArgument, TaskGroup, current_task_group
from orchestrator.trigger_rules import TriggerRule
from orchestrator.xcom_arg import PlainXComArg, XComArg, iter_xcom_args

if TYPE_CHECKING:
    from orchestrator.dag import DAG
    from orchestrator.mappedoperator import OperatorPartial

#: Arguments every operator takes; none of them may be mapped over (as in Airflow).
BASE_OPERATOR_ARGS = frozenset(
    {
        "task_id",
        "dag",
        "task_group",
        "trigger_rule",
        "retries",
        "retry_delay",
        "queue",
        "pool",
        "pool_slots",
        "priority_weight",
        "batch_size",
        "min_success_ratio",
        "do_xcom_push",
        "execution_timeout",
        "owner",
        "doc_md",
        "email",
        "depends_on_past",
        "ignore_first_depends_on_past",
        "wait_for_downstream",
        "wait_for_past_depends_before_skipping",
        "max_active_tis_per_dag",
        "max_active_tis_per_dagrun",
        "task_concurrency",
        "weight_rule",
        "map_index_template",
        "on_execute_callback",
        "on_success_callback",
        "on_failure_callback",
        "on_retry_callback",
        "on_skipped_callback",
        "retry_exponential_backoff",
        "max_retry_delay",
        "params",
        # Accepted for Airflow DAG files, without effect here (no SLAs, e-mail, executors or
        # lineage): a DAG using them runs as it would without them.
        "email_on_failure",
        "email_on_retry",
        "start_date",
        "end_date",
        "sla",
        "resources",
        "run_as_user",
        "executor",
        "executor_config",
        "inlets",
        "outlets",
        "doc",
        "doc_json",
        "doc_yaml",
        "doc_rst",
        "task_display_name",
        "logger_name",
        "allow_nested_operators",
        "show_return_value_in_logs",
    }
)

#: Airflow's task callbacks: called in the worker with the instance's context (see workers/instance_runner.py).
CALLBACK_ARGS = ("on_execute_callback", "on_success_callback", "on_failure_callback", "on_retry_callback",
                 "on_skipped_callback")

#: Airflow's default delay between two tries of a task.
DEFAULT_RETRY_DELAY = timedelta(seconds=300)

#: Airflow 2's deprecated trigger rule names and what ``BaseOperator.__init__`` takes them for
#: (with a ``RemovedInAirflow3Warning``).
DEPRECATED_TRIGGER_RULES = {"dummy": TriggerRule.ALWAYS,
                            "none_failed_or_skipped": TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS}


def _parse_retries(task_id: Any, retries: Any) -> int:
    """Airflow's ``parse_retries``: an int, or what converts to one (``"2"``); else refused naming it."""
    if retries is None:
        return 0
    try:
        return int(retries)
    except (TypeError, ValueError):
        kind = type(retries).__name__
        raise DagDefinitionError(f"task {task_id!r}: 'retries' type must be int, not {kind}") from None


def _current_rule_name(rule: Any) -> Any:
    """``rule``, or what a deprecated name stands for (a ``DeprecationWarning`` says which)."""
    current = DEPRECATED_TRIGGER_RULES.get(rule) if isinstance(rule, str) else None
    if current is None:
        return rule
    warnings.warn(f"{rule} Trigger Rule is deprecated. Please use `{current.value}`.", DeprecationWarning,
                  stacklevel=4)
    return current


# Set while an operator is built at run time from a mapped one: it must not join the DAG again.
_detached: ContextVar[bool] = ContextVar("chordflow_detached_operator", default=False)


@contextlib.contextmanager
def detached_operators() -> Iterator[None]:
    """Inside, operators are built without joining a DAG (the operator one map index runs)."""
    token = _detached.set(True)
    try:
        yield
    finally:
        _detached.reset(token)


def refers_to_outputs(value: Any) -> bool:
    """Whether ``value`` holds a task's output, a mapped group's argument or a ``@dag`` function's
    parameter (resolved when the instance runs), at any depth."""
    from orchestrator.params import DagParam

    return next(iter_nested(value, (XComArg, MappedArgument, DagParam)), None) is not None


class DAGNode(SetupTeardownMixin, DependencyMixin):
    """What the scheduler needs to know of a task: its id, edges and scheduling options."""

    task_id: str
    dag: DAG | None
    task_group: TaskGroup | None
    trigger_rule: TriggerRule
    retries: int
    retry_delay: timedelta
    queue: str | None
    #: The pool its instances take slots of (``None``: ``default_pool``), and how many each takes.
    pool: str | None
    pool_slots: int
    #: Airflow's priority: its own weight, summed along the DAG by ``weight_rule`` (see
    #: :mod:`orchestrator.weight_rule`); higher-weighted waiting instances get free slots first.
    priority_weight: int
    weight_rule: str
    #: Most instances of this task holding a slot at once, over all runs of its DAG / in one run
    #: (``None``: no limit); see :mod:`orchestrator.admission`.
    max_active_tis_per_dag: int | None
    max_active_tis_per_dagrun: int | None
    batch_size: int | None
    min_success_ratio: float | None
    do_xcom_push: bool
    #: Jinja template naming each map index (Airflow 2.9), rendered with the instance's context
    #: after it ran; ``None``: instances are known by their number only.
    map_index_template: str | None
    #: Airflow's callbacks by name (``on_failure_callback``, ...): each a list of callables.
    callbacks: dict[str, list[Callable[[dict], Any]]]
    #: Seconds a try may run before it fails with a timeout (``None``: no limit).
    execution_timeout: float | None
    #: Double the delay after each failed try (Airflow's option), at most ``max_retry_delay``.
    retry_exponential_backoff: bool
    max_retry_delay: timedelta | None
    #: The task's own params, over the DAG's (``--conf`` still overrides both).
    params: dict[str, Any]
    #: Airflow's ``depends_on_past``: an instance runs only once its counterpart in the DAG's previous
    #: run (by logical date) ended ``success`` or ``skipped`` (see :mod:`orchestrator.past_dependency`).
    depends_on_past: bool = False
    #: Airflow's ``wait_for_downstream`` (implies ``depends_on_past``): also the previous run's instances
    #: of the task's immediate downstream tasks must have ended ``success`` or ``skipped``.
    wait_for_downstream: bool = False
    #: Airflow's ``ignore_first_depends_on_past``: a task no earlier run has does not wait for the past.
    ignore_first_depends_on_past: bool = False
    #: Airflow's ``wait_for_past_depends_before_skipping``: an instance its trigger rule or a branch
    #: skips stays undecided until its past dependency is met (``upstream_failed`` never waits).
    wait_for_past_depends_before_skipping: bool = False
    #: Its instances push a skip decision (branch, short-circuit): see :mod:`orchestrator.branching`.
    decides_skips: ClassVar[bool] = False
    #: A setup task (Airflow's ``as_setup()``): its teardowns run when it succeeded.
    is_setup: bool = False
    #: A teardown task (Airflow's ``as_teardown()``): runs after its scope even when work failed,
    #: and does not decide the run's state unless ``on_failure_fail_dagrun``.
    is_teardown: bool = False
    on_failure_fail_dagrun: bool = False

    def delay_before_try(self, try_number: int) -> float:
        """Seconds to wait before try ``try_number`` (2 for the first retry): ``retry_delay``, or
        with exponential backoff ``retry_delay * 2 ** (try_number - 2)`` up to ``max_retry_delay``."""
        delay = self.retry_delay.total_seconds()
        if self.retry_exponential_backoff:
            delay *= 2 ** max(try_number - 2, 0)
            if self.max_retry_delay is not None:
                delay = min(delay, self.max_retry_delay.total_seconds())
        return delay

    def _init_node(
        self,
        *,
        task_id: str,
        dag: DAG | None = None,
        task_group: TaskGroup | None = None,
        trigger_rule: TriggerRule | str | None = None,
        retries: int | None = None,
        retry_delay: timedelta | float | None = None,
        queue: str | None = None,
        pool: str | None = None,
        batch_size: int | None = None,
        min_success_ratio: float | None = None,
        do_xcom_push: bool = True,
        map_index_template: str | None = None,
        **other_base: Any,
    ) -> None:
        from orchestrator.dag import callbacks_of, current_dag

        self.upstream_task_ids: set[str] = set()
        self.downstream_task_ids: set[str] = set()
        detached = _detached.get()
        self.dag = None if detached else (dag or current_dag())
        if self.dag is not None:
            task_group = task_group or current_task_group(self.dag)
        defaults = task_group.task_defaults() if task_group is not None and self.dag is not None else {}

        def pick(name: str, given: Any, fallback: Any) -> Any:
            if given is not None:
                return given
            return defaults.get(name, fallback)

        if detached:  # (a copy of a task already checked, its id with its group's prefix)
            if not isinstance(task_id, str) or not task_id:
                raise DagDefinitionError(f"task_id must be a non-empty string, got {task_id!r}")
        else:
            validate_key("task_id", task_id)
        try:
            rule = _current_rule_name(pick("trigger_rule", trigger_rule, TriggerRule.ALL_SUCCESS))
            self.trigger_rule = TriggerRule(rule)
        except ValueError:
            raise DagDefinitionError(
                f"task {task_id!r}: unknown trigger_rule {trigger_rule!r}; "
                f"choose one of {', '.join(r.value for r in TriggerRule)}"
            ) from None
        self.retries = _parse_retries(task_id, pick("retries", retries, 0))
        delay = pick("retry_delay", retry_delay, DEFAULT_RETRY_DELAY)
        self.retry_delay = delay if isinstance(delay, timedelta) else timedelta(seconds=float(delay))
        self.queue = pick("queue", queue, None)
        self.pool = pick("pool", pool, None)
        self._init_limits(task_id, pick, other_base)
        self.batch_size = pick("batch_size", batch_size, None)
        if self.batch_size is not None and int(self.batch_size) < 1:
            raise DagDefinitionError(f"task {task_id!r}: batch_size must be at least 1, got {self.batch_size}")
        self.min_success_ratio = pick("min_success_ratio", min_success_ratio, None)
        if self.min_success_ratio is not None and not 0 <= float(self.min_success_ratio) <= 1:
            raise DagDefinitionError(
                f"task {task_id!r}: min_success_ratio must be between 0 and 1, got {self.min_success_ratio}"
            )
        self.do_xcom_push = do_xcom_push
        self.map_index_template = pick("map_index_template", map_index_template, None)
        if self.map_index_template is not None and not isinstance(self.map_index_template, str):
            raise DagDefinitionError(f"task {task_id!r}: map_index_template must be a string (a Jinja template), "
                                     f"got {type(self.map_index_template).__name__}")
        self.retry_exponential_backoff = bool(pick("retry_exponential_backoff",
                                                   other_base.get("retry_exponential_backoff"), False))
        most = pick("max_retry_delay", other_base.get("max_retry_delay"), None)
        self.max_retry_delay = None if most is None else (
            most if isinstance(most, timedelta) else timedelta(seconds=float(most)))
        self.params = dict(other_base.get("params") or {})
        self.wait_for_downstream = bool(pick("wait_for_downstream", other_base.get("wait_for_downstream"), False))
        # As in Airflow's BaseOperator: waiting for the previous run's downstream implies depending on it.
        self.depends_on_past = self.wait_for_downstream or bool(
            pick("depends_on_past", other_base.get("depends_on_past"), False))
        self.ignore_first_depends_on_past = bool(pick("ignore_first_depends_on_past",
                                                      other_base.get("ignore_first_depends_on_past"), False))
        self.wait_for_past_depends_before_skipping = bool(pick(
            "wait_for_past_depends_before_skipping", other_base.get("wait_for_past_depends_before_skipping"), False))
        timeout = pick("execution_timeout", other_base.get("execution_timeout"), None)
        if timeout is not None and not isinstance(timeout, timedelta):  # (Airflow's words)
            raise DagDefinitionError(f"task {task_id!r}: execution_timeout must be timedelta object but passed as "
                                     f"type: {type(timeout)}")
        self.execution_timeout = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
        self.callbacks = callbacks_of(f"task {task_id!r}",
                                      {name: pick(name, other_base.get(name), None) for name in CALLBACK_ARGS})
        if detached:
            self.task_id = task_id
            self.task_group = task_group
            return
        if self.dag is None:
            raise DagDefinitionError(f"task {task_id!r} is created outside a DAG: use `with DAG(...)` or @dag")
        self.task_group = task_group or current_task_group(self.dag)
        self.task_id = self.task_group.child_prefix + task_id
        self.task_group.add_child(self)
        self.dag.add_task(self)

    def _init_limits(self, task_id: str, pick: Callable[[str, Any, Any], Any], given: dict[str, Any]) -> None:
        """Pool, priority and concurrency limits, checked as Airflow checks them; raises
        :class:`DagDefinitionError` naming the task and the argument."""
        from orchestrator.weight_rule import WeightRule

        if self.pool is not None and (not isinstance(self.pool, str) or not self.pool):
            raise DagDefinitionError(f"task {task_id!r}: pool must be a pool's name, got {self.pool!r}")

        def whole(name: str, fallback: int | None, least: int | None) -> int | None:
            value = pick(name, given.get(name), fallback)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int) or (least is not None and value < least):
                wanted = "a whole number" if least is None else f"a whole number of at least {least}"
                raise DagDefinitionError(f"task {task_id!r}: {name} must be {wanted}, got {value!r}")
            return value

        self.pool_slots = whole("pool_slots", 1, 1)
        self.priority_weight = whole("priority_weight", 1, None)
        rule = pick("weight_rule", given.get("weight_rule"), WeightRule.DOWNSTREAM)
        try:
            self.weight_rule = WeightRule(rule).value
        except ValueError:
            raise DagDefinitionError(f"task {task_id!r}: unknown weight_rule {rule!r}; choose one of "
                                     f"{', '.join(r.value for r in WeightRule)}") from None
        # ``task_concurrency`` is Airflow's older name of ``max_active_tis_per_dag``.
        per_dag = whole("max_active_tis_per_dag", None, 1)
        self.max_active_tis_per_dag = per_dag if per_dag is not None else whole("task_concurrency", None, 1)
        self.max_active_tis_per_dagrun = whole("max_active_tis_per_dagrun", None, 1)

    # -- mapping --------------------------------------------------------------------------
    @property
    def is_mapped(self) -> bool:
        """True when the task runs once per map index (its own expand() or a mapped group's)."""
        return self.mapped_group is not None

    @property
    def mapped_group(self):
        """The mapped task group this task is in, at any depth (``None``: none)."""
        return self.task_group.mapped_ancestor() if self.task_group else None

    @property
    def expand_input(self) -> ExpandInput | None:
        """What this task is expanded over: its own expand(), else its mapped group's."""
        group = self.mapped_group
        return group.expand_input if group is not None else None

    def _link_references(self, values: Any) -> None:
        """Make every task whose output ``values`` reads (directly or via a mapped group) upstream."""
        for arg in iter_xcom_args(values):
            for op in arg.iter_references():
                self.set_upstream(op)
        for mapped_arg in iter_nested(values, MappedArgument):
            for op in mapped_arg.group.expand_input.iter_upstream():
                self.set_upstream(op)

    @property
    def output(self) -> PlainXComArg:
        """A reference to this task's return value (Airflow's ``.output``)."""
        return PlainXComArg(self)

    # -- dependencies ---------------------------------------------------------------------
    @override
    def tasks_as_downstream(self) -> Iterator[DAGNode]:
        yield self

    @override
    def tasks_as_upstream(self) -> Iterator[DAGNode]:
        yield self

    @override
    def set_upstream(self, other: Any) -> None:
        """Make ``other`` (a task, an output, a group, or a list of them) run before this task;
        :class:`DagDefinitionError` for an edge to itself."""
        for node in nodes_of(other, as_upstream=True):
            if node is self:
                raise DagDefinitionError(f"task {self.task_id!r} cannot depend on itself")
            self.upstream_task_ids.add(node.task_id)
            node.downstream_task_ids.add(self.task_id)

    @override
    def set_downstream(self, other: Any) -> None:
        """Make ``other`` run after this task."""
        for node in nodes_of(other, as_upstream=False):
            node.set_upstream(self)

    def __repr__(self) -> str:
        """``<ClassName 'task_id'>``."""
        return f"<{type(self).__name__} {self.task_id!r}>"


class _OperatorMeta(type):
    """Runs :meth:`BaseOperator._after_init` once the outermost ``__init__`` returned: a subclass
    sets its own attributes after ``super().__init__()``, as Airflow's operators do."""

    def __call__(cls, *args: Any, **kwargs: Any):
        operator = super().__call__(*args, **kwargs)
        operator._after_init()
        return operator


class BaseOperator(DAGNode, metaclass=_OperatorMeta):
    """An operator: one unit of work; subclasses implement :meth:`execute`.

    :param task_id: unique in the DAG (prefixed with the task group's id).
    :param trigger_rule: when it runs given its upstream states (default ``all_success``).
    :param retries: how many times a failed try is retried (default 0).
    :param retry_delay: wait before a retry (default 300 s).
    :param queue: the Celery queue its instances are sent to (default: the default queue).
    :param batch_size: map indices per Celery message (default: chosen from the map's size).
    :param min_success_ratio: run once all upstream instances are done and this share succeeded.
    :param do_xcom_push: store the return value as XCom (default ``True``).
    :param depends_on_past: run an instance only once the same instance (same map index) of the
        DAG's previous run ended ``success``/``skipped`` (default ``False``).
    :param wait_for_downstream: also wait for the previous run's immediate downstream instances
        (default ``False``; ``True`` sets ``depends_on_past``).
    :param ignore_first_depends_on_past: do not wait when no earlier run has the task (default ``False``).
    :param wait_for_past_depends_before_skipping: skip an instance only once its past dependency
        is met (default ``False``: skipped at once).
    """

    #: Attributes rendered as Jinja templates (and searched for XComArgs) before execute().
    template_fields: ClassVar[Sequence[str]] = ()
    #: Ids of the values in this copy's fields that were read from task outputs (set by the
    #: worker's Materializer): data, which rendering leaves alone.
    output_value_ids: frozenset[int] = frozenset()
    #: A templated field ending with one of these names a template file (``transform.sql``),
    #: looked for in the DAG's ``template_searchpath`` and its file's folder, as Airflow does.
    template_ext: ClassVar[Sequence[str]] = ()

    def __init__(self, *, task_id: str, **kwargs: Any):
        """Raises :class:`DagDefinitionError` naming any argument Airflow's BaseOperator does not take."""
        unknown = set(kwargs) - BASE_OPERATOR_ARGS
        if unknown:
            raise DagDefinitionError(
                f"invalid arguments were passed to {type(self).__name__} (task_id: {task_id}): "
                f"{', '.join(sorted(unknown))}"
            )
        self._init_node(task_id=task_id, **kwargs)

    def _after_init(self) -> None:
        """A task output given to the constructor makes its task upstream (Airflow's
        ``set_xcomargs_dependencies``) and is resolved at run time -- in a templated field only:
        elsewhere the operator would receive the reference itself, so that is refused."""
        if _detached.get():
            return
        for name, value in vars(self).items():
            if name not in self.template_fields and refers_to_outputs(value):
                raise DagDefinitionError(
                    f"task {self.task_id!r}: {type(self).__name__}.{name} is given a task's output, but {name!r} "
                    f"is not in {type(self).__name__}.template_fields, so it would not be resolved at run time: "
                    f"add it to template_fields (as in Airflow)"
                )
        self._link_references([getattr(self, name, None) for name in self.template_fields])

    def execute(self, context: dict[str, Any]) -> Any:
        """Do the work of one task instance with its ``context``; the return value is its XCom."""
        raise NotImplementedError(f"{type(self).__name__} does not implement execute()")

    def render_template_fields(self, context: dict[str, Any]) -> None:
        """Render every templated field with ``context`` (template files read first); what was
        read from task outputs (``output_value_ids``, set when XComArgs were resolved) is data,
        not rendered, as in Airflow."""
        from orchestrator.context import render_template

        data = self.output_value_ids
        for name in self.template_fields:
            value = getattr(self, name, None)
            if isinstance(value, str) and self.template_ext and value.endswith(tuple(self.template_ext)):
                if id(value) in data:
                    continue
                value = read_template_file(value, context.get("dag"))
            setattr(self, name, render_template(value, context, data))

    def copy_for_run(self) -> BaseOperator:
        """A copy whose templated fields may be rendered without touching the DAG's operator."""
        return copy.copy(self)

    @classmethod
    def partial(cls, **kwargs: Any) -> OperatorPartial:
        """Fix the arguments every map index shares; finish with :meth:`OperatorPartial.expand`."""
        from orchestrator.mappedoperator import OperatorPartial  # (it builds on this module)

        return OperatorPartial(cls, kwargs)


def read_template_file(name: str, dag: Any) -> str:
    """The text of template file ``name`` (see :attr:`BaseOperator.template_ext`)."""
    folders = dag.template_folders() if dag is not None else [Path.cwd()]
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate.read_text()
    raise FileNotFoundError(f"template file {name!r} not found in {', '.join(str(f) for f in folders)}")
