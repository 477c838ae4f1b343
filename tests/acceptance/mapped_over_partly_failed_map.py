"""N -> N downstream of a partly failed map: all_success gives upstream_failed (not expanded);
all_done maps over the results that exist."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def parse(x: int) -> int:
    if x == 2:
        raise ValueError("unparsable 2")
    return x


@task
def strict_next(x: int) -> int:
    return x * 100


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant_next(x: int) -> int:
    return x * 100


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="mapped_over_partly_failed_map", schedule=None, start_date=datetime(2022, 1, 1))
def mapped_over_partly_failed_map():
    parsed = parse.expand(x=[1, 2, 3])
    strict_next.expand(x=parsed)
    collect(tolerant_next.expand(x=parsed))


mapped_over_partly_failed_map()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "parse": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "strict_next": {"states": {"upstream_failed": 1}},
        "tolerant_next": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [["collect", None, [100, 300]]],
}
