"""XComArg: a reference to what a task returns, resolved at run time.

``add(1, 2)`` returns a :class:`PlainXComArg`; ``.map(fn)``, ``.zip(*others)`` and
``.concat(*others)`` derive new references that transform or join element by element without
reading the whole upstream list.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from typing_extensions import override

from orchestrator.dependency import DependencyMixin, iter_nested

if TYPE_CHECKING:
    from orchestrator.baseoperator import DAGNode

#: The XCom key a task's return value is stored under.
XCOM_RETURN_KEY = "return_value"


class _NotSet:
    def __repr__(self) -> str:
        return "NOTSET"


#: Marks "no fillvalue given" for :meth:`XComArg.zip` (``None`` is a legitimate fillvalue).
NOTSET: Any = _NotSet()


class XComArg(DependencyMixin):
    """Base of every reference to a task's output.

    ``XComArg(operator)`` or ``XComArg(operator, key)`` builds a reference to what ``operator``
    pushed (its return value by default), as in Airflow; it is the same as ``operator.output``.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> XComArg:
        """``XComArg(operator[, key])`` is a :class:`PlainXComArg`; subclasses build themselves."""
        if cls is XComArg:
            return PlainXComArg(*args, **kwargs)
        return super().__new__(cls)

    def iter_keyed_references(self) -> Iterator[tuple[DAGNode, str]]:
        """``(operator, XCom key)`` of every value this reference reads (Airflow's iter_references)."""
        raise NotImplementedError

    def iter_references(self) -> Iterator[DAGNode]:
        """The operators whose output this reference reads."""
        for operator, _key in self.iter_keyed_references():
            yield operator

    @property
    def operator(self) -> DAGNode:
        """The single operator behind this reference (the first one for a zip)."""
        return next(self.iter_references())

    def map(self, fn: Callable[[Any], Any]) -> MapXComArg:
        """Transform each element with ``fn`` before it is mapped over or reduced."""
        return MapXComArg(self, fn)

    def zip(self, *others: XComArg, fillvalue: Any = NOTSET) -> ZipXComArg:
        """Pair elements by position; stops at the shortest input unless ``fillvalue`` is given."""
        return ZipXComArg([self, *others], fillvalue=fillvalue)

    def concat(self, *others: XComArg) -> ConcatXComArg:
        """This output's elements, then each of ``others``' (as Airflow 2.10's ``concat``: a dict
        contributes its keys)."""
        return ConcatXComArg([self, *others])

    # Dependencies: an XComArg stands for its operator(s) in ``>>`` / ``<<``.
    @override
    def tasks_as_downstream(self) -> Iterator[DAGNode]:
        return self.iter_references()

    @override
    def tasks_as_upstream(self) -> Iterator[DAGNode]:
        return self.iter_references()


