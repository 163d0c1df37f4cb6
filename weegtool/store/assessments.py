"""Finalised assessments: the committee's decision with the advice and report it was made on.

An assessment is written once and never changed: the models refuse updates
and deletes (see :mod:`weegtool.store.models`). A correction is a new revision that points to the one it
corrects and says why; the old revision stays as it was.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..composition import House
from ..decision import Decision, Signatory, check_decision, decision_overrides
from ..errors import DecisionError, InputError, NotAllowedError, ReadOnlyError
from ..instrument import Instrument
from ..rules import Override, override_problems
from . import audit
from .instruments import load
from .messages import say
from .models import Assessment, Candidate, Signature, User
from .ratings import MAX_TEXT, RATING_ROLES, score_candidate

__all__ = [
    "DecisionInput",
    "finalise",
    "correct",
    "latest_assessment",
    "revisions",
    "confirm_signer",
]


@dataclass(frozen=True)
class DecisionInput:
    """What the committee decided; see :class:`weegtool.decision.Decision` for the rules it must meet."""

    category: str
    follows_advice: bool | None = (
        None  # None: whether ``category`` is the advice, as the store makes it
    )
    justification: str = ""
    items: tuple[str, ...] = ()
    dissent: str = ""
    overridden_flags: tuple[str, ...] = ()
    decided_on: _dt.date = field(default_factory=_dt.date.today)


def finalise(
    session: Session,
    candidate: Candidate,
    decision: DecisionInput,
    signers: Sequence[User],
    *,
    by: User,
    houses: House | Sequence[House] | None = None,
    lang: str = "nl",
    pdf: bool = False,
    messages: str = "en",
) -> Assessment:
    """Score the submitted ratings, check the decision, render the report and store it all as revision 1.

    The hard flags the decision overrides (with its justification and at least
    two signatures) are overridden in the advice too: the stored advice and the
    report show them so, the advice is made without them, and ``follows_advice``
    is judged against that advice.

    Raises
    ------
    ReadOnlyError
        When the candidate already has a finalised assessment (use :func:`correct`).
    DecisionError
        With every rule the decision breaks (too few members, no behavioural
        scientist, a deviation, soft flag or override without justification, ...).
    """
    if latest_assessment(session, candidate) is not None:
        raise ReadOnlyError(say("assessment.final", pseudonym=candidate.pseudonym))
    return _write(
        session,
        candidate,
        decision,
        signers,
        by,
        houses,
        lang,
        pdf,
        messages,
        previous=None,
        reason="",
    )


def correct(
    session: Session,
    candidate: Candidate,
    decision: DecisionInput,
    signers: Sequence[User],
    *,
    reason: str,
    by: User,
    houses: House | Sequence[House] | None = None,
    lang: str = "nl",
    pdf: bool = False,
    messages: str = "en",
) -> Assessment:
    """A new revision of a finalised assessment, with the ``reason`` for the correction; the old one stays."""
    previous = latest_assessment(session, candidate)
    if previous is None:
        raise InputError(
            f"{candidate.pseudonym!r} has no finalised assessment to correct; finalise one first."
        )
    if not reason.strip():
        raise InputError(say("correction.reason"))
    return _write(
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
        reason.strip(),
    )


def _write(
    session: Session,
    candidate: Candidate,
    decision: DecisionInput,
    signers: Sequence[User],
    by: User,
    houses: House | Sequence[House] | None,
    lang: str,
    pdf: bool,
    messages: str,
    previous: Assessment | None,
    reason: str,
    compare_with: Assessment | None = None,
) -> Assessment:
    """Write the next assessment after ``previous``: a correction when ``reason`` is given, else a decision.

    With ``compare_with`` (a review: see :mod:`weegtool.store.reviews`) the report has the section
    "change since the previous assessment" against that stored assessment.
    """
    from ..report import render_html, render_pdf

    if by.role != "chair":
        raise NotAllowedError(f"The chair finalises an assessment; this user is {by.role}.")
    long = [
        name
        for name, text in (
            ("justification", decision.justification),
            ("dissent", decision.dissent),
            ("reason", reason),
        )
        if len(text) > MAX_TEXT
    ]
    if long:
        raise InputError.collect(
            "decision", [say("text.length", field=name, max=MAX_TEXT) for name in long]
        )
    unique_signers = list({user.id: user for user in signers}.values())
    outsiders = [u.name for u in unique_signers if u.role not in RATING_ROLES or not u.active]
    if outsiders:
        raise NotAllowedError(f"Only active committee members sign; not {', '.join(outsiders)}.")
    core_decision = _core_decision(candidate, decision, unique_signers)
    overrides = _overrides(core_decision, load(candidate.instrument))
    scored = score_candidate(
        session, candidate, houses=houses, on=decision.decided_on, overrides=overrides
    )
    if decision.follows_advice is None:
        follows = decision.category == scored.advice.category
        decision = replace(decision, follows_advice=follows)
        core_decision = replace(core_decision, follows_advice=follows)
    problems = check_decision(core_decision, scored.advice, scored.instrument, lang=messages)
    if problems:
        raise DecisionError.collect(f"decision on {candidate.pseudonym}", problems)
    comparison = None
    if compare_with is not None:
        from .reviews import change_since

        comparison = change_since(session, compare_with, scored)
    html = render_html(
        scored.advice,
        scored.instrument,
        scored.scores.ratings,
        lang,
        core_decision,
        shown_id=candidate.pseudonym,
        comparison=comparison,
    )
    assessment = Assessment(
        candidate_id=candidate.id,
        revision=(previous.revision + 1) if previous else 1,
        previous_id=previous.id if previous else None,
        correction_reason=reason,
        instrument_sha256=scored.instrument.sha256,
        advice=scored.advice.to_dict(),
        category=decision.category,
        follows_advice=bool(decision.follows_advice),
        justification=decision.justification.strip(),
        items=list(decision.items),
        dissent=decision.dissent.strip(),
        overridden_flags=list(decision.overridden_flags),
        decided_on=decision.decided_on,
        report_html=html,
        report_pdf=render_pdf(html) if pdf else None,
        finalised_by=by.id,
        signatures=[_signature(user) for user in unique_signers],
    )
    session.add(assessment)
    audit.record(session, by, "assessment.correct" if reason else "assessment.finalise", assessment)
    return assessment


def _core_decision(
    candidate: Candidate, decision: DecisionInput, signers: Sequence[User]
) -> Decision:
    return Decision(
        candidate_id=candidate.pseudonym,
        category=decision.category,
        follows_advice=bool(decision.follows_advice),
        justification=decision.justification.strip(),
        items=tuple(decision.items),
        dissent=decision.dissent.strip(),
        signatories=tuple(
            Signatory(u.name, u.role, u.registration, u.behavioural_scientist) for u in signers
        ),
        decided_on=decision.decided_on,
        overridden_flags=tuple(decision.overridden_flags),
    )


def _overrides(decision: Decision, instrument: Instrument) -> tuple[Override, ...]:
    """The decision's overrides of hard flags that meet the rule, for the advice to be made without them.

    An override that lacks its justification, items or two signatures is left
    out: the advice then stays the instrument's own, and
    :func:`check_decision` says what is missing.
    """
    hard = {f.id for f in instrument.flags if f.severity == "hard"}
    given = decision_overrides(decision)
    return tuple(o for o in given if not override_problems(o, hard, instrument.item_ids))


def _signature(user: User) -> Signature:
    return Signature(
        user_id=user.id,
        name=user.name,
        role=user.role,
        registration=user.registration,
        behavioural_scientist=user.behavioural_scientist,
    )


def latest_assessment(session: Session, candidate: Candidate) -> Assessment | None:
    return session.scalar(
        select(Assessment)
        .where(Assessment.candidate_id == candidate.id)
        .order_by(Assessment.revision.desc())
        .limit(1)
    )


def revisions(session: Session, candidate: Candidate) -> list[Assessment]:
    """Every revision of the candidate's assessment, the first first."""
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.candidate_id == candidate.id)
            .order_by(Assessment.revision)
        )
    )


def confirm_signer(
    session: Session, candidate: Candidate, user: User, password: str, lang: str = "en"
) -> None:
    """Check that ``user`` may co-sign the decision on ``candidate`` with ``password``.

    A co-signer is an active committee member who took part (submitted their
    ratings of this candidate, an empty form when they did not rate), has
    chosen their own password, and gives it now. A wrong password counts toward
    the account's lock like a failed log-in (the caller commits the count).

    Raises
    ------
    NotAllowedError
        With the reason in ``lang``; :class:`~weegtool.errors.ThrottledError` while the account is locked.
    """
    from ..i18n import text
    from .ratings import is_submitted
    from .users import authenticate

    if user.role not in RATING_ROLES or not user.active:
        raise NotAllowedError(text("signer.member", lang, name=user.name))
    if not is_submitted(session, candidate, user):
        raise NotAllowedError(text("signer.took_part", lang, name=user.name))
    if authenticate(session, user.name, password) is None:
        raise NotAllowedError(text("signer.password", lang, name=user.name))
    if user.must_change_password:
        raise NotAllowedError(text("signer.one_time", lang, name=user.name))
