"""Airflow's ``airflow.exceptions`` import path for the exceptions task code raises:
``from orchestrator.exceptions import AirflowSkipException``."""
from orchestrator.errors import AirflowFailException, AirflowSkipException

__all__ = ["AirflowFailException", "AirflowSkipException"]
