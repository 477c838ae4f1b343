"""SQLExecuteQueryOperator mapped over bound parameters (connection `sql_default`: a database
beside the store), then a query whose rows are its XCom."""
from datetime import datetime

from orchestrator import dag
from orchestrator.operators import SQLExecuteQueryOperator


@dag(dag_id="sql_mapped_parameters", schedule=None, start_date=datetime(2022, 1, 1))
def sql_mapped_parameters():
    setup = SQLExecuteQueryOperator(
        task_id="setup",
        sql="CREATE TABLE IF NOT EXISTS acceptance_fruit (name TEXT, qty INTEGER); DELETE FROM acceptance_fruit",
    )
    insert = SQLExecuteQueryOperator.partial(
        task_id="insert", sql="INSERT INTO acceptance_fruit (name, qty) VALUES (:name, :qty)"
    ).expand(parameters=[{"name": "apple", "qty": 3}, {"name": "pear", "qty": 5}, {"name": "{{ ds }}", "qty": 1}])
    report = SQLExecuteQueryOperator(
        task_id="report", sql="SELECT name, qty FROM acceptance_fruit ORDER BY qty DESC, name"
    )
    setup >> insert >> report


sql_mapped_parameters()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "tasks": {"insert": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["report", None, [["pear", 5], ["apple", 3], ["2022-04-12", 1]]]],
}
