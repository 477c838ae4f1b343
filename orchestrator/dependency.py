"""Edges between tasks: ``a >> b`` and ``a << b`` for every kind of node, and what a value refers to."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")


class DependencyMixin:
    """``>>`` / ``<<`` (a list on the left too) in terms of ``set_upstream`` / ``set_downstream``,
    which each kind of node defines: a task, a task's output (its task), a task group (its roots
    as a downstream, its leaves as an upstream). ``a >> b`` returns ``b``, so edges chain."""

    def tasks_as_downstream(self) -> Iterator[Any]:
        """The tasks that stand for this node when something is set upstream of it."""
        raise NotImplementedError

    def tasks_as_upstream(self) -> Iterator[Any]:
        """The tasks that stand for this node when something is set downstream of it."""
        raise NotImplementedError

    def set_upstream(self, other: Any) -> None:
        """Make ``other`` (a task, an output, a group, or a list of them) run before this node."""
        for task in self.tasks_as_downstream():
            task.set_upstream(other)

    def set_downstream(self, other: Any) -> None:
        """Make ``other`` run after this node."""
        for task in self.tasks_as_upstream():
            task.set_downstream(other)

    def __rshift__(self, other):
        self.set_downstream(other)
        return other

    def __lshift__(self, other):
        self.set_upstream(other)
        return other

    def __rrshift__(self, other):
        self.set_upstream(other)
        return self

    def __rlshift__(self, other):
        self.set_downstream(other)
        return self


def nodes_of(other: Any, as_upstream: bool) -> list[Any]:
    """The tasks ``other`` (a task, an output, a group, or a list of them) stands for in an edge:
    as an upstream (a group: its leaves) or as a downstream (a group: its roots). Raises
    :class:`~orchestrator.errors.DagDefinitionError` for anything else."""
    if isinstance(other, DependencyMixin):
        return list(other.tasks_as_upstream() if as_upstream else other.tasks_as_downstream())
    if isinstance(other, (list, tuple, set)):
        return [node for item in other for node in nodes_of(item, as_upstream)]
    from orchestrator.errors import DagDefinitionError

    raise DagDefinitionError(f"cannot set a dependency on {other!r}")


#: Types that hold nothing to find (``kind`` is never one of them): skipped without a call, so a
#: literal of a million numbers mapped over is searched in tens of milliseconds, not a second.
_ATOMS = frozenset({int, float, str, bytes, bool, type(None)})


def iter_nested(value: Any, kind: type[T] | tuple[type, ...]) -> Iterator[T]:
    """Every instance of ``kind`` inside ``value``: itself, or in lists, tuples, sets and dict values
    at any depth (where task outputs and mapped arguments may sit in an operator's arguments)."""
    if isinstance(value, kind):
        yield value
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        items = value
    elif isinstance(value, dict):
        items = value.values()
    else:
        return
    for item in items:
        if type(item) not in _ATOMS:
            yield from iter_nested(item, kind)
