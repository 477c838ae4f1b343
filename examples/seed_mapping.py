"""The seed's mapping examples in one DAG: a literal map and reduce, a map over an upstream
task's output, a cross product, and a mapped task group -- run it with `make demo`."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def total(values) -> int:
    """A reduce: ``values`` is a lazy sequence of the mapped results, ordered by map_index."""
    return sum(values)


@task
def list_files(prefix: str) -> list[str]:
    """Stands for "the files that landed today": one element per file."""
    return [f"{prefix}/orders_{n}.csv" for n in range(4)]


@task
def row_count(path: str) -> int:
    return len(path)


@task
def model_score(model: str, depth: int) -> dict:
    return {"model": model, "depth": depth, "score": round(1 / (1 + depth) + len(model) / 100, 3)}


@task(trigger_rule=TriggerRule.ALL_DONE)
def best(scores) -> dict:
    return max(scores, key=lambda s: s["score"])


@task_group
def per_customer(customer: str):
    @task
    def extract(name: str) -> str:
        return f"data of {name}"

    @task
    def report(data: str) -> str:
        return data.upper()

    return report(extract(customer))


@dag(dag_id="seed_mapping", schedule=None, start_date=datetime(2022, 1, 1))
def seed_mapping():
    total(add.partial(y=10).expand(x=[1, 2, 3]))
    total.override(task_id="total_rows")(row_count.expand(path=list_files("{{ ds_nodash }}")))
    best(model_score.expand(model=["tree", "forest"], depth=[2, 4, 8]))
    per_customer.expand(customer=["acme", "globex"])


seed_mapping()
