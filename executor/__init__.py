"""Executor: turns the orchestrator's decisions into Celery chords, and hosts the embedded worker."""
