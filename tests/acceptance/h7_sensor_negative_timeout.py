"""A sensor's negative timeout is refused at parse: BaseSensorOperator.__init__ calls
_validate_input_values (airflow/sensors/base.py), which raises
AirflowException("The timeout must be a non-negative number")."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.sensors import PythonSensor

with DAG(dag_id="h7_sensor_negative_timeout", schedule=None, start_date=datetime(2022, 1, 1)):
    PythonSensor(task_id="wait", python_callable=lambda: True, poke_interval=0.1, timeout=-1)

EXPECTED = {"exit": 2, "stderr_contains": "timeout"}
