"""Large and non-JSON XCom values: kept in the object store, a reference row in the table,
transparent to task code, to a reduce and to ``chordflow xcom get``."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestrator import xcom_backend
from orchestrator.xcom_backend import REFERENCE_KEY, XComBackend, XComObjectError
from tests.harness import Harness

FRAMES = """
import pandas as pd
import numpy as np

@task
def load():
    return pd.DataFrame({"x": [1, 2, 3], "name": ["a", "b", "c"]})

@task
def widen(frame, factor):
    assert isinstance(frame, pd.DataFrame), type(frame)
    return frame.assign(y=frame.x * factor)

@task
def vectors(frame):
    return np.arange(6, dtype="float64").reshape(2, 3) * len(frame)

@task
def report(frames, matrix):
    assert isinstance(matrix, np.ndarray) and matrix.shape == (2, 3)
    return {"sums": [int(f.y.sum()) for f in frames], "mean": matrix.mean()}

@dag(dag_id="frames", schedule=None, start_date=datetime(2022, 1, 1))
def frames():
    data = load()
    report(widen.partial(frame=data).expand(factor=[10, 100]), vectors(data))

frames()
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def harness(request, tmp_path):
    url = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    h = Harness(tmp_path, url)
    h.runner.xcoms = XComBackend(str(tmp_path / "objects"), inline_limit=1024)
    yield h
    h.store.dispose()


def raw_xcom(h: Harness, run_id: str, task_id: str, map_index: int = -1) -> dict:
    from sqlalchemy import select

    from orchestrator.schema import xcom

    with h.store.begin() as conn:
        text = conn.execute(select(xcom.c.value).where(
            xcom.c.run_id == run_id, xcom.c.task_id == task_id, xcom.c.map_index == map_index)).scalar_one()
    return json.loads(text)


def test_dataframes_and_arrays_pass_between_tasks_through_the_object_store(harness, tmp_path):
    run_id = harness.run(FRAMES)
    assert harness.store.get_run(run_id).state == "success"
    assert harness.xcom(run_id, "report") == {"sums": [60, 600], "mean": 7.5}
    reference = raw_xcom(harness, run_id, "widen", 1)[REFERENCE_KEY]
    assert (reference["format"], reference["type"]) == ("parquet", "pandas.DataFrame")
    assert reference["url"].startswith("file://" + str(tmp_path / "objects"))
    stored = pd.read_parquet(reference["url"].removeprefix("file://"))
    assert stored.y.tolist() == [100, 200, 300]
    assert raw_xcom(harness, run_id, "vectors")[REFERENCE_KEY]["format"] == "npy"
    # readers get the objects back: one index, and the reduce's sequence
    frame = harness.xcom(run_id, "widen", 0)
    assert isinstance(frame, pd.DataFrame) and frame.y.tolist() == [10, 20, 30]
    assert [f.y.tolist()[0] for f in harness.store.iter_xcom_values(run_id, "widen")] == [10, 100]


def test_clearing_an_instance_or_resetting_the_store_deletes_its_objects(harness, tmp_path):
    """The objects of the XCom rows a clear or a reset deletes go with them; others stay."""
    run_id = harness.run(FRAMES)
    objects = tmp_path / "objects"
    url = raw_xcom(harness, run_id, "widen", 1)[REFERENCE_KEY]["url"]
    kept = raw_xcom(harness, run_id, "widen", 0)[REFERENCE_KEY]["url"]
    before = {p for p in objects.rglob("*") if p.is_file()}
    assert len(before) == 4  # load, widen[0], widen[1], vectors (the report is small JSON)
    assert harness.store.clear(run_id, [("widen", [1], False, 0)], []) == 1
    after = {p for p in objects.rglob("*") if p.is_file()}
    assert before - after == {Path(url.removeprefix("file://"))}
    assert Path(kept.removeprefix("file://")) in after
    harness.store.reset()
    assert not [p for p in objects.rglob("*") if p.is_file()]


