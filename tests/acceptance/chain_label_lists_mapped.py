"""``chain()`` with lists of ``Label``s and mapped tasks, as Airflow's own chain docstring shows
(``chain(t1, [Label("branch one"), Label("branch two")], [x1(), x2()], ...)``,
airflow/models/baseoperator.py): a task followed by a list of labels links to every task after the
labels; two lists of the same length pair up element-wise (``up_t.set_downstream(down_t)`` for each
pair), never crosswise. Edges are seen through trigger rules: ``bad_start`` fails, so both mapped tasks
behind the labels are upstream_failed; ``left_after`` follows only the failed map and is
upstream_failed, ``right_after`` only the successful one and runs."""
from datetime import datetime

from orchestrator import Label, chain, dag, task


@task
def bad_start() -> int:
    raise ValueError("no start")


@task
def ok(x: int) -> int:
    return x


@task
def boom(x: int) -> int:
    raise ValueError(f"boom {x}")


@task
def after() -> str:
    return "after"


@dag(dag_id="chain_label_lists_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def chain_label_lists_mapped():
    chain(bad_start(), [Label("one"), Label("two")],
          [ok.override(task_id="left")  .expand(x=[1, 2]), ok.override(task_id="right").expand(x=[3])])
    chain([boom.expand(x=[1]), ok.override(task_id="fine").expand(x=[5, 6])],
          [after.override(task_id="left_after")(), after.override(task_id="right_after")()])


chain_label_lists_mapped()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "left": {"map_count": 2, "states": {"upstream_failed": 2}},
        "right": {"map_count": 1, "states": {"upstream_failed": 1}},
        "boom": {"map_count": 1, "states": {"failed": 1}},
        "fine": {"map_count": 2, "states": {"success": 2}},
        "left_after": {"states": {"upstream_failed": 1}},
        "right_after": {"states": {"success": 1}},
    },
    "xcom": [["right_after", None, "after"]],
}
