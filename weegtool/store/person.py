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
from ..outcomes import end_reason_title
from . import audit
from .lookup import one_by
from .models import (
    Assessment,
    AuditEntry,
    Candidate,
    Note,
    PastRating,
    Placement,
    Rating,
    User,
    WaitingEntry,
    as_utc,
    utcnow,
)
from .placements import instrument_of

__all__ = ["EXPORTERS", "person_export", "export_person"]

EXPORTERS = ("coordinator", "admin")

README = """Gegevens over {pseudonym}, zoals weegtool ze bewaart (inzageverzoek, AVG art. 15)
Gemaakt op {made} (UTC) door {by}.

gegevens.json      de aanmelding (met gemeente en soort verwijzer), alle scores met
                   toelichting, de besprekingsnotities, alle besluiten (met eventuele
                   correcties), de plaatsingen en de wachtlijst, met wie ze schreef
beslissingen.csv   de besluiten, een regel per versie (het besluit in woorden)
plaatsingen.csv    de plaatsingen in een huis: begin, einde en reden van vertrek
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
    placements = session.scalars(
        select(Placement).where(Placement.candidate_id == candidate.id).order_by(Placement.id)
    ).all()
    waits = session.scalars(
        select(WaitingEntry)
        .where(WaitingEntry.candidate_id == candidate.id)
        .order_by(WaitingEntry.id)
    ).all()
    # each revision's category by its title in the version it was decided with
    titles = {
        a.revision: instrument_of(session, a).category(a.category).title("nl") for a in assessments
    }
    data: dict[str, Any] = {
        "referral": {
            "pseudonym": candidate.pseudonym,
            "age": candidate.age,
            "referrer": candidate.referrer,
            "municipality": candidate.municipality,
            "referrer_type": candidate.referrer_type,
            "meeting_on": _day(candidate.meeting_on),
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
        "placements": [
            {
                "house": p.house.code if p.house else None,
                "started_on": _day(p.started_on),
                "ended_on": _day(p.ended_on),
                "end_reason": p.end_reason,
                "end_reason_title": end_reason_title(p.end_reason) if p.end_reason else None,
                "recorded_by": who(p.recorded_by),
            }
            for p in placements
        ],
        "waiting_list": [
            {"since": _day(w.since), "until": _day(w.until), "added_by": who(w.added_by)}
            for w in waits
        ],
    }
    log = _access_log(
        session,
        candidate,
        {
            "assessments": [a.id for a in assessments],
            "notes": [n.id for n in notes],
            "placements": [p.id for p in placements],
            "waiting_list": [w.id for w in waits],
        },
    )
    audit.record(session, by, "export.person", candidate)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        made = utcnow().isoformat(timespec="seconds")
        archive.writestr("LEESMIJ.txt", README.format(pseudonym=pseudonym, made=made, by=by.name))
        archive.writestr("gegevens.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("beslissingen.csv", _csv(_decision_rows(decisions, titles)))
        archive.writestr(
            "plaatsingen.csv",
            _csv(
                [
                    ["huis", "begin", "einde", "reden van vertrek"],
                    *(
                        [p["house"] or "", p["started_on"], p["ended_on"] or ""]
                        + [p["end_reason_title"] or ""]
                        for p in data["placements"]
                    ),
                ]
            ),
        )
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


def _day(day: Any) -> str | None:
    return None if day is None else day.isoformat()


def _decision_rows(decisions: list[dict[str, Any]], titles: dict[int, str]) -> list[list[Any]]:
    """One row per revision, in words a young person or a parent can read (no ids, no True/False)."""
    header = ["versie", "datum", "besluit", "volgt het advies", "onderbouwing", "afwijkende mening"]
    return [
        header,
        *(
            [d["revision"], d["decided_on"], titles[d["revision"]]]
            + ["ja" if d["follows_advice"] else "nee", d["justification"] or ""]
            + [d["dissent"] or ""]
            for d in decisions
        ),
    ]


def _access_log(
    session: Session, candidate: Candidate, ids: dict[str, list[int]]
) -> list[AuditEntry]:
    """Every audit entry about the referral and about its records (``ids``: object type to row ids)."""
    about = or_(
        and_(AuditEntry.object_type == "candidates", AuditEntry.object_id == candidate.id),
        *(
            and_(AuditEntry.object_type == kind, AuditEntry.object_id.in_(rows))
            for kind, rows in ids.items()
            if rows
        ),
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