def test_deleting_a_run_deletes_its_objects_and_leaves_other_runs_objects(harness, tmp_path):
    gone, kept = harness.run(FRAMES), harness.run(FRAMES)
    objects = tmp_path / "objects"
    of_run = {run_id: {p for p in objects.rglob("*") if p.is_file() and run_id in p.parts} for run_id in (gone, kept)}
    assert len(of_run[gone]) == len(of_run[kept]) == 4
    assert harness.store.delete_run(gone)["xcom"] == 5  # the 4 objects' rows and the report's inline JSON
    assert {p for p in objects.rglob("*") if p.is_file()} == of_run[kept]
    assert harness.xcom(kept, "report") == {"sums": [60, 600], "mean": 7.5}


def test_big_json_goes_to_the_store_unless_a_downstream_maps_over_it(harness):
    run_id = harness.run("""
@task
def numbers():
    return list(range(2000))

@task
def echo(values):
    return values

@task
def square(x):
    return x * x

@dag(dag_id="big_json", schedule=None, start_date=datetime(2022, 1, 1))
def big_json():
    data = numbers()
    echo(data)
    square.expand(x=data)

big_json()
""")
    assert harness.store.get_run(run_id).state == "success"
    assert isinstance(raw_xcom(harness, run_id, "numbers"), list)  # mapped over: counted in the table
    assert REFERENCE_KEY in raw_xcom(harness, run_id, "echo")  # 9 kB > the 1 kB limit: an object
    assert harness.xcom(run_id, "echo") == list(range(2000))
    assert harness.xcom(run_id, "square", 1999) == 1999 ** 2


def test_values_with_no_safe_format_fail_the_instance_naming_the_type(harness):
    run_id = harness.run("""
import numpy as np

@task
def objects():
    return np.array([{"a": 1}, None], dtype=object)

@dag(dag_id="object_array", schedule=None, start_date=datetime(2022, 1, 1))
def object_array():
    objects()

object_array()
""")
    [row] = harness.store.list_instances(run_id, "objects")
    assert row["state"] == "failed" and "without pickle" in row["error"]


def test_a_pickled_object_is_never_loaded(tmp_path):
    """An object store others can write to must not make a reader unpickle: npy is read with
    pickling off, so a pickled array is refused with a clear error."""
    path = tmp_path / "evil.npy"
    np.save(path, np.array([object()], dtype=object), allow_pickle=True)
    reference = {REFERENCE_KEY: {"url": f"file://{path}", "format": "npy", "type": "numpy.ndarray"}}
    with pytest.raises(XComObjectError, match="evil.npy"):
        xcom_backend.resolve(reference)


def test_an_unreachable_object_names_its_url_and_the_setting(tmp_path):
    reference = {REFERENCE_KEY: {"url": f"file://{tmp_path}/gone.parquet", "format": "parquet"}}
    with pytest.raises(XComObjectError, match="gone.parquet.*CHORDFLOW_XCOM_OBJECTS_URL"):
        xcom_backend.resolve(reference)


def test_numpy_scalars_stay_inline_as_numbers(tmp_path):
    backend = XComBackend(str(tmp_path))
    text = backend.serialize(np.float64(0.25), run_id="r", task_id="t", map_index=-1, key="return_value")
    assert json.loads(text) == 0.25 and not list(tmp_path.iterdir())


def test_lazy_sequences_and_numpy_scalars_inside_a_value_are_written_as_json(tmp_path):
    """What a task returns may hold what it was handed (an upstream's lazy results, a concat)
    or numpy numbers, at any depth: written as lists and numbers; other objects still fail."""
    from orchestrator.resolve import ConcatSequence, MappedSequence

    backend = XComBackend(str(tmp_path))
    value = {"kept": [MappedSequence([1, 2], lambda v: v * 10), ConcatSequence([[1], ("a",), []])],
             "best": np.float32(0.5), "count": np.int64(3)}
    text = backend.serialize(value, run_id="r", task_id="t", map_index=-1, key="return_value")
    assert json.loads(text) == {"kept": [[10, 20], [1, "a"]], "best": 0.5, "count": 3}
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        backend.serialize([object()], run_id="r", task_id="t", map_index=-1, key="return_value")


def test_xcom_get_prints_a_dataframe_as_rows(tmp_path):
    frame = pd.DataFrame({"x": [1, 2], "name": ["a", "b"]})
    assert xcom_backend.for_json(frame) == [{"x": 1, "name": "a"}, {"x": 2, "name": "b"}]
    assert xcom_backend.for_json(np.arange(4).reshape(2, 2)) == [[0, 1], [2, 3]]
