"""What ``expand()`` maps over, and how one map index finds its own arguments.

Definition time: :func:`validate_expand_value` refuses what cannot be mapped. Run time: the
scheduler asks :meth:`ExpandInput.lengths` once (one number per mapped parameter); a worker asks
:meth:`ExpandInput.kwargs_at` for its index only, reading one element per parameter through an
:class:`XComReader` (cost O(1) in the map's length).
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from typing_extensions import override

from orchestrator.errors import DagDefinitionError, UnmappableXComError, XComForMappingNotPushed
from orchestrator.xcom_arg import (
    NOTSET,
    XCOM_RETURN_KEY,
    ConcatXComArg,
    MapXComArg,
    PlainXComArg,
    XComArg,
    ZipXComArg,
    iter_xcom_args,
)

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

    def sequence(self, task_id: str, key: str = "return_value") -> Sequence[Any]:
        """All values a mapped task pushed under ``key``: a lazy sequence ordered by map_index."""


def validate_expand_value(name: str, value: Any, method: str = "expand") -> None:
    """Refuse, at definition time, a value that can never be mapped over (a mapped task group's own
    argument included: Airflow's "operator expansion in an expanded task group is not yet supported")."""
    if isinstance(value, (XComArg, Mapping)) or (isinstance(value, Sequence) and not isinstance(value, (str, bytes))):
        return
    from orchestrator.task_group import MappedArgument

    if isinstance(value, MappedArgument):
        raise DagDefinitionError(
            f"{method}() inside a mapped task group is not supported: keyword argument {name!r} is the group's "
            f"mapped argument {value.name!r}"
        )
    raise DagDefinitionError(
        f"{method}() got an unexpected type {type(value).__name__!r} for keyword argument {name!r}: "
        "pass a list, a dict or a task's output"
    )


def validate_expand_keys(value: Any, method: str = "expand") -> None:
    """Refuse, at definition time, mapping over an XCom key that is never pushed: a custom key of
    a task without ``multiple_outputs``, or of a mapped task (Airflow refuses every custom key:
    "cannot map over XCom with custom key"; here a ``multiple_outputs`` dict's keys may be mapped)."""
    for operator, key in _keyed_references(value):
        if key == XCOM_RETURN_KEY:
            continue
        if operator.is_mapped:
            raise DagDefinitionError(f"{method}() cannot map over XCom {key!r} of mapped task {operator.task_id!r}: "
                                     "map over its return value")
        if not getattr(operator, "multiple_outputs", False):
            raise DagDefinitionError(
                f"{method}() cannot map over XCom {key!r} of task {operator.task_id!r}: the task does not set "
                "multiple_outputs, so nothing is ever pushed under that key"
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


def check_map_source(task_id: str, is_mapped: bool, do_xcom_push: bool, pushed: Mapping[str, Any],
                     keys: Iterable[str], limit: int) -> None:
    """Refuse the end of a task that a downstream ``expand()`` reads ``keys`` of, when it pushed
    nothing under one of them (Airflow's ``XComForMappingNotPushed``) or, unmapped, pushed a value
    that cannot be mapped over. A mapped source's instances each give one element (or none)."""
    for key in sorted(keys):
        if key in pushed:
            if not is_mapped:
                validate_mappable_value(task_id, pushed[key], limit)
            continue
        if not do_xcom_push:
            raise XComForMappingNotPushed(
                f"task {task_id!r} has do_xcom_push=False but a downstream expand() maps over its output: "
                "a task feeding a map must push its value"
            )
        if is_mapped:
            continue
        if key == XCOM_RETURN_KEY:
            validate_mappable_value(task_id, None, limit)
        raise XComForMappingNotPushed(f"task {task_id!r} pushed no XCom {key!r}, which a downstream expand() maps over")


def _as_elements(value: Any) -> Sequence[Any]:
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return value
    raise UnmappableXComError(f"cannot map over a value of type {type(value).__name__!r}")


def _pushed_value(source: PlainXComArg, reader: XComReader) -> Any:
    """The value an unmapped source pushed; absent is an error, never an empty map."""
    try:
        return reader.value(source.operator.task_id, key=source.key)
    except KeyError:
        raise UnmappableXComError(
            f"task {source.operator.task_id!r} pushed no XCom {source.key!r} to map over"
        ) from None


def whole_value(source: XComArg, reader: XComReader) -> Any:
    """What a task output stands for as one value: an unmapped task's pushed value, else the list
    of the source's elements."""
    if isinstance(source, PlainXComArg) and not source.operator.is_mapped:
        return _pushed_value(source, reader)
    return [source_element(source, i, reader) for i in range(source_length(source, reader))]


def source_length(source: Any, reader: XComReader) -> int:
    """How many elements an expand() source has."""
    if isinstance(source, PlainXComArg):
        if source.operator.is_mapped:
            return reader.count(source.operator.task_id)
        return len(_as_elements(_pushed_value(source, reader)))
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
        return _as_elements(_pushed_value(source, reader))[index]
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
        value = _pushed_value(arg, reader)
        if isinstance(value, Mapping):
            return next(itertools.islice(iter(value), index, None))
    return source_element(arg, index, reader)


def _keyed_references(value: Any) -> Iterator[tuple[DAGNode, str]]:
    if isinstance(value, XComArg):
        yield from value.iter_keyed_references()


class ExpandInput:
    """Base of what one mapped task or task group is expanded over (``value``: what was given)."""

    value: Any

    def lengths(self, reader: XComReader) -> list[int]:
        """One length per mapped dimension, resolved at expansion time."""
        raise NotImplementedError

    def kwargs_at(self, index: int, lengths: Sequence[int], reader: XComReader) -> dict[str, Any]:
        """The mapped keyword arguments of instance ``index``."""
        raise NotImplementedError

    def iter_keyed_references(self) -> Iterator[tuple[DAGNode, str]]:
        """``(operator, XCom key)`` of every value mapped over."""
        raise NotImplementedError

    def iter_references(self) -> Iterator[DAGNode]:
        """Operators whose output is mapped over."""
        for operator, _key in self.iter_keyed_references():
            yield operator

    def reads_output(self, name: str) -> bool:
        """Whether parameter ``name``'s values are elements of a task's output (data) rather than
        of a literal written in the DAG file (templates, when the parameter is templated)."""
        raise NotImplementedError

    def iter_upstream(self) -> Iterator[DAGNode]:
        """Operators whose output the expanded value reads at any depth: what is mapped over, and
        outputs inside a literal mapped over (``expand(x=[a, b, 1])``, ``expand_kwargs([{"x": a}])``),
        read by the instance whose element holds them. All of them are upstream of the mapped
        task (Airflow's ``XComArg.apply_upstream_relationship`` on the expand input's value)."""
        for arg in iter_xcom_args(self.value):
            yield from arg.iter_references()

    @staticmethod
    def total(lengths: Sequence[int]) -> int:
        """Instances of a map with these per-parameter lengths (their cross product; ``[]``: 0)."""
        return map_total(lengths)


def map_total(lengths: Sequence[int]) -> int:
    """Instances of a map with these per-parameter lengths: their product (``[]``: never expanded, 0)."""
    return math.prod(lengths) if lengths else 0


class DictOfListsExpandInput(ExpandInput):
    """``expand(a=[...], b=[...])``: the cross product of the parameters, the last varying fastest."""

    def __init__(self, value: dict[str, Any]):
        for name, item in value.items():
            validate_expand_value(name, item)
            validate_expand_keys(item)
        self.value = value

    @override
    def lengths(self, reader: XComReader) -> list[int]:
        return [source_length(source, reader) for source in self.value.values()]

    @override
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

    @override
    def iter_keyed_references(self) -> Iterator[tuple[DAGNode, str]]:
        for source in self.value.values():
            yield from _keyed_references(source)

    @override
    def reads_output(self, name: str) -> bool:
        return isinstance(self.value.get(name), XComArg)


class ListOfDictsExpandInput(ExpandInput):
    """``expand_kwargs([{...}, {...}])``: one instance per dict, its items as keyword arguments.

    :param strict: a dict may not give an argument ``partial()`` gave (Airflow's default); with
        ``False`` the dict's value wins (Airflow 2.4's ``expand_kwargs(..., strict=False)``).
    """

    def __init__(self, value: Any, strict: bool = True):
        self.strict = strict
        if not isinstance(value, (list, tuple, XComArg)):
            raise DagDefinitionError(
                f"expand_kwargs() expects a list of dicts or a task's output, got {type(value).__name__!r}"
            )
        if isinstance(value, (list, tuple)):
            for position, item in enumerate(value):
                if isinstance(item, XComArg):  # a task's output as one element (Airflow resolves it per index)
                    continue
                if not isinstance(item, dict) or not all(isinstance(k, str) for k in item):
                    raise DagDefinitionError(
                        f"expand_kwargs() element {position} must be a dict with string keys or a task's "
                        f"output, got {type(item).__name__!r}"
                    )
        validate_expand_keys(value, "expand_kwargs")
        self.value = value

    @override
    def lengths(self, reader: XComReader) -> list[int]:
        return [source_length(self.value, reader)]

    @override
    def kwargs_at(self, index: int, lengths: Sequence[int], reader: XComReader) -> dict[str, Any]:
        element = source_element(self.value, index, reader)
        if isinstance(element, XComArg):  # expand_kwargs([{...}, make_kwargs()]): the output's whole value
            element = whole_value(element, reader)
        if not isinstance(element, dict):
            raise UnmappableXComError(
                f"expand_kwargs() element {index} is a {type(element).__name__!r}, not a dict"
            )
        return dict(element)

    @override
    def iter_keyed_references(self) -> Iterator[tuple[DAGNode, str]]:
        yield from _keyed_references(self.value)

    @override
    def reads_output(self, name: str) -> bool:
        # Airflow 2.10 renders the values of dicts read from an output: ListOfDictsExpandInput.resolve
        # keeps no ids of them for seen_oids (expand()'s elements it keeps).
        return False

