"""A mapped task group whose expand() source failed: every task of the group is `upstream_failed`
whatever its trigger rule (the group's second task runs `all_done`), and the run fails."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def list_customers():
    raise RuntimeError("CRM unreachable")


@task
def train(customer):
    return customer


@task(trigger_rule=TriggerRule.ALL_DONE)
def evaluate(model):
    return model


@task_group
def per_customer(customer):
    return evaluate(train(customer))


@dag(dag_id="group_source_failed", schedule=None, start_date=datetime(2022, 1, 1))
def group_source_failed():
    per_customer.expand(customer=list_customers())


group_source_failed()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "list_customers": {"states": {"failed": 1}},
        "per_customer.train": {"map_count": 0, "states": {"upstream_failed": 1}},
        "per_customer.evaluate": {"map_count": 0, "states": {"upstream_failed": 1}},
    },
}
