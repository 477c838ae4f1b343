"""A ``bash_command`` ending in ``.sh`` is a template file, as in Airflow: BashOperator's
``template_ext = (".sh", ".bash")`` (airflow/operators/bash.py) makes ``render_template`` load the file
through the DAG's Jinja loader (its folder and ``template_searchpath``) and render it per instance, mapped
values included (MappedOperator.render_template_fields). The file beside this case,
``bash_script_file_mapped.sh``, holds ``echo "script {{ ti.map_index }} for {{ params.who }}"``; the
second element has a trailing space, Airflow's documented way to run a script without templating it
(here: ``echo`` of a literal)."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="bash_script_file_mapped", schedule=None, start_date=datetime(2022, 1, 1), params={"who": "ops"}):
    BashOperator.partial(task_id="script").expand(
        bash_command=["bash_script_file_mapped.sh", "echo not-a-template.sh "])

EXPECTED = {
    "state": "success",
    "tasks": {"script": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["script", 0, "script 0 for ops"], ["script", 1, "not-a-template.sh"]],
}
