"""Airflow's priority weights: which waiting instances get free slots first.

A task's ``priority_weight`` (default 1) is summed along the DAG by its ``weight_rule``, as
Airflow's ``BaseOperator.priority_weight_total`` does (``airflow/utils/weight_rule.py``,
``airflow/models/baseoperator.py``):

- ``downstream`` (the default): its own weight plus the weights of every task downstream of it,
  at any depth, each counted once -- tasks early in a DAG go first, so runs finish sooner;
- ``upstream``: its own plus every task's upstream of it -- runs already under way finish first;
- ``absolute``: its own weight only (the fastest to compute, as Airflow's docs say).

A mapped task's instances each carry the task's total; the map's width does not count. A total
beyond a 32-bit integer is clamped to it, as Airflow's ``db_safe_priority`` does (the column's type).
"""
from __future__ import annotations

import weakref
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.dag import DAG


class WeightRule(str, Enum):
    """How a task's effective priority weight is computed (Airflow's ``WeightRule``)."""

    DOWNSTREAM = "downstream"
    UPSTREAM = "upstream"
    ABSOLUTE = "absolute"

    def __str__(self) -> str:
        """The rule's value."""
        return self.value


#: The weights a 32-bit column holds (Airflow's ``DB_SAFE_MINIMUM`` / ``DB_SAFE_MAXIMUM``).
MIN_PRIORITY, MAX_PRIORITY = -(2**31), 2**31 - 1
#: Per DAG object: ``{task_id: effective weight}``, computed once while the DAG file stays loaded.
_WEIGHTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def priority_weights(dag: DAG) -> dict[str, int]:
    """``{task_id: priority_weight_total}`` of every task of ``dag`` (see the module's rules)."""
    weights = _WEIGHTS.get(dag)
    if weights is None:
        weights = _WEIGHTS[dag] = {task_id: _total(dag, task_id) for task_id in dag.task_dict}
    return weights


def _total(dag: DAG, task_id: str) -> int:
    task = dag.task_dict[task_id]
    rule = WeightRule(task.weight_rule)
    if rule is WeightRule.ABSOLUTE:
        return max(MIN_PRIORITY, min(MAX_PRIORITY, task.priority_weight))
    edges = "upstream_task_ids" if rule is WeightRule.UPSTREAM else "downstream_task_ids"
    seen: set[str] = set()
    todo = list(getattr(task, edges))
    while todo:
        relative = todo.pop()
        if relative not in seen:
            seen.add(relative)
            todo.extend(getattr(dag.task_dict[relative], edges))
    total = task.priority_weight + sum(dag.task_dict[r].priority_weight for r in seen)
    return max(MIN_PRIORITY, min(MAX_PRIORITY, total))
