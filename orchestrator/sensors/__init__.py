"""Sensors: operators that wait for a condition (Airflow's ``airflow.sensors``)."""
from orchestrator.sensors.base import BaseSensorOperator, PokeReturnValue
from orchestrator.sensors.filesystem import FileSensor
from orchestrator.sensors.python import PythonSensor

__all__ = ["BaseSensorOperator", "FileSensor", "PokeReturnValue", "PythonSensor"]
