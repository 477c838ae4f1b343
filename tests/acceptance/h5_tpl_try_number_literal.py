"""Expanded literal templates are re-rendered on a retry: {{ ti.try_number }} is 2 on the second try."""
from datetime import datetime, timedelta

from orchestrator import dag, task


@task(retries=1, retry_delay=timedelta(seconds=0))
def attempt(label: str) -> str:
    if label.startswith("fail") and label.endswith("1"):
        raise RuntimeError("first try of " + label)
    return label


@dag(dag_id="h5_tpl_try_number_literal", schedule=None, start_date=datetime(2022, 1, 1))
def h5_tpl_try_number_literal():
    attempt.expand(label=["fail-{{ ti.try_number }}", "ok-{{ ti.try_number }}"])


h5_tpl_try_number_literal()

EXPECTED = {
    "state": "success",
    "instances": [["attempt", 0, {"state": "success", "try_number": 2}], ["attempt", 1, {"try_number": 1}]],
    "xcom": [["attempt", 0, "fail-2"], ["attempt", 1, "ok-1"]],
}
