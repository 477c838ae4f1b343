"""Who may act: read-only without a password; with one, a bearer token or a logged-in session
whose state-changing requests carry its CSRF token. The password is never kept in clear."""
from __future__ import annotations

import json
import logging
import re

import pytest

from tests.conftest import run_cli
from tests.web import client_of, write_dag
from webserver.auth import AuthSettings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def ended_run(embedded_env) -> str:
    """An ended run: cancelling it is refused (409) -- proof that the request got past authentication."""
    result = run_cli(embedded_env, "run", write_dag(embedded_env), "--run-id", "r1", "--output", "json")
    assert json.loads(result.stdout)["state"] == "success", result.stderr
    return "r1"


def csrf_of(page_html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', page_html).group(1)


def logged_in(client) -> str:
    """Log ``client`` in through the form; returns its session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    return csrf_of(client.get("/dags").text)


def test_without_a_password_actions_are_refused_saying_how_to_enable_them(embedded_env, ended_run):
    with client_of(embedded_env) as client:
        answer = client.post(f"/api/v1/runs/{ended_run}/cancel", json={})
    assert answer.status_code == 403
    assert "read-only" in answer.json()["error"] and "CHORDFLOW_WEB_PASSWORD" in answer.json()["error"]


def test_an_action_without_credentials_is_401(embedded_env, ended_run):
    with client_of(embedded_env, PASSWORD) as client:
        answer = client.post(f"/api/v1/runs/{ended_run}/cancel", json={})
    assert answer.status_code == 401 and "log in" in answer.json()["error"]


def test_a_wrong_bearer_token_is_401(embedded_env, ended_run):
    with client_of(embedded_env, PASSWORD) as client:
        answer = client.post(f"/api/v1/runs/{ended_run}/cancel", json={}, headers={"Authorization": "Bearer guess"})
    assert answer.status_code == 401


def test_the_password_as_bearer_token_may_act_without_csrf(embedded_env, ended_run):
    with client_of(embedded_env, PASSWORD) as client:
        answer = client.post(f"/api/v1/runs/{ended_run}/cancel", json={},
                             headers={"Authorization": f"Bearer {PASSWORD}"})
    assert answer.status_code == 409 and "ended" in answer.json()["error"]


def test_a_wrong_password_in_the_login_form_is_refused(embedded_env):
    with client_of(embedded_env, PASSWORD) as client:
        token = csrf_of(client.get("/login").text)
        answer = client.post("/login", data={"password": "guess", "csrf_token": token})
        assert answer.status_code == 401 and "Wrong password" in answer.text
        assert 'name="logged-in" content="false"' in client.get("/dags").text


def test_the_login_form_needs_its_csrf_token(embedded_env):
    with client_of(embedded_env, PASSWORD) as client:
        client.get("/login")
        answer = client.post("/login", data={"password": PASSWORD})
    assert answer.status_code == 403 and "CSRF" in answer.text


def test_a_session_action_without_the_csrf_token_is_403(embedded_env, ended_run):
    with client_of(embedded_env, PASSWORD) as client:
        logged_in(client)
        answer = client.post(f"/api/v1/runs/{ended_run}/cancel", json={})
    assert answer.status_code == 403 and "CSRF" in answer.json()["error"]


def test_a_session_action_with_a_wrong_csrf_token_is_403(embedded_env, ended_run):
    with client_of(embedded_env, PASSWORD) as client:
        logged_in(client)
        answer = client.post(f"/api/v1/runs/{ended_run}/cancel", json={}, headers={"X-CSRF-Token": "forged"})
    assert answer.status_code == 403


def test_a_session_action_with_its_csrf_token_is_performed(embedded_env, ended_run):
    with client_of(embedded_env, PASSWORD) as client:
        token = logged_in(client)
        answer = client.post(f"/api/v1/runs/{ended_run}/cancel", json={}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 409  # past authentication and CSRF: the run had ended


def test_logging_out_ends_the_session(embedded_env, ended_run):
    with client_of(embedded_env, PASSWORD) as client:
        token = logged_in(client)
        client.post("/logout", data={"csrf_token": token})
        answer = client.post(f"/api/v1/runs/{ended_run}/cancel", json={}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 401


def test_login_redirects_only_to_a_path_of_this_server(embedded_env):
    with client_of(embedded_env, PASSWORD) as client:
        token = csrf_of(client.get("/login").text)
        answer = client.post("/login", data={"password": PASSWORD, "csrf_token": token,
                                             "next": "//evil.example/"}, follow_redirects=False)
    assert answer.headers["location"] == "/dags"


def test_the_password_is_kept_only_as_a_hash_and_never_in_cookies_or_logs(embedded_env, caplog):
    caplog.set_level(logging.DEBUG)
    auth = AuthSettings.with_password(PASSWORD)
    assert PASSWORD not in repr(auth) and PASSWORD.encode() not in auth.password.digest
    with client_of(embedded_env, PASSWORD) as client:
        logged_in(client)
        cookies = " ".join(client.cookies.values())
    assert PASSWORD not in cookies and PASSWORD not in caplog.text


def test_pages_forbid_inline_scripts_and_framing(embedded_env):
    with client_of(embedded_env) as client:
        headers = client.get("/dags").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_no_page_loads_anything_from_another_host(embedded_env):
    with client_of(embedded_env) as client:
        pages = [client.get(path).text for path in ("/dags", "/dags/x/grid", "/runs/x/graph",
                                                    "/runs/x/tasks/t/instances", "/runs/x/tasks/t/instances/0")]
        assert client.get("/api/v1/docs").status_code == 404  # Swagger UI would come from a CDN
    assert not [p for p in pages if "http://" in p or "https://" in p or 'src="//' in p]
