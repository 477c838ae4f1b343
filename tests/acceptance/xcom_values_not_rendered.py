"""Values that come from XCom are never rendered as Jinja templates, in Airflow: an unmapped
argument that is an XComArg is resolved, not rendered (BaseOperator.render_template:
"if isinstance(value, ResolveMixin): return value.resolve(context)"), and a mapped argument
resolved from an upstream's XCom is put in seen_oids, which render_template returns unrendered
(DictOfListsExpandInput.resolve: resolved_oids = {id(v) for k, v in data.items() if k not in
literal_keys}; MappedOperator.render_template_fields passes them as seen_oids). Only literals
written in the DAG file are templates. So data that happens to hold "{{ ... }}" -- a Jinja
snippet in a text column, a template a task produces for a later stage -- goes through as is,
and an undefined name in it (Airflow's StrictUndefined) cannot fail the task. The rule was made
explicit by apache/airflow PR #25924 ("Less hacky double-rendering prevention in mapped task":
values resolved from XComArgs are tracked in seen_oids so they are not rendered).
"""
from datetime import datetime

from orchestrator import dag, task


@task
def rows():
    return ["{{ ds_nodash }}", "{{ not_a_context_key }}"]


@task
def echo(text):
    return text


@task
def whole(texts):
    return list(texts)


@dag(dag_id="xcom_values_not_rendered", schedule=None, start_date=datetime(2022, 1, 1))
def xcom_values_not_rendered():
    data = rows()
    echo.expand(text=data)
    whole(data)


xcom_values_not_rendered()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "tasks": {"echo": {"map_count": 2, "states": {"success": 2}}, "whole": {"states": {"success": 1}}},
    "xcom": [["echo", 0, "{{ ds_nodash }}"], ["echo", 1, "{{ not_a_context_key }}"],
             ["whole", None, ["{{ ds_nodash }}", "{{ not_a_context_key }}"]]],
}
