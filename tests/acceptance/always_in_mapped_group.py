"""A mapped task group expanded over a task's output may not hold a task with
trigger_rule="always": refused when the file loads.

Airflow 2.10.5, MappedTaskGroup.__iter__ (airflow/utils/task_group.py): a child operator with
``trigger_rule == TriggerRule.ALWAYS`` raises ``ValueError("Task-generated mapping within a mapped
task group is not allowed with trigger rule 'always'")``; MappedTaskGroup.__exit__ sets the expand
source upstream of the group, which iterates it (tests/decorators/test_task_group.py::
test_fail_task_generated_mapping_with_trigger_rule_always: ``tg.expand(param=get_param())`` raises).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def get_param():
    return ["a", "b", "c"]


@task(trigger_rule=TriggerRule.ALWAYS)
def t1(param):
    return param


@task_group
def tg(param):
    t1(param)


@dag(dag_id="always_in_mapped_group", schedule=None, start_date=datetime(2022, 1, 1))
def always_in_mapped_group():
    tg.expand(param=get_param())


always_in_mapped_group()

EXPECTED = {"exit": 2, "stderr_contains": ["always"]}
