"""Return values Airflow's serializer stores beyond JSON -- date, datetime, timedelta, Decimal, set,
frozenset, tuple -- go through XCom with their types (no pickle): mapped over, handed from index
to index in a mapped group, and to a reduce; ``xcom get --output json`` prints them as plain JSON
(ISO dates, seconds, numbers, lists)."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from orchestrator import dag, task, task_group


@task
def windows() -> list:
    return [(date(2022, 4, 10), timedelta(hours=6)), (date(2022, 4, 11), timedelta(hours=12))]


@task
def measure(window) -> dict:
    day, span = window
    assert isinstance(window, tuple) and type(day) is date and type(span) is timedelta, window
    return {"day": day, "until": datetime.combine(day, time()) + span, "cost": Decimal("1.10") * 2,
            "tags": {"b", "a"}, "pair": (day.day, span.seconds)}


@task
def total(results) -> dict:
    assert all(type(r["cost"]) is Decimal and type(r["tags"]) is set and type(r["pair"]) is tuple for r in results)
    return {"cost": sum(r["cost"] for r in results), "tags": frozenset().union(*(r["tags"] for r in results)),
            "days": tuple(r["day"] for r in results), "latest": max(r["until"] for r in results)}


@task
def triple() -> tuple:
    return (1, 2, 3)


@task
def span_of(n: int) -> timedelta:
    return timedelta(minutes=n)


@task
def later(span: timedelta) -> datetime:
    assert type(span) is timedelta
    return datetime(2022, 4, 12) + span


@task_group
def per_n(n: int):
    return later(span_of(n))


@task
def latest(values) -> datetime:
    assert all(type(v) is datetime for v in values)
    return max(values)


@dag(dag_id="typed_xcom_map_reduce", schedule=None, start_date=datetime(2022, 1, 1))
def typed_xcom_map_reduce():
    total(measure.expand(window=windows()))
    latest(per_n.expand(n=triple()))


typed_xcom_map_reduce()

EXPECTED = {
    "state": "success",
    "tasks": {"measure": {"map_count": 2, "states": {"success": 2}}, "per_n.later": {"map_count": 3}},
    "xcom": [
        ["windows", None, [["2022-04-10", 21600.0], ["2022-04-11", 43200.0]]],
        ["measure", 0, {"day": "2022-04-10", "until": "2022-04-10T06:00:00", "cost": 2.2, "tags": ["a", "b"],
                        "pair": [10, 21600]}],
        ["total", None, {"cost": 4.4, "tags": ["a", "b"], "days": ["2022-04-10", "2022-04-11"],
                         "latest": "2022-04-11T12:00:00"}],
        ["triple", None, [1, 2, 3]],
        ["per_n.span_of", 2, 180.0],
        ["per_n.later", 0, "2022-04-12T00:01:00"],
        ["latest", None, "2022-04-12T00:03:00"],
    ],
}
