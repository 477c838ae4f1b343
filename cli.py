"""chordflow: submit mapped DAG runs, start workers, and inspect runs, instances, logs and XComs.

This module only parses, calls and prints; the work is in ``orchestrator``, ``executor`` and ``workers``.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import sys
from typing import Any

import click

from cli_dags import dags
from cli_output import emit, emit_json, follow_log, output_option, print_log_header, print_run
from cli_pools import pools_group
from cli_variables import variables_group
from executor import submission
from executor.services import Services
from orchestrator import read_models
from orchestrator.dates import parse_logical_date
from orchestrator.errors import BadInput, ChordflowError, TaskNotFound
from orchestrator.settings import Settings
from orchestrator.states import DagRunState, TaskInstanceState


# -- shared behaviour -------------------------------------------------------------------------
class ChordflowGroup(click.Group):
    """The ``chordflow`` group: every error a user can fix (:class:`ChordflowError`), raised by any
    command, is one clear line on stderr and exit 2, with no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChordflowError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)


#: Passes a command the process's :class:`Services` (settings; store and Celery app on first use).
pass_services = click.make_pass_decorator(Services)


def show_progress(output: str) -> bool:
    """Whether a command waiting for a run shows its state counts (a table on a terminal)."""
    return output == "table" and sys.stderr.isatty()


# -- the group ----------------------------------------------------------------------------------
@click.group(cls=ChordflowGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="chordflow")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Chordflow: Airflow-style dynamically mapped tasks on Celery.

    Configuration comes from CHORDFLOW_* environment variables (see README); with no
    CHORDFLOW_BROKER_URL everything runs in this process on SQLite (the embedded default).
    """
    try:
        ctx.obj = Services(Settings.from_env())
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    ctx.call_on_close(ctx.obj.close)


# -- run --------------------------------------------------------------------------------------
def parse_conf(raw: str | None) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        conf = json.loads(raw)
    except ValueError as exc:
        raise BadInput(f"--conf is not valid JSON ({exc}): pass an object such as '{{\"n\": 3}}'") from None
    if not isinstance(conf, dict):
        raise BadInput(f"--conf must be a JSON object, got {type(conf).__name__}: pass e.g. '{{\"n\": 3}}'")
    return conf


@cli.command()
@click.argument("dag_file_or_id")
@click.option("--dag-id", help="Which DAG of the file, when it declares several.")
@click.option("--conf", help="Run configuration as a JSON object; overrides the DAG's params.")
@click.option("--run-id", help="Run id (default: manual__<logical date>__<random>).")
@click.option("--logical-date", help="The run's logical date (YYYY-MM-DD or ISO 8601; default: now).")
@click.option("--wait/--no-wait", default=False, help="Wait until the run ends (always, on the embedded default).")
@output_option
@pass_services
def run(svc, dag_file_or_id, dag_id, conf, run_id, logical_date, wait, output):
    """Start a run of a DAG file (or of a DAG id in the DAGs folder).

    Exit status with --wait: 0 success, 1 failed, 2 bad input (nothing is left behind).
    """
    conf_value = parse_conf(conf)
    date = parse_logical_date(logical_date, "--logical-date")
    runtime = svc.runtime
    dag = runtime.dagbag.find(dag_file_or_id, dag_id)
    svc.store  # noqa: B018 - creates or migrates the schema before the run is written
    run_id = run_id or submission.new_run_id(date)
    if not svc.settings.embedded:
        submission.check_broker(svc)
    state, wait = submission.drive(svc, run_id, wait, show_progress(output),
                                   lambda: runtime.start(dag, run_id, date, conf_value))
    if output == "json":
        emit_json({"run_id": run_id, "dag_id": dag.dag_id, "state": state})
    else:
        print_run(read_models.run_summary(svc.store, svc.dagbag, run_id))
    if wait:
        sys.exit(0 if state == DagRunState.SUCCESS.value else 1)


# -- worker / scheduler -------------------------------------------------------------------------
@cli.command()
@click.option("--concurrency", "-c", type=click.IntRange(min=1), default=None,
              help="Processes or threads (default: CPU count; solo: one process). With --pool solo, -c N "
                   "runs N solo worker processes side by side: the fastest for many short tasks.")
@click.option("--queues", "-Q", default=None, help="Comma-separated queues to consume (default: chordflow).")
@click.option("--pool", type=click.Choice(["prefork", "threads", "solo"]), default="prefork", show_default=True)
@click.option("--hostname", "-n", default=None, help="Worker name, e.g. worker1@%h (default: celery@<host>).")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.option("--prefetch-multiplier", type=click.IntRange(min=1), default=1, show_default=True,
              help="Messages each process reserves (Celery's worker_prefetch_multiplier). 1 spreads long "
                   "tasks over every worker (Airflow's default).")
@pass_services
def worker(svc, concurrency, queues, pool, hostname, loglevel, prefetch_multiplier):
    """Run a Celery worker that executes task instances (needs CHORDFLOW_BROKER_URL)."""
    if svc.settings.embedded:
        raise BadInput("`chordflow worker` needs a broker: set CHORDFLOW_BROKER_URL (e.g. redis://host:6379/0)")
    svc.serve()
    svc.execute_here()
    options: dict[str, Any] = {"pool": pool, "loglevel": loglevel}
    if concurrency:
        options["concurrency"] = concurrency
    if queues:
        options["queues"] = [q.strip() for q in queues.split(",") if q.strip()]
    from celery.utils.nodenames import default_nodename, host_format

    if hostname:  # %h, %n, %d as in `celery worker -n`
        options["hostname"] = host_format(default_nodename(hostname))
    quiet_per_message_lines(loglevel)
    if pool == "solo" and (concurrency or 1) > 1:
        from workers.process_group import ProcessGroup, child_nodename

        nodename = options.pop("hostname", None) or default_nodename(None)
        options["concurrency"] = 1

        def run_one(index: int) -> int:
            return start_worker(svc, {**options, "hostname": child_nodename(nodename, index)}, prefetch_multiplier)

        sys.exit(ProcessGroup(concurrency, run_one, lambda line: click.echo(line, err=True)).serve())
    sys.exit(start_worker(svc, options, prefetch_multiplier))


def start_worker(svc, options: dict[str, Any], prefetch_multiplier: int) -> int:
    """Run a Celery worker of ``svc``'s app with ``options`` until it stops; returns its exit code."""
    svc.app.conf.worker_prefetch_multiplier = prefetch_multiplier
    worker = svc.app.Worker(**options)
    worker.start()
    return worker.exitcode or 0


