"""Return values Airflow can store, through XCom without pickle: Airflow's serde shape
``{"__classname__", "__version__", "__data__"}`` (``airflow/serialization/serde.py``) with its
serializers ``datetime.py`` (date, datetime with its time zone as a nested tuple, timedelta as
seconds; pendulum's DateTime), ``bignum.py`` (Decimal), ``builtin.py`` (set, frozenset, tuple;
a namedtuple is stored as a tuple), and serde's refusal of a dict holding the reserved key.
Plain JSON values stay plain JSON."""
from __future__ import annotations

import collections
import datetime as dt
import decimal
import json
import zoneinfo

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator import typed_json
from orchestrator.xcom_backend import XComBackend, decode, for_json

TYPED = [
    dt.datetime(2021, 1, 1, 12, 30, 0, 123456),
    dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc),
    dt.datetime(2021, 6, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    dt.datetime(2021, 6, 1, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
    pendulum.datetime(2021, 1, 1, tz="UTC"),
    pendulum.datetime(2021, 7, 1, 3, 4, 5, tz="America/New_York"),
    dt.date(2022, 4, 12),
    dt.timedelta(days=1, microseconds=5),
    decimal.Decimal("12345678901234567890.123456789"),
    {1, 2},
    frozenset({"a"}),
    (1, (2, 3)),
]


@pytest.mark.parametrize("value", TYPED, ids=repr)
def test_typed_value_round_trips_with_its_type(value):
    back = typed_json.loads(typed_json.dumps(value))
    assert back == value and type(back) is type(value)
    if isinstance(value, dt.datetime):
        assert back.utcoffset() == value.utcoffset() and str(back.tzinfo) == str(value.tzinfo)


def test_typed_values_round_trip_nested_at_any_depth():
    value = {"rows": [(1, dt.date(2020, 1, 1)), {"tags": {"a"}}], "total": decimal.Decimal("1.10")}
    assert typed_json.loads(typed_json.dumps(value)) == value


def test_the_stored_shape_is_airflows_serde():
    assert json.loads(typed_json.dumps((1, 2))) == {"__classname__": "builtins.tuple", "__version__": 1,
                                                    "__data__": [1, 2]}
    stored = json.loads(typed_json.dumps(pendulum.datetime(2021, 1, 1, tz="UTC")))
    assert stored["__classname__"] == "pendulum.datetime.DateTime" and stored["__version__"] == 2
    assert stored["__data__"]["timestamp"] == 1609459200.0
    assert stored["__data__"]["tz"]["__data__"] == ["UTC", "pendulum.tz.timezone.Timezone", 1, True]
    assert json.loads(typed_json.dumps(dt.timedelta(minutes=1)))["__data__"] == 60.0


def test_a_namedtuple_is_stored_as_a_tuple():
    point = collections.namedtuple("Point", "x y")(1, 2)
    assert typed_json.loads(typed_json.dumps(point)) == (1, 2)


def test_a_dict_with_the_reserved_key_is_refused():
    with pytest.raises(TypeError, match="reserved key"):
        typed_json.dumps([{"__classname__": "os.system", "__version__": 1, "__data__": "ls"}])


def test_only_listed_classes_are_turned_back():
    text = json.dumps({"__classname__": "os.system", "__version__": 1, "__data__": "ls"})
    assert typed_json.loads(text) == json.loads(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children), max_leaves=20)


@given(json_values)
def test_plain_json_is_stored_as_plain_json(value):
    assert typed_json.dumps(value) == json.dumps(value)
    assert typed_json.loads(typed_json.dumps(value)) == value


def test_the_xcom_backend_stores_typed_values_inline_and_reads_them_back(tmp_path):
    backend = XComBackend(str(tmp_path))
    value = [dt.datetime(2022, 4, 12, 6, 0), {1, 2}, (3, 4)]
    text = backend.serialize(value, run_id="r", task_id="t", map_index=-1, key="return_value")
    assert "__chordflow_xcom_object__" not in text
    assert decode(text) == value


def test_xcom_get_prints_typed_values_as_plain_json():
    value = {"at": dt.datetime(2022, 4, 12, 6, 0), "day": dt.date(2022, 4, 12), "span": dt.timedelta(hours=1),
             "price": decimal.Decimal("2.50"), "count": decimal.Decimal("3"), "tags": {"b", "a"}, "pair": (1, 2)}
    assert for_json(value) == {"at": "2022-04-12T06:00:00", "day": "2022-04-12", "span": 3600.0, "price": 2.5,
                               "count": 3, "tags": ["a", "b"], "pair": [1, 2]}
