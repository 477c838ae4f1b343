"""Settings: read once from the environment; what a long-running service changes."""
from __future__ import annotations

import pytest

from orchestrator.settings import DEFAULT_STORE_RETRY_FOR, SERVICE_STORE_RETRY_FOR, Settings


def settings(**env: str) -> Settings:
    return Settings.from_env({"CHORDFLOW_HOME": "/tmp/chordflow-settings-test", **env})


def test_commands_retry_briefly_services_ride_out_a_restart():
    plain = settings()
    assert plain.store_retry_seconds == DEFAULT_STORE_RETRY_FOR
    assert plain.for_service().store_retry_seconds == SERVICE_STORE_RETRY_FOR


def test_an_explicit_retry_window_holds_for_services_too():
    chosen = settings(CHORDFLOW_STORE_RETRY_FOR="42")
    assert chosen.store_retry_seconds == 42
    assert chosen.for_service().store_retry_seconds == 42


@pytest.mark.parametrize("raw", ["soon", "-1", "0"])
def test_a_bad_retry_window_is_refused_by_name(raw):
    with pytest.raises(ValueError, match="CHORDFLOW_STORE_RETRY_FOR"):
        settings(CHORDFLOW_STORE_RETRY_FOR=raw)


def test_connections_come_from_the_environment_once():
    got = settings(CHORDFLOW_CONN_WAREHOUSE="sqlite:///w.db")
    assert got.connections == {"CHORDFLOW_CONN_WAREHOUSE": "sqlite:///w.db"}