def quiet_per_message_lines(loglevel: str) -> None:
    """Celery's two lines per message ("Task ... received", "Task ... succeeded in ...: result")
    only at ``--loglevel DEBUG``: a 100,000-way map would write 200,000 of them, each formatted on
    the path of every message, and an instance's own log, state and result are in the store.
    Warnings and errors (a task body that raised into Celery) are still written."""
    from celery.utils.log import mlevel

    if mlevel(loglevel) > logging.DEBUG:
        for name in ("celery.app.trace", "celery.worker.strategy"):
            logging.getLogger(name).setLevel(logging.WARNING)


@cli.command()
@click.option("--interval", type=click.FloatRange(min=0, min_open=True), default=5.0, show_default=True,
              help="Seconds between passes.")
@click.option("--once", is_flag=True, help="Make one pass and exit.")
@pass_services
def scheduler(svc, interval, once):
    """Create the runs that DAGs' schedules ask for, and repair what lost workers left.

    Each pass records the DAGs of CHORDFLOW_DAGS_FOLDER (`dags list`), creates each due run of an
    unpaused DAG exactly once (several schedulers may run), then sends again the instances whose
    worker stopped heartbeating and re-runs the advance step of every running run. On the embedded
    default the runs it creates run in this process.
    """
    from executor.reconciler import Reconciler
    from executor.scheduler_job import SchedulerJob, stall_for_tests

    svc.serve()
    if not svc.settings.embedded:
        submission.check_broker(svc)
    svc.store  # noqa: B018 - creates or migrates the schema before the first pass
    say = lambda line: click.echo(line, err=True)  # noqa: E731
    job = SchedulerJob(svc.runtime.dag_scheduler(inside_creation=stall_for_tests(os.environ)),
                       None if svc.settings.embedded else Reconciler(svc.runtime))
    if not svc.settings.embedded:
        job.serve(interval, once, say)
        return
    from executor.embedded import EmbeddedWorker

    with EmbeddedWorker(svc.app):
        job.serve(interval, once, say)
        if once:  # the runs of this pass end before the process does
            for run_id in svc.store.running_run_ids():
                submission.wait_for_run(svc, run_id, False, submission.Interrupts())


@cli.command("webserver")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8793, show_default=True, help="Port to listen on.")
@pass_services
def webserver_command(svc, host, port):
    """The web UI and REST API (/api/v1) over the store. Read-only unless CHORDFLOW_WEB_PASSWORD
    is set; then actions (trigger, clear, cancel) need it."""
    from webserver.app import serve

    svc.serve()
    serve(svc.settings, host=host, port=port)


# -- runs -------------------------------------------------------------------------------------
@cli.group()
def runs():
    """List and show runs."""


@runs.command("list")
@click.option("--dag-id")
@click.option("--state", type=click.Choice([s.value for s in DagRunState]))
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True)
@output_option
@pass_services
def runs_list(svc, dag_id, state, limit, output):
    """Runs, newest first."""
    emit(output, read_models.run_rows(svc.reader, dag_id=dag_id, state=state, limit=limit),
         ["run_id", "dag_id", "run_type", "state", "logical_date", "start_date", "end_date", "note"])


