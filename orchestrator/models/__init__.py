"""Airflow's ``airflow.models`` names that DAG files import: ``from orchestrator.models import Variable``."""
from orchestrator.variables import Variable

__all__ = ["Variable"]
