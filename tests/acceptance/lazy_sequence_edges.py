"""Edges of the lazy sequence a reduce receives: an index past the end (positive or negative)
raises IndexError; a slice past the end is cut; a slice step other than 1/-1 raises ValueError;
a str index raises TypeError; it is not a list (no `+ [..]`: TypeError); str() shows
"LazySelectSequence([3 items])".

Airflow 2.10, LazySelectSequence (airflow/utils/db.py), base of LazyXComSelectSequence:
``__getitem__`` with an int: ``if (row := ...one_or_none()) is None: raise IndexError(key)``;
``_coerce_slice``: ``raise ValueError("non-trivial slice step not supported")``; any other key:
``raise TypeError(f"Sequence indices must be integers or slices, not ...")``;
``__str__``/``__repr__``: ``f"LazySelectSequence([{length} {counter}])"``; it is a
collections.abc.Sequence, not a list (no __add__).
"""
from datetime import datetime

from orchestrator import dag, task


@task
def square(x):
    return x * x


def outcome(fn):
    try:
        return fn()
    except Exception as exc:  # the type of what was raised
        return type(exc).__name__


@task
def inspect_values(values):
    return {
        "past_end": outcome(lambda: values[3]),
        "before_start": outcome(lambda: values[-4]),
        "long_slice": outcome(lambda: values[1:100]),
        "step_two": outcome(lambda: values[::2]),
        "str_key": outcome(lambda: values["a"]),
        "plus_list": outcome(lambda: values + [0]),
        "is_list": isinstance(values, list),
        "str": str(values),
    }


@dag(dag_id="lazy_sequence_edges", schedule=None, start_date=datetime(2022, 1, 1))
def lazy_sequence_edges():
    inspect_values(square.expand(x=[1, 2, 3]))


lazy_sequence_edges()

EXPECTED = {"state": "success", "xcom": [["inspect_values", None, {
    "past_end": "IndexError", "before_start": "IndexError", "long_slice": [4, 9], "step_two": "ValueError",
    "str_key": "TypeError", "plus_list": "TypeError", "is_list": False, "str": "LazySelectSequence([3 items])",
}]]}
