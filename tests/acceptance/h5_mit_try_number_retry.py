"""map_index_template is rendered after the last try: {{ ti.try_number }} names the try that ended it;
a render error in the template of a failed try does not mask the task's error."""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task(retries=1, retry_delay=timedelta(seconds=0),
      map_index_template="{{ task.op_kwargs['x'] }}@try{{ ti.try_number }}")
def work(x: int) -> int:
    if x == 1 and get_current_context()["ti"].try_number == 1:
        raise RuntimeError("once")
    if x == 2:
        raise RuntimeError("always two")
    return x


@dag(dag_id="h5_mit_try_number_retry", schedule=None, start_date=datetime(2022, 1, 1))
def h5_mit_try_number_retry():
    work.expand(x=[0, 1, 2])


h5_mit_try_number_retry()

EXPECTED = {
    "state": "failed",
    "tasks": {"work": {"map_count": 3, "states": {"success": 2, "failed": 1}}},
    "instances": [["work", 0, {"rendered_map_index": "0@try1"}],
                  ["work", 1, {"rendered_map_index": "1@try2", "try_number": 2}],
                  ["work", 2, {"state": "failed", "rendered_map_index": "2@try2", "error_contains": "always two"}]],
}
