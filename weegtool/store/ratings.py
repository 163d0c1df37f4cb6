"""Raters' ratings: saved item by item, submitted once, read blind, scored with the core.

Blind rating: a rater sees the others' ratings of a candidate only after
submitting their own; until then each rater's ratings are theirs alone, and
after submitting they are fixed. Saving is an upsert per (candidate, rater,
item) done by the database itself, so saving the same item twice is harmless
and two raters saving at the same moment lose nothing.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .. import instrument as core
from ..advice import Advice, Override, advise, reported
from ..candidate import CandidateFields, critical_reason
from ..composition import House, without_resident
from ..engine import Scores, Weights, score_ratings, score_values
from ..errors import InputError, NotAllowedError, RatingsError, ReadOnlyError
from ..ratings import RaterRatings, Ratings
from . import audit
from .instruments import load
from .locks import lock_candidate
from .messages import say
from .models import Assessment, Candidate, Rating, RatingSubmission, User, utcnow

__all__ = [
    "ItemRating",
    "save_ratings",
    "submit_ratings",
    "is_submitted",
    "own_ratings",
    "rated_candidate_ids",
    "submitted_candidate_ids",
    "visible_ratings",
    "ratings_frame",
    "candidate_ratings",
    "candidate_fields",
    "live_scores",
    "LiveScores",
    "score_candidate",
    "CandidateScore",
    "rater_ratings",
    "is_decided",
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
        When the user does not rate (their role), or the candidate has an assigned committee without them.
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
    lock_candidate(session, candidate)  # the decision takes it too: no rating lands after it
    _lock_rater(session, rater)
    _refuse_outsider(session, candidate, rater)
    if is_submitted(session, candidate, rater):
        raise ReadOnlyError(say("ratings.fixed", pseudonym=candidate.pseudonym))
    _refuse_when_decided(session, candidate)
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
        if "\x00" in row.note + row.critical:
            problems.append(say("ratings.nul", item=row.item))
        try:
            critical_reason(row.critical)
        except ValueError:
            problems.append(say("ratings.critical", item=row.item, said=row.critical.strip()))
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
    seen = Counter(row.item for row in rows)
    problems += [
        f"item {item!r} is given more than once." for item in sorted(seen) if seen[item] > 1
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
            "critical": critical_reason(r.critical),  # "nee": not critical, stored as no reason
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
    Submitting again changes nothing; submitting after the committee decided is refused
    (:class:`ReadOnlyError`): the decision rests on the ratings submitted before it.
    """
    if rater.role not in RATING_ROLES:
        raise NotAllowedError(
            f"Only a {' or '.join(RATING_ROLES)} submits ratings; this user is {rater.role}."
        )
    lock_candidate(session, candidate)
    _lock_rater(session, rater)
    _refuse_outsider(session, candidate, rater)
    existing = session.get(RatingSubmission, (candidate.id, rater.id))
    if existing is not None:
        return existing
    _refuse_when_decided(
        session, candidate
    )  # a late submit would change what the decision rests on
    submission = RatingSubmission(candidate_id=candidate.id, rater_id=rater.id)
    session.add(submission)
    audit.record(session, rater, "ratings.submit", candidate)
    return submission


def _refuse_outsider(session: Session, candidate: Candidate, rater: User) -> None:
    from .committee import (
        refuse_outsider,
    )  # the committee module reads the users, which read this one

    refuse_outsider(session, candidate, rater)


def is_decided(session: Session, candidate: Candidate) -> bool:
    """Whether the committee has finalised a decision on ``candidate`` (any revision) and no review of
    theirs is open (a review reopens the ratings for a new, blind round: see :mod:`.reviews`)."""
    from .reviews import current_review

    decided = select(Assessment.id).where(Assessment.candidate_id == candidate.id).limit(1)
    return session.scalar(decided) is not None and current_review(session, candidate) is None


def _refuse_when_decided(session: Session, candidate: Candidate) -> None:
    """Ratings close at the decision, for saving and submitting alike (a correction does not reopen them)."""
    if is_decided(session, candidate):
        raise ReadOnlyError(say("ratings.closed", pseudonym=candidate.pseudonym))


def is_submitted(session: Session, candidate: Candidate, rater: User) -> bool:
    return session.get(RatingSubmission, (candidate.id, rater.id)) is not None


def own_ratings(session: Session, candidate: Candidate, rater: User) -> dict[str, Rating]:
    """``rater``'s own saved ratings of ``candidate`` (submitted or not), by item."""
    query = select(Rating).where(Rating.candidate_id == candidate.id, Rating.rater_id == rater.id)
    return {rating.item: rating for rating in session.scalars(query)}


def rated_candidate_ids(session: Session, rater: User) -> set[int]:
    """The ids of the candidates ``rater`` has saved at least one rating of."""
    query = select(Rating.candidate_id).where(Rating.rater_id == rater.id).distinct()
    return set(session.scalars(query))


def submitted_candidate_ids(session: Session, rater: User) -> set[int]:
    """The ids of the candidates ``rater`` has submitted their ratings of."""
    query = select(RatingSubmission.candidate_id).where(RatingSubmission.rater_id == rater.id)
    return set(session.scalars(query))


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


