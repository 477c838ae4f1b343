"""expand_kwargs over a literal list whose element is an upstream's dict output: Airflow 2.10 renders
its values (ListOfDictsExpandInput.resolve keeps only XComArg/MappedArgument ids in resolved_oids)."""
from datetime import datetime

from orchestrator import dag, task


@task
def one_row() -> dict:
    return {"a": "{{ ds_nodash }}", "b": "o"}


@task
def join(a: str, b: str) -> str:
    return a + "|" + b


@dag(dag_id="h5_expand_kwargs_literal_with_output_elem", schedule=None, start_date=datetime(2022, 1, 1))
def h5_expand_kwargs_literal_with_output_elem():
    join.expand_kwargs([one_row(), {"a": "{{ ds }}", "b": "l"}])


h5_expand_kwargs_literal_with_output_elem()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [["join", 0, "20220412|o"], ["join", 1, "2022-04-12|l"]],
}
