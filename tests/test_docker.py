"""docker/: one image for every service, healthchecks gating start-up, restart policies, a non-root
user, the web server published on loopback, Flower given the app and behind a password."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
#: Services running Chordflow's image.
CHORDFLOW_SERVICES = ["migrate", "worker", "scheduler", "webserver", "flower"]
LONG_RUNNING = ["redis", "postgres", "worker", "scheduler", "webserver", "flower"]


def test_the_image_is_built_once_and_reused_by_every_chordflow_service():
    builders = [name for name, service in SERVICES.items() if "build" in service]
    assert builders == ["migrate"]
    image = SERVICES["migrate"]["image"]
    for name in CHORDFLOW_SERVICES:
        assert SERVICES[name]["image"] == image, name
        if name != "migrate":
            assert SERVICES[name]["pull_policy"] == "never", name


def test_redis_and_postgres_have_healthchecks():
    for name in ("redis", "postgres"):
        assert SERVICES[name]["healthcheck"]["test"], name


@pytest.mark.parametrize("name", ["worker", "scheduler", "webserver", "flower", "migrate"])
def test_nothing_starts_before_what_it_uses_answers(name):
    depends = SERVICES[name]["depends_on"]
    assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
    for needed in ("redis", "postgres"):
        if needed in depends:
            assert depends[needed]["condition"] == "service_healthy", (name, needed)
    if name != "migrate":
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_restart(name):
    assert SERVICES[name]["restart"] in ("unless-stopped", "always", "on-failure")


def test_the_web_server_listens_inside_and_is_published_on_loopback_only():
    web = SERVICES["webserver"]
    assert web["command"][:3] == ["webserver", "--host", "0.0.0.0"]
    assert all(port.startswith("127.0.0.1:") for port in web["ports"])
    assert web["environment"]["CHORDFLOW_WEB_PASSWORD"] == "${CHORDFLOW_WEB_PASSWORD:-}"
    assert "/health" in " ".join(web["healthcheck"]["test"])


def test_flower_is_given_the_app_and_requires_basic_auth_from_the_environment():
    flower = SERVICES["flower"]
    command = " ".join(flower["entrypoint"])
    assert re.search(r"celery -A executor\.celery_app flower", command)
    assert "--basic-auth" in command
    assert flower["environment"]["FLOWER_BASIC_AUTH"].startswith("${FLOWER_BASIC_AUTH:?")
    assert all(port.startswith("127.0.0.1:") for port in flower["ports"])


def test_the_celery_app_module_flower_loads_exists():
    from executor import celery_app

    assert celery_app.app.conf.task_serializer == "json"


def test_the_image_runs_as_a_non_root_user_and_ships_the_web_server():
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^COPY webserver ", DOCKERFILE, re.MULTILINE)


def test_dockerignore_keeps_environments_and_history_out_of_the_build_context():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", ".git", "**/__pycache__", ".pytest_cache"} <= ignored
