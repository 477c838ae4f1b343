"""Typed JSON: the values Airflow's XCom serializer keeps beyond JSON, without pickle.

``datetime`` (pendulum's too, with its time zone), ``date``, ``timedelta``, ``Decimal``, ``set``,
``frozenset`` and ``tuple`` are written as Airflow's serde writes them (``airflow/serialization/
serde.py`` and ``serializers/{datetime,timezone,bignum,builtin}.py``)::

    {"__classname__": "builtins.tuple", "__version__": 1, "__data__": [1, 2]}

at any depth; plain JSON values stay plain JSON. Reading turns back only the class names listed
here, so a stored text can never make a reader import or run anything.

Speed: a value of plain JSON types is written by one ``json.dumps`` (a top-level scalar at once; a
list or dict after one C-level look at the types of its items, for tuples, which ``json.dumps``
would silently turn into lists); a text is read by one ``json.loads`` unless it holds the marker.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import zoneinfo
from collections.abc import Callable
from itertools import chain, compress, repeat
from typing import Any

#: Airflow's serde keys.
CLASSNAME, VERSION, DATA = "__classname__", "__version__", "__data__"
#: In a text only where a typed value (or a dict using the reserved key) was written.
_MARKER = '"' + CLASSNAME + '"'
_PLAIN = frozenset({int, str, float, bool, type(None)})
#: ``type -> False`` for the plain types (a lookup in C, for :func:`itertools.compress`).
_NOT_PLAIN = dict.fromkeys(_PLAIN, False)
_COLLECTIONS = {tuple: "builtins.tuple", set: "builtins.set", frozenset: "builtins.frozenset"}
_TIMESTAMP, _TZ = "timestamp", "tz"


def _encode(classname: str, version: int, data: Any) -> dict[str, Any]:
    return {CLASSNAME: classname, VERSION: version, DATA: data}


def _timezone(tz: dt.tzinfo, value: dt.datetime) -> dict[str, Any]:
    """A time zone as Airflow's datetime serializer nests it: a tuple ``(data, classname, version, True)``."""
    kind = f"{type(tz).__module__}.{type(tz).__qualname__}"
    if kind == "pendulum.tz.timezone.FixedTimezone":
        data: Any = "UTC" if tz.offset == 0 else tz.offset
    elif isinstance(tz, zoneinfo.ZoneInfo) and tz.key:  # pendulum's Timezone is a ZoneInfo
        data = tz.key
        if kind != "pendulum.tz.timezone.Timezone":
            kind = "zoneinfo.ZoneInfo"
    else:  # datetime.timezone, dateutil's, ...: the offset it has at this moment
        offset = tz.utcoffset(value)
        kind, data = "datetime.timezone", "UTC" if tz is dt.timezone.utc else int(offset.total_seconds())
    return _encode("builtins.tuple", 1, [data, kind, 1, True])


