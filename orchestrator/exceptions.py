"""Airflow's ``airflow.exceptions`` import path for the exceptions task code raises:
``from orchestrator.exceptions import AirflowSkipException``."""
from orchestrator.errors import AirflowFailException, AirflowSkipException, SensorTimeout, TaskTimeout

#: Airflow's names of the timeouts (a poke may raise them; see ``BaseSensorOperator``'s ``soft_fail``).
AirflowSensorTimeout = SensorTimeout
AirflowTaskTimeout = TaskTimeout

__all__ = ["AirflowFailException", "AirflowSensorTimeout", "AirflowSkipException", "AirflowTaskTimeout"]
