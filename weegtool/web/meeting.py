"""The committee meeting: the chair's view, discussion notes, the decision, reports and corrections.

Blind rating holds here too: a committee member sees the aggregated scores
and the others' ratings only after submitting their own (a member who does
not rate submits an empty form). Only the chair records the decision; every
member who signs it confirms with their own password.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from ..advice import main_problem
from ..errors import InputError, NotAllowedError, ThrottledError, WeegtoolError
from ..i18n import LANGUAGES, describe_reason
from ..instrument import Instrument
from ..report import render_pdf
from ..store import (
    CandidateScore,
    DecisionInput,
    add_note,
    committee_members,
    confirm_signer,
    core_houses,
    correct,
    finalise,
    is_submitted,
    latest_assessment,
    load_instrument,
    notes,
    revisions,
    score_candidate,
    submissions,
    user_names,
    visible_ratings,
)
from ..store.models import Assessment, Candidate, User
from ..store.ratings import RATING_ROLES
from ..store.reviews import current_review, decide_review
from . import db
from .auth import roles_required, signed_in
from .candidates import candidate_or_404, composition_checks, redirect_to
from .forms import by_field
from .security import REPORT_CSP
from .views import download, status_of

__all__ = ["bp"]

bp = Blueprint("meeting", __name__)


def _scored(candidate: Candidate) -> CandidateScore | None:
    """The submitted ratings scored with the houses (None before any submitted rating)."""
    try:
        return score_candidate(db.session(), candidate, houses=core_houses(db.session()))
    except InputError:
        return None


def _rating_table(
    candidate: Candidate, instrument: Instrument, scored: CandidateScore | None
) -> dict[str, Any]:
    """Item rows with each visible rater's rating, and the core's aggregate, spread and 'disputed' mark."""
    ratings = visible_ratings(db.session(), candidate, signed_in())
    names = user_names(db.session(), {r.rater_id for r in ratings})
    by_item: defaultdict[str, dict[str, Any]] = defaultdict(dict)
    for rating in ratings:
        by_item[rating.item][names[rating.rater_id]] = rating
    aggregated = scored.scores.ratings if scored else None
    rows = []
    for j, item in enumerate(instrument.items):
        cells = by_item.get(item.id, {})
        rows.append(
            {
                "item": item,
                "cells": cells,
                "critical": any(r.critical for r in cells.values()),
                "aggregate": aggregated.values[0, j] if aggregated else None,
                "spread": aggregated.spread[0, j] if aggregated else None,
                "disputed": bool(aggregated.disputed[0, j]) if aggregated else False,
            }
        )
    return {"raters": sorted(set(names.values())), "rows": rows}


def _page(
    candidate: Candidate,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    form: dict[str, Any] | None = None,
) -> tuple[str, int]:
    session = db.session()
    user = signed_in()
    instrument = load_instrument(candidate.instrument)
    if not is_submitted(session, candidate, user):
        return render_template("meeting.html", candidate=candidate, blind=True), status
    scored = _scored(candidate)
    advice = scored.advice if scored else None
    members = committee_members(session)
    submitted = submissions(session, candidate)
    return render_template(
        "meeting.html",
        candidate=candidate,
        blind=False,
        instrument=instrument,
        advice=advice,
        reasons=[describe_reason(r, instrument, "nl") for r in advice.reasons] if advice else [],
        table=_rating_table(candidate, instrument, scored),
        notes=notes(session, candidate, user),
        submitted=submitted,
        members=members,
        waiting=[m.name for m in members if m.name not in {name for name, _ in submitted}],
        checks=composition_checks(
            instrument, candidate, main_problem(instrument, advice.domains) if advice else None
        ),
        assessment=latest_assessment(session, candidate),
        revisions=revisions(session, candidate),
        hard_flags=[f for f in (advice.flags if advice else ()) if f.severity == "hard"],
        categories=instrument.spec.advice.categories,
        errors=errors or {},
        form=form or {},
        languages=LANGUAGES,
    ), status


@bp.get("/candidates/<pseudonym>/meeting")
@roles_required(*RATING_ROLES)
def show(pseudonym: str) -> Any:
    candidate = candidate_or_404(pseudonym)
    if is_submitted(db.session(), candidate, signed_in()):
        db.record_reading(
            "ratings.read", candidate
        )  # the others' ratings and notes are about to be shown
    return _page(candidate)


@bp.post("/candidates/<pseudonym>/notes")
@roles_required(*RATING_ROLES)
def note(pseudonym: str) -> Any:
    candidate = candidate_or_404(pseudonym)
    if not is_submitted(db.session(), candidate, signed_in()):
        abort(403)
    try:
        add_note(db.session(), candidate, request.form.get("text", ""), by=signed_in())
    except InputError as error:
        db.session().rollback()
        return _page(
            candidate,
            400,
            {"note": by_field(error.problems)[""]},
            {"note": request.form.get("text", "")},
        )
    db.commit()
    flash("Notitie toegevoegd.", "success")
    return _redirect_meeting(candidate)


def _redirect_meeting(candidate: Candidate) -> Response:
    return redirect(url_for("meeting.show", pseudonym=candidate.pseudonym))


def _signers(candidate: Candidate, errors: dict[str, list[str]]) -> list[User]:
    """The chair and every member who ticked 'signs' and confirmed it with their own password.

    A wrong password counts toward that member's lock like a failed log-in, so
    the form cannot be used to guess passwords.
    """
    chair = signed_in()
    signers = [chair]
    for member in committee_members(db.session()):
        if member.id == chair.id or request.form.get(f"sign-{member.id}") != "yes":
            continue
        try:
            confirm_signer(
                db.session(), candidate, member, request.form.get(f"password-{member.id}", ""), "nl"
            )
        except ThrottledError:
            errors.setdefault(f"sign-{member.id}", []).append(
                f"Het account van {member.name} is tijdelijk geblokkeerd na te veel onjuiste wachtwoorden; "
                "de handtekening telt niet."
            )
        except NotAllowedError as error:
            errors.setdefault(f"sign-{member.id}", []).append(str(error))
        else:
            signers.append(member)
    return signers


@bp.post("/candidates/<pseudonym>/decision")
@roles_required("chair")
def decide(pseudonym: str) -> Any:
    candidate = candidate_or_404(pseudonym)
    session = db.session()
    if not is_submitted(session, candidate, signed_in()):
        abort(403)
    form = request.form
    category, justification = form.get("category", ""), form.get("justification", "")
    dissent, reason = form.get("dissent", ""), form.get("reason", "")
    items, overridden = tuple(form.getlist("items")), tuple(form.getlist("overridden"))
    lang = form.get("lang", "nl") if form.get("lang", "nl") in LANGUAGES else "nl"
    shown = {
        "category": category,
        "justification": justification,
        "items": items,
        "dissent": dissent,
        "overridden": overridden,
        "reason": reason,
        "lang": lang,
    }
    errors: dict[str, list[str]] = {}
    signers = _signers(candidate, errors)
    if errors:
        db.commit()  # the failed signatures count toward the members' locks; nothing else was changed
        return _page(candidate, 400, errors, shown)
    decision = DecisionInput(
        category=category,
        justification=justification,
        items=items,
        dissent=dissent,
        overridden_flags=overridden,
        decided_on=_dt.date.today(),
    )
    options = {
        "by": signed_in(),
        "houses": core_houses(session),
        "lang": lang,
        "pdf": current_app.config["REPORT_PDF"],
        "messages": "nl",
    }
    review = current_review(session, candidate)  # a review is decided like an admission (issue 15)
    try:
        if review is not None:
            assessment = decide_review(
                session, review, decision, signers, end_reason=form.get("end_reason", ""), **options
            )
        elif latest_assessment(session, candidate) is None:
            assessment = finalise(session, candidate, decision, signers, **options)
        else:
            assessment = correct(session, candidate, decision, signers, reason=reason, **options)
    except WeegtoolError as error:
        session.rollback()
        return _page(candidate, status_of(error), {"decision": by_field(error.problems)[""]}, shown)
    db.commit()
    flash(
        f"Het besluit is vastgelegd (versie {assessment.revision}); het rapport staat klaar.",
        "success",
    )
    return redirect_to(candidate)


def _assessment_or_404(candidate: Candidate, revision: int) -> Assessment:
    for assessment in revisions(db.session(), candidate):
        if assessment.revision == revision:
            return assessment
    abort(404)


def _may_read_report(candidate: Candidate) -> None:
    user = signed_in()
    if user.role in RATING_ROLES and not is_submitted(db.session(), candidate, user):
        abort(403)


def _report(pseudonym: str, revision: int) -> tuple[Candidate, Assessment]:
    """The candidate and revision asked for, when this user may read its report; the reading is logged."""
    candidate = candidate_or_404(pseudonym)
    _may_read_report(candidate)
    assessment = _assessment_or_404(candidate, revision)
    db.record_reading("report.read", assessment)
    return candidate, assessment


@bp.get("/candidates/<pseudonym>/assessments/<int(max=2147483647):revision>/report.html")
@roles_required("coordinator", *RATING_ROLES)
def report_html(pseudonym: str, revision: int) -> Response:
    _, assessment = _report(pseudonym, revision)
    response = make_response(assessment.report_html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@bp.get("/candidates/<pseudonym>/assessments/<int(max=2147483647):revision>/report.pdf")
@roles_required("coordinator", *RATING_ROLES)
def report_pdf(pseudonym: str, revision: int) -> Response:
    candidate, assessment = _report(pseudonym, revision)
    return download(
        assessment.report_pdf or render_pdf(assessment.report_html),
        "application/pdf",
        f"advies-{_safe(candidate.pseudonym)}-versie-{revision}.pdf",
    )


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60]
