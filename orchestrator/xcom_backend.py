"""Large and non-JSON XCom values: kept in an object store, a reference row in the XCom table.

A value that is JSON and small stays in the XCom table as it always did; dates, datetimes,
timedeltas, Decimals, sets and tuples in it are written as Airflow's serde writes them
(:mod:`orchestrator.typed_json`) and read back with their types. A pandas DataFrame or
Series (Parquet), a numpy array (``.npy``, never pickled) or a JSON value larger than the inline
limit (``.json``) is written to ``CHORDFLOW_XCOM_OBJECTS_URL`` -- a local folder by default, any
fsspec URL such as ``s3://bucket/prefix`` -- at ``<run>/<task>/<map_index>/<key>.<ext>``, and
the XCom row holds ``{"__chordflow_xcom_object__": {"url", "format", "type", "bytes"}}``.
Readers (task arguments, a reduce's sequence, ``chordflow xcom get``) get the value back: the
reference carries its full URL, so reading needs no configuration, only access to the storage.

Every format is data only: Parquet and npy are read with pickling disabled, so an object store
that others can write to cannot make a worker run code.
"""
from __future__ import annotations

import io
import json
import logging
import posixpath
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from orchestrator import typed_json
from orchestrator.errors import ChordflowError

log = logging.getLogger("chordflow.xcom")

#: The key of a reference row's only entry.
REFERENCE_KEY = "__chordflow_xcom_object__"
#: JSON values larger than this (bytes) go to the object store (``CHORDFLOW_XCOM_INLINE_LIMIT``).
DEFAULT_INLINE_LIMIT = 256 * 1024


class XComObjectError(ChordflowError):
    """An XCom object that cannot be read back (storage unreachable, object gone, bad format)."""


def _fsspec():
    import fsspec

    return fsspec


def _type_name(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__.split('.')[0]}.{kind.__name__}"


def _encode(value: Any) -> tuple[str, bytes] | None:
    """``(format, bytes)`` of a value JSON cannot hold, or ``None`` when no format fits."""
    kind = _type_name(value)
    if kind in ("pandas.DataFrame", "pandas.Series"):
        import pandas as pd

        frame = value.to_frame() if isinstance(value, pd.Series) else value
        buffer = io.BytesIO()
        try:
            frame.to_parquet(buffer)
        except (ValueError, TypeError, ImportError) as exc:
            raise TypeError(f"cannot store a {kind} as Parquet: {exc}") from None
        return ("parquet-series" if isinstance(value, pd.Series) else "parquet"), buffer.getvalue()
    if kind == "numpy.ndarray":
        import numpy as np

        if value.dtype.hasobject:
            raise TypeError("a numpy array of Python objects cannot be stored without pickle; "
                            "convert it to a numeric or string dtype")
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return "npy", buffer.getvalue()
    return None


