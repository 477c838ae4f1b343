"""A mapped BashOperator's bash_command (a partial() constant, in template_fields) is rendered per
instance: {{ ti.map_index }}, {{ task_instance.map_index }}, {{ task.task_id }}, params overridden
by --conf, dag_run.conf with a default, and the mapped env. Airflow: BaseOperator.render_template_fields
renders with the instance's context (docs templates-ref.rst: ti / task_instance, task, params,
dag_run, and `{{ dag_run.conf }}`); the mapped kwargs are rendered per instance
(MappedOperator.render_template_fields). Last output line is the XCom.
"""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="bash_templates_per_index", schedule=None, start_date=datetime(2022, 1, 1),
         params={"region": "eu", "unused": 1}):
    BashOperator.partial(
        task_id="emit",
        bash_command=(
            'echo "{{ ti.map_index }}/{{ task_instance.map_index }}/{{ task.task_id }}/'
            '{{ params.region }}/{{ dag_run.conf.get(\'mode\', \'none\') }}/'
            '{{ dag_run.conf.get(\'absent\', \'dflt\') }}/$NAME"'
        ),
    ).expand(env=[{"NAME": "a"}, {"NAME": "{{ ti.map_index * 10 }}"}])

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"region": "us", "mode": "full"}'],
    "tasks": {"emit": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["emit", 0, "0/0/emit/us/full/dflt/a"], ["emit", 1, "1/1/emit/us/full/dflt/10"]],
}
