"""The read models the CLI prints and the web UI shows, on the stub dispatcher (no broker)."""
from __future__ import annotations

import pytest

from orchestrator import read_models
from orchestrator.errors import RunNotFound, TaskNotFound, XComNotFound
from tests.harness import Harness

SEED = """
@task
def add(x, y):
    if x == 2:
        raise ValueError("two")
    return x + y

@task(trigger_rule="all_done")
def total(values):
    return sum(values)

@dag(dag_id="seed", start_date=datetime(2022, 1, 1))
def seed():
    total(add.partial(y=10).expand(x=[1, 2, 3]))

seed()
"""


@pytest.fixture
def h(tmp_path) -> Harness:
    return Harness(tmp_path)


def test_run_summary_gives_each_task_its_map_count_and_state_counts(h):
    run_id = h.run(SEED)
    summary = read_models.run_summary(h.store, h.dagbag, run_id)
    assert (summary["run_id"], summary["dag_id"], summary["state"]) == (run_id, "seed", "success")
    assert summary["tasks"] == [
        {"task_id": "add", "mapped": True, "map_count": 3, "states": {"success": 2, "failed": 1}, "upstream": []},
        {"task_id": "total", "mapped": False, "map_count": None, "states": {"success": 1}, "upstream": ["add"]},
    ]
    assert read_models.run_state_counts(h.store, run_id) == {"success": 3, "failed": 1}


def test_instance_page_counts_every_row_and_returns_one_page(h):
    run_id = h.run(SEED)
    page = read_models.instance_page(h.store, run_id, "add", limit=2, offset=1)
    assert page["total"] == 3 and (page["limit"], page["offset"]) == (2, 1)
    assert [(r["map_index"], r["state"]) for r in page["rows"]] == [(1, "failed"), (2, "success")]
    assert set(page["rows"][0]) >= {"task_id", "map_index", "state", "try_number", "start_date", "end_date",
                                    "hostname", "error"}


def test_grid_has_one_row_per_task_and_one_cell_per_run_oldest_first(h):
    first, second = h.run(SEED), h.start(h.folder / "dag_1.py")
    grid = read_models.grid(h.store, h.dagbag, "seed")
    assert [r["run_id"] for r in grid["runs"]] == [first, second]
    add = grid["tasks"][0]
    assert (add["task_id"], add["mapped"]) == ("add", True)
    assert add["cells"][0] == {"run_id": first, "map_count": 3, "states": {"success": 2, "failed": 1}}
    assert add["cells"][1]["run_id"] == second and add["cells"][1]["map_count"] == 3


def test_xcom_json_of_a_mapped_task_lists_what_its_instances_pushed(h):
    run_id = h.run(SEED)
    assert read_models.xcom_json(h.store, run_id, "add") == [11, 13]
    assert read_models.xcom_json(h.store, run_id, "total") == 24
    with pytest.raises(XComNotFound, match=r"add\[1\] .* has no XCom 'return_value'"):
        read_models.xcom_json(h.store, run_id, "add", 1)


def test_lookups_name_what_does_not_exist(h):
    run_id = h.run(SEED)
    with pytest.raises(RunNotFound):
        read_models.instance_rows(h.store, "nope")
    with pytest.raises(TaskNotFound, match="no task 'nope'"):
        read_models.try_rows(h.store, run_id, "nope")
    with pytest.raises(TaskNotFound, match="choose --map-index 0..2"):
        read_models.log_entries(h.store, run_id, "add", -1)


def test_clear_plan_of_a_failed_index_downstream(h):
    run_id = h.run(SEED)
    plan = read_models.clear_plan(h.store, h.dagbag, run_id, "add", [1], only_failed=True, downstream=True)
    assert plan == {"run_id": run_id,
                    "selections": [{"task_id": "add", "map_indices": [1], "only_failed": True, "retries": 0},
                                   {"task_id": "total", "map_indices": None, "only_failed": False, "retries": 0}],
                    "resets": []}


def test_dag_details_list_tasks_in_order_with_their_upstreams(h):
    h.write(SEED, "seed.py")
    details = read_models.dag_details(h.dagbag, "seed")
    assert [(t["task_id"], t["mapped"], t["upstream"]) for t in details["tasks"]] == [
        ("add", True, []), ("total", False, ["add"])]
    rows, errors = read_models.dag_rows(h.dagbag)
    assert [(r["dag_id"], r["tasks"]) for r in rows] == [("seed", 2)] and errors == {}
