"""The coordinator's exports: every finalised report in one ZIP, and the decisions as a table.

Candidates are registered under pseudonyms, so the exports carry those (never
a name); free text stays in the reports, out of the table.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..report import render_pdf
from ..store import latest_assessments
from ..store.models import Assessment, Candidate
from . import db
from .auth import roles_required
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
