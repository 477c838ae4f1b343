"""``chordflow pools``: Airflow's pools from the command line (set, list, delete).

Registered by ``cli.py``; like every command it only parses, calls and prints (the store's
:class:`~orchestrator.store.pools.PoolStore`; what pools do: ``orchestrator.admission``).
"""
from __future__ import annotations

import click

from cli_output import emit
from executor.services import Services

pass_services = click.make_pass_decorator(Services)

#: The columns of ``pools list`` (and the keys of its JSON objects).
POOL_COLUMNS = ["pool", "slots", "running", "queued", "scheduled", "open_slots", "description"]


@click.group("pools")
def pools_group() -> None:
    """Pools: named sets of slots that the instances of their tasks share on every worker host.

    A task takes `pool_slots` slots (default 1) of its `pool` (default: default_pool) while it is
    queued or running; instances that find no free slot wait `scheduled`, the highest
    priority_weight first. -1 slots: unlimited.
    """


@pools_group.command("set", context_settings={"ignore_unknown_options": True})  # SLOTS may be -1
@click.argument("name")
@click.argument("slots", type=int)
@click.option("--description", help="What the pool is for.")
@pass_services
def pools_set(svc, name, slots, description):
    """Create pool NAME with SLOTS slots, or change its size (-1: unlimited). With a broker,
    instances waiting for slots that are free now are sent to the workers at once."""
    svc.store.set_pool(name, slots, description)
    admitted = 0 if svc.settings.embedded else svc.runtime.admit()
    click.echo(f"Pool {name} set to {'unlimited' if slots == -1 else slots} slot(s)"
               + (f"; {admitted} waiting instance(s) sent to the workers" if admitted else ""), err=True)


@pools_group.command("list")
@click.option("--output", "-o", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="json: stable keys, for scripts.")
@pass_services
def pools_list(svc, output):
    """Every pool: its slots, the slots its running, queued and scheduled instances take, and
    those open (-1: unlimited)."""
    emit(output, svc.store.list_pools(), POOL_COLUMNS)


@pools_group.command("delete")
@click.argument("name")
@pass_services
def pools_delete(svc, name):
    """Delete pool NAME (default_pool cannot be deleted). Instances waiting in it wait until it is set again."""
    svc.store.delete_pool(name)
    click.echo(f"Pool {name} deleted", err=True)
