"""``@task`` (with ``@task.branch``, ``@task.short_circuit``), ``@setup``, ``@teardown`` and
``@task_group``: TaskFlow-style authoring, mappable like Airflow's."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from orchestrator.baseoperator import BASE_OPERATOR_ARGS, DAGNode
from orchestrator.dag import current_dag
from orchestrator.errors import DagDefinitionError, UnsupportedDecorator
from orchestrator.expand_input import DictOfListsExpandInput, ExpandInput, ListOfDictsExpandInput
from orchestrator.identifiers import next_free_id
from orchestrator.mappedoperator import OperatorPartial
from orchestrator.operators.bash import DecoratedBashOperator
from orchestrator.operators.python import (
    DecoratedBranchOperator,
    DecoratedPythonOperator,
    DecoratedShortCircuitOperator,
)
from orchestrator.sensors.python import DecoratedSensorOperator
from orchestrator.task_group import MappedArgument, MappedTaskGroup, TaskGroup, current_task_group
from orchestrator.xcom_arg import PlainXComArg, XComArg

#: Context entries a task function may name as parameters without a caller passing them, and may
#: not map over: Airflow 2.10's ``KNOWN_CONTEXT_KEYS`` (utils/context.py). Some are never in
#: Chordflow's context (``conf``, ``conn``, dataset events: see :func:`~orchestrator.context.build_context`).
CONTEXT_KEYS = frozenset(
    {"conf", "conn", "dag", "dag_run", "data_interval_end", "data_interval_start", "ds", "ds_nodash",
     "execution_date", "expanded_ti_count", "exception", "inlets", "inlet_events", "logical_date", "macros",
     "map_index_template", "next_ds", "next_ds_nodash", "next_execution_date", "outlets", "outlet_events",
     "params", "prev_data_interval_start_success", "prev_data_interval_end_success", "prev_ds", "prev_ds_nodash",
     "prev_execution_date", "prev_execution_date_success", "prev_start_date_success", "prev_end_date_success",
     "reason", "run_id", "task", "task_instance", "task_instance_key_str", "test_mode", "templates_dict", "ti",
     "tomorrow_ds", "tomorrow_ds_nodash", "triggering_dataset_events", "ts", "ts_nodash", "ts_nodash_with_tz",
     "try_number", "var", "yesterday_ds", "yesterday_ds_nodash"}
)

#: Keyword arguments of ``@task(...)`` beyond the operator ones.
_TASK_OPTIONS = frozenset({"multiple_outputs"})
#: What ``@task_group(...)`` passes to its TaskGroup (besides ``group_id``).
_GROUP_OPTIONS = frozenset({"prefix_group_id", "default_args", "tooltip", "ui_color", "ui_fgcolor"})


def _returns_dict(fn: Callable[..., Any]) -> bool:
    """Airflow infers ``multiple_outputs`` from a ``-> dict`` return annotation."""
    try:
        annotation = inspect.signature(fn, eval_str=True).return_annotation
    except Exception:  # an annotation that does not evaluate says nothing
        return False
    return annotation is dict or getattr(annotation, "__origin__", None) is dict


def _require_dag(what: str) -> None:
    if current_dag() is None:
        raise DagDefinitionError(f"{what} is used outside a DAG: call it inside `with DAG(...)` or an @dag function")


class TaskDecorator:
    """A function decorated with ``@task``: calling it adds a task to the active DAG.

    :param function: the task's function.
    :param options: the ``@task(...)`` arguments.
    :param operator_class: what each use builds (default :class:`DecoratedPythonOperator`;
        ``@task.branch`` and ``@task.short_circuit`` build their own).
    :param role: ``"setup"`` or ``"teardown"`` (``@setup``/``@teardown``), else ``None``.
    :param on_failure_fail_dagrun: a teardown's failure fails the run (``@teardown(on_failure_fail_dagrun=True)``).
    """

    def __init__(self, function: Callable[..., Any], options: dict[str, Any],
                 operator_class: type = DecoratedPythonOperator,
                 role: str | None = None, on_failure_fail_dagrun: bool = False):
        extra = getattr(operator_class, "decorator_options", frozenset())
        unknown = set(options) - BASE_OPERATOR_ARGS - _TASK_OPTIONS - extra
        if unknown:
            raise DagDefinitionError(f"@task got unexpected arguments: {', '.join(sorted(unknown))}")
        self.function = function
        self.options = options
        self.operator_class = operator_class
        self.role = role
        self.on_failure_fail_dagrun = on_failure_fail_dagrun
        self.signature = inspect.signature(function)
        #: The first parameter named as a context entry with a default other than None (refused
        #: when the task is used: see :meth:`_check_context_defaults`), found once.
        self._context_default = next((p.name for p in self.signature.parameters.values()
                                      if p.name in CONTEXT_KEYS and p.default not in (None, p.empty)), None)
        functools.update_wrapper(self, function)

    @property
    def _accepts_any_kwargs(self) -> bool:
        return any(p.kind is p.VAR_KEYWORD for p in self.signature.parameters.values())

    def _task_id(self) -> str:
        dag = current_dag()
        assert dag is not None
        base = self.options.get("task_id") or self.function.__name__
        return dag.unique_task_id(base, current_task_group(dag))

    def _base_options(self) -> dict[str, Any]:
        options = {k: v for k, v in self.options.items() if k != "task_id" and k not in _TASK_OPTIONS}
        options["multiple_outputs"] = self.options.get("multiple_outputs", _returns_dict(self.function))
        return options

    def _check_context_defaults(self) -> None:
        """Airflow's DecoratedOperator: a parameter named as a context entry defaults to None or nothing."""
        if self._context_default is not None:
            raise DagDefinitionError(f"task {self.function.__name__!r}: context key parameter "
                                     f"{self._context_default!r} can't have a default other than None")

    def _check_names(self, names, method: str) -> None:
        params = self.signature.parameters
        self._check_context_defaults()
        if method in ("partial", "expand"):  # (Airflow's _validate_arg_names: context entries are not arguments)
            shadowed = sorted(CONTEXT_KEYS.intersection(names))
            if shadowed:
                raise DagDefinitionError(f"cannot call {method}() on task context variable(s) "
                                         f"{', '.join(map(repr, shadowed))} of task {self.function.__name__!r}")
        for name in names:
            if name not in params and not self._accepts_any_kwargs:
                hint = " (it is an operator argument: set it in @task(...) or .override())" if (
                    name in BASE_OPERATOR_ARGS) else ""
                raise DagDefinitionError(
                    f"{method}() got an unexpected keyword argument {name!r} for task "
                    f"{self.function.__name__!r}{hint}"
                )

    def _check_complete(self, given) -> None:
        missing = [
            p.name
            for p in self.signature.parameters.values()
            if p.default is p.empty
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and p.name not in given
            and p.name not in CONTEXT_KEYS
        ]
        if missing:
            raise DagDefinitionError(
                f"task {self.function.__name__!r} is missing required argument(s): {', '.join(missing)}"
            )

    def __call__(self, *args: Any, **kwargs: Any) -> PlainXComArg:
        """Add one task calling the function with these arguments (outputs of other tasks
        included); returns its output. :class:`DagDefinitionError` outside a DAG, for unknown or
        missing arguments."""
        _require_dag(f"task {self.function.__name__!r}")
        try:
            bound = self.signature.bind_partial(*args, **kwargs)
        except TypeError as exc:
            raise DagDefinitionError(f"task {self.function.__name__!r}: {exc}") from None
        op_kwargs = dict(bound.arguments)
        for param in self.signature.parameters.values():
            if param.kind is param.VAR_KEYWORD and param.name in op_kwargs:
                op_kwargs.update(op_kwargs.pop(param.name))
            elif param.kind is param.VAR_POSITIONAL and param.name in op_kwargs:
                raise DagDefinitionError(f"task {self.function.__name__!r}: *args parameters are not supported")
        self._check_context_defaults()
        self._check_complete(op_kwargs)
        operator = self.operator_class(
            task_id=self._task_id(), python_callable=self.function, op_kwargs=op_kwargs, **self._base_options()
        )
        return PlainXComArg(self._mark(operator))

    def _mark(self, node: DAGNode) -> DAGNode:
        """Make ``node`` a setup or teardown task when this decorator says so."""
        if self.role == "setup":
            node.as_setup()
        elif self.role == "teardown":
            node.as_teardown(on_failure_fail_dagrun=self.on_failure_fail_dagrun)
        return node

    def partial(self, **kwargs: Any) -> TaskPartial:
        """Fix the arguments every map index shares."""
        _require_dag(f"task {self.function.__name__!r}")
        self._check_names(kwargs, "partial")
        return TaskPartial(self, kwargs)

    def expand(self, **mapped: Any) -> PlainXComArg:
        """One task instance per element (several arguments: their cross product)."""
        return self.partial().expand(**mapped)

    def expand_kwargs(self, value: Any, *, strict: bool = True) -> PlainXComArg:
        """One task instance per dict of keyword arguments (``strict``: see :meth:`TaskPartial.expand_kwargs`)."""
        return self.partial().expand_kwargs(value, strict=strict)

    def override(self, **options: Any) -> TaskDecorator:
        """The same task with other operator arguments, e.g. ``.override(task_id="load_csv")``."""
        return TaskDecorator(self.function, {**self.options, **options}, self.operator_class, self.role,
                             self.on_failure_fail_dagrun)


