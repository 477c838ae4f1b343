"""A classic ``PythonSensor`` mapped with ``partial()``/``expand(op_args=...)`` in poke mode, with
``timeout`` and ``soft_fail`` set in ``partial()``: each index pokes on its own; the index whose
condition never holds times out and ends ``skipped`` (Airflow's BaseSensorOperator.execute: past the
timeout, ``if self.soft_fail: raise AirflowSkipException``), the others succeed. A ``@task.sensor``
mapped the same way gives its ``PokeReturnValue.xcom_value``; a ``none_failed`` reduce after it gets
the values of the indices that succeeded (a skipped index pushed nothing)."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task
from orchestrator.sensors import PokeReturnValue, PythonSensor


def ready(flag: int) -> bool:
    return flag > 0


@task.sensor(poke_interval=0.2, timeout=1, soft_fail=True)
def landed(n: int) -> PokeReturnValue:
    return PokeReturnValue(is_done=n > 0, xcom_value=n * 10)


@task(trigger_rule=TriggerRule.NONE_FAILED)
def collect(values) -> list:
    return list(values)


@dag(dag_id="sensor_classic_mapped_soft_fail", schedule=None, start_date=datetime(2022, 1, 1))
def sensor_classic_mapped_soft_fail():
    PythonSensor.partial(task_id="wait", python_callable=ready, poke_interval=0.2, timeout=1,
                         soft_fail=True).expand(op_args=[[1], [0], [2]])
    collect(landed.expand(n=[3, 0, 4]))


sensor_classic_mapped_soft_fail()

EXPECTED = {
    "state": "success",
    "tasks": {
        "wait": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "landed": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "collect": {"states": {"success": 1}},
    },
    "instances": [["wait", 1, {"state": "skipped", "try_number": 1}], ["landed", 1, {"state": "skipped"}]],
    "xcom": [["landed", 2, 40], ["collect", None, [30, 40]]],
}