def to_typed(value: Any, default: Callable[[Any], Any] | None = None) -> Any:
    """``value`` with every typed value replaced by its serde dict (what :func:`dumps` writes).
    ``default`` turns other objects into JSON types (else ``TypeError``); a dict holding the
    reserved key ``__classname__`` is refused, as Airflow does."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [to_typed(item, default) for item in value]
    if isinstance(value, dict):
        if CLASSNAME in value:
            raise TypeError(f"reserved key {CLASSNAME} found in a dict to store")
        return {key: to_typed(item, default) for key, item in value.items()}
    for base, classname in _COLLECTIONS.items():
        if isinstance(value, base):  # a namedtuple is stored as a tuple, as in Airflow
            return _encode(classname, 1, [to_typed(item, default) for item in value])
    if isinstance(value, dt.datetime):
        pendulum = type(value).__module__.startswith("pendulum")
        if value.tzinfo is None:  # naive: the same wall time on every host, whatever its local zone
            stamp, tz = value.replace(tzinfo=dt.timezone.utc).timestamp(), None
        else:
            stamp, tz = value.timestamp(), _timezone(value.tzinfo, value)
        return _encode("pendulum.datetime.DateTime" if pendulum else "datetime.datetime", 2,
                       {_TIMESTAMP: stamp, _TZ: tz})
    if isinstance(value, dt.date):
        return _encode("datetime.date", 2, value.isoformat())
    if isinstance(value, dt.timedelta):
        return _encode("datetime.timedelta", 2, value.total_seconds())
    if isinstance(value, decimal.Decimal):
        return _encode("decimal.Decimal", 1, str(value))  # Airflow writes a float; the text is exact
    if isinstance(value, list):
        return [to_typed(item, default) for item in value]
    if default is not None:
        return to_typed(default(value), default)
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _holds_tuple(value: Any) -> bool:
    """Whether a tuple hides somewhere in a list or dict (``json.dumps`` would write it as a list).
    Looks one level of nesting at a time, each level's item types gathered in C: a list of 100k
    numbers or of 20k flat dicts costs two passes, not a Python loop over them."""
    if isinstance(value, tuple):
        return True
    if type(value) is list:  # the usual result: its items are the first level
        children = value
    elif type(value) is dict:
        children = list(value.values())
    else:
        return _holds_tuple_below([value])
    if set(map(type, children)) <= _PLAIN:
        return False
    return _holds_tuple_below(list(compress(children, map(_NOT_PLAIN.get, map(type, children), repeat(True)))))


def _holds_tuple_below(level: list[Any]) -> bool:
    while level:
        kinds = set(map(type, level))
        if any(issubclass(kind, tuple) for kind in kinds):
            return True
        if kinds == {list}:
            children = list(chain.from_iterable(level))
        elif kinds == {dict}:
            children = list(chain.from_iterable(map(dict.values, level)))
        else:  # mixed or subclassed containers, and leaves json.dumps hands to the default hook
            children = []
            for item in level:
                if isinstance(item, dict):
                    children.extend(item.values())
                elif isinstance(item, list):
                    children.extend(item)
        if set(map(type, children)) <= _PLAIN:
            return False
        level = list(compress(children, map(_NOT_PLAIN.get, map(type, children), repeat(True))))
    return False


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """The JSON text of ``value``, typed values as Airflow's serde dicts. ``default`` turns other
    objects into JSON types; ``TypeError`` (or ``ValueError``) when something cannot be written."""
    if type(value) in _PLAIN:
        return json.dumps(value)
    if _holds_tuple(value):
        return json.dumps(to_typed(value, default))

    def typed_default(item: Any) -> Any:
        return to_typed(item, default)

    text = json.dumps(value, default=typed_default)
    if _MARKER in text:  # a typed value, or a user's dict with the reserved key: check the latter
        return json.dumps(to_typed(value, default))
    return text


def _timezone_from(data: Any) -> dt.tzinfo | None:
    if not data:
        return None
    name, kind = data[0], data[1]
    if kind.startswith("pendulum."):
        import pendulum

        return pendulum.timezone(name) if isinstance(name, str) else pendulum.FixedTimezone(name)
    if name == "UTC":
        return dt.timezone.utc
    if kind == "zoneinfo.ZoneInfo":
        return zoneinfo.ZoneInfo(name)
    return dt.timezone(dt.timedelta(seconds=name))


def _datetime(data: dict[str, Any], pendulum: bool) -> dt.datetime:
    tz = _timezone_from(data.get(_TZ))
    if tz is None:
        value = dt.datetime.fromtimestamp(float(data[_TIMESTAMP]), dt.timezone.utc).replace(tzinfo=None)
    else:
        value = dt.datetime.fromtimestamp(float(data[_TIMESTAMP]), tz)
    if not pendulum:
        return value
    import pendulum as pdl

    if tz is None:
        return pdl.naive(value.year, value.month, value.day, value.hour, value.minute, value.second,
                         value.microsecond)
    return pdl.instance(value, tz=tz)


#: classname -> how its ``__data__`` becomes the value again (nothing else is ever turned back).
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "builtins.tuple": tuple,
    "builtins.set": set,
    "builtins.frozenset": frozenset,
    "datetime.datetime": lambda data: _datetime(data, pendulum=False),
    "pendulum.datetime.DateTime": lambda data: _datetime(data, pendulum=True),
    "datetime.date": dt.date.fromisoformat,
    "datetime.timedelta": lambda data: dt.timedelta(seconds=float(data)),
    "decimal.Decimal": lambda data: decimal.Decimal(str(data)),
}


def _typed_hook(obj: dict[str, Any]) -> Any:
    decoder = _DECODERS.get(obj.get(CLASSNAME)) if VERSION in obj else None
    return obj if decoder is None else decoder(obj.get(DATA))


def loads(text: str | bytes) -> Any:
    """The value of a JSON text :func:`dumps` wrote, typed values turned back."""
    if isinstance(text, bytes):
        text = text.decode()
    if _MARKER not in text:
        return json.loads(text)
    return json.loads(text, object_hook=_typed_hook)


def to_plain(value: Any) -> Any:
    """``value`` as plain JSON data, for people and scripts (``chordflow xcom get``): dates and
    datetimes as ISO 8601 text, a timedelta as seconds, a Decimal as a number, sets and tuples as
    lists; at any depth."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [to_plain(item) for item in value]
        try:
            return sorted(items)
        except TypeError:  # items of mixed types keep the set's order
            return items
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
