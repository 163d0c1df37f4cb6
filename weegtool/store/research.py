"""What the researcher's exports read: finalised decisions and submitted ratings, no free text.

The rows carry the candidates' pseudonyms and the raters' names as stored;
the web app replaces both with keyed pseudonyms before a researcher sees them.
Notes, reasons and justifications are not read at all.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..outcomes import OUTCOME_COLUMNS, Outcome, outcome
from ..pseudonym import pseudonym as keyed
from .models import (
    Assessment,
    Candidate,
    PastRating,
    Placement,
    Rating,
    RatingSubmission,
    User,
)

__all__ = [
    "DecisionRow",
    "decision_rows",
    "submitted_ratings_wide",
    "outcome_rows",
    "outcome_table",
]


@dataclass(frozen=True)
class DecisionRow:
    """One revision of a finalised assessment with its candidate's fields (no free text)."""

    pseudonym: str
    age: int | None
    direction: str | None
    revision: int
    category: str
    follows_advice: bool
    advice: dict[str, Any]  # the stored advice, as finalised
    instrument_sha256: str
    decided_on: _dt.date
    municipality: str | None = None
    referrer_type: str | None = None


def decision_rows(session: Session) -> list[DecisionRow]:
    """Every revision of every finalised assessment, by candidate (as registered) and revision."""
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
            Candidate.municipality,
            Candidate.referrer_type,
        )
        .join(Assessment, Assessment.candidate_id == Candidate.id)
        .order_by(Candidate.id, Assessment.revision)
    )
    return [DecisionRow(*row) for row in session.execute(query)]


def submitted_ratings_wide(session: Session) -> dict[tuple[str, str], dict[str, int | None]]:
    """The admission's submitted ratings as a wide table: ``{(pseudonym, rater name): {item: value}}``.

    Ratings not yet submitted are left out. Candidates come as registered, then
    raters by name and items by id; a value None means 'not known'. Once a
    review has opened for a resident, the admission's ratings are kept among
    the past ratings (:mod:`.reviews`) and the live ones are the review's: the
    table then takes the admission's, so that the admission decision and the
    placement's outcome join the ratings they rest on (a review's ratings are
    not in this table).
    """
    admission = _admission_ratings_kept(session)
    query = (
        select(Candidate.id, Candidate.pseudonym, User.name, Rating.item, Rating.value)
        .join(Candidate, Candidate.id == Rating.candidate_id)
        .join(User, User.id == Rating.rater_id)
        .join(
            RatingSubmission,
            (RatingSubmission.candidate_id == Rating.candidate_id)
            & (RatingSubmission.rater_id == Rating.rater_id),
        )
        .order_by(Candidate.id, User.name, Rating.item)
    )
    rows: dict[tuple[int, str, str], dict[str, int | None]] = {}
    for cid, pseudonym, rater, item, value in session.execute(query):
        if cid not in admission:
            rows.setdefault((cid, pseudonym, rater), {})[item] = value
    for cid, pseudonym, rater, item, value in (row for kept in admission.values() for row in kept):
        rows.setdefault((cid, pseudonym, rater), {})[item] = value
    return {
        (pseudonym, rater): dict(sorted(values.items()))
        for (_, pseudonym, rater), values in sorted(rows.items(), key=lambda kv: kv[0])
    }


_KeptRating = tuple[int, str, str, str, "int | None"]  # candidate id, pseudonym, rater, item, value


def _admission_ratings_kept(session: Session) -> dict[int, list[_KeptRating]]:
    """Per candidate id, the submitted ratings of the first decided round kept as past ratings."""
    query = (
        select(
            PastRating.candidate_id,
            Candidate.pseudonym,
            User.name,
            PastRating.item,
            PastRating.value,
            Assessment.revision,
        )
        .join(Candidate, Candidate.id == PastRating.candidate_id)
        .join(User, User.id == PastRating.rater_id)
        .join(Assessment, Assessment.id == PastRating.assessment_id)
        .where(PastRating.submitted_at.is_not(None))
    )
    first: dict[int, int] = {}
    found = list(session.execute(query))
    for cid, *_, revision in found:
        first[cid] = min(revision, first.get(cid, revision))
    kept: dict[int, list[_KeptRating]] = {}
    for cid, pseudonym, rater, item, value, revision in found:
        if revision == first[cid]:
            kept.setdefault(cid, []).append((cid, pseudonym, rater, item, value))
    return kept


def outcome_rows(session: Session, on: _dt.date) -> list[tuple[str, Outcome]]:
    """Every candidate (as registered) with the outcome of their first placement as of ``on``.

    A candidate never placed has ``placed`` False and every other column empty;
    a later placement after an ended one is left out: the outcome is that of
    the placement the decision led to.
    """
    first: dict[int, Placement] = {}
    for p in session.scalars(select(Placement).order_by(Placement.started_on, Placement.id)):
        first.setdefault(p.candidate_id, p)
    rows = []
    for candidate_id, pseudonym in session.execute(
        select(Candidate.id, Candidate.pseudonym).order_by(Candidate.id)
    ):
        found = first.get(candidate_id)
        rows.append(
            (
                pseudonym,
                outcome(found.started_on, found.ended_on, found.end_reason, on)
                if found
                else outcome(None, None, None, on),
            )
        )
    return rows


def outcome_table(session: Session, on: _dt.date, key: bytes) -> pd.DataFrame:
    """The researcher's outcomes export as a table: ``candidate_id`` (keyed with ``key``, as in the
    ratings export) and :data:`weegtool.outcomes.OUTCOME_COLUMNS`, one row per candidate (see :func:`outcome_rows`).

    Cells are plain Python values (dtype object): dates as ``datetime.date``, empty cells None; the web app
    writes this table as CSV.
    """
    rows = [
        {"candidate_id": keyed(name, key), **asdict(result)}
        for name, result in outcome_rows(session, on)
    ]
    return pd.DataFrame(rows, columns=["candidate_id", *OUTCOME_COLUMNS], dtype=object)
