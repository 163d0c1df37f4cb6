"""Reviews of placed residents: a new blind assessment of the same pseudonym, its decision, the timeline.

The pilot reviews a placement's perspective plan at least every six months (an
advice's ``review_date``). A **review** is a new assessment of the same
candidate with purpose *review*, rated blind and decided like an admission:

- :func:`start_review` (coordinator or chair) opens it for a resident with an
  ongoing placement. The ratings of the earlier round are kept in
  :class:`~weegtool.store.models.PastRating` (with the decision they were
  scored for) and the live ratings and submissions are cleared, so every
  committee member rates again without seeing anyone's ratings, the earlier
  ones included (see :mod:`weegtool.store.ratings`).
- :func:`decide_review` (the chair) stores the decision as the candidate's next
  assessment (one revision on), with the report's section "change since the
  previous assessment" (:func:`weegtool.change.compare` against the decision
  under review). A decision outside the suitable categories ends the placement
  on the day of the decision with the reason given
  (:func:`weegtool.store.placements.end_placement`); a suitable one continues it.
- :func:`timeline` lists every finalised assessment with its purpose;
  :func:`reviews_due` the residents whose review date has passed or lies
  within :data:`DUE_WITHIN`.

Refusals are :class:`~weegtool.errors.InputError` (or NotAllowedError) worded
in the store's language (Dutch for the web app).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..advice import Advice
from ..change import Comparison, compare
from ..composition import House
from ..errors import InputError, NotAllowedError
from ..outcomes import END_REASON_IDS
from . import audit
from .assessments import DecisionInput, _write, latest_assessment
from .messages import say
from .models import (
    Assessment,
    Candidate,
    PastRating,
    Placement,
    Rating,
    RatingSubmission,
    Review,
    User,
)
from .placements import _open_placement, instrument_of, open_placements
from .ratings import CandidateScore

__all__ = [
    "DUE_WITHIN",
    "OPENERS",
    "current_review",
    "start_review",
    "decide_review",
    "ends_placement",
    "change_since",
    "purposes",
    "is_review",
    "admission_decisions",
    "TimelineRow",
    "timeline",
    "DueReview",
    "reviews_due",
]

DUE_WITHIN = _dt.timedelta(weeks=4)
"""A review counts as due from four weeks before its review date (issue 15)."""

OPENERS = ("coordinator", "chair")


def current_review(session: Session, candidate: Candidate) -> Review | None:
    """The candidate's open review (opened, not yet decided), or None."""
    return session.scalar(
        select(Review).where(Review.candidate_id == candidate.id, Review.assessment_id.is_(None))
    )


def start_review(
    session: Session, candidate: Candidate, *, by: User, on: _dt.date | None = None
) -> Review:
    """Open a review of ``candidate`` (a placed resident) on ``on`` (today by default).

    The candidate's ratings and submissions so far move to ``past_ratings``
    (nothing is lost; they stay with the decision they were scored for), so
    the review is rated blind from an empty form.

    Raises
    ------
    NotAllowedError
        When ``by`` is not a coordinator or chair.
    InputError
        When the candidate lives in no house now, a review is open already, or
        ``on`` lies before the decision under review or after today.
    """
    if by.role not in OPENERS:
        raise NotAllowedError(say("review.role", role=by.role))
    today = on or _dt.date.today()
    placement = _open_placement(session, candidate)
    decision = latest_assessment(session, candidate)
    if placement is None or decision is None:
        raise InputError.collect(
            "review", [say("review.not_placed", pseudonym=candidate.pseudonym)]
        )
    problems = []
    already = current_review(session, candidate)
    if already is not None:
        problems.append(say("review.open", pseudonym=candidate.pseudonym, since=already.opened_on))
    if not decision.decided_on <= today <= _dt.date.today():
        problems.append(say("review.date", decided=decision.decided_on, day=today))
    if problems:
        raise InputError.collect("review", problems)
    _keep_past_ratings(session, candidate, decision)
    review = Review(
        candidate_id=candidate.id,
        placement_id=placement.id,
        previous_id=decision.id,
        opened_on=today,
        opened_by=by.id,
    )
    session.add(review)
    session.flush()
    audit.record(session, by, "review.open", review)
    return review


