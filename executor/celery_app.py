"""This deployment's Celery app as a module attribute, for Celery's own tools, which take ``-A``:
``celery -A executor.celery_app flower`` (monitoring; broker, key prefix and serializers as every
Chordflow process has them), ``celery -A executor.celery_app inspect ping``."""
from __future__ import annotations

from executor.app import create_app
from orchestrator.settings import Settings

#: Configured from the CHORDFLOW_* environment, as every Chordflow process is.
app = create_app(Settings.from_env())
