"""What every request goes through: CSRF tokens, security headers, throttled log-ins.

- Every POST (and PUT, PATCH, DELETE) must carry the session's CSRF token, in
  the form field ``csrf_token`` or the ``X-CSRF-Token`` header (for the
  rating form's live scores); without it the request is refused with 400.
- Every response says: no inline scripts or styles, no framing, no
  referrer, no caching (pages hold health data of minors).
- Failed log-ins are counted per client address (here, in memory) and per
  account (in the database, see :func:`weegtool.store.authenticate`).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from flask import Flask, Response, abort, current_app, request, session

from ..store.users import LOCK_MINUTES, MAX_FAILED_LOGINS
from .language import say

__all__ = ["init_app", "csrf_token", "CSP", "LoginThrottle"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# A stored report is a self-contained page with its own <style> and inline SVG; it runs no script at all.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def init_app(app: Flask) -> None:
    app.extensions["weegtool.throttle"] = LoginThrottle(
        app.config["LOGIN_FAILURES_PER_ADDRESS"], app.config["LOGIN_WINDOW_MINUTES"] * 60
    )
    # Per name as the database locks an account, for every name tried: an unknown name is refused alike.
    app.extensions["weegtool.name_throttle"] = LoginThrottle(MAX_FAILED_LOGINS, LOCK_MINUTES * 60)
    app.before_request(_check_csrf)
    app.before_request(_refuse_nul)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def _check_csrf() -> None:
    if request.method not in UNSAFE_METHODS:
        return
    if request.path.startswith("/api/") and "user_id" not in session:
        return  # every API route needs a log-in: it answers 401 "not logged in", writing nothing
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description=say("web.csrf"))


def _refuse_nul(nul: str = "\x00") -> None:
    """Refuse a form field or query parameter holding a NUL character, for every route at once.

    NUL is no text: PostgreSQL refuses it in a text column (the request ended in HTTP 500 on the
    meeting notes, the erasure reason, the referrer and the house fields), and SQLite stores it
    where a later reader stops at it.
    """
    fields = [*request.args.items(multi=True)]
    if request.method in UNSAFE_METHODS:
        fields += request.form.items(multi=True)
    for name, value in fields:
        if nul in name or nul in value:
            shown = name.replace(nul, "")[:40] or "?"
            abort(400, description=say("web.nul", field=shown))


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config["SESSION_COOKIE_SECURE"] and request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return response


class LoginThrottle:
    """Failed log-ins per key (a client address, a name) in a sliding window; a key over the limit waits.

    A success does not clear an address's count: otherwise logging in with one's own account now and then
    would reset it between guesses at others.
    """

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit, self.window = limit, window_seconds
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures[address]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait_seconds(self, address: str) -> float:
        """Seconds until ``address`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(address, now)
            return 0.0 if len(times) < self.limit else times[0] + self.window - now

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address, time.monotonic()).append(time.monotonic())

    def attempt(self, key: str) -> float:
        """Count an attempt by ``key`` before it is checked, in one step: 0 when it may go ahead, else the seconds
        to wait (and nothing counted). Attempts at the same moment cannot all pass a check made before any of
        them was counted; a successful one is taken back with :meth:`succeeded`."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            if len(times) >= self.limit:
                return times[0] + self.window - now
            times.append(now)
            return 0.0

    def succeeded(self, key: str) -> None:
        """Take back the attempt :meth:`attempt` counted for ``key`` (the newest), as it was no failure."""
        with self._lock:
            times = self._failures.get(key)
            if times:
                times.pop()