def rater_ratings(
    session: Session, candidate: Candidate, rater: User | None, notes: bool
) -> list[RaterRatings]:
    """Each rater's ratings of ``candidate`` as typed values: the submitted ones, or ``rater``'s own.

    Rater ids are the users' names; a rater without ratings is left out.
    """
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
    found: dict[str, tuple[dict[str, float | None], dict[str, str], dict[str, str]]] = {}
    for rating, name in session.execute(query.order_by(User.name, Rating.item)):
        levels, evidence, critical = found.setdefault(name, ({}, {}, {}))
        levels[rating.item] = rating.value
        if notes:
            evidence[rating.item], critical[rating.item] = rating.note, rating.critical
    return [RaterRatings(name, *parts) for name, parts in found.items()]


def candidate_fields(candidate: Candidate) -> CandidateFields:
    """The referral's fields as the core's typed record, under its pseudonym."""
    return CandidateFields(
        candidate.pseudonym,
        age=candidate.age,
        consent=candidate.consent,
        direction=candidate.direction,
        flags=tuple(sorted(set(candidate.flags))),
    )


def candidate_ratings(
    session: Session, candidate: Candidate, rater: User | None = None, notes: bool = True
) -> Ratings:
    """The core's :class:`~weegtool.ratings.Ratings` of ``candidate``, built from typed values.

    The submitted ratings, or with ``rater`` that rater's own (submitted or not,
    for the scores they see as they go); without ``notes`` the notes are not read.

    Raises
    ------
    InputError
        When there are no ratings to score yet.
    """
    raters = rater_ratings(session, candidate, rater, notes)
    if not raters:
        whose = "this rater's" if rater is not None else "submitted"
        raise InputError(f"Candidate {candidate.pseudonym!r} has no {whose} ratings to score yet.")
    return Ratings.from_raters(load(candidate.instrument), [(candidate_fields(candidate), raters)])


def ratings_frame(
    session: Session, candidate: Candidate, rater: User | None = None, notes: bool = True
) -> pd.DataFrame:
    """A ratings table of ``candidate`` as :func:`weegtool.read_ratings` reads it (an export).

    One row per rater with their ratings as :func:`candidate_ratings` finds
    them, the candidate's fields, and ``<item>.note`` and ``<item>.critical``
    columns (without ``notes``: none). Item columns are numbers (NaN: not known
    or not rated).
    """
    instrument = load(candidate.instrument)
    fields = candidate_fields(candidate)
    row = {"candidate_id": fields.id, "age": fields.age, "consent": fields.consent,
           "direction": fields.direction, "flags": ";".join(fields.flags)}  # fmt: skip
    text = [f"{i}.{kind}" for kind in ("note", "critical") for i in instrument.item_ids]
    columns = [*row, "rater_id", *instrument.item_ids, *(text if notes else [])]
    rows = [
        {
            **row,
            "rater_id": r.rater_id,
            **r.levels,
            **_suffixed(r.notes, ".note"),
            **_suffixed(r.critical, ".critical"),
        }
        for r in rater_ratings(session, candidate, rater, notes)
    ]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    return frame.astype(dict.fromkeys(instrument.item_ids, float))


def _suffixed(texts: Mapping[str, str], suffix: str) -> dict[str, str]:
    return {f"{item}{suffix}": text for item, text in texts.items()}


@dataclass(frozen=True)
class LiveScores:
    """A rater's own domain scores and total so far, from the numeric kernel (no advice)."""

    domains: dict[str, float | None]
    total: float | None
    rated: int
    items: int


def live_scores(session: Session, candidate: Candidate, rater: User) -> LiveScores | None:
    """``rater``'s own scores of ``candidate`` as they go (None before their first rating).

    Straight from the rater's saved levels through the engine's kernel: the
    same numbers the advice would show for these ratings, at a fraction of the cost.
    """
    query = select(Rating.item, Rating.value).where(
        Rating.candidate_id == candidate.id, Rating.rater_id == rater.id
    )
    levels: dict[str, int | None] = {item: value for item, value in session.execute(query)}
    if not levels:
        return None
    instrument = load(candidate.instrument)
    row = [np.nan if (v := levels.get(i)) is None else float(v) for i in instrument.item_ids]
    kernel = score_values(
        np.array([row]), Weights.of(instrument), instrument.settings.max_missing_fraction
    )
    total = float(kernel.total[0]) if kernel.assessable[0] else None
    return LiveScores(
        domains={
            d: reported(kernel.domain_scores[0, n]) for n, d in enumerate(instrument.domain_ids)
        },
        total=None if total is None else round(total, 2),
        rated=sum(v is not None for v in levels.values()),
        items=len(instrument.item_ids),
    )


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
    ratings = candidate_ratings(session, candidate, rater, notes=notes)
    instrument = load(candidate.instrument)
    if houses is not None:  # a resident under review is judged against the group without them
        houses = without_resident(houses, candidate.pseudonym)
    scores = score_ratings(instrument, ratings)
    advice = advise(
        scores, houses=houses, on=on, overrides={candidate.pseudonym: tuple(overrides or ())}
    )[0]
    return CandidateScore(instrument, scores, advice)
