"""The coordinator's exports: every finalised report in one ZIP, and the decisions as a table.

Candidates are registered under pseudonyms, so the exports carry those (never
a name); free text stays in the reports, out of the table.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..errors import InputError, NotAllowedError, NotFoundError, StoreError, ThrottledError
from ..report import render_pdf
from ..store import latest_assessments
from ..store.erasure import confirm_eraser, erase_person, purge
from ..store.locks import lock_candidate_named
from ..store.models import Assessment, Candidate
from ..store.person import person_export
from ..store.referrals import PSEUDONYM
from . import db
from .auth import roles_required, signed_in
from .forms import FormErrors, by_field
from .language import say
from .views import download

__all__ = ["bp"]

bp = Blueprint("exports", __name__, url_prefix="/exports")


def _latest() -> list[tuple[str, Assessment]]:
    return latest_assessments(db.session())


@bp.get("/")
@roles_required("coordinator")
def index() -> Any:
    return render_template("exports.html", count=len(_latest()))


@bp.get("/decisions.csv")
@roles_required("coordinator")
def decisions_csv() -> Response:
    db.record_reading("export.decisions", Assessment)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "pseudonym",
            "revision",
            "advice",
            "decision",
            "follows_advice",
            "overridden_flags",
            "decided_on",
            "review_date",
            "instrument_sha256",
            "municipality",
            "referrer_type",
        ]
    )
    places = _places()
    for pseudonym, a in _latest():
        writer.writerow(
            [
                pseudonym,
                a.revision,
                a.advice.get("category"),
                a.category,
                a.follows_advice,
                ";".join(a.overridden_flags),
                a.decided_on.isoformat(),
                a.advice.get("review_date"),
                a.instrument_sha256,
                *places.get(a.candidate_id, ("", "")),
            ]
        )
    return download(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "besluiten.csv")


def _places() -> dict[int, tuple[str, str]]:
    """Each candidate's municipality and referrer type (empty when not known), by candidate id."""
    query = select(Candidate.id, Candidate.municipality, Candidate.referrer_type)
    return {i: (m or "", t or "") for i, m, t in db.session().execute(query)}


@bp.get("/reports.zip")
@roles_required("coordinator")
def reports_zip() -> Response:
    """The newest revision's report of every finalised assessment, HTML and PDF (the stored PDF, else made now)."""
    db.record_reading("export.reports", Assessment)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for pseudonym, a in _latest():
            stem = f"advies-{pseudonym}-versie-{a.revision}"
            archive.writestr(f"{stem}.html", a.report_html)
            archive.writestr(f"{stem}.pdf", a.report_pdf or render_pdf(a.report_html))
    return download(buffer.getvalue(), "application/zip", "adviesrapporten.zip")


@bp.get("/person.zip")
@roles_required("coordinator")
def person_zip() -> Any:
    """Everything kept about one person (``?pseudonym=``), for their request to see it (AVG art. 15)."""
    pseudonym = request.args.get("pseudonym", "").strip()
    if not PSEUDONYM.fullmatch(pseudonym):
        return _with_person_error(say("web.exports.pseudonym_help"), pseudonym, 400)
    try:
        data = person_export(db.writer(), pseudonym, by=signed_in())
    except NotFoundError:
        unknown = say("web.exports.no_such", pseudonym=pseudonym)
        return _with_person_error(unknown, pseudonym, 404)
    db.commit()
    return download(data, "application/zip", f"inzage-{pseudonym}.zip")


def _with_person_error(error: str, pseudonym: str, status: int) -> Any:
    page = render_template(
        "exports.html", count=len(_latest()), person_error=error, pseudonym=pseudonym[:40]
    )
    return page, status


ERASE_FIELDS = ("erase_pseudonym", "reason", "confirm", "coordinator", "admin")


@bp.post("/erase")
@roles_required("coordinator")
def erase() -> Any:
    """Erase one person's file on their written request: the coordinator and an administrator, each with their
    password, a reason, and a tick that it cannot be undone (see :mod:`weegtool.store.erasure`)."""
    form = request.form
    pseudonym = form.get("erase_pseudonym", "").strip()
    errors: FormErrors = {}
    if not PSEUDONYM.fullmatch(pseudonym):
        errors["erase_pseudonym"] = [say("web.exports.erase_pseudonym")]
    if form.get("confirm") != "yes":
        errors["confirm"] = [say("web.exports.erase_confirm")]
    session = db.writer()
    # The file first, then the passwords (which write to the audit chain): the store's lock order, so
    # a rater saving this file at the same moment waits or is refused, and neither deadlocks.
    lock_candidate_named(session, pseudonym)
    try:
        by = confirm_eraser(session, signed_in().name, form.get("coordinator", ""), "coordinator")
        admin = confirm_eraser(
            session, form.get("admin", ""), form.get("admin_password", ""), "admin"
        )
    except ThrottledError:
        errors.setdefault("admin", []).append(say("web.exports.locked"))
    except NotAllowedError as error:
        _merge(errors, by_field([str(error)], ERASE_FIELDS))
    if errors:
        db.commit()  # the wrong passwords count toward the lock, as at the log-in
        return _erase_form(errors, form), 400
    try:
        erasure = erase_person(
            session, pseudonym, reason=form.get("reason", ""), requested_by=by, confirmed_by=admin
        )
    except NotFoundError:
        db.rollback()
        unknown = say("web.exports.no_such", pseudonym=pseudonym)
        return _erase_form({"erase_pseudonym": [unknown]}, form), 404
    except StoreError as refused:
        db.rollback()
        return _erase_form(by_field([str(refused)], ERASE_FIELDS), form), 400
    db.commit(keep_turn=True)  # no other save begins during the purge below
    flash(say("web.exports.erased", erasure=str(erasure.id)))
    try:
        purge(current_app.extensions["weegtool.engine"])
    except InputError:  # erased and committed; only the file's free pages wait for a quiet moment
        flash(say("web.exports.not_purged"))
    return redirect(url_for("exports.index"))


def _merge(errors: FormErrors, more: FormErrors) -> None:
    for key, problems in more.items():
        errors.setdefault(key, []).extend(problems)


def _erase_form(errors: FormErrors, form: Any) -> str:
    typed = {
        "erase_pseudonym": form.get("erase_pseudonym", "")[:40],
        "reason": form.get("reason", ""),
    }
    typed["admin"] = form.get("admin", "")[:120]
    return render_template("exports.html", count=len(_latest()), errors=errors, typed=typed)