def _keep_past_ratings(session: Session, candidate: Candidate, decision: Assessment) -> None:
    """Copy the live ratings to ``past_ratings`` under ``decision``, then clear them and the submissions."""
    submitted = {
        s.rater_id: s.submitted_at
        for s in session.scalars(
            select(RatingSubmission).where(RatingSubmission.candidate_id == candidate.id)
        )
    }
    for rating in session.scalars(select(Rating).where(Rating.candidate_id == candidate.id)):
        session.add(
            PastRating(
                candidate_id=candidate.id,
                assessment_id=decision.id,
                rater_id=rating.rater_id,
                item=rating.item,
                value=rating.value,
                note=rating.note,
                critical=rating.critical,
                saved_at=rating.saved_at,
                submitted_at=submitted.get(rating.rater_id),
            )
        )
    session.flush()
    session.execute(delete(Rating).where(Rating.candidate_id == candidate.id))
    session.execute(delete(RatingSubmission).where(RatingSubmission.candidate_id == candidate.id))


def ends_placement(session: Session, decision: Assessment | str, candidate: Candidate) -> bool:
    """Whether a review decision (or category id) ends the placement: every category but the suitable ones."""
    category = decision if isinstance(decision, str) else decision.category
    instrument = instrument_of(session, latest_assessment(session, candidate))  # type: ignore[arg-type]
    return category not in instrument.spec.advice.suitable


def decide_review(
    session: Session,
    review: Review,
    decision: DecisionInput,
    signers: Sequence[User],
    *,
    end_reason: str = "",
    by: User,
    houses: House | Sequence[House] | None = None,
    lang: str = "nl",
    pdf: bool = False,
    messages: str = "en",
    form_token: str | None = None,
) -> Assessment:
    """Store the committee's decision on an open review, and end the placement when it says so.

    The decision meets the same rules as an admission's (see
    :func:`weegtool.store.assessments.finalise`); its report has the section
    "change since the previous assessment". ``end_reason`` (an id of
    :data:`weegtool.outcomes.END_REASONS`) is required when the category ends
    the placement (:func:`ends_placement`) and refused when it continues it.

    Raises
    ------
    InputError
        About ``end_reason`` (before anything is written).
    DecisionError, NotAllowedError
        As :func:`~weegtool.store.assessments.finalise`.
    """
    candidate = review.candidate
    reason = end_reason.strip()
    ending = ends_placement(session, decision.category, candidate)
    if ending and reason not in END_REASON_IDS:
        raise InputError.collect(
            "review",
            [
                say("review.end_reason", category=decision.category)
                if not reason
                else say("end_reason.choice", got=reason[:60])
            ],
        )
    if not ending and reason:
        raise InputError.collect("review", [say("review.continues", category=decision.category)])
    previous = latest_assessment(session, candidate)
    assert previous is not None  # a review is opened on a decision
    assessment = _write(
        session,
        candidate,
        decision,
        signers,
        by,
        houses,
        lang,
        pdf,
        messages,
        previous,
        "",
        form_token=form_token,
        compare_with=review.previous,
    )
    session.flush()
    review.assessment_id = assessment.id
    if ending:
        from .placements import end_placement

        end_placement(session, review.placement, decision.decided_on, reason, by=by)
    session.flush()
    return assessment


def _stored_advice(stored: Mapping[str, object], like: Advice) -> Advice:
    """A stored assessment's advice as an :class:`Advice` with the fields a comparison reads.

    The scores, ratings, contributions, category, date and instrument are the stored ones; the
    rest is ``like``'s (the comparison does not read them).
    """

    def numbers(key: str) -> dict[str, float | None]:
        values = stored.get(key) or {}
        assert isinstance(values, Mapping)
        return {k: None if v is None else float(v) for k, v in values.items()}

    total = stored.get("total")
    return replace(
        like,
        category=str(stored["category"]),
        total=None if total is None else float(total),  # type: ignore[arg-type]
        domains=numbers("domains"),
        contributions=numbers("contributions"),
        ratings=numbers("ratings"),
        assessed_on=_dt.date.fromisoformat(str(stored["assessed_on"])),
        instrument=dict(stored["instrument"]),  # type: ignore[call-overload]
        fields=None,
        source=None,
    )


def change_since(session: Session, previous: Assessment, scored: CandidateScore) -> Comparison:
    """The change of ``scored`` (the review's scores) since the stored ``previous`` assessment.

    Judged with the measurement error of the review's instrument; a previous assessment made
    with another instrument version is compared through the domains both share.
    """
    before = _stored_advice(previous.advice, scored.advice)
    return compare(
        [scored.advice],
        [before],
        scored.instrument,
        instrument_of(session, previous),
        source="the previous assessment",
    )


def is_review(session: Session, assessment: Assessment) -> bool:
    """Whether ``assessment`` decided a review (or corrects such a decision)."""
    reviewed = set(
        session.scalars(
            select(Review.assessment_id).where(
                Review.candidate_id == assessment.candidate_id, Review.assessment_id.is_not(None)
            )
        )
    )
    return (
        purposes_of(_chain(session, assessment.candidate_id), reviewed)[assessment.id] == "review"
    )


