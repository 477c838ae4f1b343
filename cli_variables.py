"""``chordflow variables``: Airflow's Variables from the command line (set, get, list, delete, import).

Registered by ``cli.py``; like every command it only parses, calls and prints (``orchestrator.variables``).
"""
from __future__ import annotations

import json
from typing import Any

import click

from cli_output import emit
from executor.services import Services
from orchestrator import variables
from orchestrator.errors import BadInput
from orchestrator.variables import NO_DEFAULT, Variable

pass_services = click.make_pass_decorator(Services)


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadInput(f"{what} is not valid JSON ({exc}): quote strings, e.g. '\"eu-west-1\"' or '{{\"a\": 1}}'"
                       ) from None


@click.group("variables")
@pass_services
def variables_group(svc: Services) -> None:
    """Variables that tasks read (Variable.get, {{ var.value.KEY }}), kept in the store.

    CHORDFLOW_VAR_<KEY> in the environment takes precedence over a stored Variable, as Airflow's
    AIRFLOW_VAR_<KEY> does.
    """
    variables.use_store(svc.settings.variables, lambda: svc.store)


@variables_group.command("set")
@click.argument("key")
@click.argument("value")
@click.option("--json", "as_json", is_flag=True, help="VALUE is JSON: stored as JSON, read with var.json.")
@click.option("--description", help="What the Variable is for.")
def variables_set(key, value, as_json, description):
    """Store VALUE under KEY (replacing what was there)."""
    Variable.set(key, _parse_json(value, "VALUE") if as_json else value, description, serialize_json=as_json)
    click.echo(f"Variable {key} set", err=True)


@variables_group.command("get")
@click.argument("key")
@click.option("--default", "default", default=None, help="Printed when KEY does not exist (instead of exit 2).")
@click.option("--json", "as_json", is_flag=True, help="Parse the value as JSON and print it as JSON.")
def variables_get(key, default, as_json):
    """Print the value of KEY (the environment's CHORDFLOW_VAR_<KEY> first, then the store's)."""
    try:
        value = Variable.get(key, NO_DEFAULT if default is None else default, deserialize_json=as_json)
    except KeyError:
        raise BadInput(f"Variable {key!r} does not exist: `chordflow variables list` shows the stored ones") from None
    except ValueError as exc:
        raise BadInput(f"Variable {key!r} is not valid JSON ({exc}): read it without --json") from None
    click.echo(json.dumps(value) if as_json and value is not default else value)


@variables_group.command("list")
@click.option("--output", "-o", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="json: stable keys, for scripts.")
@pass_services
def variables_list(svc, output):
    """The stored Variables: key, value, description."""
    emit(output, svc.store.variable_rows(), ["key", "val", "description"])


@variables_group.command("delete")
@click.argument("key")
@pass_services
def variables_delete(svc, key):
    """Delete the stored Variable KEY."""
    if not Variable.delete(key):
        raise BadInput(f"Variable {key!r} does not exist: `chordflow variables list` shows the stored ones")
    click.echo(f"Variable {key} deleted", err=True)


@variables_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
def variables_import(file):
    """Store every Variable of a JSON file {"key": value, ...} (Airflow's format: a value that is not a
    string is stored as JSON; {"value": ..., "description": ...} keeps a description)."""
    try:
        with open(file, encoding="utf-8") as handle:
            content = handle.read()
    except OSError as exc:
        raise BadInput(f"cannot read {file}: {exc.strerror}") from None
    entries = _parse_json(content, file)
    if not isinstance(entries, dict):
        raise BadInput(f"{file} must hold a JSON object {{\"key\": value, ...}}, got {type(entries).__name__}")
    for key, value in entries.items():
        description = None
        if isinstance(value, dict) and "value" in value and set(value) <= {"value", "description"}:
            value, description = value["value"], value.get("description")
        Variable.set(key, value, description, serialize_json=not isinstance(value, str))
    click.echo(f"{len(entries)} of {len(entries)} variables successfully updated.", err=True)
