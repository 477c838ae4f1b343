"""The Rendered view's data: each try keeps its template fields as they were after rendering."""
from __future__ import annotations

import json
import textwrap
from datetime import datetime

from orchestrator import DAG
from orchestrator.context import MAX_RENDERED_FIELD_LENGTH, rendered_fields_json
from orchestrator.operators import BashOperator
from tests.conftest import run_cli

DAG_FILE = textwrap.dedent('''
    from datetime import datetime
    from orchestrator import dag, task
    from orchestrator.operators import BashOperator

    @task
    def double(x, label):
        return x * 2

    @task
    def total(values):
        return sum(values)

    @dag(dag_id="rendered", schedule=None, start_date=datetime(2022, 1, 1))
    def rendered():
        doubled = double.partial(label="day {{ ds }}").expand(x=[1, 2, 3])
        total(doubled)
        BashOperator(task_id="greet", bash_command="echo 'run {{ run_id }} <b>'")

    rendered()
''')


def tries(env, run_id, task_id, map_index=None):
    args = ["tasks", "tries", run_id, task_id, "--output", "json"]
    if map_index is not None:
        args += ["--map-index", str(map_index)]
    result = run_cli(env, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_each_try_keeps_its_rendered_template_fields(embedded_env, tmp_path):
    path = tmp_path / "rendered.py"
    path.write_text(DAG_FILE)
    result = run_cli(embedded_env, "run", str(path), "--logical-date", "2022-04-12", "--run-id", "r1",
                     "--output", "json")
    assert result.returncode == 0, result.stderr

    [mapped] = tries(embedded_env, "r1", "double", 2)
    assert mapped["rendered_fields"]["op_kwargs"] == {"x": 3, "label": "day 2022-04-12"}

    [bash] = tries(embedded_env, "r1", "greet")
    assert bash["rendered_fields"]["bash_command"] == "echo 'run r1 <b>'"

    # A reduce's argument is the mapped task's results read lazily: shown by name and length,
    # never read whole into the store.
    [reduce] = tries(embedded_env, "r1", "total")
    assert reduce["rendered_fields"]["op_args"] == [] or "values" in reduce["rendered_fields"]["op_kwargs"]
    shown = json.dumps(reduce["rendered_fields"])
    assert "LazySelectSequence([3 items])" in shown  # (Airflow's repr of a lazy XCom sequence)


def test_a_long_field_is_cut_saying_so():
    with DAG("long", schedule=None, start_date=datetime(2022, 1, 1)):
        operator = BashOperator(task_id="long", bash_command="x" * (MAX_RENDERED_FIELD_LENGTH * 3))
    fields = json.loads(rendered_fields_json(operator))
    assert fields["bash_command"].startswith("Truncated: ")
    assert len(fields["bash_command"]) < MAX_RENDERED_FIELD_LENGTH + 100
    assert fields["env"] is None
