"""``chordflow dags``: the DAGs of the DAGs folder -- list, show, pause, unpause, backfill.

Registered by ``cli.py``; like every command it only parses, calls and prints (the scheduler's DAG
records: :mod:`orchestrator.dag_scheduler`; backfills: :mod:`executor.backfill`).
"""
from __future__ import annotations

import sys
from collections import Counter

import click

from cli_output import emit, emit_json, output_option
from executor import submission
from executor.services import Services
from orchestrator import read_models
from orchestrator.dates import parse_logical_date
from orchestrator.states import DagRunState

pass_services = click.make_pass_decorator(Services)


@click.group("dags")
def dags():
    """DAGs in the DAGs folder."""


@dags.command("list")
@output_option
@pass_services
def dags_list(svc, output):
    """DAGs found in CHORDFLOW_DAGS_FOLDER, and files that failed to import."""
    if not svc.dagbag.dags_folder.is_dir():
        click.echo(f"no DAGs folder at {svc.dagbag.dags_folder} (CHORDFLOW_DAGS_FOLDER)", err=True)
    rows, errors = read_models.dag_rows(svc.dagbag, svc.store, svc.settings.dags_are_paused_at_creation)
    emit(output, rows, ["dag_id", "schedule", "is_paused", "next_dagrun", "tasks", "fileloc", "description"])
    for path, error in errors.items():
        click.echo(f"import error in {path}: {error}", err=True)


def _set_paused(svc, dag_id: str, paused: bool, output: str) -> None:
    dag = svc.dagbag.find(dag_id)
    scheduler = svc.runtime.dag_scheduler()
    scheduler.record([dag])
    svc.store.set_paused(dag.dag_id, paused)
    if output == "json":
        emit_json({"dag_id": dag.dag_id, "is_paused": paused})
    else:
        click.echo(f"DAG {dag.dag_id} {'paused' if paused else 'unpaused'}")


def _pause_command(name: str, paused: bool, doc: str):
    @dags.command(name, help=doc)
    @click.argument("dag_id")
    @output_option
    @pass_services
    def command(svc, dag_id, output):
        _set_paused(svc, dag_id, paused, output)

    return command


dags_pause = _pause_command("pause", True, "Stop the scheduler creating runs of DAG_ID (runs already created go on).")
dags_unpause = _pause_command(
    "unpause", False, "Let the scheduler create runs of DAG_ID again (with catchup=False: from the latest interval).")


@dags.command("show")
@click.argument("dag_id")
@output_option
@pass_services
def dags_show(svc, dag_id, output):
    """A DAG's tasks in order, with their upstreams and whether they are mapped."""
    details = read_models.dag_details(svc.dagbag, dag_id)
    emit(output, details, ["task_id", "mapped", "trigger_rule", "retries", "upstream"],
         [{**row, "upstream": ", ".join(row["upstream"])} for row in details["tasks"]])


@dags.command("backfill")
@click.argument("dag_id")
@click.option("--start-date", "-s", required=True, help="First logical date (YYYY-MM-DD or ISO 8601).")
@click.option("--end-date", "-e", required=True, help="Last logical date (inclusive).")
@click.option("--reset-failed", is_flag=True, help="Run failed runs of the range again (their failed instances).")
@output_option
@pass_services
def dags_backfill(svc, dag_id, start_date, end_date, reset_failed, output):
    """A backfill run for each of DAG_ID's data intervals starting in the range (runs that exist are
    kept), at most max_active_runs at once; waits until they end. Exit 0 when every run it started
    succeeded, 1 otherwise."""
    from executor.backfill import Backfill

    start = parse_logical_date(start_date, "--start-date")
    end = parse_logical_date(end_date, "--end-date")
    dag = svc.dagbag.find(dag_id)
    svc.store  # noqa: B018 - creates or migrates the schema first
    if not svc.settings.embedded:
        submission.check_broker(svc)
    report = Backfill(svc, dag, reset_failed, say=lambda line: click.echo(line, err=True)).run(start, end)
    if output == "json":
        emit_json({"dag_id": dag.dag_id, "created": report.created, "reset": report.reset, "kept": report.kept,
                   "states": report.states})
    else:
        ended = ", ".join(f"{n} {s}" for s, n in sorted(Counter(report.states.values()).items()))
        click.echo(f"backfill of {dag.dag_id}: {len(report.created)} run(s) created, {len(report.reset)} run(s) "
                   f"run again, {len(report.kept)} kept" + (f"; {ended}" if ended else ""))
    sys.exit(0 if all(state == DagRunState.SUCCESS.value for state in report.states.values()) else 1)
