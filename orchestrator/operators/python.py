"""PythonOperator: call a Python function with its arguments and the run's context."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from typing_extensions import override

from orchestrator.baseoperator import BaseOperator, read_template_file
from orchestrator.branching import XCOM_SKIPMIXIN_KEY, branch_decision, check_branch_option, short_circuit_decision
from orchestrator.context import get_current_context as get_current_context  # Airflow has it here too
from orchestrator.errors import DagDefinitionError, refuse_unsupported

_NO_ENVIRONMENTS = "Chordflow runs every task in its worker's Python: there are no per-task environments"
#: Airflow's names here that Chordflow refuses by name when a DAG file imports them.
__getattr__ = refuse_unsupported(__name__, {
    name: _NO_ENVIRONMENTS for name in ("PythonVirtualenvOperator", "ExternalPythonOperator",
                                        "BranchPythonVirtualenvOperator", "BranchExternalPythonOperator")
})


def is_venv_installed() -> bool:
    """Airflow's check that virtualenv tasks can run, which its example DAGs are guarded by; always ``True``.

    Chordflow has no virtualenv tasks. It answers ``True`` so that such a DAG file is loaded and its
    virtualenv / external-python tasks are refused by name, rather than the file declaring no DAG.
    """
    return True


@functools.lru_cache(maxsize=4096)
def _accepted_names(fn: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword names ``fn`` accepts; ``None`` when it takes ``**kwargs`` (any name)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return frozenset()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def context_kwargs(fn: Callable[..., Any], given: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The context entries ``fn`` asks for: all of them for ``**kwargs``, else those it names."""
    try:
        names = _accepted_names(fn)
    except TypeError:  # an unhashable callable object: no cache
        names = _accepted_names.__wrapped__(fn)
    if names is None:
        return {k: v for k, v in context.items() if k not in given}
    return {k: context[k] for k in names if k in context and k not in given}


def set_callable(operator: BaseOperator, python_callable: Callable[..., Any], op_args: Any, op_kwargs: Any,
                 templates_dict: dict[str, Any] | None, task_id: str | None) -> None:
    """Give ``operator`` (a PythonOperator, a PythonSensor) its function and arguments. Raises
    :class:`DagDefinitionError` when ``python_callable`` is not callable."""
    if not callable(python_callable):
        raise DagDefinitionError(f"python_callable of task {task_id!r} is not callable")
    operator.python_callable = python_callable
    operator.op_args = list(op_args or [])
    operator.op_kwargs = dict(op_kwargs or {})
    operator.templates_dict = templates_dict


def call_with_context(operator: BaseOperator, context: dict[str, Any]) -> Any:
    """``python_callable(*op_args, **op_kwargs)`` of ``operator``, with the context entries the
    function names (and ``templates_dict``) added, as Airflow's PythonOperator calls it."""
    extra = dict(context)
    if operator.templates_dict is not None:
        extra["templates_dict"] = operator.templates_dict
    kwargs = {**operator.op_kwargs, **context_kwargs(operator.python_callable, operator.op_kwargs, extra)}
    return operator.python_callable(*operator.op_args, **kwargs)


