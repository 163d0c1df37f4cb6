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

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from ..errors import InputError, ThrottledError
from ..store import authenticate, change_password, end_sessions
from ..store.models import User
from . import db
from .forms import FormErrors, by_field
from .security import LoginThrottle

__all__ = ["bp", "roles_required", "current_user", "signed_in"]

bp = Blueprint("auth", __name__)
View = TypeVar("View", bound=Callable[..., Any])
OPEN_ENDPOINTS = ("auth.login", "auth.logout", "static")
# One answer for an unknown name, a wrong password and a locked account: which accounts exist, or are locked,
# does not show.
WRONG = "Naam of wachtwoord onjuist, of het account is tijdelijk geblokkeerd na te veel mislukte pogingen."


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def own_row() -> User:
    """The signed-in user's row in the writing session, for a view that changes it (password,
    log-out); :func:`signed_in` is a read-only copy."""
    user = db.writer().get(User, signed_in().id)
    assert user is not None, "the user was looked up at the start of this request"
    return user


def signed_in() -> User:
    """The logged-in user, in a view that :func:`roles_required` guards (so there always is one)."""
    user = current_user()
    assert user is not None, "signed_in() outside a view guarded by roles_required"
    return user


def _fingerprint(user: User) -> str:
    """Changes when the password does or the user logs out: every session made before then ends."""
    return hashlib.sha256(f"{user.session_version}:{user.password_hash}".encode()).hexdigest()[:16]


@bp.record_once
def _register_writer_check(state: Any) -> None:
    state.app.extensions.setdefault("weegtool.writer_checks", []).append(_still_signed_in)


def _still_signed_in(writer: Any) -> None:
    """At the writer's turn: the user looked up on the reader must still be active with this
    session (a deactivation, password change or log-out may have committed while the request
    waited for its turn); else 401 and nothing written."""
    user = g.get("user")
    if user is None:
        return
    row = writer.get(User, user.id)
    if row is None or not row.active or session.get("fingerprint") != _fingerprint(row):
        session.clear()
        abort(401)


@bp.before_app_request
def _load_user() -> Response | None:
    g.user = None
    user_id = session.get("user_id")
    if user_id is None or request.endpoint == "static":  # style sheet and script: no one to look up
        return None
    # looked up on the reader, so a writing request takes the writer's turn at its first write, not
    # here; a view that changes the user's own row takes it from the writer (own_row)
    user = db.reader().get(User, user_id)
    now = time.time()
    idle = now - float(session.get("seen", 0)) > current_app.config["IDLE_MINUTES"] * 60
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    expired = idle or now - float(session.get("login_at", 0)) > lifetime
    if (
        user is None
        or not user.active
        or session.get("fingerprint") != _fingerprint(user)
        or expired
    ):
        session.clear()
        if expired and user is not None:
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
    names: LoginThrottle = current_app.extensions["weegtool.name_throttle"]
    address = request.remote_addr or "?"
    name = request.form.get("name", "").strip()
    # Counted before the (slow) password check, per address and per name, also for names that do not exist:
    # forty guesses sent at once are forty attempts, and the answer after a run of failures is the same for
    # every name, so it does not tell which accounts exist.
    wait = throttle.attempt(address)
    if wait <= 0:
        wait = names.attempt(name)
        if wait > 0:
            throttle.succeeded(address)
    if wait > 0:
        return _refused(
            name,
            f"Te veel mislukte pogingen; probeer het over {math.ceil(wait / 60)} minuten opnieuw.",
            429,
        )
    try:
        user = authenticate(db.session(), name, request.form.get("password", ""))
    except ThrottledError:
        user = None  # a locked account answers as a wrong password or an unknown name does
    db.commit()  # the failure count, or a renewed hash
    if user is None:
        return _refused(name, WRONG, 401)
    throttle.succeeded(address)
    names.clear(name)
    session.clear()
    session.permanent = True
    session.update(
        user_id=user.id, fingerprint=_fingerprint(user), seen=time.time(), login_at=time.time()
    )
    if user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(_local(request.args.get("next")) or url_for("candidates.index"))


def _refused(name: str, message: str, status: int) -> tuple[str, int]:
    return render_template("login.html", name=name, error=message), status


@bp.post("/logout")
def logout() -> Response:
    if current_user() is not None:
        end_sessions(own_row())  # a copy of the cookie kept elsewhere stops working too
        db.commit()
    session.clear()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@roles_required()
def password() -> Any:
    user = signed_in()
    if request.method == "GET":
        return render_template("password.html", errors={})
    new, repeated = request.form.get("new", ""), request.form.get("repeat", "")
    errors: FormErrors = {}
    if new != repeated:
        errors["repeat"] = ["De twee nieuwe wachtwoorden verschillen."]
    else:
        try:
            user = own_row()
            change_password(db.session(), user, request.form.get("old", ""), new)
        except InputError as error:
            errors = by_field(error.problems, ("old", "new"))
    if errors:
        return render_template("password.html", errors=errors), 400
    db.commit()
    session["fingerprint"] = _fingerprint(user)
    flash("Uw wachtwoord is gewijzigd.", "success")
    return redirect(url_for("candidates.index"))
