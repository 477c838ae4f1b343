"""Chordflow's web UI and REST API (``chordflow webserver``): FastAPI over the same store and read
models as the CLI. :func:`create_app` builds the app, :func:`serve` runs it."""
from webserver.app import DEFAULT_HOST, DEFAULT_PORT, create_app, serve

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "serve"]
