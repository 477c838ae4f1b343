"""Airflow 2's deprecated date keys in the context of a run triggered by hand (Airflow 2.10's
_get_template_context, models/taskinstance.py): yesterday_ds / tomorrow_ds are the logical date
-/+ one day, ts_nodash_with_tz is ts without '-' and ':', and -- the run being externally
triggered -- prev_ds and next_ds are its own ds, even on a @weekly schedule whose inferred data
interval ended days before. test_mode is False; no earlier successful run: the *_success keys are None.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def keys(x, yesterday_ds=None, yesterday_ds_nodash=None, tomorrow_ds=None, tomorrow_ds_nodash=None,
         ts_nodash_with_tz=None, prev_ds=None, prev_ds_nodash=None, next_ds=None, next_ds_nodash=None,
         test_mode=None, prev_execution_date_success=None, prev_end_date_success=None,
         next_execution_date=None, prev_execution_date=None):
    return [x, yesterday_ds, yesterday_ds_nodash, tomorrow_ds, tomorrow_ds_nodash, ts_nodash_with_tz,
            prev_ds, prev_ds_nodash, next_ds, next_ds_nodash, test_mode, prev_execution_date_success,
            prev_end_date_success, next_execution_date.isoformat(), prev_execution_date.isoformat()]


@dag(dag_id="ctx_deprecated_date_keys_manual", schedule="@weekly", start_date=datetime(2022, 1, 1))
def ctx_deprecated_date_keys_manual():
    keys.expand(x=[1, 2])


ctx_deprecated_date_keys_manual()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-13T06:30:00"],
    "xcom": [["keys", 1, [2, "2022-04-12", "20220412", "2022-04-14", "20220414", "20220413T063000+0000",
                          "2022-04-13", "20220413", "2022-04-13", "20220413", False, None, None,
                          "2022-04-13T06:30:00+00:00", "2022-04-13T06:30:00+00:00"]]],
}
