"""Airflow's ``airflow.models.param`` import path: ``from orchestrator.models.param import Param, ParamsDict``."""
from orchestrator.params import Param

#: Airflow's type of the context's ``params``; in Chordflow they are a plain dict of resolved values
#: (DAG files use the name to annotate ``params: ParamsDict = context["params"]``).
ParamsDict = dict

__all__ = ["Param", "ParamsDict"]
