"""Chordflow's orchestrator: the DAG authoring API, expansion, trigger rules and the run state machine.

This package decides *what* runs; it never imports Celery (the ``executor`` package dispatches).
"""
from orchestrator.context import get_current_context
from orchestrator.dag import DAG, chain, chain_linear, cross_downstream, dag
from orchestrator.decorators import setup, task, task_group, teardown
from orchestrator.errors import AirflowFailException, AirflowSkipException, FailTask, SkipTask
from orchestrator.params import Param
from orchestrator.task_group import TaskGroup
from orchestrator.trigger_rules import TriggerRule
from orchestrator.utils.edgemodifier import Label
from orchestrator.variables import Variable
from orchestrator.xcom_arg import XComArg

__all__ = [
    "DAG",
    "AirflowFailException",
    "AirflowSkipException",
    "FailTask",
    "Label",
    "Param",
    "SkipTask",
    "TaskGroup",
    "TriggerRule",
    "Variable",
    "XComArg",
    "chain",
    "chain_linear",
    "cross_downstream",
    "dag",
    "get_current_context",
    "setup",
    "task",
    "task_group",
    "teardown",
]
