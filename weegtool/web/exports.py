"""The coordinator's exports: every finalised report in one ZIP, and the decisions as a table.

Candidates are registered under pseudonyms, so the exports carry those (never
a name); free text stays in the reports, out of the table.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from ..errors import NotFoundError
from ..report import render_pdf
from ..store import latest_assessments
from ..store.models import Assessment
from ..store.person import person_export
from ..store.referrals import PSEUDONYM
from . import db
from .auth import roles_required, signed_in
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
        ]
    )
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
            ]
        )
    return download(out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "besluiten.csv")


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
        error = "Vul het pseudoniem in waaronder de jeugdige is aangemeld (letters, cijfers, '.', '_', '-')."
        return _with_person_error(error, pseudonym, 400)
    try:
        data = person_export(db.writer(), pseudonym, by=signed_in())
    except NotFoundError:
        return _with_person_error(f"Geen aanmelding met pseudoniem {pseudonym}.", pseudonym, 404)
    db.commit()
    return download(data, "application/zip", f"inzage-{pseudonym}.zip")


def _with_person_error(error: str, pseudonym: str, status: int) -> Any:
    page = render_template(
        "exports.html", count=len(_latest()), person_error=error, pseudonym=pseudonym[:40]
    )
    return page, status