class TaskPartial:
    """``@task`` function with ``partial()`` arguments, waiting for ``expand()``."""

    def __init__(self, decorator: TaskDecorator, kwargs: dict[str, Any]):
        self.decorator = decorator
        self.kwargs = kwargs

    def _operator_partial(self) -> OperatorPartial:
        return OperatorPartial(
            self.decorator.operator_class,
            {
                "task_id": self.decorator._task_id(),
                "python_callable": self.decorator.function,
                "op_kwargs": dict(self.kwargs),
                **self.decorator._base_options(),
            },
            expand_into="op_kwargs",
        )

    def partial(self, **kwargs: Any) -> TaskPartial:
        """More shared arguments (Airflow's ``partial()`` may be called again); one given twice is
        refused as Airflow refuses it."""
        self.decorator._check_names(kwargs, "partial")
        _prevent_duplicates(self.kwargs, kwargs, "duplicate partial", " (partial() was called with it before)")
        return TaskPartial(self.decorator, {**self.kwargs, **kwargs})

    def _refuse_always(self, method: str, task_generated: bool) -> None:
        """Airflow 2.10's rule (decorators/base.py): a task with trigger rule ``always`` may not
        be mapped over a task's output (it would run before the output exists)."""
        if task_generated and self.decorator.options.get("trigger_rule") == "always":
            raise DagDefinitionError(f"Task-generated mapping within a task using {method!r} is not allowed "
                                     f"with trigger rule 'always' (task {self.decorator.function.__name__!r})")

    def expand(self, **mapped: Any) -> PlainXComArg:
        """One task instance per element (several arguments: their cross product); returns the
        mapped task's output (its results, a lazy sequence ordered by map_index)."""
        self._refuse_always("expand", any(isinstance(value, XComArg) for value in mapped.values()))
        if not mapped:
            raise DagDefinitionError(f"no arguments to expand against: expand() of task "
                                     f"{self.decorator.function.__name__!r} needs at least one")
        self.decorator._check_names(mapped, "expand")
        _prevent_duplicates(self.kwargs, mapped, "mapping already partial", " (given to partial() and expand())")
        self.decorator._check_complete({**self.kwargs, **mapped})
        return PlainXComArg(self.decorator._mark(self._operator_partial().expand(**mapped)))

    def expand_kwargs(self, value: Any, *, strict: bool = True) -> PlainXComArg:
        """One task instance per dict of keyword arguments in ``value`` (a list or an output); with
        ``strict`` (Airflow's default) a dict may not repeat a ``partial()`` argument, else the
        dict's value wins (Airflow 2.4's ``strict=False``)."""
        self._refuse_always("expand_kwargs", isinstance(value, (list, tuple)) and any(
            isinstance(v, XComArg) for item in value if isinstance(item, dict) for v in item.values()))
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, dict):
                    self.decorator._check_names(item, "expand_kwargs")
                    if strict:
                        _prevent_duplicates(self.kwargs, item, "mapping already partial", " (given to partial() and "
                                            "expand_kwargs(); strict=False lets the dict's value win)")
        return PlainXComArg(self.decorator._mark(self._operator_partial().expand_kwargs(value, strict=strict)))


