"""``Label`` on edges is accepted (the edges are made as without it), and ``@task(templates_dict=...,
templates_exts=[".sql"])`` renders the dict -- an entry ending in ``.sql`` read from that file beside
the DAG first -- and hands it to the function as ``templates_dict``, as Airflow's PythonOperator does;
the same in a mapped task."""
from datetime import datetime

from orchestrator import Label, dag, task
from orchestrator.utils.edgemodifier import Label as AirflowPathLabel


@task(templates_dict={"query": "include/labels_query.sql", "day": "{{ ds_nodash }}"}, templates_exts=[".sql"])
def log_sql(**kwargs) -> dict:
    return kwargs["templates_dict"]


@task(templates_dict={"where": "{{ params.region }}-{{ ds }}"})
def mapped(n: int, templates_dict=None) -> str:
    return f"{n}@{templates_dict['where']}"


@task
def first() -> int:
    return 1


@task
def last() -> str:
    return "done"


@dag(dag_id="labels_and_templates_dict", schedule=None, start_date=datetime(2022, 1, 1),
     params={"region": "eu"})
def labels_and_templates_dict():
    start, sql, end = first(), log_sql(), last()
    start >> Label("then the query") >> sql >> AirflowPathLabel("and the map") >> mapped.expand(n=[1, 2]) >> end


labels_and_templates_dict()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [
        ["log_sql", None, {"query": "SELECT * FROM orders WHERE day = '2022-04-12';\n", "day": "20220412"}],
        ["mapped", 1, "2@eu-2022-04-12"],
        ["last", None, "done"],
    ],
}
