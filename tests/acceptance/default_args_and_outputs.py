"""default_args reach mapped tasks (retries: one index passes on its second try, try_number 2);
a mapped @task(multiple_outputs=True) gives its reduce one dict per index; partial() overrides a
parameter's default value; a returned tuple is a JSON list."""

from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task
def flaky(x):
    ti = get_current_context()["ti"]
    if x == 2 and ti.try_number < 2:
        raise ValueError("first try fails")
    return [x, ti.try_number]


@task(multiple_outputs=True)
def split(x):
    return {"double": x * 2, "name": f"n{x}"}


@task
def pair(a=1, b=2):
    return (a, b)


@task
def collect(values):
    return list(values)


@dag(
    dag_id="default_args_and_outputs",
    schedule=None,
    start_date=datetime(2022, 1, 1),
    default_args={"retries": 1, "retry_delay": timedelta(seconds=0)},
)
def default_args_and_outputs():
    flaky.expand(x=[1, 2])
    s = split.expand(x=[1, 2])
    collect(s)
    pair.partial(b=5).expand(a=[1])


default_args_and_outputs()
EXPECTED = {
    "state": "success",
    "tasks": {"flaky": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [
        ["flaky", 1, [2, 2]],
        ["pair", 0, [1, 5]],
        ["collect", None, [{"double": 2, "name": "n1"}, {"double": 4, "name": "n2"}]],
    ],
    "instances": [["flaky", 1, {"try_number": 2}]],
}
