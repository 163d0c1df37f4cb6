"""Raters' ratings: saved item by item, submitted once, read blind, scored with the core.

Blind rating: a rater sees the others' ratings of a candidate only after
submitting their own; until then each rater's ratings are theirs alone, and
after submitting they are fixed. Saving is an upsert per (candidate, rater,
item) done by the database itself, so saving the same item twice is harmless
and two raters saving at the same moment lose nothing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .. import instrument as core
from ..advice import Advice, Override, advise
from ..api import score
from ..composition import House
from ..engine import Scores
from ..errors import InputError, NotAllowedError, RatingsError, ReadOnlyError
from . import audit
from .instruments import load
from .messages import say
from .models import Assessment, Candidate, Rating, RatingSubmission, User, utcnow

__all__ = [
    "ItemRating",
    "save_ratings",
    "submit_ratings",
    "is_submitted",
    "visible_ratings",
    "ratings_frame",
    "score_candidate",
    "CandidateScore",
    "RATING_ROLES",
    "MAX_TEXT",
]

RATING_ROLES = ("rater", "chair")
MAX_TEXT = 5000  # characters of a free-text note, reason or justification


@dataclass(frozen=True)
class ItemRating:
    """A rater's rating of one item: ``value`` None means 'not known'."""

    item: str
    value: int | None
    note: str = ""
    critical: str = ""


def save_ratings(
    session: Session,
    candidate: Candidate,
    rater: User,
    ratings: Iterable[ItemRating] | Mapping[str, int | None],
) -> int:
    """Save (insert or replace) ``rater``'s ratings of some items; returns how many were saved.

    Raises
    ------
    NotAllowedError
        When the user does not rate (their role).
    ReadOnlyError
        When the rater has already submitted their ratings of this candidate.
    RatingsError
        With every item that is not in the candidate's instrument and every value off its scale.
    """
    if rater.role not in RATING_ROLES:
        raise NotAllowedError(
            f"Only a {' or '.join(RATING_ROLES)} rates candidates; this user is {rater.role}."
        )
    rows = (
        [ItemRating(k, v) for k, v in ratings.items()]
        if isinstance(ratings, Mapping)
        else list(ratings)
    )
    _check_values(load(candidate.instrument), rows)
    _lock_rater(session, rater)
    if is_submitted(session, candidate, rater):
        raise ReadOnlyError(say("ratings.fixed", pseudonym=candidate.pseudonym))
    if (
        session.scalar(
            select(Assessment.id).where(Assessment.candidate_id == candidate.id).limit(1)
        )
        is not None
    ):
        raise ReadOnlyError(say("ratings.closed", pseudonym=candidate.pseudonym))
    if rows:
        _upsert(session, candidate, rater, rows)
        audit.record(session, rater, "ratings.save", candidate)
    return len(rows)


def _check_values(instrument: core.Instrument, rows: Sequence[ItemRating]) -> None:
    problems = []
    for row in rows:
        if len(row.note) > MAX_TEXT or len(row.critical) > MAX_TEXT:
            problems.append(
                say(
                    "ratings.text",
                    item=row.item,
                    max=MAX_TEXT,
                    n=max(len(row.note), len(row.critical)),
                )
            )
        if row.item not in instrument.item_ids:
            problems.append(f"item {row.item!r} is not in {instrument.label}.")
        elif (
            row.value is not None
            and row.value not in instrument.scale_of(instrument.item(row.item)).values
        ):
            levels = instrument.scale_of(instrument.item(row.item)).values
            problems.append(
                f"item {row.item!r} must be rated {', '.join(map(str, levels))} or not known; "
                f"got {row.value!r}."
            )
    seen = [row.item for row in rows]
    problems += [
        f"item {item!r} is given more than once."
        for item in sorted({i for i in seen if seen.count(i) > 1})
    ]
    if problems:
        raise RatingsError.collect("ratings", problems)


def _lock_rater(session: Session, rater: User) -> None:
    # Saving and submitting by the same rater take turns (PostgreSQL: a row lock on the user that does not
    # block the other raters' inserts; SQLite: every write transaction begins IMMEDIATE anyway), so a save
    # racing a submit in another tab cannot slip in after the submit.
    session.execute(select(User.id).where(User.id == rater.id).with_for_update(key_share=True))


def _upsert(
    session: Session, candidate: Candidate, rater: User, rows: Sequence[ItemRating]
) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    values = [
        {
            "candidate_id": candidate.id,
            "rater_id": rater.id,
            "item": r.item,
            "value": r.value,
            "note": r.note.strip(),
            "critical": r.critical.strip(),
            "saved_at": now,
        }
        for r in rows
    ]
    statement = insert(Rating).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=["candidate_id", "rater_id", "item"],
        set_={name: statement.excluded[name] for name in ("value", "note", "critical", "saved_at")},
    )
    session.execute(statement)


def submit_ratings(session: Session, candidate: Candidate, rater: User) -> RatingSubmission:
    """Hand in ``rater``'s ratings of ``candidate``: they are fixed, and the others' become visible.

    A committee member who takes part without rating submits an empty form.
    Submitting again changes nothing.
    """
    if rater.role not in RATING_ROLES:
        raise NotAllowedError(
            f"Only a {' or '.join(RATING_ROLES)} submits ratings; this user is {rater.role}."
        )
    _lock_rater(session, rater)
    existing = session.get(RatingSubmission, (candidate.id, rater.id))
    if existing is not None:
        return existing
    submission = RatingSubmission(candidate_id=candidate.id, rater_id=rater.id)
    session.add(submission)
    audit.record(session, rater, "ratings.submit", candidate)
    return submission


