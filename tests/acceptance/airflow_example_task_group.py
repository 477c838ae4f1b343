#
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
# Changed for Chordflow (an acceptance case): Airflow 2.10.5's
# airflow/example_dags/example_task_group.py with only its imports changed
# (airflow.* -> orchestrator.*), and the EXPECTED outcome added at the end.

"""Example DAG demonstrating the usage of the TaskGroup."""

from __future__ import annotations

import pendulum

from orchestrator.models.dag import DAG
from orchestrator.operators.bash import BashOperator
from orchestrator.operators.empty import EmptyOperator
from orchestrator.utils.task_group import TaskGroup

# [START howto_task_group]
with DAG(
    dag_id="example_task_group",
    schedule=None,
    start_date=pendulum.datetime(2021, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example"],
) as dag:
    start = EmptyOperator(task_id="start")

    # [START howto_task_group_section_1]
    with TaskGroup("section_1", tooltip="Tasks for section_1") as section_1:
        task_1 = EmptyOperator(task_id="task_1")
        task_2 = BashOperator(task_id="task_2", bash_command="echo 1")
        task_3 = EmptyOperator(task_id="task_3")

        task_1 >> [task_2, task_3]
    # [END howto_task_group_section_1]

    # [START howto_task_group_section_2]
    with TaskGroup("section_2", tooltip="Tasks for section_2") as section_2:
        task_1 = EmptyOperator(task_id="task_1")

        # [START howto_task_group_inner_section_2]
        with TaskGroup("inner_section_2", tooltip="Tasks for inner_section2") as inner_section_2:
            task_2 = BashOperator(task_id="task_2", bash_command="echo 1")
            task_3 = EmptyOperator(task_id="task_3")
            task_4 = EmptyOperator(task_id="task_4")

            [task_2, task_3] >> task_4
        # [END howto_task_group_inner_section_2]

    # [END howto_task_group_section_2]

    end = EmptyOperator(task_id="end")

    start >> section_1 >> section_2 >> end
# [END howto_task_group]

EXPECTED = {'state': 'success',
 'tasks': {'start': {'states': {'success': 1}},
           'end': {'states': {'success': 1}},
           'section_1.task_1': {'states': {'success': 1}},
           'section_1.task_2': {'states': {'success': 1}},
           'section_1.task_3': {'states': {'success': 1}},
           'section_2.task_1': {'states': {'success': 1}},
           'section_2.inner_section_2.task_2': {'states': {'success': 1}},
           'section_2.inner_section_2.task_3': {'states': {'success': 1}},
           'section_2.inner_section_2.task_4': {'states': {'success': 1}}}}
