# Licensed to the Apache Software Foundation (ASF) under one
# or more contributor license agreements.  See the NOTICE file
# distributed with this work for additional information
# regarding copyright ownership.  The ASF licenses this file
# to you under the Apache License, Version 2.0 (the
# "License"); you may not use this file except in compliance
# with the License.  You may obtain a copy of the License at
#
#   http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing,
# software distributed under the License is distributed on an
# "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
# KIND, either express or implied.  See the License for the
# specific language governing permissions and limitations
# under the License.
# Changed for Chordflow (an acceptance case): Airflow's airflow/example_dags/example_branch_labels.py with its imports
# changed from airflow to orchestrator, its doc markers and docstring left out, and the EXPECTED outcome added.

from __future__ import annotations

import pendulum

from orchestrator import DAG
from orchestrator.operators import EmptyOperator
from orchestrator.utils.edgemodifier import Label

with DAG(
    "example_branch_labels",
    schedule="@daily",
    start_date=pendulum.datetime(2021, 1, 1, tz="UTC"),
    catchup=False,
) as dag:
    ingest = EmptyOperator(task_id="ingest")
    analyse = EmptyOperator(task_id="analyze")
    check = EmptyOperator(task_id="check_integrity")
    describe = EmptyOperator(task_id="describe_integrity")
    error = EmptyOperator(task_id="email_error")
    save = EmptyOperator(task_id="save")
    report = EmptyOperator(task_id="report")

    ingest >> analyse >> check
    check >> Label("No errors") >> save >> report
    check >> Label("Errors found") >> describe >> error >> report

EXPECTED = {
    "state": "success",
    "tasks": {
        "ingest": {"states": {"success": 1}},
        "analyze": {"states": {"success": 1}},
        "check_integrity": {"states": {"success": 1}},
        "save": {"states": {"success": 1}},
        "describe_integrity": {"states": {"success": 1}},
        "email_error": {"states": {"success": 1}},
        "report": {"states": {"success": 1}},
    },
}