class PlainXComArg(XComArg):
    """The value ``operator`` pushed under ``key`` (its return value by default)."""

    def __init__(self, operator: DAGNode, key: str = XCOM_RETURN_KEY):
        if not hasattr(operator, "task_id") or not hasattr(operator, "upstream_task_ids"):
            raise TypeError(f"XComArg() takes an operator (a task), not {type(operator).__name__}: {operator!r}")
        self._operator = operator
        self.key = key

    @override
    def iter_keyed_references(self) -> Iterator[tuple[DAGNode, str]]:
        yield self._operator, self.key

    def __getitem__(self, key: str) -> PlainXComArg:
        """``output["key"]``: what the task pushed under ``key`` (``multiple_outputs``)."""
        if not isinstance(key, str):
            raise TypeError(f"a task's output is looked up by XCom key (a str), not {type(key).__name__}: {key!r}")
        return PlainXComArg(self._operator, key)

    def as_setup(self) -> PlainXComArg:
        """Mark the task a setup task (see :meth:`~orchestrator.baseoperator.DAGNode.as_setup`); returns this output."""
        self._operator.as_setup()
        return self

    def as_teardown(self, *, setups: Any = None, on_failure_fail_dagrun: bool | None = None) -> PlainXComArg:
        """Mark the task a teardown task (see :meth:`~orchestrator.baseoperator.DAGNode.as_teardown`);
        returns this output."""
        self._operator.as_teardown(setups=setups, on_failure_fail_dagrun=on_failure_fail_dagrun)
        return self

    def __enter__(self) -> PlainXComArg:
        """``with setup_output >> teardown_output:`` scopes tasks, as the tasks themselves do."""
        self._operator.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        """Close the task's setup/teardown scope."""
        self._operator.__exit__(*exc)

    def __iter__(self):
        # Without this, ``*output`` or ``list(output)`` would call __getitem__(0), (1), ... forever.
        raise TypeError("a task's output is not iterable at definition time: map over it with expand(), "
                        "or pass it to a task that receives the value")

    def __repr__(self) -> str:
        return f"XComArg({self._operator.task_id!r}, key={self.key!r})"

    def __str__(self) -> str:
        """The value as a Jinja template, as in Airflow: ``f"echo {task.output}"`` in a classic
        operator's templated field renders the pushed value at run time (set the dependency)."""
        dag = getattr(self._operator, "dag", None)
        where = f", dag_id='{dag.dag_id}'" if dag is not None else ""
        return f"{{{{ task_instance.xcom_pull(task_ids='{self._operator.task_id}'{where}, key='{self.key}') }}}}"


class MapXComArg(XComArg):
    """``arg.map(fn)``: ``fn`` applied to each element of ``arg``."""

    def __init__(self, arg: XComArg, fn: Callable[[Any], Any]):
        from orchestrator.baseoperator import DAGNode
        from orchestrator.decorators import TaskDecorator, TaskPartial

        if isinstance(fn, (TaskDecorator, TaskPartial, DAGNode)) or not callable(fn):
            # (Airflow's MapXComArg: "map() argument must be a plain function, not a @task operator")
            decorator = fn.decorator if isinstance(fn, TaskPartial) else fn
            kind = (f"the @task {decorator.function.__name__!r}" if isinstance(decorator, TaskDecorator)
                    else f"{type(fn).__name__} {fn!r}")
            raise TypeError(f"map() argument must be a plain function, not {kind}")
        self.arg = arg
        self.fn = fn

    @override
    def iter_keyed_references(self) -> Iterator[tuple[DAGNode, str]]:
        yield from self.arg.iter_keyed_references()

    @override
    def map(self, fn: Callable[[Any], Any]) -> MapXComArg:
        first = self.fn
        return MapXComArg(self.arg, lambda value: fn(first(value)))


class ZipXComArg(XComArg):
    """``a.zip(b, c)``: tuples of elements at the same position."""

    def __init__(self, args: list[XComArg], fillvalue: Any = NOTSET):
        for arg in args:
            if not isinstance(arg, XComArg):
                raise TypeError(f"zip() takes task outputs (XComArgs), not {type(arg).__name__}: {arg!r}")
        self.args = args
        self.fillvalue = fillvalue

    @override
    def iter_keyed_references(self) -> Iterator[tuple[DAGNode, str]]:
        for arg in self.args:
            yield from arg.iter_keyed_references()


class ConcatXComArg(XComArg):
    """``a.concat(b, c)``: the elements of ``a``, then those of ``b``, then those of ``c``."""

    def __init__(self, args: list[XComArg]):
        for arg in args:
            if not isinstance(arg, XComArg):
                raise TypeError(f"concat() takes task outputs (XComArgs), not {type(arg).__name__}: {arg!r}")
        self.args = args

    @override
    def iter_keyed_references(self) -> Iterator[tuple[DAGNode, str]]:
        for arg in self.args:
            yield from arg.iter_keyed_references()

    @override
    def concat(self, *others: XComArg) -> ConcatXComArg:
        # a.concat(b).concat(c) is one concatenation of three.
        return ConcatXComArg([*self.args, *others])


def iter_xcom_args(value: Any) -> Iterator[XComArg]:
    """Every XComArg inside ``value`` (lists, tuples, sets and dict values are searched)."""
    return iter_nested(value, XComArg)
