"""The rest of Airflow's authoring surface DAG files use, each rule checked against Airflow:

- ``airflow/decorators/__init__.py`` ``TaskDecoratorCollection``: ``task.python`` is ``task``; a kind
  Chordflow lacks (``task.docker``, ``task.virtualenv``, ...) is refused in one line naming it.
- ``airflow/operators/python.py`` ``PythonOperator``: ``templates_dict`` is rendered and handed to
  the callable as ``templates_dict``; ``templates_exts`` makes entries ending so template files.
- ``airflow/utils/edgemodifier.py`` ``Label``: ``a >> Label("x") >> b`` makes the edge ``a >> b``.
- Airflow's DAG files pass ``pendulum.datetime(..., tz="UTC")`` as dates; the context's
  ``logical_date`` is a pendulum DateTime in UTC (``airflow/utils/context.py``, templates-ref.rst).
"""
from __future__ import annotations

import textwrap
from datetime import datetime, timezone

import pendulum
import pytest

from orchestrator import DAG, Label, task
from orchestrator.context import DagRunInfo, build_context
from orchestrator.dates import as_pendulum, as_utc_naive
from orchestrator.errors import DagDefinitionError
from tests.conftest import run_cli


@pytest.mark.parametrize("kind", ["docker", "virtualenv", "external_python", "kubernetes", "pyspark"])
def test_a_decorator_chordflow_lacks_is_refused_naming_it_and_the_supported_ones(kind):
    with pytest.raises(DagDefinitionError, match=rf"@task\.{kind} is not supported by Chordflow .*@task\.python"):
        getattr(task, kind)


def test_hasattr_on_task_keeps_its_meaning():
    assert hasattr(task, "python") and not hasattr(task, "docker")


def test_a_dag_file_using_task_docker_is_one_line_exit_2(embedded_env, tmp_path):
    path = tmp_path / "docker_dag.py"
    path.write_text(textwrap.dedent("""
        from datetime import datetime
        from orchestrator import dag, task

        @dag(dag_id="docker_dag", schedule=None, start_date=datetime(2022, 1, 1))
        def docker_dag():
            @task.docker(image="python:3.12")
            def inside():
                return 1
            inside()

        docker_dag()
    """))
    result = run_cli(embedded_env, "run", path, "--wait")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "docker_dag.py: @task.docker is not supported by Chordflow" in lines[0]


def test_label_on_an_edge_makes_the_edge():
    @task
    def a():
        return 1

    @task
    def b():
        return 2

    @task
    def c():
        return 3

    with DAG(dag_id="labels", schedule=None, start_date=pendulum.datetime(2021, 1, 1, tz="UTC")) as dag:
        first, second, third = a(), b(), c()
        first >> Label("then") >> second
        [first, second] >> Label("both") >> third
    assert dag.task_dict["b"].upstream_task_ids == {"a"}
    assert dag.task_dict["c"].upstream_task_ids == {"a", "b"}


def test_task_accepts_templates_dict_and_templates_exts():
    @task(templates_dict={"query": "q.sql"}, templates_exts=[".sql"])
    def log_sql(**kwargs):
        return kwargs["templates_dict"]["query"]

    with DAG(dag_id="tdict", schedule=None, start_date=datetime(2021, 1, 1)) as dag:
        log_sql()
    operator = dag.task_dict["log_sql"]
    assert operator.templates_dict == {"query": "q.sql"} and operator.templates_exts == (".sql",)


def test_an_aware_logical_date_is_stored_as_naive_utc():
    assert as_utc_naive(pendulum.datetime(2021, 1, 1, 3, tz="Europe/Paris")) == datetime(2021, 1, 1, 2)
    assert type(as_utc_naive(pendulum.datetime(2021, 1, 1))) is datetime


def test_the_contexts_logical_date_is_a_pendulum_datetime_in_utc():
    context = build_context(None, None, DagRunInfo("r", "d", datetime(2022, 4, 12, tzinfo=timezone.utc)), None, {})
    assert isinstance(context["logical_date"], pendulum.DateTime)
    assert context["logical_date"].timezone_name == "UTC"
    assert (context["ds"], context["ts"]) == ("2022-04-12", "2022-04-12T00:00:00+00:00")
    assert context["logical_date"].add(days=1).to_date_string() == "2022-04-13"


def test_an_aware_date_keeps_its_zone_though_utc_dates_of_the_same_instant_are_cached():
    """Stored dates are converted once (cached); a date in another zone is the same instant but
    must not come back as the cached UTC one, nor the UTC one as it."""
    utc = as_pendulum(datetime(2022, 4, 12, 2, tzinfo=timezone.utc))
    paris = as_pendulum(pendulum.datetime(2022, 4, 12, 4, tz="Europe/Paris"))
    assert utc == paris
    assert (utc.timezone_name, paris.timezone_name) == ("UTC", "Europe/Paris")
    assert as_pendulum(datetime(2022, 4, 12, 2)) is utc  # naive: UTC, the same cached value
    assert as_pendulum(datetime(2022, 4, 12, 2, tzinfo=timezone.utc)).timezone_name == "UTC"


def test_a_kind_added_to_task_is_used_and_listed_as_supported():
    from orchestrator.decorators import TaskDecoratorCollection

    collection = TaskDecoratorCollection()
    collection.branch = lambda fn: fn
    assert collection.branch(len) is len
    assert collection.supported() == ["@task", "@task.branch", "@task.python"]
    with pytest.raises(DagDefinitionError, match=r"@task\.docker .*@task\.branch, @task\.python"):
        collection.docker  # noqa: B018 - the attribute access is what is tested


def test_task_python_is_task():
    @task.python(retries=2)
    def f():
        return 1

    assert f.options == {"retries": 2} and f.function() == 1
