"""Airflow's ``airflow.exceptions`` import path for the exceptions task code raises:
``from orchestrator.exceptions import AirflowSkipException``."""
from orchestrator.errors import FailTask, SkipTask

#: Raised by task code to end its instance ``skipped``.
AirflowSkipException = SkipTask
#: Raised by task code to fail its instance without using its retries.
AirflowFailException = FailTask

__all__ = ["AirflowFailException", "AirflowSkipException"]
