"""What the overview pages list: every candidate with where they stand, and who has submitted.

Read-only queries, one round trip each; they show pseudonyms, fields and
counts, never ratings or notes.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..coordinator import DecisionEvent, History, PlacementEvent, ReferralEvent, WaitEvent
from .models import Assessment, Candidate, RatingSubmission, User, as_utc

__all__ = [
    "CandidateRow",
    "overview",
    "submissions",
    "latest_assessments",
    "row_counts",
    "coordinator_history",
]


@dataclass(frozen=True)
class CandidateRow:
    """A candidate in the overview: the referral, how many raters submitted, the latest finalised assessment."""

    id: int
    pseudonym: str
    age: int | None
    direction: str | None
    consent: bool | None
    flags: tuple[str, ...]
    registered_at: _dt.datetime  # aware, UTC
    instrument_sha256: str
    n_submitted: int
    category: str | None  # of the latest assessment; None while none is finalised
    revision: int | None


def _newest_revisions() -> Any:
    """Each assessed candidate's newest revision number, as a subquery."""
    return (
        select(Assessment.candidate_id, func.max(Assessment.revision).label("revision"))
        .group_by(Assessment.candidate_id)
        .subquery()
    )


def latest_assessments(session: Session) -> list[tuple[str, Assessment]]:
    """The newest revision of every finalised assessment with its candidate's pseudonym, by pseudonym."""
    latest = _newest_revisions()
    query = (
        select(Candidate.pseudonym, Assessment)
        .join(Assessment, Assessment.candidate_id == Candidate.id)
        .join(
            latest,
            and_(
                latest.c.candidate_id == Assessment.candidate_id,
                latest.c.revision == Assessment.revision,
            ),
        )
        .order_by(Candidate.pseudonym)
    )
    return [(pseudonym, assessment) for pseudonym, assessment in session.execute(query)]


def overview(session: Session) -> list[CandidateRow]:
    """Every candidate, the most recently registered first."""
    n_submitted = (
        select(func.count())
        .select_from(RatingSubmission)
        .where(RatingSubmission.candidate_id == Candidate.id)
        .scalar_subquery()
    )
    latest = _newest_revisions()
    query = (
        select(Candidate, n_submitted, Assessment.category, Assessment.revision)
        .outerjoin(latest, latest.c.candidate_id == Candidate.id)
        .outerjoin(
            Assessment,
            and_(
                Assessment.candidate_id == latest.c.candidate_id,
                Assessment.revision == latest.c.revision,
            ),
        )
        .order_by(Candidate.registered_at.desc(), Candidate.id.desc())
    )
    return [
        CandidateRow(
            c.id,
            c.pseudonym,
            c.age,
            c.direction,
            c.consent,
            tuple(c.flags),
            as_utc(c.registered_at),
            c.instrument_sha256,
            count,
            category,
            revision,
        )
        for c, count, category, revision in session.execute(query)
    ]


def submissions(session: Session, candidate: Candidate) -> list[tuple[str, _dt.datetime]]:
    """The names of the raters who submitted their ratings of ``candidate``, with when (aware, UTC), first first."""
    query = (
        select(User.name, RatingSubmission.submitted_at)
        .join(User, User.id == RatingSubmission.rater_id)
        .where(RatingSubmission.candidate_id == candidate.id)
        .order_by(RatingSubmission.submitted_at, User.name)
    )
    return [(name, as_utc(at)) for name, at in session.execute(query)]


def row_counts(session: Session) -> dict[str, int]:
    """How many candidates, submissions (a rater's of a candidate) and assessments (every revision) are stored."""
    tables = {"candidates": Candidate, "submissions": RatingSubmission, "assessments": Assessment}
    return {
        name: session.execute(select(func.count()).select_from(model)).scalar_one()
        for name, model in tables.items()
    }


# --- the coordinator's overview per municipality (issue 14) ---------------------------------------------------------


def coordinator_history(session: Session) -> History:
    """What happened, as :func:`weegtool.coordinator.coordinator_overview` counts it.

    Referrals by registration day (UTC), each candidate's newest decision with the
    advice it was made on, every placement and every stay on the waiting list,
    each with the candidate's municipality. No pseudonyms leave this function.
    """
    from .placements import placements, waiting_list
    from .reviews import admission_decisions

    municipality = dict(session.execute(select(Candidate.id, Candidate.municipality)).all())
    referrals = [
        ReferralEvent(place, as_utc(at).date())
        for place, at in session.execute(select(Candidate.municipality, Candidate.registered_at))
    ]
    decisions = [
        DecisionEvent(
            municipality[a.candidate_id],
            a.decided_on,
            str(a.advice.get("category")),
            a.follows_advice,
        )
        for _, a in admission_decisions(session)  # a review's decision is no intake decision
    ]
    placed = [
        PlacementEvent(municipality[p.candidate_id], p.started_on, p.ended_on, p.end_reason)
        for p in placements(session)
    ]
    waits = [
        WaitEvent(row.municipality, row.since, row.until)
        for row in waiting_list(session, current=False)
    ]
    return History(referrals, decisions, placed, waits)
