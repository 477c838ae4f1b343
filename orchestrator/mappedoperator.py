"""Mapped operators (Airflow's ``models/mappedoperator.py``): ``Operator.partial(...)`` waiting for
``expand()``, and the ``MappedOperator`` it becomes -- one task instance per map index at run time.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
from typing import Any

from typing_extensions import override

from orchestrator.baseoperator import BASE_OPERATOR_ARGS, BaseOperator, DAGNode, detached_operators
from orchestrator.errors import DagDefinitionError
from orchestrator.expand_input import DictOfListsExpandInput, ExpandInput, ListOfDictsExpandInput


@functools.cache
def operator_arguments(operator_class: type[BaseOperator]) -> frozenset[str]:
    """The keyword arguments ``operator_class`` takes: the parameters of every ``__init__`` along
    its classes, and BaseOperator's (Airflow's ``validate_mapping_kwargs`` walks the same chain)."""
    names = set(BASE_OPERATOR_ARGS)
    for klass in operator_class.__mro__:
        if not (isinstance(klass, type) and issubclass(klass, BaseOperator)) or "__init__" not in vars(klass):
            continue
        for parameter in inspect.signature(vars(klass)["__init__"]).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY) and parameter.name != "self":
                names.add(parameter.name)
    return frozenset(names)


def check_operator_arguments(operator_class: type[BaseOperator], names: Sequence[str], method: str) -> None:
    """Refuse, when the DAG file loads, an argument ``operator_class`` does not take (a typo in
    ``partial()`` or ``expand()`` would otherwise fail every index at run time)."""
    unknown = [name for name in names if name not in operator_arguments(operator_class)]
    if unknown:
        listed = (f"an unexpected keyword argument {unknown[0]!r}" if len(unknown) == 1
                  else f"unexpected keyword arguments {', '.join(map(repr, unknown))}")
        raise DagDefinitionError(f"{operator_class.__name__}.{method}() got {listed}")


class OperatorPartial:
    """``Operator.partial(**constants)``, waiting for ``expand()`` or ``expand_kwargs()``."""

    def __init__(self, operator_class: type[BaseOperator], kwargs: dict[str, Any], expand_into: str | None = None):
        """Raises :class:`DagDefinitionError` when ``kwargs`` has no ``task_id``."""
        if "task_id" not in kwargs:
            raise DagDefinitionError(f"{operator_class.__name__}.partial() needs a task_id")
        if "task_concurrency" in kwargs:  # (Airflow 2.10's partial() and _TaskDecorator._expand refuse it)
            raise DagDefinitionError(f"task {kwargs['task_id']!r}: unexpected argument: task_concurrency (a mapped "
                                     "task takes its current name, max_active_tis_per_dag)")
        check_operator_arguments(operator_class, list(kwargs), "partial")
        self.operator_class = operator_class
        self.kwargs = kwargs
        self.expand_into = expand_into

    def _check_mappable(self, names: Sequence[str], method: str, strict: bool = True) -> None:
        if self.expand_into is None:  # (a @task's mapped names are its function's, checked by the decorator)
            check_operator_arguments(self.operator_class, names, method)
        for name in names:
            if self.expand_into is None and name in BASE_OPERATOR_ARGS:
                raise DagDefinitionError(
                    f"{method}(): parameter {name!r} of task {self.kwargs['task_id']!r} cannot be mapped; "
                    f"pass it to partial() instead (task_id, pool, queue, retries, trigger_rule, ... are not mappable)"
                )
            if strict and name in self.kwargs:
                raise DagDefinitionError(
                    f"{method}(): parameter {name!r} of task {self.kwargs['task_id']!r} is given to both "
                    "partial() and expand()" + (" (strict=False lets the dict's value win)" if method == "expand_kwargs"
                                                else "")
                )

    def expand(self, **mapped: Any) -> MappedOperator:
        """One instance per element of each mapped argument (several arguments: cross product)."""
        if not mapped:
            raise DagDefinitionError(f"expand() of task {self.kwargs['task_id']!r} needs at least one argument")
        self._check_mappable(list(mapped), "expand")
        return MappedOperator(self, DictOfListsExpandInput(mapped))

    def expand_kwargs(self, value: Any, *, strict: bool = True) -> MappedOperator:
        """One instance per dict in ``value``, its items as keyword arguments; with ``strict``
        (Airflow's default) a dict may not repeat a ``partial()`` argument (refused here for a
        literal dict, failing its index for one read from an output), else the dict's value wins."""
        expand_input = ListOfDictsExpandInput(value, strict)
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, dict):  # (a task's output as an element is checked when it is read)
                    self._check_mappable(list(item), "expand_kwargs", strict)
        return MappedOperator(self, expand_input)


class MappedOperator(DAGNode):
    """An operator expanded over ``expand_input``: one task instance per element at run time."""

    def __init__(self, partial: OperatorPartial, expand_input: ExpandInput):
        """Raises :class:`DagDefinitionError` for ``expand()`` inside a mapped task group."""
        kwargs = dict(partial.kwargs)
        base = {name: kwargs.pop(name) for name in list(kwargs) if name in BASE_OPERATOR_ARGS}
        if base.get("sla") is not None:  # (Airflow's MappedOperator.__attrs_post_init__)
            raise DagDefinitionError(f"task {base.get('task_id')!r}: SLAs are unsupported with mapped tasks; "
                                     "set sla=None or use a non-mapped task")
        task_id = base.pop("task_id")
        self.operator_class = partial.operator_class
        self.partial_kwargs = kwargs
        self.expand_into = partial.expand_into
        self._expand_input = expand_input
        self._base_kwargs = {k: v for k, v in base.items() if k not in ("dag", "task_group")}
        self._init_node(task_id=task_id, **base)
        if self.task_group is not None and self.task_group.mapped_ancestor() is not None:
            raise DagDefinitionError(
                f"task {self.task_id!r}: expand() inside a mapped task group is not supported"
            )
        self._link_references(kwargs)
        for op in expand_input.iter_upstream():
            self.set_upstream(op)

    @property
    @override
    def is_mapped(self) -> bool:
        return True

    @property
    @override
    def expand_input(self) -> ExpandInput:
        return self._expand_input

    @property
    def decides_skips(self) -> bool:  # type: ignore[override]
        """Whether the mapped operator's instances push skip decisions (branch, short-circuit)."""
        return self.operator_class.decides_skips

    @property
    def ignore_downstream_trigger_rules(self) -> bool:
        """A mapped short-circuit's option (default ``True``, as the operator's)."""
        return bool(self.partial_kwargs.get("ignore_downstream_trigger_rules", True))

    def unmap(self, mapped_kwargs: dict[str, Any]) -> BaseOperator:
        """The plain operator one map index runs: partial arguments plus this index's values."""
        kwargs = dict(self.partial_kwargs)
        if self.expand_into:
            kwargs[self.expand_into] = {**kwargs.get(self.expand_into, {}), **mapped_kwargs}
        else:
            kwargs.update(mapped_kwargs)
        with detached_operators():
            operator = self.operator_class(task_id=self.task_id, **self._base_kwargs, **kwargs)
        return operator
