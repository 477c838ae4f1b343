"""EmptyOperator: does nothing; a join or a start point in a DAG."""
from __future__ import annotations

from typing import Any

from typing_extensions import override

from orchestrator.baseoperator import BaseOperator


class EmptyOperator(BaseOperator):
    """A task that succeeds at once (its trigger rule still decides whether it runs)."""

    @override
    def execute(self, context: dict[str, Any]) -> None:
        return None