class PythonOperator(BaseOperator):
    """Call ``python_callable(*op_args, **op_kwargs)``; its return value is the task's XCom.

    :param python_callable: the function to call.
    :param op_args: positional arguments (templated).
    :param op_kwargs: keyword arguments (templated); context entries the function names (``ti``,
        ``ds``, ``params``, ...) or all of them for ``**context`` are added.
    :param templates_dict: a dict of templates rendered and passed as ``templates_dict``.
    :param templates_exts: file names ending so (``[".sql"]``) in ``templates_dict`` name template
        files, read (from the DAG's ``template_searchpath`` and folder) then rendered, as in Airflow.
    """

    template_fields: ClassVar[tuple[str, ...]] = ("op_args", "op_kwargs", "templates_dict")

    #: What ``@task(...)`` accepts beyond the operator arguments, handed to the operator as they are.
    decorator_options: ClassVar[frozenset[str]] = frozenset({"templates_dict", "templates_exts"})

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: list[Any] | tuple[Any, ...] | None = None,
        op_kwargs: dict[str, Any] | None = None,
        templates_dict: dict[str, Any] | None = None,
        templates_exts: list[str] | tuple[str, ...] | None = None,
        **kwargs: Any,
    ):
        set_callable(self, python_callable, op_args, op_kwargs, templates_dict, kwargs.get("task_id"))
        self.templates_exts = tuple(templates_exts or ())
        super().__init__(**kwargs)

    @override
    def render_template_fields(self, context: dict[str, Any]) -> None:
        if self.templates_exts and isinstance(self.templates_dict, dict):
            self.templates_dict = {
                key: read_template_file(value, context.get("dag"))
                if isinstance(value, str) and value.endswith(self.templates_exts) else value
                for key, value in self.templates_dict.items()
            }
        super().render_template_fields(context)

    @override
    def execute(self, context: dict[str, Any]) -> Any:
        return call_with_context(self, context)


class DecoratedPythonOperator(PythonOperator):
    """What ``@task`` builds: a PythonOperator whose arguments came from calling the function.

    :param multiple_outputs: push each key of a returned dict as its own XCom too, as Airflow
        does (default: true when the function is annotated ``-> dict``).
    """

    def __init__(self, *, multiple_outputs: bool = False, **kwargs: Any):
        self.multiple_outputs = multiple_outputs
        super().__init__(**kwargs)


class BranchPythonOperator(PythonOperator):
    """Call ``python_callable``; it returns the task id (or list of them, or ``None``) of the direct
    downstream tasks to follow, and the others are skipped (Airflow's ``BranchPythonOperator``).

    The decision is pushed as XCom ``skipmixin_key`` with the instance's success; the advance step
    applies it (see :mod:`orchestrator.branching`). Takes :class:`PythonOperator`'s parameters.
    """

    #: Its instances push a skip decision the advance step applies.
    decides_skips: ClassVar[bool] = True

    @override
    def execute(self, context: dict[str, Any]) -> Any:
        chosen = super().execute(context)
        ti = context["ti"]
        ti.xcom_push(XCOM_SKIPMIXIN_KEY, branch_decision(context["dag"], ti.task_id, chosen))
        return chosen


class ShortCircuitOperator(PythonOperator):
    """Call ``python_callable``; when the result is falsy, skip downstream (Airflow's ``ShortCircuitOperator``).

    :param ignore_downstream_trigger_rules: ``True`` (default): skip every task downstream, whatever
        its trigger rule; ``False``: skip the direct downstream tasks only and let the trigger rules
        of the tasks after them decide. Teardown tasks are never skipped by it.

    Takes :class:`PythonOperator`'s parameters too; the result is the task's XCom.
    """

    #: Its instances push a skip decision the advance step applies.
    decides_skips: ClassVar[bool] = True
    #: What ``@task.short_circuit(...)`` accepts beyond the operator arguments.
    decorator_options: ClassVar[frozenset[str]] = PythonOperator.decorator_options | {"ignore_downstream_trigger_rules"}

    def __init__(self, *, ignore_downstream_trigger_rules: bool = True, **kwargs: Any):
        self.ignore_downstream_trigger_rules = check_branch_option(kwargs.get("task_id", "?"),
                                                                   ignore_downstream_trigger_rules)
        super().__init__(**kwargs)

    @override
    def execute(self, context: dict[str, Any]) -> Any:
        condition = super().execute(context)
        if not condition:
            ti = context["ti"]
            decision = short_circuit_decision(context["dag"], ti.task_id, self.ignore_downstream_trigger_rules)
            ti.xcom_push(XCOM_SKIPMIXIN_KEY, decision)
        return condition


class DecoratedBranchOperator(DecoratedPythonOperator, BranchPythonOperator):
    """What ``@task.branch`` builds."""


class DecoratedShortCircuitOperator(DecoratedPythonOperator, ShortCircuitOperator):
    """What ``@task.short_circuit`` builds."""
