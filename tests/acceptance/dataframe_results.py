"""Mapped instances return pandas DataFrames and numpy arrays: they go to the XCom object store,
each downstream gets them back as they were, and `xcom get` prints a DataFrame as its rows."""
from datetime import datetime

from orchestrator import dag, task


@task
def frame(n: int):
    import pandas as pd

    return pd.DataFrame({"n": [n, n], "sq": [n * n, n * n + 1]})


@task
def vector(n: int):
    import numpy as np

    return np.full(3, n, dtype="int64")


@task
def summary(frames, vectors) -> dict:
    import pandas as pd

    whole = pd.concat(list(frames), ignore_index=True)
    return {"rows": len(whole), "sq_sum": int(whole.sq.sum()), "vector_sums": [int(v.sum()) for v in vectors]}


@dag(dag_id="dataframe_results", schedule=None, start_date=datetime(2022, 1, 1))
def dataframe_results():
    summary(frame.expand(n=[1, 2, 3]), vector.expand(n=[1, 2]))


dataframe_results()

EXPECTED = {
    "state": "success",
    "tasks": {
        "frame": {"map_count": 3, "states": {"success": 3}},
        "vector": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [
        ["summary", None, {"rows": 6, "sq_sum": 31, "vector_sums": [3, 6]}],
        ["frame", 1, [{"n": 2, "sq": 4}, {"n": 2, "sq": 5}]],
        ["vector", 1, [2, 2, 2]],
    ],
}