@runs.command("show")
@click.argument("run_id")
@output_option
@pass_services
def runs_show(svc, run_id, output):
    """A run as a graph: each task with [N] for mapped ones and its state counts."""
    summary = read_models.run_summary(svc.reader, svc.dagbag, run_id)
    if output == "json":
        emit_json(summary)
    else:
        print_run(summary)


@runs.command("cancel")
@click.argument("run_id")
@click.option("--reason", help="Why: kept in the run's note and in each unfinished instance's error.")
@output_option
@pass_services
def runs_cancel(svc, run_id, reason, output):
    """End a run now: it ends failed, every unfinished instance fails saying the run was cancelled
    (queued ones are not run; running tries are stopped by their workers at their next heartbeat).
    A run that has ended already: exit 2."""
    note = "cancelled" + (f": {reason}" if reason else "")
    counts = svc.store.cancel_run(run_id, note, f"the run was {note}")
    failed = counts["waiting"] + counts["running"]
    if output == "json":
        emit_json({"run_id": run_id, "state": DagRunState.FAILED.value, "note": note, "failed": failed,
                   "stopping": counts["running"]})
    else:
        click.echo(f"run {run_id} cancelled: {failed} unfinished task instance(s) failed"
                   + (f", {counts['running']} of them running (their workers stop them)" if counts["running"] else ""))


