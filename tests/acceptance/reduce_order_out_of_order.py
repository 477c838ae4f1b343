"""A reduce receives the mapped results in map-index order even when the indices finish in another
order (index 0 finishes last here), and so does ti.xcom_pull of every index.

Airflow 2.10: LazyXComSelectSequence.from_select orders by XCom.map_index (airflow/models/xcom.py,
PlainXComArg.resolve -> ti.xcom_pull(..., map_indexes=None) -> ``order_by(XComModel.map_index)``
in TaskInstance._xcom_pull / XCom.get_many ordering).
"""
import time
from datetime import datetime

from orchestrator import dag, get_current_context, task


@task
def slow_first(x):
    if x == 0:
        time.sleep(0.8)
    return x


@task
def collect(values):
    ti = get_current_context()["ti"]
    return {"reduce": list(values), "pulled": list(ti.xcom_pull(task_ids="slow_first"))}


@dag(dag_id="reduce_order_out_of_order", schedule=None, start_date=datetime(2022, 1, 1))
def reduce_order_out_of_order():
    collect(slow_first.expand(x=[0, 1, 2, 3]))


reduce_order_out_of_order()

EXPECTED = {"state": "success", "xcom": [["collect", None, {"reduce": [0, 1, 2, 3], "pulled": [0, 1, 2, 3]}]]}