class TaskDecoratorCollection:
    """``task``: ``@task`` / ``@task(...)``, and ``@task.<kind>`` for each kind Chordflow has
    (``task.python``; others added as attributes). Any other kind Airflow has (``task.docker``,
    ``task.virtualenv``, ...) is refused in one line naming it and the kinds there are."""

    def __call__(self, python_callable: Callable[..., Any] | None = None, **options: Any):
        """Make a function a task: ``@task`` or ``@task(retries=2, trigger_rule=..., batch_size=...)``."""
        if python_callable is not None:
            return TaskDecorator(python_callable, options)
        return lambda fn: TaskDecorator(fn, options)

    def python(self, python_callable: Callable[..., Any] | None = None, **options: Any):
        """``@task.python``: Airflow's other name for ``@task``."""
        return self(python_callable, **options)

    def supported(self) -> list[str]:
        """The decorators there are: ``@task`` and ``@task.<kind>`` for each kind."""
        kinds = {name for name in dir(self) if not name.startswith("_") and name != "supported"}
        return ["@task", *(f"@task.{name}" for name in sorted(kinds))]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # Python's own probes (copy, pickle, ...) are not decorators
            raise AttributeError(name)
        raise UnsupportedDecorator(f"@task.{name} is not supported by Chordflow (it has {', '.join(self.supported())})")