def is_submitted(session: Session, candidate: Candidate, rater: User) -> bool:
    return session.get(RatingSubmission, (candidate.id, rater.id)) is not None


def visible_ratings(session: Session, candidate: Candidate, viewer: User) -> list[Rating]:
    """The ratings of ``candidate`` that ``viewer`` may see.

    A rater or chair: their own, and the others' submitted ones once they have
    submitted their own. A researcher: every submitted rating. Others: none
    (they get :class:`NotAllowedError`). Ratings not yet submitted are seen by
    their rater only.
    """
    if viewer.role not in (*RATING_ROLES, "researcher"):
        raise NotAllowedError(f"A {viewer.role} does not see ratings.")
    own = Rating.rater_id == viewer.id
    submitted = Rating.rater_id.in_(
        select(RatingSubmission.rater_id).where(RatingSubmission.candidate_id == candidate.id)
    )
    shown: ColumnElement[bool]
    if viewer.role == "researcher":
        shown = submitted
    elif is_submitted(session, candidate, viewer):
        shown = own | submitted
    else:
        shown = own
    query = (
        select(Rating)
        .where(Rating.candidate_id == candidate.id, shown)
        .order_by(Rating.rater_id, Rating.item)
    )
    return list(session.scalars(query))


def ratings_frame(
    session: Session, candidate: Candidate, rater: User | None = None, notes: bool = True
) -> pd.DataFrame:
    """A ratings table of ``candidate`` as :func:`weegtool.read_ratings` reads it.

    One row per rater with their submitted ratings (with ``rater``: that
    rater's own ratings, submitted or not, for the scores they see as they go),
    the candidate's fields, and ``<item>.note`` and ``<item>.critical`` columns.
    Rater ids are the users' names; a rater without ratings has no row.
    Item columns are numbers (NaN: not known or not rated); without ``notes``
    the note columns are left out, which makes scoring the table ten times
    cheaper (the rater's live scores need no notes).
    """
    instrument = load(candidate.instrument)
    query = (
        select(Rating, User.name)
        .join(User, User.id == Rating.rater_id)
        .where(Rating.candidate_id == candidate.id)
    )
    if rater is not None:
        query = query.where(Rating.rater_id == rater.id)
    else:
        query = query.join(
            RatingSubmission,
            (RatingSubmission.candidate_id == Rating.candidate_id)
            & (RatingSubmission.rater_id == Rating.rater_id),
        )
    by_rater: dict[str, dict[str, Any]] = {}
    for rating, name in session.execute(query.order_by(User.name, Rating.item)):
        row = by_rater.setdefault(name, {"rater_id": name})
        row[rating.item] = rating.value
        if notes:
            row[f"{rating.item}.note"] = rating.note
            row[f"{rating.item}.critical"] = rating.critical
    fields = {
        "candidate_id": candidate.pseudonym,
        "age": candidate.age,
        "consent": candidate.consent,
        "direction": candidate.direction,
        "flags": ";".join(candidate.flags),
    }
    text = (
        [f"{i}.{kind}" for kind in ("note", "critical") for i in instrument.item_ids]
        if notes
        else []
    )
    columns = [
        "candidate_id",
        "rater_id",
        "age",
        "consent",
        "direction",
        "flags",
        *instrument.item_ids,
        *text,
    ]
    frame = pd.DataFrame(
        [{**fields, **row} for row in by_rater.values()], columns=columns, dtype=object
    )
    return frame.astype(dict.fromkeys(instrument.item_ids, float))


@dataclass(frozen=True)
class CandidateScore:
    """A candidate's scores and advice, and the instrument version they were made with."""

    instrument: core.Instrument
    scores: Scores
    advice: Advice


def score_candidate(
    session: Session,
    candidate: Candidate,
    rater: User | None = None,
    houses: House | Sequence[House] | None = None,
    on: _dt.date | None = None,
    overrides: Sequence[Override] | None = None,
    notes: bool = True,
) -> CandidateScore:
    """Score ``candidate`` with the core: the submitted ratings, or ``rater``'s own as they go.

    Without ``notes`` the raters' notes are not read (the scores are the same; a report needs them).

    ``overrides`` are the committee's overrides of the candidate's hard flags:
    the advice shows those flags as overridden and is made without them.

    Raises
    ------
    InputError
        When there are no ratings to score yet.
    DecisionError
        When an override is not of a hard flag, or lacks its justification or two signatures.
    """
    frame = ratings_frame(session, candidate, rater, notes=notes)
    if frame.empty:
        whose = "this rater's" if rater is not None else "submitted"
        raise InputError(f"Candidate {candidate.pseudonym!r} has no {whose} ratings to score yet.")
    instrument = load(candidate.instrument)
    scores = score(instrument, frame)
    advice = advise(
        scores, houses=houses, on=on, overrides={candidate.pseudonym: tuple(overrides or ())}
    )[0]
    return CandidateScore(instrument, scores, advice)
