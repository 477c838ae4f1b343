"""``Label``: a name on an edge, ``a >> Label("when empty") >> b`` (Airflow's EdgeModifier).

The edges are made as without the label (``a >> b``); the label itself is accepted and kept on
the object, and is shown nowhere yet (Airflow draws it in the graph view).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orchestrator.dependency import DependencyMixin


class _LabelEnd:
    """What a task sees downstream of it in ``task >> label``: it records the task on the label."""

    def __init__(self, label: Label):
        self.label = label

    def set_upstream(self, other: Any) -> None:
        """``other`` (a task) comes before the label: it comes before the label's downstreams."""
        self.label.set_upstream(other)


class Label(DependencyMixin):
    """A label on the edges it sits on: ``a >> Label("x") >> b`` makes ``a >> b``; lists work on
    either side.

    :param label: the text of the label.
    """

    def __init__(self, label: str):
        self.label = label
        self._upstream: list[Any] = []
        self._downstream: list[Any] = []

    def tasks_as_downstream(self) -> Iterator[Any]:
        """The label's end that records a task set upstream of it."""
        yield _LabelEnd(self)

    def tasks_as_upstream(self) -> Iterator[Any]:
        """The tasks before the label stand for it when something is set downstream of it."""
        for node in self._upstream:
            yield from node.tasks_as_upstream() if isinstance(node, DependencyMixin) else [node]

    def set_upstream(self, other: Any) -> None:
        """``other`` (a task, an output, a group, or a list of them) comes before the label's downstreams."""
        for node in other if isinstance(other, (list, tuple, set)) else [other]:
            self._upstream.append(node)
            for downstream in self._downstream:
                node.set_downstream(downstream)

    def set_downstream(self, other: Any) -> None:
        """``other`` comes after every node before the label."""
        self._downstream.append(other)
        for node in self._upstream:
            node.set_downstream(other)

    def __repr__(self) -> str:
        return f"Label({self.label!r})"
