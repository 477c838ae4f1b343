"""What one task instance needs at run time: its XCom reader and its operator with arguments resolved."""
from __future__ import annotations

import copy
import itertools
import weakref
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.baseoperator import BaseOperator, DAGNode, refers_to_outputs
from orchestrator.errors import XComNotFound
from orchestrator.mappedoperator import MappedOperator
from orchestrator.params import DagParam
from orchestrator.task_group import MappedArgument
from orchestrator.xcom_arg import NOTSET, XCOM_RETURN_KEY, ConcatXComArg, MapXComArg, PlainXComArg, XComArg, ZipXComArg

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from orchestrator.dag import DAG
    from orchestrator.store import Store


class LazyXComSequence(Sequence):
    """The results of a mapped task (its values under one XCom key), ordered by map_index, read
    from the store as they are used.

    Failed or skipped indices pushed nothing and are absent. ``len()`` is one COUNT; iteration
    streams pages of rows, never the whole map at once.
    """

    def __init__(self, store: Store, run_id: str, task_id: str, conn: Connection | None = None,
                 key: str = XCOM_RETURN_KEY):
        """A lazy view of ``task_id``'s values under ``key`` in ``run_id`` (``conn``: read inside
        that transaction)."""
        self._store = store
        self._run_id = run_id
        self._task_id = task_id
        self._conn = conn
        self._key = key
        self._len: int | None = None

    def __len__(self) -> int:
        """How many instances pushed a value: one COUNT, made once."""
        if self._len is None:
            self._len = self._store.xcom_count(self._run_id, self._task_id, self._key, conn=self._conn)
        return self._len

    def __iter__(self) -> Iterator[Any]:
        """The values in map_index order, streamed a page of rows at a time."""
        return self._store.iter_xcom_values(self._run_id, self._task_id, self._key, conn=self._conn)

    def __getitem__(self, index):
        """The value at ``index`` (negative from the end; a slice reads them all); ``IndexError`` past the end."""
        if isinstance(index, slice):
            if index.step not in (None, 1, -1):  # (Airflow's _coerce_slice)
                raise ValueError("non-trivial slice step not supported")
            return list(self)[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        indices = self._store.xcom_map_indices(self._run_id, self._task_id, self._key, conn=self._conn)
        return self._store.xcom_value(self._run_id, self._task_id, indices[index], self._key, conn=self._conn)

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence (but a string) of the same values in the same order."""
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        """Its length, not the values, as Airflow writes it: ``LazySelectSequence([3 items])``."""
        length = len(self)
        return f"LazySelectSequence([{length} {'item' if length == 1 else 'items'}])"


class MappedSequence(Sequence):
    """``fn`` applied lazily to each element of another sequence (``XComArg.map`` in a reduce)."""

    def __init__(self, source: Sequence, fn):
        """``fn`` over ``source``, applied when an element is read."""
        self._source = source
        self._fn = fn

    def __len__(self) -> int:
        """The length of the source."""
        return len(self._source)

    def __iter__(self) -> Iterator[Any]:
        """``fn`` of each element of the source, in order."""
        return (self._fn(item) for item in self._source)

    def __getitem__(self, index):
        """``fn`` of the source's element (or slice) at ``index``."""
        if isinstance(index, slice):
            return [self._fn(item) for item in self._source[index]]
        return self._fn(self._source[index])


class ConcatSequence(Sequence):
    """Several sequences one after another, read lazily (``XComArg.concat`` in a reduce)."""

    def __init__(self, parts: list[Sequence]):
        """The parts, in order, read when used."""
        self._parts = parts

    def __len__(self) -> int:
        """The sum of the parts' lengths."""
        return sum(len(part) for part in self._parts)

    def __iter__(self) -> Iterator[Any]:
        """Every part's elements, one part after another."""
        return itertools.chain.from_iterable(self._parts)

    def __getitem__(self, index):
        """The element at ``index`` of the parts put end to end (a slice reads them all);
        ``IndexError`` past the end."""
        if isinstance(index, slice):
            if index.step not in (None, 1, -1):  # (Airflow's _coerce_slice)
                raise ValueError("non-trivial slice step not supported")
            return list(self)[index]
        if index < 0:
            index += len(self)
        for part in self._parts:
            if 0 <= index < len(part):
                return part[index]
            index -= len(part)
        raise IndexError("concat() index out of range")



class StoreXComReader:
    """:class:`~orchestrator.expand_input.XComReader` over the store, for one run.

    Whole values of unmapped tasks are cached (a batch of map indices reads its upstream list
    once); a mapped upstream's element ``i`` is one row when every index pushed, else the
    pushed indices are listed once.
    """

    def __init__(self, store: Store, dag: DAG, run_id: str, conn: Connection | None = None):
        """A reader of ``run_id``'s XComs for ``dag`` (``conn``: read inside that transaction)."""
        self.store = store
        self.dag = dag
        self.run_id = run_id
        self.conn = conn
        self._values: dict[tuple[str, int, str], Any] = {}
        self._present: dict[str, list[int] | None] = {}
        self._counts: dict[str, int] = {}

    def is_mapped(self, task_id: str) -> bool:
        """Whether ``task_id`` is a mapped task of the DAG (``False`` for a task it lacks)."""
        return task_id in self.dag.task_dict and self.dag.task_dict[task_id].is_mapped

    def value(self, task_id: str, map_index: int = -1, key: str = "return_value") -> Any:
        """The value one instance pushed under ``key`` (read once, then cached); ``KeyError`` when
        there is none."""
        cache_key = (task_id, map_index, key)
        if cache_key not in self._values:
            self._values[cache_key] = self.store.xcom_value(self.run_id, task_id, map_index, key, conn=self.conn)
        return self._values[cache_key]

    def count(self, task_id: str) -> int:
        """How many instances of a mapped task pushed a return value (counted by SQL, once)."""
        if task_id not in self._counts:
            self._counts[task_id] = self.store.xcom_count(self.run_id, task_id, conn=self.conn)
        return self._counts[task_id]

    def element(self, task_id: str, position: int) -> Any:
        """The ``position``-th value a mapped task pushed, in map-index order, the indices that
        pushed nothing left out."""
        if task_id not in self._present:
            lengths = self.store.map_lengths(self.run_id) if self.conn is None else None
            total = (lengths or {}).get(task_id)
            dense = total is not None and total == self.count(task_id)
            self._present[task_id] = None if dense else self.store.xcom_map_indices(
                self.run_id, task_id, conn=self.conn
            )
        present = self._present[task_id]
        return self.value(task_id, position if present is None else present[position])

    def sequence(self, task_id: str, key: str = XCOM_RETURN_KEY) -> Sequence[Any]:
        """A mapped task's values under ``key`` as a lazy sequence ordered by map index (read a
        page at a time; the indices that pushed nothing under it left out)."""
        return LazyXComSequence(self.store, self.run_id, task_id, conn=self.conn, key=key)


def resolve_argument(value: Any, consumer: DAGNode, map_index: int, reader: StoreXComReader, lengths=None,
                     outputs: set[int] | None = None, params: dict[str, Any] | None = None) -> Any:
    """Replace every XComArg / MappedArgument / DagParam inside ``value`` by what it refers to for
    this instance (``params``: the run's, for DagParams); with ``outputs``, the ids of what was read
    from task outputs are added to it (:func:`add_output_ids`)."""
    if isinstance(value, DagParam):
        return value.resolve(params or {})
    if isinstance(value, XComArg):
        resolved = _resolve_xcom_arg(value, consumer, map_index, reader)
        add_output_ids(resolved, outputs)
        return resolved
    if isinstance(value, MappedArgument):  # (its element may hold task outputs: expand(x=[a, 1]))
        expand_input = value.group.expand_input
        picked = value.pick(expand_input.kwargs_at(map_index, lengths, reader), map_index)
        # Never rendered, a literal's element included: Airflow's render_template resolves a
        # MappedArgument (a ResolveMixin) and returns its value as it is (template/templater.py).
        add_output_ids(picked, outputs)
        return resolve_argument(picked, consumer, map_index, reader, lengths, outputs, params)
    if isinstance(value, list):
        return [resolve_argument(v, consumer, map_index, reader, lengths, outputs, params) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve_argument(v, consumer, map_index, reader, lengths, outputs, params) for v in value)
    if isinstance(value, dict):
        return {k: resolve_argument(v, consumer, map_index, reader, lengths, outputs, params)
                for k, v in value.items()}
    return value


def add_output_ids(value: Any, outputs: set[int] | None) -> None:
    """Add to ``outputs`` the id of ``value``, read from a task's output, and of every list, tuple,
    set, dict value and text inside it: data, never rendered as a Jinja template (Airflow keeps
    their ids in ``seen_oids``, apache/airflow#25924; only what the DAG file wrote is a template).
    Ids stand for the objects while the operator holding them lives; a lazy sequence is not walked
    (templates never look inside one)."""
    if outputs is None:
        return
    outputs.add(id(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            add_output_ids(item, outputs)
    elif isinstance(value, dict):
        for item in value.values():
            add_output_ids(item, outputs)


def _resolve_xcom_arg(arg: XComArg, consumer: DAGNode, map_index: int, reader: StoreXComReader) -> Any:
    """The value ``arg`` refers to for instance ``map_index`` of ``consumer``.

    As in Airflow's ``XComArg.resolve``: a return value that was never pushed (its task was
    skipped, failed, or returned None) is ``None``; a custom key never pushed is
    :class:`XComNotFound` unless the task has ``multiple_outputs``; ``map()``, ``zip()`` and
    ``concat()`` of a value that is not a collection raise (an absent value is never read as
    an empty one)."""
    if isinstance(arg, PlainXComArg):
        producer = arg.operator
        if producer.is_mapped and (producer.mapped_group is None or producer.mapped_group is not consumer.mapped_group):
            return reader.sequence(producer.task_id, arg.key)  # (Airflow: every index's value under the key)
        index = map_index if producer.is_mapped else -1  # (a sibling in the same mapped group: same index)
        try:
            return reader.value(producer.task_id, index, arg.key)
        except KeyError:
            if arg.key == XCOM_RETURN_KEY or getattr(producer, "multiple_outputs", False):
                return None
            raise XComNotFound(f"task {producer.task_id!r} pushed no XCom {arg.key!r} "
                               f"(read by {consumer.task_id!r})") from None
    if isinstance(arg, MapXComArg):
        return MappedSequence(_collection(arg.arg, consumer, map_index, reader, "map"), arg.fn)
    if isinstance(arg, ZipXComArg):
        parts = [_collection(a, consumer, map_index, reader, "zip") for a in arg.args]
        if arg.fillvalue is NOTSET:
            return list(zip(*parts, strict=False))
        return list(itertools.zip_longest(*parts, fillvalue=arg.fillvalue))
    if isinstance(arg, ConcatXComArg):
        parts = []
        for part in arg.args:
            value = _collection(part, consumer, map_index, reader, "concat")
            parts.append(list(value) if isinstance(value, dict) else value)  # a dict gives its keys, as in Airflow
        return ConcatSequence(parts)
    raise TypeError(f"cannot resolve {arg!r}")


def _collection(arg: XComArg, consumer: DAGNode, map_index: int, reader: StoreXComReader, method: str):
    """What ``arg`` resolves to, which ``method()`` needs to be a list or a dict."""
    value = _resolve_xcom_arg(arg, consumer, map_index, reader)
    if isinstance(value, dict) or (isinstance(value, Sequence) and not isinstance(value, (str, bytes))):
        return value
    source = next(arg.iter_references()).task_id
    if value is None:
        raise XComNotFound(f"{method}() over the output of {source!r}: it pushed nothing (it did not succeed, "
                           "or returned None)")
    raise TypeError(f"{method}() expects lists or dicts, not {type(value).__name__} (from {source!r})")


#: What a Materializer prepares once per task object (a DAG file's tasks live as long as the
#: worker keeps the loaded file).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Materializer:
    """Builds the operator each map index of one task runs, for a batch of indices.

    A mapped task whose values go into one argument (``@task``: ``op_kwargs``) is constructed
    once with its partial arguments; each index gets a shallow copy with its own values. A
    classic operator's mapped values are constructor arguments, so each index constructs it.
    Templated fields without XComArgs are not searched again for each index.
    """

    def __init__(self, task: DAGNode, lengths: list[int] | None, reader: StoreXComReader,
                 params: dict[str, Any] | None = None):
        """A materializer for ``task``'s indices (``lengths``: its map's lengths, ``None`` when
        unmapped; ``params``: the run's resolved params, which ``@dag`` function parameters read)."""
        self.task = task
        self.lengths = lengths
        self.reader = reader
        self.params = params
        self._prepared = False
        self._prototype: BaseOperator | None = None
        #: The templated fields that hold XComArgs (``None``: look in all of them for each index).
        self._referring: list[str] | None = None

    def _prepare(self) -> None:
        """Done at the first index, where an error fails that index rather than the batch; kept
        for the task's next batches (one message per index when ``batch_size=1``). The
        prototype is only ever copied, never changed."""
        task = self.task
        prepared = _PREPARED.get(task)
        if prepared is None:
            prototype = task.unmap({}) if isinstance(task, MappedOperator) and task.expand_into else None
            sample = prototype if prototype is not None else task
            referring = None
            if isinstance(sample, BaseOperator):
                referring = [name for name in sample.template_fields if refers_to_outputs(getattr(sample, name, None))]
            prepared = _PREPARED[task] = (prototype, referring)
        self._prototype, self._referring = prepared
        self._prepared = True

    def __call__(self, map_index: int) -> BaseOperator:
        """The plain operator instance ``map_index`` runs, with XComArgs resolved (templates are
        rendered later, with the instance's context; its ``output_value_ids`` name what was read
        from task outputs, which is not rendered)."""
        if not self._prepared:
            self._prepare()
        task, reader = self.task, self.reader
        outputs: set[int] = set()
        if isinstance(task, MappedOperator):
            expand_input = task.expand_input
            kwargs = expand_input.kwargs_at(map_index, self.lengths or [], reader)
            if getattr(expand_input, "strict", False):  # (expand_kwargs: Airflow's prevent_duplicates)
                given = getattr(self._prototype, task.expand_into) if self._prototype is not None else (
                    task.partial_kwargs.get(task.expand_into, {}) if task.expand_into else task.partial_kwargs)
                both = sorted(set(kwargs) & set(given))
                if both:
                    raise TypeError(f"expand_kwargs() element {map_index} gives {', '.join(map(repr, both))}, "
                                    "already given to partial() (strict=False lets the element's value win)")
            for name, value in kwargs.items():
                if expand_input.reads_output(name):
                    add_output_ids(value, outputs)
            mapped = resolve_argument(kwargs, task, map_index, reader, outputs=outputs, params=self.params)
            if self._prototype is not None:
                operator = copy.copy(self._prototype)
                into = task.expand_into
                setattr(operator, into, {**getattr(self._prototype, into), **mapped})
            else:
                operator = task.unmap(mapped)
        else:
            operator = task.copy_for_run()
        fields = self._referring if self._referring is not None else operator.template_fields
        for name in fields:
            current = getattr(operator, name, None)
            setattr(operator, name, resolve_argument(current, task, map_index, reader, self.lengths, outputs,
                                                     self.params))
        operator.output_value_ids = frozenset(outputs)
        return operator
