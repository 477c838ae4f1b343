"""Airflow's ``airflow.utils.task_group`` import path: ``from orchestrator.utils.task_group import TaskGroup``."""
from orchestrator.task_group import TaskGroup

__all__ = ["TaskGroup"]