def _decode(fmt: str, data: bytes) -> Any:
    if fmt in ("parquet", "parquet-series"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        # The plain file reader, not pandas.read_parquet: that goes through pyarrow's datasets,
        # which load its cloud filesystems, and a process that did so aborted at exit about one
        # time in six ("terminate called without an active exception", pyarrow 26).
        frame = pq.ParquetFile(pa.BufferReader(data)).read().to_pandas()
        return frame.iloc[:, 0] if fmt == "parquet-series" else frame
    if fmt == "npy":
        import numpy as np

        return np.load(io.BytesIO(data), allow_pickle=False)
    if fmt == "json":
        return typed_json.loads(data)
    raise XComObjectError(f"unknown XCom object format {fmt!r}")


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers (``np.float64(0.9)`` is a float to every reader)."""
    item = getattr(value, "item", None)
    if _type_name(value).startswith("numpy.") and callable(item) and getattr(value, "shape", None) == ():
        return item()
    return value


def _json_default(value: Any) -> Any:
    """What JSON cannot write by itself but plainly is a list or a number, at any depth: the lazy
    sequences a task is handed (a mapped upstream's results, ``ti.xcom_pull`` of a mapped task)
    and numpy scalars."""
    plain = _plain(value)
    if plain is not value:
        return plain
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class XComBackend:
    """Turns task results into XCom texts, writing big or non-JSON values to the object store.

    :param objects_url: where objects go (a folder or an fsspec URL such as ``s3://bucket/xcom``).
    :param inline_limit: JSON values up to this many bytes stay in the XCom table.
    """

    def __init__(self, objects_url: str, inline_limit: int = DEFAULT_INLINE_LIMIT):
        self.objects_url = objects_url.rstrip("/")
        self.inline_limit = inline_limit

    def serialize(self, value: Any, *, run_id: str, task_id: str, map_index: int, key: str,
                  inline_only: bool = False) -> str:
        """The XCom text of ``value``. ``inline_only``: the value must stay in the table (what a
        downstream maps over is counted there); a value that cannot raises ``TypeError``."""
        value = _plain(value)
        try:
            text = typed_json.dumps(value, default=_json_default)
        except (TypeError, ValueError) as exc:
            encoded = None if inline_only else _encode(value)
            if encoded is None:
                raise TypeError(
                    f"task {task_id!r} returned a value of type {type(value).__name__!r} that is not "
                    f"JSON-serialisable ({exc}); return lists, dicts, strings and numbers, or a pandas "
                    "DataFrame / numpy array (kept in the XCom object store)"
                ) from None
            fmt, data = encoded
            return self._write(data, fmt, _type_name(value), run_id, task_id, map_index, key)
        if inline_only or len(text) <= self.inline_limit:
            return text
        return self._write(text.encode(), "json", _type_name(value), run_id, task_id, map_index, key)

    def _write(self, data: bytes, fmt: str, kind: str, run_id: str, task_id: str, map_index: int,
               key: str) -> str:
        extension = {"parquet": "parquet", "parquet-series": "parquet", "npy": "npy", "json": "json"}[fmt]
        parts = [quote(part, safe="") for part in (run_id, task_id, str(map_index), f"{key}.{extension}")]
        url = "/".join([self.objects_url, *parts])
        fs, path = _fsspec().core.url_to_fs(url)
        try:
            fs.makedirs(posixpath.dirname(path), exist_ok=True)
            with fs.open(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise OSError(f"cannot write XCom object to {url}: {exc}") from exc
        # A URL every reader can open: a local folder becomes an absolute file:// URL.
        return json.dumps({REFERENCE_KEY: {"url": fs.unstrip_protocol(path), "format": fmt, "type": kind,
                                           "bytes": len(data)}})


def is_reference(value: Any) -> bool:
    """Whether a decoded XCom value is a reference to an object in the object store."""
    return isinstance(value, dict) and len(value) == 1 and REFERENCE_KEY in value


def resolve(value: Any) -> Any:
    """``value`` as read from the XCom table, with an object reference replaced by the object."""
    if not is_reference(value):
        return value
    reference = value[REFERENCE_KEY]
    url = reference.get("url", "?")
    try:
        with _fsspec().open(url, "rb") as handle:
            data = handle.read()
    except (OSError, ImportError, ValueError) as exc:
        raise XComObjectError(
            f"cannot read XCom object {url}: {exc} (every worker host needs the storage of "
            "CHORDFLOW_XCOM_OBJECTS_URL: a shared folder or an object store such as s3://)"
        ) from None
    fmt = reference.get("format", "")
    try:
        return _decode(fmt, data)
    except XComObjectError:
        raise
    except Exception as exc:  # a damaged or foreign object: name it, never fall back to pickle
        raise XComObjectError(f"cannot read XCom object {url} as {fmt}: {exc}") from None


def decode(text: str) -> Any:
    """The value an XCom text holds: typed values (dates, Decimals, sets, tuples, ...) turned back
    (:mod:`orchestrator.typed_json`), an object reference replaced by the object."""
    return resolve(typed_json.loads(text))


#: How every XCom text holding a reference starts (for finding them in the table by SQL).
REFERENCE_PREFIX = json.dumps({REFERENCE_KEY: None})[:-len("null}")]


def delete_objects(texts: Iterable[str]) -> int:
    """Delete the objects these XCom texts refer to (their rows are being deleted: a cleared
    instance, a reset store). Best effort: an object that cannot be deleted is logged and left.
    Returns how many were deleted."""
    deleted = 0
    for text in texts:
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if not is_reference(value):
            continue
        url = value[REFERENCE_KEY].get("url", "")
        try:
            fs, path = _fsspec().core.url_to_fs(url)
            fs.rm(path)
            deleted += 1
        except FileNotFoundError:
            pass
        except Exception as exc:  # the rows go regardless: an orphan object is only storage
            log.warning("XCom object %s not deleted: %s", url, exc)
    return deleted


def for_json(value: Any) -> Any:
    """What ``chordflow xcom get`` prints for a value: DataFrames as a list of row objects,
    Series as an object, arrays as nested lists (JSON cannot hold them as they are); dates as ISO
    text, sets and tuples as lists (see :func:`orchestrator.typed_json.to_plain`)."""
    kind = _type_name(value)
    if kind == "pandas.DataFrame":
        return json.loads(value.to_json(orient="records", date_format="iso"))
    if kind == "pandas.Series":
        return json.loads(value.to_json(orient="index", date_format="iso"))
    if kind == "numpy.ndarray":
        return value.tolist()
    return typed_json.to_plain(_plain(value))
