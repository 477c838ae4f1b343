"""Airflow's ``airflow.models.xcom_arg`` import path: ``from orchestrator.models.xcom_arg import XComArg``."""
from orchestrator.xcom_arg import XComArg

__all__ = ["XComArg"]
