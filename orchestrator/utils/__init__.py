"""Airflow's ``airflow.utils`` import paths that DAG files use (``orchestrator.utils.edgemodifier``)."""
