"""Logging in and out, the first-login password change, and who may open which page.

A session holds the user's id and a fingerprint of their password hash, so a
changed or reset password ends every other session of that user. A session
unused for ``IDLE_MINUTES`` ends, and none lasts longer than
``PERMANENT_SESSION_LIFETIME``.
"""
from __future__ import annotations

import functools
import hashlib
import math
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..errors import InputError, ThrottledError
from ..store import authenticate, change_password
from ..store.models import User
from . import db
from .security import LoginThrottle

__all__ = ["bp", "roles_required", "current_user"]

bp = Blueprint("auth", __name__)
View = TypeVar("View", bound=Callable[..., Any])
OPEN_ENDPOINTS = ("auth.login", "auth.logout", "static")


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]


@bp.before_app_request
def _load_user() -> Response | None:
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = db.session().get(User, user_id)
    idle = time.time() - float(session.get("seen", 0)) > current_app.config["IDLE_MINUTES"] * 60
    if user is None or not user.active or session.get("fingerprint") != _fingerprint(user) or idle:
        session.clear()
        if idle and user is not None:
            flash("Uw sessie is verlopen; log opnieuw in.", "info")
        return None
    session["seen"] = time.time()
    g.user = user
    if user.must_change_password and request.endpoint not in (*OPEN_ENDPOINTS, "auth.password"):
        return redirect(url_for("auth.password"))
    return None


def roles_required(*roles: str) -> Callable[[View], View]:
    """Only users with one of ``roles`` open the view; others get 403, anonymous users the log-in page."""
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if request.method == "GET":
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                abort(401)
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorate


def _local(target: str | None) -> str | None:
    """``target`` when it is a path on this site (never an address elsewhere)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", name="")
    throttle: LoginThrottle = current_app.extensions["weegtool.throttle"]
    address = request.remote_addr or "?"
    name = request.form.get("name", "").strip()
    wait = throttle.wait_seconds(address)
    if wait > 0:
        return _refused(name, f"Te veel mislukte pogingen vanaf dit adres; probeer het over "
                              f"{math.ceil(wait / 60)} minuten opnieuw.", 429)
    try:
        user = authenticate(db.session(), name, request.form.get("password", ""))
    except ThrottledError as error:
        db.commit()
        throttle.failed(address)
        return _refused(name, f"Te veel mislukte pogingen voor dit account; probeer het na "
                              f"{error.until.astimezone():%H:%M} opnieuw.", 429)
    db.commit()      # the failure count, or a renewed hash
    if user is None:
        throttle.failed(address)
        return _refused(name, "Naam of wachtwoord onjuist.", 401)
    throttle.succeeded(address)
    session.clear()
    session.permanent = True
    session.update(user_id=user.id, fingerprint=_fingerprint(user), seen=time.time())
    if user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(_local(request.args.get("next")) or url_for("candidates.index"))


def _refused(name: str, message: str, status: int) -> tuple[str, int]:
    return render_template("login.html", name=name, error=message), status


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@roles_required()
def password() -> Any:
    user = current_user()
    assert user is not None
    if request.method == "GET":
        return render_template("password.html", errors={})
    new, repeated = request.form.get("new", ""), request.form.get("repeat", "")
    errors: dict[str, str] = {}
    if new != repeated:
        errors["repeat"] = "De twee nieuwe wachtwoorden verschillen."
    else:
        try:
            change_password(db.session(), user, request.form.get("old", ""), new)
        except InputError as error:
            errors["new"] = str(error)
    if errors:
        return render_template("password.html", errors=errors), 400
    db.commit()
    session["fingerprint"] = _fingerprint(user)
    flash("Uw wachtwoord is gewijzigd.", "success")
    return redirect(url_for("candidates.index"))
