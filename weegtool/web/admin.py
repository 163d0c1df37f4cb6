"""The administrator's pages: users, instrument versions, the audit log. No clinical content here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..errors import CriteriaError, InputError, NotAllowedError
from ..instrument import parse_instrument
from ..store import (
    add_instrument,
    add_user,
    latest_audit_entries,
    list_instruments,
    one_time_password,
    put_in_force,
    reset_password,
    set_active,
    user_names,
    users,
)
from ..store.models import ROLES, Instrument, User
from . import db
from .auth import roles_required, signed_in
from .forms import FormErrors, by_field
from .language import say

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_ROWS = 500


def _user_or_404(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users_page() -> Any:
    errors: FormErrors = {}
    values: dict[str, Any] = {
        "name": "",
        "role": "rater",
        "behavioural_scientist": False,
        "registration": "",
    }
    if request.method == "POST":
        name, role = request.form.get("name", ""), request.form.get("role", "")
        scientist, registration = (
            request.form.get("behavioural_scientist") == "yes",
            request.form.get("registration", ""),
        )
        values = {
            "name": name,
            "role": role,
            "behavioural_scientist": scientist,
            "registration": registration,
        }
        password = one_time_password()
        try:
            user = add_user(
                db.session(),
                name,
                role,
                password,
                behavioural_scientist=scientist,
                registration=registration,
                by=signed_in(),
            )
        except InputError as error:
            db.session().rollback()
            errors = by_field(error.problems, ("name", "role", "registration"))
        else:
            db.commit()
            return render_template("one_time_password.html", user=user, password=password)
    return render_template(
        "users.html", users=users(db.session()), roles=ROLES, values=values, errors=errors
    ), 400 if errors else 200


@bp.post("/users/<int(max=2147483647):user_id>/reset")
@roles_required("admin")
def reset(user_id: int) -> Any:
    user = _user_or_404(user_id)
    password = reset_password(db.session(), user, by=signed_in())
    db.commit()
    return render_template("one_time_password.html", user=user, password=password)


@bp.post("/users/<int(max=2147483647):user_id>/active")
@roles_required("admin")
def active(user_id: int) -> Response:
    user = _user_or_404(user_id)
    make_active = request.form.get("active") == "yes"
    try:
        set_active(db.session(), user, make_active, by=signed_in())
    except (InputError, NotAllowedError) as error:
        db.session().rollback()
        flash(str(error), "error")
    else:
        db.commit()
        flash(
            say(
                "web.users.now_active" if make_active else "web.users.now_inactive", name=user.name
            ),
            "success",
        )
    return redirect(url_for("admin.users_page"))


@bp.route("/instruments", methods=["GET", "POST"])
@roles_required("admin")
def instruments() -> Any:
    problems: list[str] = []
    name = ""
    if request.method == "POST":
        upload = request.files.get("criteria")
        raw = upload.read() if upload is not None else b""
        name = (upload.filename if upload is not None else "") or say("web.instruments.file_name")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems = [say("web.instruments.not_text", name=name)]
        else:
            if not text.strip():
                problems = [say("web.instruments.choose")]
            else:
                try:
                    # parsed before the first write, so a slow or bad file holds up no one's save
                    loaded = parse_instrument(text, source=name)
                    row = add_instrument(
                        db.session(),
                        text,
                        in_force=request.form.get("in_force") == "yes",
                        by=signed_in(),
                        source=name,
                        loaded=loaded,
                    )
                except CriteriaError as error:
                    db.rollback()
                    problems = list(error.problems)
                else:
                    db.commit()
                    flash(
                        say(
                            "web.instruments.added_message",
                            instrument=row.instrument_id,
                            version=row.version,
                            sha=row.sha256[:12],
                        ),
                        "success",
                    )
                    return redirect(url_for("admin.instruments"))
    rows = list_instruments(db.reader())
    return render_template(
        "instruments.html", rows=rows, problems=problems, name=name
    ), 400 if problems else 200


@bp.post("/instruments/<int(max=2147483647):row_id>/in-force")
@roles_required("admin")
def in_force(row_id: int) -> Response:
    row = db.session().get(Instrument, row_id)
    if row is None:
        abort(404)
    put_in_force(db.session(), row, by=signed_in())
    db.commit()
    flash(
        say("web.instruments.now_in_force", instrument=row.instrument_id, version=row.version),
        "success",
    )
    return redirect(url_for("admin.instruments"))


@bp.get("/audit")
@roles_required("admin")
def audit() -> Any:
    entries = latest_audit_entries(db.session(), AUDIT_ROWS)
    names = user_names(db.session())
    return render_template("audit.html", entries=entries, names=names, limit=AUDIT_ROWS)
