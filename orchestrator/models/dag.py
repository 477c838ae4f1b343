"""Airflow's ``airflow.models.dag`` import path: ``from orchestrator.models.dag import DAG``."""
from orchestrator.dag import DAG, dag

__all__ = ["DAG", "dag"]
