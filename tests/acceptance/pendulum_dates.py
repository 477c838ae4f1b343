"""Airflow's DAG files date things with pendulum: ``start_date=pendulum.datetime(2021, 1, 1, tz="UTC")``,
``pendulum.duration`` for delays. The context's ``logical_date`` is a pendulum DateTime in UTC (as in
Airflow: ``.add(days=1)``, ``.to_date_string()``, in templates too), and pendulum DateTimes with their
time zones go through XCom, mapped and reduced."""
import pendulum

from orchestrator import dag, task


@task(retry_delay=pendulum.duration(seconds=1))
def stamp(tomorrow: str, logical_date=None, ds=None) -> dict:
    assert isinstance(logical_date, pendulum.DateTime) and logical_date.timezone_name == "UTC"
    return {"tomorrow": tomorrow, "ds": ds, "paris": logical_date.in_timezone("Europe/Paris")}


@task
def shift(hours: int, logical_date=None) -> pendulum.DateTime:
    return logical_date.add(hours=hours).in_timezone("America/New_York")


@task
def latest(values) -> pendulum.DateTime:
    assert all(isinstance(v, pendulum.DateTime) and v.timezone_name == "America/New_York" for v in values)
    return max(values)


@task
def paris_hour(value: dict) -> int:
    assert value["paris"].timezone_name == "Europe/Paris"
    return value["paris"].hour


@dag(dag_id="pendulum_dates", schedule=None, start_date=pendulum.datetime(2021, 1, 1, tz="UTC"), catchup=False,
     default_args={"retry_delay": pendulum.duration(seconds=2)})
def pendulum_dates():
    paris_hour(stamp("{{ logical_date.add(days=1).to_date_string() }}"))
    latest(shift.expand(hours=[1, 2]))


pendulum_dates()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12T06:00:00+00:00"],
    "xcom": [
        ["stamp", None, {"tomorrow": "2022-04-13", "ds": "2022-04-12", "paris": "2022-04-12T08:00:00+02:00"}],
        ["paris_hour", None, 8],
        ["shift", 1, "2022-04-12T04:00:00-04:00"],
        ["latest", None, "2022-04-12T04:00:00-04:00"],
    ],
}
