"""Finalised assessments: the committee's decision with the advice and report it was made on.

An assessment is written once and never changed: the models refuse updates
and deletes (see :mod:`weegtool.store.models`). A correction is a new revision that points to the one it
corrects and says why; the old revision stays as it was.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..composition import House
from ..decision import Decision, Signatory, check_decision, decision_overrides
from ..errors import ConflictError, DecisionError, InputError, NotAllowedError, ReadOnlyError
from ..instrument import Instrument
from ..rules import Override, override_problems
from . import audit
from .instruments import load
from .locks import lock_candidate
from .messages import say
from .models import Assessment, Candidate, Signature, User
from .ratings import MAX_TEXT, RATING_ROLES, candidate_fields, rater_ratings, score_candidate

__all__ = [
    "DecisionInput",
    "DecisionConflict",
    "finalise",
    "correct",
    "open_correction",
    "attach_pdf",
    "basis_of",
    "basis_changes",
    "changes_between",
    "stored_overrides",
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


class DecisionConflict(ConflictError, ReadOnlyError):
    """Another decision on the candidate was recorded first: ``revision`` is the newest one now (0: none).

    Both a :class:`ConflictError` (the answer is HTTP 409 with the other's revision shown) and the
    :class:`ReadOnlyError` a finalised assessment always was.
    """

    def __init__(self, message: str, revision: int) -> None:
        super().__init__(message)
        self.revision = revision


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
    form_token: str | None = None,
) -> Assessment:
    """Score the submitted ratings, check the decision, render the report and store it all as revision 1.

    The hard flags the decision overrides (with its justification and at least
    two signatures) are overridden in the advice too: the stored advice and the
    report show them so, the advice is made without them, and ``follows_advice``
    is judged against that advice.

    ``form_token`` names the form the decision came from: the same form sent again
    (a double click) returns the assessment it made instead of a second one. The
    PDF is best rendered after the commit (``pdf=False``, then :func:`attach_pdf`),
    so other writers do not wait for it.

    Raises
    ------
    DecisionConflict
        When the candidate already has a finalised assessment (use :func:`correct`),
        also when another chair's is written at the same moment (on PostgreSQL the
        database's unique revision decides, SQLite lets one writer at a time in).
    DecisionError
        With every rule the decision breaks (too few members, no behavioural
        scientist, a deviation, soft flag or override without justification, ...).
    """
    repeated = _same_form(session, form_token)
    if repeated is not None:
        return repeated
    latest = latest_assessment(session, candidate)
    if latest is not None:
        raise DecisionConflict(
            say("assessment.final", pseudonym=candidate.pseudonym), latest.revision
        )
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
        form_token=form_token,
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
    based_on: int | None = None,
    form_token: str | None = None,
) -> Assessment:
    """A new revision of a finalised assessment, with the ``reason`` for the correction; the old one stays.

    ``based_on`` is the revision the chair saw when making the correction (None: the newest);
    the new revision lists in ``changes`` which referral fields and submitted ratings differ
    from what the revision before rested on, and closes a correction opened on the referral.

    Raises
    ------
    DecisionConflict
        When the newest revision is no longer ``based_on`` (another chair corrected it
        meanwhile), also when their correction is written at the same moment.
    """
    repeated = _same_form(session, form_token)
    if repeated is not None:
        return repeated
    previous = latest_assessment(session, candidate)
    if previous is None:
        raise InputError(
            f"{candidate.pseudonym!r} has no finalised assessment to correct; finalise one first."
        )
    if based_on is not None and based_on != previous.revision:
        raise DecisionConflict(
            say(
                "assessment.stale",
                pseudonym=candidate.pseudonym,
                based_on=based_on,
                revision=previous.revision,
            ),
            previous.revision,
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
        form_token,
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
    form_token: str | None = None,
    compare_with: Assessment | None = None,
) -> Assessment:
    """Write the next assessment after ``previous``: a correction when ``reason`` is given, else a decision.

    With ``compare_with`` (a review: see :mod:`weegtool.store.reviews`) the report has the section
    "change since the previous assessment" against that stored assessment.
    """
    from ..report import render_html, render_pdf

    if by.role != "chair":
        raise NotAllowedError(f"The chair finalises an assessment; this user is {by.role}.")
    lock_candidate(session, candidate)  # a rater's save or submit waits, or is refused after it
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
        basis=basis_of(session, candidate),
        changes=[],
        form_token=form_token or None,
    )
    if previous is not None and reason:  # a correction (a review's decision is no correction)
        assessment.changes = changes_between(previous.basis, assessment.basis)
        candidate.correction_open = False
    _store(session, candidate, assessment, previous)
    audit.record(session, by, "assessment.correct" if reason else "assessment.finalise", assessment)
    return assessment


def _store(
    session: Session, candidate: Candidate, assessment: Assessment, previous: Assessment | None
) -> None:
    """Write the new revision, or raise :class:`DecisionConflict` when another got there first.

    Two chairs writing the same revision at once: the unique (candidate, revision) makes
    one of them wait and then fail (PostgreSQL); a savepoint keeps the rest of the
    transaction (the counted failed signatures) usable for the conflict page.
    """
    pseudonym, revision = candidate.pseudonym, assessment.revision
    try:
        with session.begin_nested():
            session.add(assessment)
    except (IntegrityError, StaleDataError):
        raise DecisionConflict(
            say("assessment.race", pseudonym=pseudonym, revision=revision), revision
        ) from None


def _same_form(session: Session, form_token: str | None) -> Assessment | None:
    """The assessment made from the form with this token (the same form sent again), if any."""
    if not form_token:
        return None
    return session.scalar(select(Assessment).where(Assessment.form_token == form_token))


def basis_of(session: Session, candidate: Candidate) -> dict[str, Any]:
    """What a decision on ``candidate`` rests on now: the referral's fields and each submitter's levels.

    ``{"fields": {"age": 16, "direction": ..., "consent": ..., "flags": [...], "referrer": ...,
    "municipality": ..., "referrer_type": ...},
    "ratings": {rater name: {item: level or None}}}``.
    """
    fields = candidate_fields(candidate)
    return {
        "fields": {
            "age": fields.age,
            "referrer": candidate.referrer,
            "direction": fields.direction,
            "consent": fields.consent,
            "flags": list(fields.flags),
            "municipality": candidate.municipality,
            "referrer_type": candidate.referrer_type,
        },
        "ratings": {
            r.rater_id: dict(r.levels) for r in rater_ratings(session, candidate, None, False)
        },
    }


def basis_changes(session: Session, candidate: Candidate, assessment: Assessment) -> list[str]:
    """What differs now from what ``assessment`` rested on, in words (empty: nothing, or not recorded)."""
    return changes_between(assessment.basis, basis_of(session, candidate))


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The referral fields and ratings that differ between two bases (as :func:`basis_of` makes them), one
    sentence each in the messages' language: a field's old and new value, a rater's changed items.

    Empty when ``before`` is empty: a revision stored before bases were recorded has nothing to compare.
    """
    if not before:  # a revision made before bases were recorded
        return []
    out = []
    old_fields, new_fields = before.get("fields", {}), after.get("fields", {})
    for name in sorted(set(old_fields) | set(new_fields)):
        old, new = old_fields.get(name), new_fields.get(name)
        if old != new:
            out.append(say("change.field", field=name, old=_shown(old), new=_shown(new)))
    old_ratings, new_ratings = before.get("ratings", {}), after.get("ratings", {})
    for rater in sorted(set(old_ratings) | set(new_ratings)):
        old_levels, new_levels = old_ratings.get(rater, {}), new_ratings.get(rater, {})
        items = sorted(
            i for i in set(old_levels) | set(new_levels) if old_levels.get(i) != new_levels.get(i)
        )
        if items:
            moves = ", ".join(
                f"{i} {_shown(old_levels.get(i))} → {_shown(new_levels.get(i))}" for i in items
            )
            out.append(say("change.ratings", rater=rater, moves=moves))
    return out


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def open_correction(session: Session, candidate: Candidate, *, by: User) -> None:
    """Open a correction of the decided ``candidate``: its referral fields may change until the next revision.

    Raises
    ------
    NotAllowedError
        When ``by`` is not a chair.
    InputError
        When there is no decision to correct yet (the fields are open anyway).
    """
    if by.role != "chair":
        raise NotAllowedError(f"The chair opens a correction; this user is {by.role}.")
    if latest_assessment(session, candidate) is None:
        raise InputError(say("correction.undecided", pseudonym=candidate.pseudonym))
    if not candidate.correction_open:
        candidate.correction_open = True
        audit.record(session, by, "referral.correction", candidate)


def attach_pdf(session: Session, assessment_id: int, pdf: bytes) -> bool:
    """Store the PDF of an assessment stored without one (rendered after its commit); False when it had one.

    The PDF renders the stored HTML report, so it adds nothing the decision did not hold; once
    there it is never replaced.
    """
    statement = (
        update(Assessment)
        .where(Assessment.id == assessment_id, Assessment.report_pdf.is_(None))
        .values(report_pdf=pdf)
    )
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


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
            Signatory(u.name, u.role, u.registration, u.behavioural_scientist, confirmed=True)
            for u in signers
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


def stored_overrides(assessment: Assessment) -> tuple[Override, ...]:
    """The overrides of hard flags a stored decision made, as the advice takes them (its justification,
    items and signatories), so a live view scores as the decision did."""
    signatories = tuple(s.name for s in assessment.signatures)
    return tuple(
        Override(flag, assessment.justification, signatories, tuple(assessment.items))
        for flag in assessment.overridden_flags
    )


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

    lock_candidate(session, candidate)  # before the password check writes to the audit chain
    if user.role not in RATING_ROLES or not user.active:
        raise NotAllowedError(text("signer.member", lang, name=user.name))
    if not is_submitted(session, candidate, user):
        raise NotAllowedError(text("signer.took_part", lang, name=user.name))
    if authenticate(session, user.name, password) is None:
        raise NotAllowedError(text("signer.password", lang, name=user.name))
    if user.must_change_password:
        raise NotAllowedError(text("signer.one_time", lang, name=user.name))
