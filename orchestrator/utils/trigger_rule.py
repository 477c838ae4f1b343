"""Airflow's ``airflow.utils.trigger_rule`` import path: ``from orchestrator.utils.trigger_rule import TriggerRule``."""
from orchestrator.trigger_rules import TriggerRule

__all__ = ["TriggerRule"]
