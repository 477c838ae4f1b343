"""Airflow's ``airflow.utils.weight_rule``: :class:`WeightRule`."""
from orchestrator.weight_rule import WeightRule

__all__ = ["WeightRule"]
