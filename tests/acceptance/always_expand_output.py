"""A task with trigger_rule="always" expanded over another task's output is refused when the file
loads (it could run before its source pushed anything).

Airflow 2.10.5, _TaskDecorator.expand (airflow/decorators/base.py): ``if
self.kwargs.get("trigger_rule") == TriggerRule.ALWAYS and any(isinstance(expanded, XComArg) ...):
raise ValueError("Task-generated mapping within a task using 'expand' is not allowed with trigger
rule 'always'.")`` (tests/decorators/test_mapped.py::
test_fail_task_generated_mapping_with_trigger_rule_always__exapnd).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def get_input():
    return ["world", "moon"]


@task(trigger_rule=TriggerRule.ALWAYS)
def hello(name):
    return f"Hello, {name}"


@dag(dag_id="always_expand_output", schedule=None, start_date=datetime(2022, 1, 1))
def always_expand_output():
    hello.expand(name=get_input())


always_expand_output()

EXPECTED = {"exit": 2, "stderr_contains": ["always"]}