#: ``@task``, ``@task(...)`` and ``@task.<kind>``.
task = TaskDecoratorCollection()


def _task_of(operator_class: type):
    def decorate(python_callable: Callable[..., Any] | None = None, **options: Any):
        if python_callable is not None:
            return TaskDecorator(python_callable, options, operator_class)
        return lambda fn: TaskDecorator(fn, options, operator_class)

    return decorate


#: ``@task.branch``: the function returns the task id(s) to follow (Airflow's ``BranchPythonOperator``).
task.branch = _task_of(DecoratedBranchOperator)
#: ``@task.short_circuit``: a falsy result skips downstream (Airflow's ``ShortCircuitOperator``).
task.short_circuit = _task_of(DecoratedShortCircuitOperator)
#: ``@task.sensor``: the function is the sensor's poke, returning a bool or a ``PokeReturnValue``.
task.sensor = _task_of(DecoratedSensorOperator)
#: ``@task.bash``: the function returns the command, run as a ``BashOperator``'s.
task.bash = _task_of(DecoratedBashOperator)


def _with_role(target: Callable[..., Any] | TaskDecorator, role: str, on_failure_fail_dagrun: bool) -> TaskDecorator:
    if isinstance(target, TaskDecorator):
        return TaskDecorator(target.function, target.options, target.operator_class, role, on_failure_fail_dagrun)
    return TaskDecorator(target, {}, DecoratedPythonOperator, role, on_failure_fail_dagrun)


def setup(python_callable: Callable[..., Any] | TaskDecorator) -> TaskDecorator:
    """Make a function (or a ``@task``) a setup task, as Airflow's ``@setup``."""
    return _with_role(python_callable, "setup", False)


def teardown(python_callable: Callable[..., Any] | TaskDecorator | None = None, *,
             on_failure_fail_dagrun: bool = False):
    """Make a function (or a ``@task``) a teardown task, as Airflow's ``@teardown`` or
    ``@teardown(on_failure_fail_dagrun=True)``: it runs once its upstream tasks are done and one
    of its setups succeeded, and it does not decide the run's state unless that flag is set."""
    if python_callable is not None:
        return _with_role(python_callable, "teardown", on_failure_fail_dagrun)
    return lambda fn: _with_role(fn, "teardown", on_failure_fail_dagrun)


