"""What ``expand()`` maps over, and how one map index finds its own arguments.

Definition time: :func:`validate_expand_value` refuses what cannot be mapped. Run time: the
scheduler asks :meth:`ExpandInput.lengths` once (one number per mapped parameter); a worker asks
:meth:`ExpandInput.kwargs_at` for its index only, reading one element per parameter through an
:class:`XComReader` (cost O(1) in the map's length).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from orchestrator.errors import DagDefinitionError, UnmappableXComError
from orchestrator.xcom_arg import NOTSET, ConcatXComArg, MapXComArg, PlainXComArg, XComArg, ZipXComArg

if TYPE_CHECKING:
    from orchestrator.baseoperator import DAGNode


class XComReader(Protocol):
    """Read access to a run's XComs, as a task instance needs it."""

    def value(self, task_id: str, map_index: int = -1, key: str = "return_value") -> Any:
        """The value one instance pushed; ``KeyError`` when it pushed nothing."""

    def count(self, task_id: str) -> int:
        """How many instances of a mapped task pushed a return value."""

    def element(self, task_id: str, position: int) -> Any:
        """The ``position``-th pushed return value of a mapped task, in map_index order."""

    def sequence(self, task_id: str) -> Sequence[Any]:
        """All pushed return values of a mapped task: a lazy sequence ordered by map_index."""


def validate_expand_value(name: str, value: Any, method: str = "expand") -> None:
    """Refuse, at definition time, a value that can never be mapped over."""
    if isinstance(value, (XComArg, Mapping)) or (isinstance(value, Sequence) and not isinstance(value, (str, bytes))):
        return
    raise DagDefinitionError(
        f"{method}() got an unexpected type {type(value).__name__!r} for keyword argument {name!r}: "
        "pass a list, a dict or a task's output"
    )


def validate_mappable_value(task_id: str, value: Any, limit: int) -> None:
    """Refuse a return value that a downstream ``expand()`` cannot map over (Airflow's rule)."""
    if value is None:
        raise UnmappableXComError(
            f"task {task_id!r} returned None, which a downstream expand() cannot map over: return a list or dict"
        )
    # Airflow's _is_mappable_value: any ordered collection but text (a range, what a reduce was handed).
    if not isinstance(value, (Sequence, dict)) or isinstance(value, (str, bytes, bytearray)):
        raise UnmappableXComError(
            f"unmappable return type {type(value).__name__!r} from task {task_id!r}: "
            "a downstream expand() needs a list or dict"
        )
    if len(value) > limit:
        raise UnmappableXComError(
            f"unmappable return value length: {len(value)} > CHORDFLOW_MAX_MAP_LENGTH={limit} (task {task_id!r})"
        )


def _as_elements(value: Any) -> Sequence[Any]:
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return value
    raise UnmappableXComError(f"cannot map over a value of type {type(value).__name__!r}")


def source_length(source: Any, reader: XComReader) -> int:
    """How many elements an expand() source has."""
    if isinstance(source, PlainXComArg):
        if source.operator.is_mapped:
            return reader.count(source.operator.task_id)
        try:
            return len(_as_elements(reader.value(source.operator.task_id, key=source.key)))
        except KeyError:
            return 0
    if isinstance(source, MapXComArg):
        return source_length(source.arg, reader)
    if isinstance(source, ZipXComArg):
        lengths = [source_length(arg, reader) for arg in source.args]
        return max(lengths, default=0) if source.fillvalue is not NOTSET else min(lengths, default=0)
    if isinstance(source, ConcatXComArg):
        return sum(source_length(arg, reader) for arg in source.args)
    return len(_as_elements(source))


