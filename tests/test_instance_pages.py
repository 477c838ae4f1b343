"""Mapped Instances pages sorted by state, duration or start, read as SQL top-Ns (a deep page
counted from the other end): every page, concatenated, is the map in the order a full sort gives,
on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from orchestrator.schema import dag_run, task_instance
from webserver.page_data import instance_page

N = 37
STATES = ("success", "failed", "running", "queued")


def _seed(store) -> None:
    """A run whose map ``work`` has N instances: durations that repeat (ties broken by map index),
    some not started or not ended (no duration: last), states of four kinds."""
    base = datetime(2026, 1, 1)
    rows = []
    for index in range(N):
        state = STATES[index % 4] if index % 5 else "success"
        start = None if state == "queued" else base + timedelta(seconds=(index * 7) % 11)
        end = None if state in ("queued", "running") else start + timedelta(milliseconds=250 * ((index * 5) % 9))
        rows.append({"run_id": "r", "task_id": "work", "map_index": index, "state": state, "try_number": 1,
                     "max_tries": 0, "start_date": start, "end_date": end})
    with store.begin() as conn:
        conn.execute(insert(dag_run).values(run_id="r", dag_id="d", state="running", logical_date=base, conf="{}",
                                            fileloc="/nowhere.py", created_at=base))
        conn.execute(insert(task_instance), rows)


def _expected(rows, sort: str, descending: bool) -> list[int]:
    """The map indices in the order the page promises: by ``sort`` (instances without a value
    last), then by map index, all in one direction."""
    def value(row):  # (dates are ISO texts: they sort as the dates do)
        return row[sort]

    present = sorted((r for r in rows if value(r) is not None), key=lambda r: (value(r), r["map_index"]),
                     reverse=descending)
    missing = sorted((r for r in rows if value(r) is None), key=lambda r: r["map_index"], reverse=descending)
    return [r["map_index"] for r in (missing + present if descending else present + missing)]


@pytest.mark.parametrize("sort", ["duration", "state", "start_date", "map_index"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("state", [None, "success"])
def test_every_page_of_a_sorted_map_is_its_slice_of_the_full_order(store, sort, descending, state):
    _seed(store)
    everything = instance_page(store, "r", "work", limit=1000)["rows"]
    assert len(everything) == N
    wanted = _expected([r for r in everything if state is None or r["state"] == state], sort, descending)
    pages = [instance_page(store, "r", "work", limit=5, offset=offset, state=state, sort=sort, descending=descending)
             for offset in range(0, N + 5, 5)]
    assert [r["map_index"] for page in pages for r in page["rows"]] == wanted
    assert all(page["total"] == len(wanted) for page in pages)
    assert pages[-1]["rows"] == []  # past the end
    # a page whose offset is not a multiple of its limit, deep in the map
    odd = instance_page(store, "r", "work", limit=4, offset=len(wanted) - 6, state=state, sort=sort,
                        descending=descending)
    assert [r["map_index"] for r in odd["rows"]] == wanted[len(wanted) - 6:len(wanted) - 2]


def test_a_filter_nothing_matches_reads_no_rows(store):
    _seed(store)
    page = instance_page(store, "r", "work", state="skipped", sort="duration")
    assert (page["total"], page["rows"], sum(page["states"].values())) == (0, [], N)
