"""Airflow's ``airflow.models.baseoperator`` import path: ``from orchestrator.models.baseoperator import chain``."""
from orchestrator.baseoperator import BaseOperator
from orchestrator.dag import chain

__all__ = ["BaseOperator", "chain"]
