"""An Airflow decorator Chordflow lacks (here ``@task.virtualenv``) refuses the DAG file in one line
naming it and the decorators there are (exit 2, no run) -- never an AttributeError."""
import pendulum

from orchestrator import dag, task


@dag(dag_id="unsupported_decorator", schedule=None, start_date=pendulum.datetime(2021, 1, 1, tz="UTC"))
def unsupported_decorator():
    @task.virtualenv(requirements=["colorama==0.4.0"], system_site_packages=False)
    def callable_virtualenv():
        return 1

    callable_virtualenv()


unsupported_decorator()

EXPECTED = {"exit": 2, "stderr_contains": ["@task.virtualenv", "not supported by Chordflow", "@task.python"]}
