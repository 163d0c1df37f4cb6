"""The researcher's read-only view: submitted ratings and decisions under keyed pseudonyms, no free text.

Candidate and rater ids are replaced by HMAC pseudonyms made with the
instance's pseudonym key (the same key gives the same pseudonyms, so exports
of different days can be joined); notes and reasons are left out, since free
text can hold names.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, current_app, render_template
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from ..pseudonym import pseudonym
from ..store.models import Assessment, Candidate, Rating, RatingSubmission, User
from . import db
from .auth import roles_required
from .views import download

__all__ = ["bp"]

bp = Blueprint("research", __name__, url_prefix="/research")


def _key() -> bytes:
    return str(current_app.config["PSEUDONYM_KEY"]).encode("utf-8")


def _rater(name: str) -> str:
    return "R" + pseudonym("rater:" + name, _key())[1:]


def _decisions() -> list[dict[str, Any]]:
    query = (
        select(
            Candidate.pseudonym,
            Candidate.age,
            Candidate.direction,
            Assessment.revision,
            Assessment.category,
            Assessment.follows_advice,
            Assessment.advice,
            Assessment.instrument_sha256,
            Assessment.decided_on,
        )
        .join(Assessment, Assessment.candidate_id == Candidate.id)
        .order_by(Candidate.id, Assessment.revision)
    )
    rows = []
    for (
        name,
        age,
        direction,
        revision,
        category,
        follows,
        advice,
        sha256,
        decided_on,
    ) in db.session().execute(query):
        rows.append(
            {
                "candidate": pseudonym(name, _key()),
                "age": age,
                "direction": direction or "",
                "revision": revision,
                "advice": advice.get("category"),
                "total": advice.get("total"),
                "decision": category,
                "follows_advice": follows,
                "instrument_sha256": sha256,
                "decided_on": decided_on.isoformat(),
            }
        )
    return rows


@bp.get("/")
@roles_required("researcher")
def index() -> Any:
    session = db.session()
    counts = {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in (
            ("candidates", Candidate),
            ("submissions", RatingSubmission),
            ("assessments", Assessment),
        )
    }
    return render_template("research.html", decisions=_decisions(), counts=counts)


def _csv(rows: list[dict[str, Any]], columns: list[str], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return download(out.getvalue(), "text/csv; charset=utf-8", filename)


@bp.get("/ratings.csv")
@roles_required("researcher")
def ratings_csv() -> Response:
    """Submitted ratings as ``weegtool.read_ratings`` reads them: a row per candidate and rater, no notes."""
    db.record_reading("export.research", Rating)
    query = (
        select(Candidate.pseudonym, User.name, Rating.item, Rating.value)
        .join(Candidate, Candidate.id == Rating.candidate_id)
        .join(User, User.id == Rating.rater_id)
        .join(
            RatingSubmission,
            (RatingSubmission.candidate_id == Rating.candidate_id)
            & (RatingSubmission.rater_id == Rating.rater_id),
        )
        .order_by(Candidate.id, User.name, Rating.item)
    )
    wide: dict[tuple[str, str], dict[str, Any]] = {}
    for candidate, rater, item, value in db.session().execute(query):
        row = wide.setdefault(
            (candidate, rater),
            {"candidate_id": pseudonym(candidate, _key()), "rater_id": _rater(rater)},
        )
        row[item] = "" if value is None else value
    items = sorted({item for row in wide.values() for item in row} - {"candidate_id", "rater_id"})
    return _csv(
        list(wide.values()),
        ["candidate_id", "rater_id", *items],
        "beoordelingen-gepseudonimiseerd.csv",
    )


@bp.get("/decisions.csv")
@roles_required("researcher")
def decisions_csv() -> Response:
    db.record_reading("export.research", Assessment)
    rows = _decisions()
    columns = [
        "candidate",
        "age",
        "direction",
        "revision",
        "advice",
        "total",
        "decision",
        "follows_advice",
        "instrument_sha256",
        "decided_on",
    ]
    return _csv(rows, columns, "besluiten-gepseudonimiseerd.csv")
