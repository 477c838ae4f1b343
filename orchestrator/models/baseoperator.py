"""Airflow's ``airflow.models.baseoperator`` import path: ``from orchestrator.models.baseoperator import chain``."""
from orchestrator.baseoperator import BaseOperator
from orchestrator.dag import chain, chain_linear, cross_downstream

__all__ = ["BaseOperator", "chain", "chain_linear", "cross_downstream"]
