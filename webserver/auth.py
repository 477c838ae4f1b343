"""Who may act: read-only without ``CHORDFLOW_WEB_PASSWORD``; with it, a signed session (login form)
or ``Authorization: Bearer <password>``, and a CSRF token on every state-changing request of a session.

The password is kept only as a salted scrypt hash in memory and compared in constant time; it is
never stored, logged, or put in a cookie.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from fastapi import Request

#: The environment variable whose value, when set, is the password that enables actions.
PASSWORD_VARIABLE = "CHORDFLOW_WEB_PASSWORD"
#: The environment variable of the key that signs session cookies (default: random per process,
#: so sessions end when the server restarts).
SECRET_KEY_VARIABLE = "CHORDFLOW_WEB_SECRET_KEY"
#: Header and form field that carry the CSRF token of a session.
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
#: scrypt cost (n, r, p): about 50 ms per check, which slows guessing down.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class AuthError(Exception):
    """A request that may not do what it asks: ``status`` 401 (log in), 403 (not allowed)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)


@dataclass(frozen=True)
class PasswordCheck:
    """A password known only by its salted scrypt hash."""

    salt: bytes
    digest: bytes

    @classmethod
    def of(cls, password: str) -> PasswordCheck:
        salt = secrets.token_bytes(16)
        return cls(salt, _hash(password, salt))

    def matches(self, candidate: str) -> bool:
        return hmac.compare_digest(_hash(candidate, self.salt), self.digest)

    def __repr__(self) -> str:
        return "PasswordCheck(<hidden>)"


@dataclass(frozen=True)
class AuthSettings:
    """How the web server authenticates.

    :param password: the check of ``CHORDFLOW_WEB_PASSWORD``; ``None`` (default): read-only UI.
    :param secret_key: signs session cookies (default: random per process).
    """

    password: PasswordCheck | None = None
    secret_key: str = ""

    @property
    def read_only(self) -> bool:
        return self.password is None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> AuthSettings:
        env = os.environ if environ is None else environ
        password = env.get(PASSWORD_VARIABLE) or None
        return cls(password=PasswordCheck.of(password) if password else None,
                   secret_key=env.get(SECRET_KEY_VARIABLE) or secrets.token_urlsafe(32))

    @classmethod
    def with_password(cls, password: str | None) -> AuthSettings:
        return cls(password=PasswordCheck.of(password) if password else None, secret_key=secrets.token_urlsafe(32))


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session, made on first use."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def is_logged_in(request: Request) -> bool:
    return bool(request.session.get("user"))


def log_in(request: Request, auth: AuthSettings, password: str) -> bool:
    """Start a session when ``password`` is right (a fresh CSRF token with it)."""
    if auth.password is None or not auth.password.matches(password):
        return False
    request.session.clear()
    request.session["user"] = "admin"
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return True


def log_out(request: Request) -> None:
    request.session.clear()


def bearer_matches(request: Request, auth: AuthSettings) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    return auth.password is not None and scheme.lower() == "bearer" and auth.password.matches(credentials.strip())


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a state-changing request of a session whose CSRF token is missing or wrong."""
    if request.method in _SAFE_METHODS:
        return
    expected = request.session.get(CSRF_FIELD)
    given = request.headers.get(CSRF_HEADER) or submitted or ""
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise AuthError(403, f"missing or wrong CSRF token: send the page's token in the {CSRF_HEADER} header")


def authorize_action(request: Request, auth: AuthSettings, submitted_csrf: str | None = None) -> str:
    """Who performs an action (trigger, clear, cancel); :class:`AuthError` when nobody may."""
    if auth.read_only:
        raise AuthError(403, f"the web UI is read-only: set {PASSWORD_VARIABLE} on the web server to enable actions")
    if "authorization" in request.headers:
        if bearer_matches(request, auth):
            return "api"  # a bearer token is never sent by a browser on its own: no CSRF risk
        raise AuthError(401, "wrong credentials in the Authorization header (expected: Bearer <password>)")
    if not is_logged_in(request):
        raise AuthError(401, "log in first (/login), or send Authorization: Bearer <password>")
    check_csrf(request, submitted_csrf)
    return request.session["user"]
