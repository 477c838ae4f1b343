"""Mapped values are Jinja templates too, rendered per instance with the run's context."""
from datetime import datetime

from orchestrator import dag, task


@task
def path(name: str, folder: str) -> str:
    return f"{folder}/{name}"


@dag(dag_id="templated_mapped_values", schedule=None, start_date=datetime(2022, 1, 1), params={"bucket": "raw"})
def templated_mapped_values():
    path.partial(folder="{{ params.bucket }}/{{ ds_nodash }}").expand(name=["{{ ds }}.csv", "plain.csv"])


templated_mapped_values()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12", "--conf", '{"bucket": "landing"}'],
    "xcom": [["path", 0, "landing/20220412/2022-04-12.csv"], ["path", 1, "landing/20220412/plain.csv"]],
}
