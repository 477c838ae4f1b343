"""What the web server's tests share: a small mapped DAG with hostile text in it, an in-process
client of the app, and the web server as a process of the test's own."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from orchestrator.settings import Settings
from tests.conftest import free_port
from webserver.app import create_app
from webserver.auth import AuthSettings

#: A mapped DAG whose description, log lines and XCom values carry markup that must stay text.
HOSTILE = '<script>window.pwned = true</script><img src=x onerror="window.pwned = true">'

MAPPED_DAG = f'''
from datetime import datetime
from orchestrator import dag, task, TriggerRule

HOSTILE = {HOSTILE!r}

@task
def double(x):
    print(HOSTILE)
    if x == 3:
        raise ValueError("three is not allowed " + HOSTILE)
    return {{"value": x * 2, "note": HOSTILE}}

@task(trigger_rule=TriggerRule.ALL_DONE)
def total(values):
    return sum(v["value"] for v in values)

@dag(dag_id="mapped", schedule=None, start_date=datetime(2022, 1, 1), description=HOSTILE)
def mapped():
    total(double.expand(x=[1, 2, 3]))

mapped()
'''


def write_dag(env: dict[str, str], name: str = "mapped.py", source: str = MAPPED_DAG) -> Path:
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


@contextmanager
def client_of(env: dict[str, str], password: str | None = None) -> Iterator[TestClient]:
    """The app over the store of ``env``, in this process (``password``: actions enabled)."""
    settings = Settings.from_env(env)
    app = create_app(settings, AuthSettings.with_password(password))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@contextmanager
def web_server(env: dict[str, str], log_path: Path, timeout: float = 30) -> Iterator[str]:
    """``chordflow webserver`` on a free port against the store of ``env`` (the test's own
    environment: it dies with the test); yields its base URL once /health answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        command = [str(Path(sys.executable).parent / "chordflow"), "webserver", "--port", str(port)]
        proc = subprocess.Popen(command, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the web server did not start: {log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def env_with(env: dict[str, str], **extra: str) -> dict[str, str]:
    return {**env, **extra, "PATH": os.environ.get("PATH", "")}
