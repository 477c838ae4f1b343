"""Airflow's import paths that its example DAGs use, answered by orchestrator.* (only the imports of
those DAG files change), and the names there Chordflow refuses by name."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from orchestrator import DAG
from orchestrator.errors import DagDefinitionError, UnsupportedName


def test_airflow_module_paths_have_orchestrator_twins():
    from orchestrator.decorators import dag, setup, task, task_group, teardown  # noqa: F401
    from orchestrator.exceptions import AirflowFailException, AirflowSkipException
    from orchestrator.models.baseoperator import BaseOperator, chain  # noqa: F401
    from orchestrator.models.dag import DAG as ModelsDAG
    from orchestrator.models.param import Param, ParamsDict  # noqa: F401
    from orchestrator.models.xcom_arg import XComArg  # noqa: F401
    from orchestrator.operators.python import get_current_context, is_venv_installed  # noqa: F401
    from orchestrator.utils.task_group import TaskGroup  # noqa: F401
    from orchestrator.utils.trigger_rule import TriggerRule

    assert ModelsDAG is DAG
    assert TriggerRule.ALL_DONE == "all_done"
    # Airflow's names, which errors and callbacks show; Chordflow's own catch them too.
    from orchestrator import FailTask, SkipTask

    assert (AirflowSkipException.__name__, AirflowFailException.__name__) == ("AirflowSkipException",
                                                                              "AirflowFailException")
    assert issubclass(AirflowSkipException, SkipTask) and issubclass(AirflowFailException, FailTask)
    # Airflow's example DAGs are guarded by it: True, so their virtualenv tasks are refused by name.
    assert is_venv_installed() is True


@pytest.mark.parametrize("name", ["PythonVirtualenvOperator", "ExternalPythonOperator",
                                  "BranchPythonVirtualenvOperator", "BranchExternalPythonOperator"])
def test_per_task_environment_operators_are_refused_by_name(name):
    with pytest.raises(UnsupportedName, match=f"^{name} is not supported by Chordflow"):
        exec(f"from orchestrator.operators.python import {name}", {})


def test_other_missing_names_are_plain_import_errors():
    with pytest.raises(ImportError, match="NoSuchOperator"):
        from orchestrator.operators.python import NoSuchOperator  # noqa: F401


def test_weekday_is_airflows_int_enum():
    from orchestrator.utils.weekday import WeekDay

    assert WeekDay.MONDAY == 1 and WeekDay.SUNDAY == 7
    assert WeekDay.get_weekday_number("saturday") == WeekDay.SATURDAY
    assert WeekDay.validate_week_day({"Monday", WeekDay.FRIDAY}) == {1, 5}
    assert "saturday" not in (WeekDay.SATURDAY, WeekDay.SUNDAY)  # as in Airflow: a name is not a WeekDay
    with pytest.raises(AttributeError, match="Invalid Week Day"):
        WeekDay.get_weekday_number("Someday")


@pytest.mark.parametrize(("day", "weekend"), [("2026-11-28", True), ("2026-11-29", True), ("2026-12-01", False)])
def test_branch_day_of_week_follows_by_the_logical_date_when_asked(day, weekend):
    from orchestrator.operators.empty import EmptyOperator
    from orchestrator.operators.weekday import BranchDayOfWeekOperator
    from orchestrator.utils.weekday import WeekDay

    with DAG("dow", start_date=datetime(2021, 1, 1)):
        branch = BranchDayOfWeekOperator(task_id="choose", follow_task_ids_if_true="weekend",
                                         follow_task_ids_if_false="weekday",
                                         week_day={WeekDay.SATURDAY, WeekDay.SUNDAY}, use_task_logical_date=True)
        branch >> [EmptyOperator(task_id="weekend"), EmptyOperator(task_id="weekday")]
    logical_date = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    assert branch.python_callable(logical_date=logical_date) == ("weekend" if weekend else "weekday")


def test_branch_day_of_week_refuses_an_unknown_day():
    from orchestrator.operators.weekday import BranchDayOfWeekOperator

    with DAG("dow_bad", start_date=datetime(2021, 1, 1)), pytest.raises(DagDefinitionError, match="Someday"):
        BranchDayOfWeekOperator(task_id="choose", follow_task_ids_if_true="a", follow_task_ids_if_false="b",
                                week_day="Someday")


def test_bash_commands_see_airflow_home(monkeypatch, tmp_path):
    from orchestrator.operators.bash import worker_environment

    monkeypatch.delenv("AIRFLOW_HOME", raising=False)
    monkeypatch.setenv("CHORDFLOW_HOME", str(tmp_path))
    assert worker_environment()["AIRFLOW_HOME"] == str(tmp_path)
    monkeypatch.setenv("AIRFLOW_HOME", "/srv/airflow")
    assert worker_environment()["AIRFLOW_HOME"] == "/srv/airflow"


@pytest.mark.parametrize(("source", "message"), [
    ("from orchestrator.sensors.time_sensor import TimeSensor",
     "orchestrator.sensors.time_sensor is not supported by Chordflow (Airflow's airflow.sensors.time_sensor)"),
    ("from orchestrator.models import DagRun",
     "DagRun of orchestrator.models is not supported by Chordflow (Airflow's airflow.models.DagRun)"),
    ("from orchestrator.operators.python import PythonVirtualenvOperator",
     "PythonVirtualenvOperator is not supported by Chordflow"),
])
def test_an_airflow_path_chordflow_lacks_is_named_in_one_line(tmp_path, source, message):
    from orchestrator.dag_loader import import_dag_file
    from orchestrator.errors import ChordflowError

    path = tmp_path / "uses_airflow.py"
    path.write_text(source + "\n")
    with pytest.raises(ChordflowError) as caught:
        import_dag_file(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_other_import_errors_keep_their_own_message(tmp_path):
    from orchestrator.dag_loader import import_dag_file
    from orchestrator.errors import DagImportError

    path = tmp_path / "bad.py"
    path.write_text("import no_such_module_anywhere\n")
    with pytest.raises(DagImportError, match="does not import: ModuleNotFoundError: No module named 'no_such"):
        import_dag_file(path)


def _datetime_branch(**bounds):
    from orchestrator.operators.datetime import BranchDateTimeOperator
    from orchestrator.operators.empty import EmptyOperator

    with DAG("dt", start_date=datetime(2021, 1, 1)):
        branch = BranchDateTimeOperator(task_id="choose", follow_task_ids_if_true=["inside"],
                                        follow_task_ids_if_false=["outside"], use_task_logical_date=True, **bounds)
        branch >> [EmptyOperator(task_id="inside"), EmptyOperator(task_id="outside")]
    return branch


@pytest.mark.parametrize(("moment", "inside"), [
    ("2020-10-10T14:30:00", True), ("2020-10-10T15:30:00", False), ("2020-10-10T13:59:59", False)])
def test_branch_datetime_between_two_datetimes(moment, inside):
    import pendulum

    branch = _datetime_branch(target_lower=pendulum.datetime(2020, 10, 10, 14),
                              target_upper=pendulum.datetime(2020, 10, 10, 15))
    logical_date = datetime.fromisoformat(moment).replace(tzinfo=timezone.utc)
    assert branch.python_callable(logical_date=logical_date) == (["inside"] if inside else ["outside"])


@pytest.mark.parametrize(("moment", "inside"), [
    ("2026-12-01T16:00:00", True), ("2026-12-01T23:59:00", True), ("2026-12-01T06:47:00", False)])
def test_branch_datetime_an_upper_time_before_the_lower_is_the_next_day(moment, inside):
    import pendulum

    # Airflow's example_branch_datetime_operator_2: from 15:00 to 00:00 of the next day.
    branch = _datetime_branch(target_lower=pendulum.time(15, 0, 0), target_upper=pendulum.time(0, 0, 0))
    logical_date = datetime.fromisoformat(moment).replace(tzinfo=timezone.utc)
    assert branch.python_callable(logical_date=logical_date) == (["inside"] if inside else ["outside"])


def test_branch_datetime_needs_a_bound():
    with pytest.raises(DagDefinitionError, match="at least one must be defined"):
        _datetime_branch(target_lower=None, target_upper=None)