def _chain(session: Session, candidate_id: int) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.candidate_id == candidate_id)
            .order_by(Assessment.revision)
        )
    )


def purposes_of(assessments: Sequence[Assessment], reviewed: set[int | None]) -> dict[int, str]:
    """Each assessment's purpose: ``review`` when it decided a review, a correction that of what it corrects."""
    out: dict[int, str] = {}
    for a in assessments:  # first revision first, so a correction finds what it corrects
        if a.id in reviewed:
            out[a.id] = "review"
        elif a.correction_reason and a.previous_id in out:
            out[a.id] = out[a.previous_id]
        else:
            out[a.id] = "admission"
    return out


def purposes(session: Session, candidate: Candidate) -> dict[int, str]:
    """Assessment id to ``admission`` or ``review``, for every assessment of ``candidate``."""
    reviewed = set(
        session.scalars(select(Review.assessment_id).where(Review.candidate_id == candidate.id))
    )
    return purposes_of(_chain(session, candidate.id), reviewed)


def admission_decisions(session: Session) -> list[tuple[str, Assessment]]:
    """Each decided candidate's newest admission decision (a correction included, a review's left out),
    with the pseudonym, by pseudonym: what counts as the intake's decision in overviews and counts."""
    reviewed = set(
        session.scalars(select(Review.assessment_id).where(Review.assessment_id.is_not(None)))
    )
    rows = session.execute(
        select(Candidate.pseudonym, Assessment)
        .join(Assessment, Assessment.candidate_id == Candidate.id)
        .order_by(Candidate.pseudonym, Assessment.revision)
    ).all()
    chains: dict[str, list[Assessment]] = {}
    for pseudonym, assessment in rows:
        chains.setdefault(pseudonym, []).append(assessment)
    out = []
    for pseudonym, chain in chains.items():
        purpose = purposes_of(chain, reviewed)  # type: ignore[arg-type]
        admissions = [a for a in chain if purpose[a.id] == "admission"]
        if admissions:
            out.append((pseudonym, admissions[-1]))
    return out


@dataclass(frozen=True)
class TimelineRow:
    """One finalised assessment on a candidate's timeline.

    ``advice`` is the instrument's advice category, ``decision`` the committee's;
    ``total`` and ``domains`` are 0-100 points (None: not assessable);
    ``correction`` the reason when this revision corrects the one before.
    """

    assessment: Assessment
    decided_on: _dt.date
    revision: int
    purpose: str
    advice: str
    decision: str
    total: float | None
    domains: Mapping[str, float | None]
    correction: str
    review_date: _dt.date | None


def timeline(session: Session, candidate: Candidate) -> list[TimelineRow]:
    """Every finalised assessment of ``candidate``, the first first."""
    chain = _chain(session, candidate.id)
    purpose = purposes(session, candidate)
    rows = []
    for a in chain:
        advice = a.advice
        review_date = advice.get("review_date")
        rows.append(
            TimelineRow(
                assessment=a,
                decided_on=a.decided_on,
                revision=a.revision,
                purpose=purpose[a.id],
                advice=str(advice.get("category", "")),
                decision=a.category,
                total=advice.get("total"),
                domains=dict(advice.get("domains") or {}),
                correction=a.correction_reason,
                review_date=_dt.date.fromisoformat(review_date) if review_date else None,
            )
        )
    return rows


@dataclass(frozen=True)
class DueReview:
    """A resident whose review is due: ``review_date`` from the newest decision; ``open`` when it has begun."""

    candidate_id: int
    pseudonym: str
    house: str | None
    review_date: _dt.date
    overdue: bool
    open: bool


def reviews_due(
    session: Session, on: _dt.date | None = None, within: _dt.timedelta = DUE_WITHIN
) -> list[DueReview]:
    """The placed residents whose review date has passed or lies within ``within`` of ``on`` (today).

    Residents with a review open are listed too (``open``), until it is decided. The most
    overdue first.
    """
    today = on or _dt.date.today()
    rows = []
    for placement in open_placements(session):
        decision = latest_assessment(session, placement.candidate)
        if decision is None:
            continue
        stored = decision.advice.get("review_date")
        if not stored:
            continue
        review_date = _dt.date.fromisoformat(stored)
        open_now = current_review(session, placement.candidate) is not None
        if review_date - today <= within or open_now:
            rows.append(_due(placement, review_date, today, open_now))
    rows.sort(key=lambda r: (r.review_date, r.pseudonym))
    return rows


def _due(placement: Placement, review_date: _dt.date, today: _dt.date, open_now: bool) -> DueReview:
    return DueReview(
        placement.candidate_id,
        placement.candidate.pseudonym,
        placement.house.code if placement.house else None,
        review_date,
        review_date < today,
        open_now,
    )
