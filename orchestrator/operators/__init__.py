"""Classic operators. Each maps like Airflow's: ``Op.partial(task_id=...).expand(field=[...])``."""
from orchestrator.baseoperator import BaseOperator
from orchestrator.operators.bash import BashOperator
from orchestrator.operators.empty import EmptyOperator
from orchestrator.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator
from orchestrator.operators.sql import FileToTableOperator, SQLExecuteQueryOperator
from orchestrator.operators.storage import CopyObjectsOperator, DeleteObjectsOperator

__all__ = [
    "BaseOperator", "BashOperator", "BranchPythonOperator", "CopyObjectsOperator", "DeleteObjectsOperator",
    "EmptyOperator",
    "FileToTableOperator", "PythonOperator", "SQLExecuteQueryOperator", "ShortCircuitOperator",
]