class TaskGroupDecorator:
    """A function decorated with ``@task_group``: calling it adds its tasks inside a group."""

    def __init__(self, function: Callable[..., Any], options: dict[str, Any], partial_kwargs=None):
        self.function = function
        self.options = options
        self.partial_kwargs = dict(partial_kwargs or {})
        functools.update_wrapper(self, function)

    def _group_id(self, dag) -> str:
        base = self.options.get("group_id") or self.function.__name__
        parent = current_task_group(dag)
        return next_free_id(base, parent.children, parent.child_prefix)

    def _group_options(self) -> dict[str, Any]:
        return {k: v for k, v in self.options.items() if k in _GROUP_OPTIONS}

    def __call__(self, *args: Any, **kwargs: Any):
        """Add the group's tasks once; returns what the function returned when it is a task or an
        output, else the :class:`TaskGroup`."""
        _require_dag(f"task group {self.function.__name__!r}")
        dag = current_dag()
        with TaskGroup(self._group_id(dag), **self._group_options()) as group:
            result = self.function(*args, **{**self.partial_kwargs, **kwargs})
        return result if isinstance(result, (XComArg, DAGNode, TaskGroup)) else group

    def _check_names(self, names, method: str) -> None:
        """Refuse an argument the group's function does not take (Airflow: ``TypeError`` naming it)."""
        parameters = inspect.signature(self.function).parameters
        if any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
            return
        unknown = sorted(set(names) - set(parameters))
        if unknown:
            raise DagDefinitionError(f"{method}() got an unexpected keyword argument {unknown[0]!r} for task group "
                                     f"{self.function.__name__!r}")

    def partial(self, **kwargs: Any) -> TaskGroupDecorator:
        """Fix the arguments every index of the group shares; one given twice is refused, as in Airflow."""
        self._check_names(kwargs, "partial")
        _prevent_duplicates(self.partial_kwargs, kwargs, "duplicate partial", " (partial() was called with it before)")
        return TaskGroupDecorator(self.function, self.options, {**self.partial_kwargs, **kwargs})

    def override(self, **options: Any) -> TaskGroupDecorator:
        """The same group with other options, e.g. ``.override(group_id="per_file")``."""
        return TaskGroupDecorator(self.function, {**self.options, **options}, self.partial_kwargs)

    def expand(self, **mapped: Any):
        """Run the group's chain once per element; a failure stays within its index.

        Returns what the function returned when it is a task's output (a reduce may consume it),
        else the :class:`MappedTaskGroup`."""
        if not mapped:
            raise DagDefinitionError(f"no arguments to expand against: expand() of task group "
                                     f"{self.function.__name__!r} needs at least one")
        self._check_names(mapped, "expand")
        _prevent_duplicates(self.partial_kwargs, mapped, "mapping already partial",
                            " (given to partial() and expand())")
        return self._expand(DictOfListsExpandInput(mapped), list(mapped))

    def expand_kwargs(self, value: Any, *, strict: bool = True):
        """Run the group's chain once per dict of keyword arguments; a parameter a dict leaves out
        takes the function's default (see :meth:`expand` for what is returned). ``strict`` is
        taken as Airflow takes it; a group's ``partial()`` arguments are passed as they are."""
        parameters = inspect.signature(self.function).parameters.values()
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
            raise DagDefinitionError(f"calling expand_kwargs() on task group function {self.function.__name__!r} "
                                     "with * or ** is not supported")
        defaults = {p.name: p.default for p in parameters if p.name not in self.partial_kwargs}
        return self._expand(ListOfDictsExpandInput(value, strict), defaults)

    def _expand(self, expand_input: ExpandInput, names: list[str] | dict[str, Any]):
        """``names``: the mapped parameters, or ``{name: default}`` of them (``expand_kwargs``)."""
        _require_dag(f"task group {self.function.__name__!r}")
        dag = current_dag()
        group = MappedTaskGroup(self._group_id(dag), expand_input, **self._group_options())
        defaults = names if isinstance(names, dict) else {}
        with group:
            arguments = {name: MappedArgument(group, name, defaults.get(name, inspect.Parameter.empty))
                         for name in names}
            result = self.function(**self.partial_kwargs, **arguments)
        sources = list(expand_input.iter_upstream())
        if list(expand_input.iter_references()):  # (Airflow 2.10's MappedTaskGroup.__iter__)
            for child in group.children.values():
                if isinstance(child, DAGNode) and getattr(child, "trigger_rule", None) == "always":
                    raise DagDefinitionError("Task-generated mapping within a mapped task group is not allowed with "
                                             f"trigger rule 'always' (task {child.task_id!r})")
        for root in group.roots():
            for source in sources:
                root.set_upstream(source)
        # As in Airflow: a returned task output stands for the group, so a reduce can consume it.
        return result if isinstance(result, (XComArg, DAGNode)) else group


def _prevent_duplicates(given: dict[str, Any], new: dict[str, Any], reason: str, why: str = "") -> None:
    """Airflow's ``prevent_duplicates``: ``"<reason> argument: <name>"`` for an argument in both."""
    both = sorted(set(given) & set(new))
    if both:
        raise DagDefinitionError(f"{reason} argument: {both[0]!r}{why}")


def task_group(python_callable: Callable[..., Any] | None = None, **options: Any):
    """Make a function a task group: ``@task_group`` or ``@task_group(group_id=...)``."""
    if python_callable is not None:
        return TaskGroupDecorator(python_callable, options)
    return lambda fn: TaskGroupDecorator(fn, options)


# Airflow's ``airflow.decorators`` has ``dag`` too (imported last: ``dag`` is a local name above).
from orchestrator.dag import dag as dag  # noqa: E402