def source_element(source: Any, index: int, reader: XComReader) -> Any:
    """The ``index``-th element of an expand() source."""
    if isinstance(source, PlainXComArg):
        if source.operator.is_mapped:
            return reader.element(source.operator.task_id, index)
        return _as_elements(reader.value(source.operator.task_id, key=source.key))[index]
    if isinstance(source, MapXComArg):
        return source.fn(source_element(source.arg, index, reader))
    if isinstance(source, ZipXComArg):
        items = []
        for arg in source.args:
            if index < source_length(arg, reader):
                items.append(source_element(arg, index, reader))
            else:
                items.append(source.fillvalue)
        return tuple(items)
    if isinstance(source, ConcatXComArg):
        for arg in source.args:
            length = source_length(arg, reader)
            if index < length:
                return _concatenated_element(arg, index, reader)
            index -= length
        raise IndexError("concat() index out of range")
    return _as_elements(source)[index]


def _concatenated_element(arg: XComArg, index: int, reader: XComReader) -> Any:
    """Element ``index`` of one part of a concat(): as elsewhere, except that a dict gives its
    keys (Airflow's concat iterates a dict, where expand() gives its items)."""
    if isinstance(arg, PlainXComArg) and not arg.operator.is_mapped:
        value = reader.value(arg.operator.task_id, key=arg.key)
        if isinstance(value, Mapping):
            return next(itertools.islice(iter(value), index, None))
    return source_element(arg, index, reader)


def _references(value: Any) -> Iterator[DAGNode]:
    if isinstance(value, XComArg):
        yield from value.iter_references()


class ExpandInput:
    """Base of what one mapped task or task group is expanded over."""

    def lengths(self, reader: XComReader) -> list[int]:
        """One length per mapped dimension, resolved at expansion time."""
        raise NotImplementedError

    def kwargs_at(self, index: int, lengths: Sequence[int], reader: XComReader) -> dict[str, Any]:
        """The mapped keyword arguments of instance ``index``."""
        raise NotImplementedError

    def iter_references(self) -> Iterator[DAGNode]:
        """Operators whose output is mapped over."""
        raise NotImplementedError

    @staticmethod
    def total(lengths: Sequence[int]) -> int:
        total = 1
        for length in lengths:
            total *= length
        return total if lengths else 0


class DictOfListsExpandInput(ExpandInput):
    """``expand(a=[...], b=[...])``: the cross product of the parameters, the last varying fastest."""

    def __init__(self, value: dict[str, Any]):
        for name, item in value.items():
            validate_expand_value(name, item)
        self.value = value

    def lengths(self, reader: XComReader) -> list[int]:
        return [source_length(source, reader) for source in self.value.values()]

    def kwargs_at(self, index: int, lengths: Sequence[int], reader: XComReader) -> dict[str, Any]:
        coords: list[int] = []
        for length in reversed(lengths):
            index, coord = divmod(index, length)
            coords.append(coord)
        coords.reverse()
        return {
            name: source_element(source, coord, reader)
            for (name, source), coord in zip(self.value.items(), coords, strict=True)
        }

    def iter_references(self) -> Iterator[DAGNode]:
        for source in self.value.values():
            yield from _references(source)


class ListOfDictsExpandInput(ExpandInput):
    """``expand_kwargs([{...}, {...}])``: one instance per dict, its items as keyword arguments."""

    def __init__(self, value: Any):
        if not isinstance(value, (list, tuple, XComArg)):
            raise DagDefinitionError(
                f"expand_kwargs() expects a list of dicts or a task's output, got {type(value).__name__!r}"
            )
        if isinstance(value, (list, tuple)):
            for position, item in enumerate(value):
                if not isinstance(item, dict) or not all(isinstance(k, str) for k in item):
                    raise DagDefinitionError(
                        f"expand_kwargs() element {position} must be a dict with string keys, "
                        f"got {type(item).__name__!r}"
                    )
        self.value = value

    def lengths(self, reader: XComReader) -> list[int]:
        return [source_length(self.value, reader)]

    def kwargs_at(self, index: int, lengths: Sequence[int], reader: XComReader) -> dict[str, Any]:
        element = source_element(self.value, index, reader)
        if not isinstance(element, dict):
            raise UnmappableXComError(
                f"expand_kwargs() element {index} is a {type(element).__name__!r}, not a dict"
            )
        return dict(element)

    def iter_references(self) -> Iterator[DAGNode]:
        yield from _references(self.value)

