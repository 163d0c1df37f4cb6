"""The researcher's read-only view: submitted ratings and decisions under keyed pseudonyms, no free text.

Candidate and rater ids are replaced by HMAC pseudonyms made with the
instance's pseudonym key (the same key gives the same pseudonyms, so exports
of different days can be joined); notes and reasons are left out, since free
text can hold names.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from typing import Any

from flask import Blueprint, current_app, render_template
from werkzeug.wrappers import Response

from ..pseudonym import pseudonym
from ..store import (
    decision_rows,
    instrument_in_force,
    load_instrument,
    outcome_table,
    row_counts,
    submitted_ratings_wide,
)
from ..store.aggregates import SafeCounts, safe_cohort_counts
from ..store.models import Assessment, Placement, Rating
from . import db
from .auth import roles_required
from .language import language
from .views import download

__all__ = ["bp"]

bp = Blueprint("research", __name__, url_prefix="/research")


def _key() -> bytes:
    return str(current_app.config["PSEUDONYM_KEY"]).encode("utf-8")


def _rater(name: str) -> str:
    return "R" + pseudonym("rater:" + name, _key())[1:]


def _decisions() -> list[dict[str, Any]]:
    return [
        {
            "candidate": pseudonym(row.pseudonym, _key()),
            "age": row.age,
            "direction": row.direction or "",
            "revision": row.revision,
            "advice": row.advice.get("category"),
            "total": row.advice.get("total"),
            "decision": row.category,
            "follows_advice": row.follows_advice,
            "instrument_sha256": row.instrument_sha256,
            "decided_on": row.decided_on.isoformat(),
            "municipality": row.municipality or "",
            "referrer_type": row.referrer_type or "",
        }
        for row in decision_rows(db.session())
    ]


# The groupings a researcher sees counts of; not the referrer, which is free text and may name a person.
GROUPINGS = ("direction", "age")


def _safe_counts() -> list[SafeCounts]:
    threshold = int(current_app.config["DISCLOSURE_THRESHOLD"])
    return [safe_cohort_counts(db.session(), by, threshold) for by in GROUPINGS]


def category_titles() -> dict[str, str]:
    """Each advice category's title in the instrument in force, in the request's language."""
    row = instrument_in_force(db.session())
    if row is None:
        return {}
    return {c.id: c.title(language()) for c in load_instrument(row).spec.advice.categories}


@bp.get("/")
@roles_required("researcher")
def index() -> Any:
    counts = row_counts(db.session())
    return render_template(
        "research.html",
        decisions=_decisions(),
        counts=counts,
        tables=_safe_counts(),
        titles=category_titles(),
    )


@bp.get("/groups.csv")
@roles_required("researcher")
def groups_csv() -> Response:
    """Candidates per group and decision, small counts suppressed (empty ``count``, ``suppressed`` true)."""
    db.record_reading("export.research", Assessment)
    rows = [record for table in _safe_counts() for record in table.records()]
    columns = ["grouping", "group", "decision", "count", "suppressed"]
    return _csv(rows, columns, "groepen-onderdrukt.csv")


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
    rows = [
        {
            "candidate_id": pseudonym(candidate, _key()),
            "rater_id": _rater(rater),
            **{item: "" if value is None else value for item, value in values.items()},
        }
        for (candidate, rater), values in submitted_ratings_wide(db.session()).items()
    ]
    items = sorted({item for row in rows for item in row} - {"candidate_id", "rater_id"})
    return _csv(
        rows,
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
        "municipality",
        "referrer_type",
    ]
    return _csv(rows, columns, "besluiten-gepseudonimiseerd.csv")


def _plain(value: Any) -> Any:
    """A CSV cell: empty for None, ISO for a date, the value otherwise (bools as True/False)."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, _dt.date) else value


@bp.get("/outcomes.csv")
@roles_required("researcher")
def outcomes_csv() -> Response:
    """A row per candidate: the outcome of their first placement, as of today (``store.outcome_table``)."""
    db.record_reading("export.research", Placement)
    table = outcome_table(db.session(), _dt.date.today(), _key())
    rows = [{str(k): _plain(v) for k, v in row.items()} for row in table.to_dict("records")]
    return _csv(rows, list(table.columns), "uitkomsten-gepseudonimiseerd.csv")
