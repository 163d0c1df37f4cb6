"""Everything kept about one person, as one ZIP: a request to see one's data (AVG art. 15).

The ZIP holds, for the candidate under a pseudonym:

- ``gegevens.json``: the referral, every rating with its note, the discussion
  notes and every decision (all revisions), with who wrote each;
- ``beslissingen.csv``: the decisions, one row per revision;
- ``rapporten/``: each revision's report as it was finalised (HTML, and the
  PDF: the stored one, else made now from that HTML);
- ``toegangslog.csv``: the access log for the record (NEN 7513): every audit
  entry about the referral, its notes and its assessments, with who and when;
- ``LEESMIJ.txt``: what the files are.

Making one is itself logged (``export.person``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..errors import NotAllowedError
from . import audit
from .lookup import one_by
from .models import (
    Assessment,
    AuditEntry,
    Candidate,
    Note,
    PastRating,
    Rating,
    User,
    as_utc,
    utcnow,
)

__all__ = ["EXPORTERS", "person_export", "export_person"]

EXPORTERS = ("coordinator", "admin")

README = """Gegevens over {pseudonym}, zoals weegtool ze bewaart (inzageverzoek, AVG art. 15)
Gemaakt op {made} (UTC) door {by}.

gegevens.json      de aanmelding, alle scores met toelichting, de besprekingsnotities en
                   alle besluiten (met eventuele correcties), met wie ze schreef
beslissingen.csv   de besluiten, een regel per versie
rapporten/         het rapport van elk besluit zoals het is vastgesteld
toegangslog.csv    wie het dossier wanneer heeft ingezien of gewijzigd (NEN 7513)
"""


def _iso(moment: Any) -> str | None:
    return None if moment is None else as_utc(moment).isoformat(timespec="seconds")


def person_export(session: Session, pseudonym: str, *, by: User) -> bytes:
    """The ZIP (bytes) of everything kept about the candidate ``pseudonym``; logs ``export.person``.

    Raises
    ------
    NotAllowedError
        ``by`` is not a coordinator or administrator.
    NotFoundError
        No candidate has that pseudonym.
    """
    if by.role not in EXPORTERS:
        raise NotAllowedError(
            f"Only a {' or '.join(EXPORTERS)} exports a person's data; this user is {by.role}."
        )
    from ..report import render_pdf

    candidate: Candidate = one_by(session, Candidate.pseudonym, pseudonym, "candidate")
    names = {u.id: (u.name, u.role) for u in session.scalars(select(User))}
    who = lambda uid: None if uid is None else names[uid][0]  # noqa: E731
    ratings = session.scalars(
        select(Rating).where(Rating.candidate_id == candidate.id).order_by(Rating.id)
    ).all()
    notes = session.scalars(
        select(Note).where(Note.candidate_id == candidate.id).order_by(Note.id)
    ).all()
    assessments = session.scalars(
        select(Assessment)
        .where(Assessment.candidate_id == candidate.id)
        .order_by(Assessment.revision)
    ).all()
    decisions = [_decision(a, who) for a in assessments]
    data: dict[str, Any] = {
        "referral": {
            "pseudonym": candidate.pseudonym,
            "age": candidate.age,
            "referrer": candidate.referrer,
            "direction": candidate.direction,
            "consent": candidate.consent,
            "flags": candidate.flags,
            "registered_at": _iso(candidate.registered_at),
            "registered_by": who(candidate.registered_by),
            "instrument_sha256": candidate.instrument_sha256,
        },
        "ratings": [
            {
                "rater": who(r.rater_id),
                "item": r.item,
                "value": r.value,
                "note": r.note,
                "critical": r.critical,
                "saved_at": _iso(r.saved_at),
            }
            for r in ratings
        ],
        "notes": [
            {"author": who(n.author_id), "text": n.text, "created_at": _iso(n.created_at)}
            for n in notes
        ],
        "decisions": decisions,
        # ratings of earlier rounds, kept when a review opened a new one (store/reviews.py)
        "earlier_ratings": _earlier_ratings(session, candidate, assessments, who),
    }
    log = _access_log(session, candidate, [a.id for a in assessments], [n.id for n in notes])
    audit.record(session, by, "export.person", candidate)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        made = utcnow().isoformat(timespec="seconds")
        archive.writestr("LEESMIJ.txt", README.format(pseudonym=pseudonym, made=made, by=by.name))
        archive.writestr("gegevens.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("beslissingen.csv", _csv(_decision_rows(decisions)))
        for a in assessments:
            stem = f"rapporten/{candidate.pseudonym}-versie-{a.revision}"
            archive.writestr(f"{stem}.html", a.report_html)
            archive.writestr(f"{stem}.pdf", a.report_pdf or render_pdf(a.report_html))
        rows: list[list[Any]] = [
            [_iso(e.at), who(e.user_id), names[e.user_id][1] if e.user_id else "", e.action]
            + [e.object_type, e.object_id]
            for e in log
        ]
        archive.writestr(
            "toegangslog.csv", _csv([["at", "user", "role", "action", "object", "id"], *rows])
        )
    return buffer.getvalue()


def _decision(a: Assessment, who: Any) -> dict[str, Any]:
    return {
        "revision": a.revision,
        "decided_on": a.decided_on.isoformat(),
        "category": a.category,
        "follows_advice": a.follows_advice,
        "justification": a.justification,
        "items": a.items,
        "dissent": a.dissent,
        "overridden_flags": a.overridden_flags,
        "correction_reason": a.correction_reason,
        "finalised_by": who(a.finalised_by),
        "finalised_at": _iso(a.finalised_at),
        "instrument_sha256": a.instrument_sha256,
    }


def _decision_rows(decisions: list[dict[str, Any]]) -> list[list[Any]]:
    columns = ["revision", "decided_on", "category", "follows_advice", "justification", "dissent"]
    return [columns, *([d[c] for c in columns] for d in decisions)]


def _access_log(
    session: Session, candidate: Candidate, assessment_ids: list[int], note_ids: list[int]
) -> list[AuditEntry]:
    about = or_(
        and_(AuditEntry.object_type == "candidates", AuditEntry.object_id == candidate.id),
        and_(AuditEntry.object_type == "assessments", AuditEntry.object_id.in_(assessment_ids)),
        and_(AuditEntry.object_type == "notes", AuditEntry.object_id.in_(note_ids)),
    )
    return list(session.scalars(select(AuditEntry).where(about).order_by(AuditEntry.id)))


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def export_person(url: str | None, pseudonym: str, by: str) -> bytes:
    """:func:`person_export` on the database at ``url``, handed out by the user named ``by``; committed."""
    from .db import make_engine, session_factory, transaction
    from .users import get_user

    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            return person_export(session, pseudonym, by=get_user(session, by))
    finally:
        engine.dispose()


def _earlier_ratings(
    session: Session, candidate: Candidate, assessments: Any, who: Any
) -> list[dict[str, Any]]:
    revision = {a.id: a.revision for a in assessments}
    kept = session.scalars(
        select(PastRating).where(PastRating.candidate_id == candidate.id).order_by(PastRating.id)
    )
    return [
        {
            "for_decision_version": revision.get(r.assessment_id),
            "rater": who(r.rater_id),
            "item": r.item,
            "value": r.value,
            "note": r.note,
            "critical": r.critical,
            "saved_at": _iso(r.saved_at),
            "submitted_at": _iso(r.submitted_at),
        }
        for r in kept
    ]
