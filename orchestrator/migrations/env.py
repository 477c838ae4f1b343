"""Alembic environment: the connection comes from ``chordflow db upgrade`` (config attribute)."""
from alembic import context

from orchestrator.schema import metadata, use_dialect

connection = context.config.attributes["connection"]
use_dialect(connection.dialect.name)
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
