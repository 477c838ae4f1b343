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
# airflow/example_dags/example_short_circuit_operator.py with only its imports changed
# (airflow.* -> orchestrator.*), and the EXPECTED outcome added at the end.

"""Example DAG demonstrating the usage of the ShortCircuitOperator."""

from __future__ import annotations

import pendulum

from orchestrator.models.baseoperator import chain
from orchestrator.models.dag import DAG
from orchestrator.operators.empty import EmptyOperator
from orchestrator.operators.python import ShortCircuitOperator
from orchestrator.utils.trigger_rule import TriggerRule

with DAG(
    dag_id="example_short_circuit_operator",
    schedule=None,
    start_date=pendulum.datetime(2021, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example"],
):
    # [START howto_operator_short_circuit]
    cond_true = ShortCircuitOperator(
        task_id="condition_is_True",
        python_callable=lambda: True,
    )

    cond_false = ShortCircuitOperator(
        task_id="condition_is_False",
        python_callable=lambda: False,
    )

    ds_true = [EmptyOperator(task_id=f"true_{i}") for i in [1, 2]]
    ds_false = [EmptyOperator(task_id=f"false_{i}") for i in [1, 2]]

    chain(cond_true, *ds_true)
    chain(cond_false, *ds_false)
    # [END howto_operator_short_circuit]

    # [START howto_operator_short_circuit_trigger_rules]
    [task_1, task_2, task_3, task_4, task_5, task_6] = [
        EmptyOperator(task_id=f"task_{i}") for i in range(1, 7)
    ]

    task_7 = EmptyOperator(task_id="task_7", trigger_rule=TriggerRule.ALL_DONE)

    short_circuit = ShortCircuitOperator(
        task_id="short_circuit", ignore_downstream_trigger_rules=False, python_callable=lambda: False
    )

    chain(task_1, [task_2, short_circuit], [task_3, task_4], [task_5, task_6], task_7)
    # [END howto_operator_short_circuit_trigger_rules]

EXPECTED = {'state': 'success',
 'tasks': {'condition_is_True': {'states': {'success': 1}},
           'true_1': {'states': {'success': 1}},
           'true_2': {'states': {'success': 1}},
           'condition_is_False': {'states': {'success': 1}},
           'false_1': {'states': {'skipped': 1}},
           'false_2': {'states': {'skipped': 1}},
           'task_1': {'states': {'success': 1}},
           'task_2': {'states': {'success': 1}},
           'short_circuit': {'states': {'success': 1}},
           'task_3': {'states': {'success': 1}},
           'task_4': {'states': {'skipped': 1}},
           'task_5': {'states': {'success': 1}},
           'task_6': {'states': {'skipped': 1}},
           'task_7': {'states': {'success': 1}}}}