@runs.command("delete")
@click.argument("run_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@output_option
@pass_services
def runs_delete(svc, run_id, yes, output):
    """Delete an ended run: its task instances, XComs (and the objects they refer to), logs and
    history. A run that has not ended is refused (exit 2): `runs cancel` it first."""
    from orchestrator.store import ensure_ended

    store = svc.store
    record = store.get_run(run_id)
    ensure_ended(record)
    if not yes:
        click.confirm(f"Delete run {run_id} of {record.dag_id} ({record.state}) with its task instances, XComs "
                      "and logs?", abort=True)
    deleted = store.delete_run(run_id)
    if output == "json":
        emit_json({"run_id": run_id, "deleted": deleted})
    else:
        click.echo(f"deleted run {run_id}: {deleted['task_instance']} task instance(s), {deleted['xcom']} XCom(s), "
                   f"{deleted['task_log']} log(s)")


# -- tasks ------------------------------------------------------------------------------------
@cli.group()
def tasks():
    """List, clear and read the logs of task instances."""


@tasks.command("list")
@click.argument("run_id")
@click.option("--task-id", help="Only this task's instances.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most this many rows.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows first (pagination).")
@output_option
@pass_services
def tasks_list(svc, run_id, task_id, limit, offset, output):
    """One row per task instance (map indices included)."""
    rows = read_models.instance_rows(svc.reader, run_id, task_id, limit, offset)
    # In the table a named instance shows its name beside its number (map_index_template).
    named = [{**row, "map_index": f"{row['map_index']} ({row['rendered_map_index']})"}
             if row["rendered_map_index"] is not None else row for row in rows]
    emit(output, rows, ["task_id", "map_index", "state", "try_number", "hostname", "start_date", "end_date", "error"],
         named)


#: States of an instance that ended without a try (its log is empty for good).
NEVER_RAN = {TaskInstanceState.SKIPPED.value, TaskInstanceState.UPSTREAM_FAILED.value,
             TaskInstanceState.FAILED.value, TaskInstanceState.REMOVED.value}


@tasks.command("logs")
@click.argument("run_id")
@click.argument("task_id")
@click.option("--map-index", type=int, default=-1, show_default=True)
@click.option("--try", "try_number", type=int, default=None, help="Only this try (default: every try).")
@click.option("--follow", "-f", is_flag=True,
              help="Then keep printing the try's new lines until it ends (default: the running try, or the "
                   "next one when the instance waits for it).")
@pass_services
def tasks_logs(svc, run_id, task_id, map_index, try_number, follow):
    """The log of a task instance, per try (from any host: logs live in the store). A running try's
    log is written while it runs, about every second."""
    store = svc.store
    printed: dict[int, int] = {}
    for entry in read_models.log_entries(store, run_id, task_id, map_index, try_number):
        print_log_header(task_id, map_index, entry["try_number"], entry["hostname"])
        click.echo(entry["content"], nl=False)
        printed[entry["try_number"]] = len(entry["content"])
    instance = store.get_instance(run_id, task_id, map_index)
    followed = try_number if try_number is not None else read_models.try_to_come(instance)
    running = instance["state"] == TaskInstanceState.RUNNING.value and followed == instance["try_number"]
    if follow and followed is not None:
        try:
            follow_log(store, run_id, task_id, map_index, followed, printed)
        except KeyboardInterrupt:
            sys.exit(130)
    elif running:
        click.echo(f"(try {followed} is running: {'its log so far' if followed in printed else 'nothing written yet'}"
                   "; --follow keeps reading)", err=True)
    elif not printed:
        which = f" try {try_number}" if try_number is not None else ""
        state, tries = instance["state"], instance["try_number"]
        why = ("it never ran: it is " + state if state in NEVER_RAN and tries == 0 else
               f"its tries are numbered 1 to {tries}" if try_number is not None and tries else
               f"it is {state}: has it run yet?")
        raise TaskNotFound(f"no log for {task_id}[{map_index}]{which} of run {run_id!r} ({why})")


@tasks.command("tries")
@click.argument("run_id")
@click.argument("task_id")
@click.option("--map-index", type=int, default=-1, show_default=True)
@output_option
@pass_services
def tasks_tries(svc, run_id, task_id, map_index, output):
    """Every try of a task instance, those before a `tasks clear` included: state, times, host, error."""
    emit(output, read_models.try_rows(svc.store, run_id, task_id, map_index),
         ["try_number", "state", "hostname", "start_date", "end_date", "error"])


@tasks.command("clear")
@click.argument("run_id")
@click.option("--task-id", required=True, help="The task whose instances run again.")
@click.option("--map-index", "map_indices", type=int, multiple=True, help="Only these map indices (repeatable).")
@click.option("--only-failed", is_flag=True, help="Only failed or upstream_failed instances.")
@click.option("--downstream", is_flag=True, help="Also clear every task downstream.")
@click.option("--wait/--no-wait", default=False, help="Wait until the run ends again (always, when embedded).")
@output_option
@pass_services
def tasks_clear(svc, run_id, task_id, map_indices, only_failed, downstream, wait, output):
    """Make task instances run again; the run goes back to running and finishes again. Each
    instance's next try is numbered after its last one: earlier tries' logs stay readable.

    Exit status with --wait: 0 when the run ends success again, 1 when it ends otherwise."""
    store = svc.store
    plan = read_models.clear_plan(store, svc.dagbag, run_id, task_id, map_indices, only_failed, downstream)
    cleared = submission.clear_instances(svc, plan)
    state, waited = store.get_run(run_id).state, False
    if cleared:
        state, waited = submission.drive(svc, run_id, wait, show_progress(output))
    else:
        click.echo("nothing to clear: an instance that has not ended (queued, running, waiting) is not cleared"
                   + (", nor one that did not fail (--only-failed)" if only_failed else ""), err=True)
    if output == "json":
        emit_json({"run_id": run_id, "cleared": cleared, "state": state})
    else:
        click.echo(f"cleared {cleared} task instance(s); run {run_id} is {state}")
    if waited:
        sys.exit(0 if state == DagRunState.SUCCESS.value else 1)


# -- xcom -------------------------------------------------------------------------------------
@cli.group()
def xcom():
    """Read task results."""


@xcom.command("get")
@click.argument("run_id")
@click.argument("task_id")
@click.option("--map-index", type=int, default=None, help="One instance of a mapped task (default: all of them).")
@click.option("--key", default="return_value", show_default=True)
@output_option
@pass_services
def xcom_get(svc, run_id, task_id, map_index, key, output):
    """The value a task instance returned (a mapped task without --map-index: all its values)."""
    value = read_models.xcom_json(svc.store, run_id, task_id, map_index, key)
    click.echo(json.dumps(value) if output == "json" else json.dumps(value, indent=2))


# -- db ---------------------------------------------------------------------------------------
@cli.group()
def db():
    """The store's schema."""


@db.command("upgrade")
@pass_services
def db_upgrade(svc):
    """Create or migrate the store's tables (alembic)."""
    from orchestrator.store import masked_url

    svc.runtime.store.upgrade()
    click.echo(f"schema is current at {masked_url(svc.settings.database_url)}")


@db.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_services
def db_reset(svc, yes):
    """Drop every table and create them again: every run is lost."""
    if not yes:
        click.confirm("Drop all runs, task instances, XComs and logs?", abort=True)
    svc.runtime.store.reset()
    click.echo("store reset")


cli.add_command(variables_group)
cli.add_command(pools_group)
cli.add_command(dags)


def main() -> None:
    # Commands answer in one line: library warnings (e.g. store retries) go to a worker's log
    # handlers when there are some, never to a command's stderr.
    logging.getLogger("chordflow").addHandler(logging.NullHandler())
    try:
        cli(prog_name="chordflow")
    finally:
        # The interpreter's last garbage collection walks every object of every imported module
        # (SQLAlchemy, Celery, ...) only to free memory the process is about to give back: about
        # 60 ms of every command. Frozen objects are left out of it; atexit handlers, flushes and
        # module teardown still run as usual.
        gc.freeze()


if __name__ == "__main__":
    main()
