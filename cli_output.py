"""How ``chordflow`` prints: JSON for scripts, rich tables and trees for people, logs as they grow.

Everything here takes what the read models (``orchestrator.read_models``) return; nothing decides.
"""
from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from orchestrator import read_models

if TYPE_CHECKING:
    from orchestrator.store import Store

#: How often ``tasks logs --follow`` looks for new lines (seconds).
POLL_FOLLOW = 0.5
#: The colour of each state in tables and trees.
STATE_STYLE = {"success": "green", "failed": "red", "upstream_failed": "dark_orange", "skipped": "magenta",
               "running": "cyan", "scheduled": "tan", "queued": "grey50", "up_for_retry": "yellow",
               "up_for_reschedule": "turquoise2", "none": "white"}


def emit_json(value: Any) -> None:
    """One line of JSON on stdout (a value JSON lacks, such as a date, as its ``str``)."""
    click.echo(json.dumps(value, default=str))


def emit(output: str, value: Any, columns: list[str], rows: list[dict[str, Any]] | None = None) -> None:
    """``value`` as JSON when ``output`` is ``json``; else a table of ``rows`` (default: ``value``)."""
    if output == "json":
        emit_json(value)
    else:
        print_table(columns, value if rows is None else rows)


def print_table(columns: list[str], rows: list[dict[str, Any]]) -> None:
    """A table with these columns, one line per row (``None`` printed as nothing). Ids (columns
    ``*_id``) are never cut or wrapped -- a narrow terminal wraps the other columns -- and into a
    pipe or file the table is as wide as it needs (no terminal to fit)."""
    from rich.console import Console
    from rich.table import Column, Table

    cells = [["" if row.get(c) is None else str(row.get(c)) for c in columns] for row in rows]
    heads = [Column(c, no_wrap=True, min_width=max((len(line[i]) for line in cells), default=len(c)))
             if c.endswith("_id") else Column(c, overflow="fold") for i, c in enumerate(columns)]
    table = Table(*heads, show_lines=False)
    for line in cells:
        table.add_row(*line)
    Console(width=None if sys.stdout.isatty() else 100_000).print(table)


def print_run(summary: dict[str, Any]) -> None:
    """A :func:`~orchestrator.read_models.run_summary` as a tree: each task with ``[N]`` when
    mapped, its state counts in colour and its upstreams."""
    from rich.console import Console
    from rich.markup import escape
    from rich.tree import Tree

    style = STATE_STYLE.get(summary["state"], "white")
    note = f"  [dim]({escape(summary['note'])})[/dim]" if summary["note"] else ""
    tree = Tree(f"[bold]{summary['dag_id']}[/bold]  {summary['run_id']}  [{style}]{summary['state']}[/{style}]{note}")
    for task in summary["tasks"]:
        label = task["task_id"] + (f" [{task['map_count'] if task['map_count'] is not None else ' '}]"
                                   if task["mapped"] else "")
        states = "  ".join(f"[{STATE_STYLE.get(s, 'white')}]{s}: {n}[/]" for s, n in sorted(task["states"].items()))
        after = f"  [dim]<- {', '.join(task['upstream'])}[/dim]" if task["upstream"] else ""
        tree.add(f"{label.replace('[', chr(92) + '[')}  {states}{after}")
    Console().print(tree)


def print_log_header(task_id: str, map_index: int, try_number: int, hostname: str | None) -> None:
    """The line before each try's log."""
    click.echo(f"--- {task_id} map_index={map_index} try={try_number} on {hostname} ---")


def follow_log(store: Store, run_id: str, task_id: str, map_index: int, try_number: int,
               printed: dict[int, int]) -> None:
    """Print a try's lines as they are written (after the ``printed[try_number]`` characters shown
    already) until it ends: the instance moved on from that try, and its last lines were read."""
    while True:
        instance = store.get_instance(run_id, task_id, map_index)  # before the log: its end is then in the log
        ended = instance is None or not read_models.try_in_progress(instance, try_number)
        found = store.log_since(run_id, task_id, map_index, try_number, printed.get(try_number, 0))
        if found is not None and found[0]:
            text, hostname = found
            if try_number not in printed:
                print_log_header(task_id, map_index, try_number, hostname)
            click.echo(text, nl=False)
            printed[try_number] = printed.get(try_number, 0) + len(text)
        if ended:
            return
        time.sleep(POLL_FOLLOW)


def output_option(fn):
    """``--output table|json`` (table by default)."""
    return click.option(
        "--output", "-o", type=click.Choice(["table", "json"]), default="table", show_default=True,
        help="json: stable keys, for scripts.",
    )(fn)
