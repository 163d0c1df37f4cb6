"""The committee meeting: the chair's view, discussion notes, the decision, reports and corrections.

Blind rating holds here too: a committee member sees the aggregated scores
and the others' ratings only after submitting their own (a member who does
not rate submits an empty form). Only the chair records the decision; every
member who signs it confirms with their own password.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import secrets
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
from ..report import render_family_html, render_pdf
from ..rules import FlagReason
from ..store import (
    CandidateScore,
    DecisionConflict,
    DecisionInput,
    add_note,
    agenda,
    assign_committee,
    attach_pdf,
    basis_changes,
    committee_members,
    committee_of,
    confirm_signer,
    core_houses,
    correct,
    finalise,
    instrument_in_force,
    is_submitted,
    latest_assessment,
    load_instrument,
    notes,
    open_correction,
    progress,
    revisions,
    score_candidate,
    stored_overrides,
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
from .forms import FormErrors, by_field, whole_number
from .language import language, say
from .security import REPORT_CSP
from .views import download, status_of

__all__ = ["bp"]

bp = Blueprint("meeting", __name__)


def _scored(candidate: Candidate, assessment: Assessment | None) -> CandidateScore | None:
    """The submitted ratings scored with the houses (None before any submitted rating), with the
    overrides of hard flags the stored decision made: then the live advice differs from the stored
    one only where the ratings, fields or houses do."""
    overrides = stored_overrides(assessment) if assessment is not None else ()
    try:
        return score_candidate(
            db.session(), candidate, houses=core_houses(db.session()), overrides=overrides
        )
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
    conflict: bool = False,
) -> tuple[str, int]:
    session = db.session()
    user = signed_in()
    instrument = load_instrument(candidate.instrument)
    if not is_submitted(session, candidate, user):
        return render_template("meeting.html", candidate=candidate, blind=True), status
    assessment = latest_assessment(session, candidate)
    scored = _scored(candidate, assessment)
    advice = scored.advice if scored else None
    state = progress(session, candidate)
    submitted = submissions(session, candidate)
    reasons = advice.reasons if advice else ()
    flagged = {r.rule for r in reasons if isinstance(r, FlagReason)}
    return render_template(
        "meeting.html",
        candidate=candidate,
        blind=False,
        instrument=instrument,
        advice=advice,
        decisive=[describe_reason(r, instrument, language()) for r in reasons if r.decisive],
        other_reasons=[
            describe_reason(r, instrument, language()) for r in reasons if not r.decisive
        ],
        # each flag once: those the reasons name are not listed again
        other_flags=[f for f in (advice.flags if advice else ()) if f.id not in flagged],
        table=_rating_table(candidate, instrument, scored),
        notes=notes(session, candidate, user),
        submitted=submitted,
        members=state.members,
        took_part=state.took_part,  # "n van m ingediend": the committee's own submissions
        waiting=[m.name for m in state.waiting],
        # co-signers come from those who took part: the committee members who submitted
        cosigners=[m for m in state.took_part if m.id != user.id],
        checks=composition_checks(
            instrument,
            candidate,
            main_problem(instrument, advice.domains) if advice else None,
            language(),
        ),
        assessment=assessment,
        drift=_drift(candidate, assessment, advice),
        revisions=revisions(session, candidate),
        hard_flags=[f for f in (advice.flags if advice else ()) if f.severity == "hard"],
        categories=instrument.spec.advice.categories,
        errors=errors or {},
        refused=_refusals(errors or {}),
        form=form or _as_decided(assessment),
        conflict=conflict,
        based_on=assessment.revision if assessment else 0,
        form_token=(form or {}).get("form_token") or secrets.token_urlsafe(24),
        languages=LANGUAGES,
    ), status


def _as_decided(assessment: Assessment | None) -> dict[str, Any]:
    """A correction's form starts from what was decided (nothing when nothing was)."""
    if assessment is None:
        return {}
    return {
        "category": assessment.category,
        "justification": assessment.justification,
        "items": list(assessment.items),
        "dissent": assessment.dissent,
        "overridden": list(assessment.overridden_flags),
    }


def _refusals(errors: FormErrors) -> list[tuple[str | None, str]]:
    """Every reason the decision was refused, at once, for the top of the page: (the field's id or None, text)."""
    out: list[tuple[str | None, str]] = [(None, e) for e in errors.get("decision", [])]
    for key, found in errors.items():
        if key.startswith("sign-"):
            out += [(f"password-{key.removeprefix('sign-')}", e) for e in found]
    return out


def _drift(candidate: Candidate, assessment: Assessment | None, advice: Any) -> dict[str, Any]:
    """How the live view differs from the stored decision: the advice's category, and the fields and
    ratings changed since (empty when nothing is decided or nothing differs)."""
    if assessment is None:
        return {}
    stored = assessment.advice.get("category")
    changes = basis_changes(db.session(), candidate, assessment)
    live = advice.category if advice else None
    if live == stored and not changes:
        return {}
    return {"stored": stored, "live": live, "changes": changes}


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
    flash(say("web.meeting.noted"), "success")
    return _redirect_meeting(candidate)


def _redirect_meeting(candidate: Candidate) -> Response:
    return redirect(url_for("meeting.show", pseudonym=candidate.pseudonym))


def _signers(candidate: Candidate, errors: FormErrors) -> list[User]:
    """The chair and every member of the committee who ticked 'signs' and confirmed it with their own password.

    A wrong password counts toward that member's lock like a failed log-in, so
    the form cannot be used to guess passwords.
    """
    chair = signed_in()
    signers = [chair]
    for member in committee_of(db.session(), candidate):
        if member.id == chair.id or request.form.get(f"sign-{member.id}") != "yes":
            continue
        try:
            confirm_signer(
                db.session(),
                candidate,
                member,
                request.form.get(f"password-{member.id}", ""),
                language(),
            )
        except ThrottledError:
            errors.setdefault(f"sign-{member.id}", []).append(
                say("web.meeting.throttled", name=member.name)
            )
        except NotAllowedError as error:
            errors.setdefault(f"sign-{member.id}", []).append(str(error))
        else:
            signers.append(member)
    return signers


def _posted_decision() -> tuple[DecisionInput, dict[str, Any]]:
    """The decision as the form posts it, and the form's values to show again."""
    form = request.form
    shown: dict[str, Any] = {
        "category": form.get("category", ""),
        "justification": form.get("justification", ""),
        "items": tuple(form.getlist("items")),
        "dissent": form.get("dissent", ""),
        "overridden": tuple(form.getlist("overridden")),
        "reason": form.get("reason", ""),
        "lang": form.get("lang", "") if form.get("lang", "") in LANGUAGES else language(),
        "form_token": form.get("form_token", "").strip()[:64],
        "end_reason": form.get("end_reason", "").strip()[:60],  # a review's decision (issue 15)
    }
    decision = DecisionInput(
        category=shown["category"],
        justification=shown["justification"],
        items=shown["items"],
        dissent=shown["dissent"],
        overridden_flags=shown["overridden"],
        decided_on=_dt.date.today(),
    )
    return decision, shown


def _record(
    candidate: Candidate,
    decision: DecisionInput,
    signers: list[User],
    based_on: int | None,
    shown: dict[str, Any],
) -> Assessment:
    """Finalise (``based_on`` 0 or None) or correct the decision; the PDF follows after the commit."""
    session = db.session()
    options: dict[str, Any] = {
        "by": signed_in(),
        "houses": core_houses(session),
        "lang": shown["lang"],
        "pdf": False,  # rendered after the commit: other writers do not wait for it
        "messages": language(),
        "form_token": shown["form_token"] or None,
    }
    review = current_review(session, candidate)  # a review is decided like an admission (issue 15)
    if review is not None:
        return decide_review(
            session, review, decision, signers, end_reason=shown["end_reason"], **options
        )
    if not based_on:
        return finalise(session, candidate, decision, signers, **options)
    return correct(
        session, candidate, decision, signers, reason=shown["reason"], based_on=based_on, **options
    )


def _other_problems(
    candidate: Candidate,
    decision: DecisionInput,
    signers: list[User],
    based_on: int | None,
    shown: dict[str, Any],
) -> list[str]:
    """What else the decision lacks, checked in a savepoint that is always undone: a form refused for
    a signature shows the decision's own problems in the same answer, not a round later."""
    savepoint = db.session().begin_nested()
    try:
        _record(candidate, decision, signers, based_on, shown)
    except WeegtoolError as error:
        return list(by_field(error.problems).get("", []))
    finally:
        savepoint.rollback()
    return []


@bp.post("/candidates/<pseudonym>/decision")
@roles_required("chair")
def decide(pseudonym: str) -> Any:
    candidate = candidate_or_404(pseudonym)
    session = db.session()
    if not is_submitted(session, candidate, signed_in()):
        abort(403)
    decision, shown = _posted_decision()
    errors: FormErrors = {}
    # the revision the form was opened on: 0 or none, a first decision (refused as a conflict if one exists)
    based_on = whole_number(request.form, "based_on", errors, 0, 2**31 - 1)
    if "based_on" in errors:
        errors["decision"] = errors.pop("based_on")
    signers = _signers(candidate, errors)
    if errors:
        if "decision" not in errors:
            errors["decision"] = _other_problems(candidate, decision, signers, based_on, shown)
        db.commit()  # the failed signatures count toward the members' locks; nothing else was changed
        return _page(candidate, 400, errors, shown)
    try:
        assessment = _record(candidate, decision, signers, based_on, shown)
    except DecisionConflict as error:
        session.rollback()
        return _page(candidate, 409, {"decision": [str(error)]}, shown, conflict=True)
    except WeegtoolError as error:
        session.rollback()
        return _page(candidate, status_of(error), {"decision": by_field(error.problems)[""]}, shown)
    made = (assessment.id, assessment.revision, assessment.report_html, assessment.report_pdf)
    db.commit()
    _attach_pdf(*made)
    flash(say("web.meeting.recorded", revision=made[1]), "success")
    return redirect_to(candidate)


def _attach_pdf(assessment_id: int, _revision: int, html: str, pdf: bytes | None) -> None:
    """Render the stored report to PDF after the decision's commit, then store it in a write of its own."""
    if pdf is not None or not current_app.config["REPORT_PDF"]:
        return
    rendered = render_pdf(html)
    attach_pdf(db.writer(), assessment_id, rendered)
    db.commit()


@bp.post("/candidates/<pseudonym>/correction")
@roles_required("chair")
def correction(pseudonym: str) -> Response:
    """Open a correction: the decided referral's fields may change until the next revision is recorded."""
    candidate = candidate_or_404(pseudonym)
    open_correction(db.session(), candidate, by=signed_in())
    db.commit()
    flash(say("web.meeting.correction_opened"), "success")
    return _redirect_meeting(candidate)


@bp.post("/candidates/<pseudonym>/committee")
@roles_required("coordinator", "chair")
def committee(pseudonym: str) -> Response | tuple[str, int]:
    """Seat members on the referral's committee (those seated stay) and set its meeting date."""
    candidate = candidate_or_404(pseudonym)
    session = db.session()
    chosen = set(request.form.getlist("members"))
    members = [m for m in committee_members(session) if str(m.id) in chosen]
    meeting_on, errors = _date(request.form.get("meeting_on", ""))
    if errors or not (members or meeting_on):
        abort(
            400,
            description=errors or say("web.meeting.choose_committee"),
        )
    assign_committee(session, candidate, members, by=signed_in(), meeting_on=meeting_on)
    db.commit()
    flash(say("web.meeting.committee_saved"), "success")
    return redirect_to(candidate)


def _date(text: str) -> tuple[_dt.date | None, str]:
    """A date as a date field sends it (YYYY-MM-DD); None when blank; the Dutch problem when unreadable."""
    text = text.strip()
    if not text:
        return None, ""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return _dt.date.fromisoformat(text), ""
    except ValueError:
        return None, say("web.meeting.bad_date", text=text[:20])


@bp.get("/meetings/<day>")
@roles_required("coordinator", *RATING_ROLES)
def meeting_agenda(day: str) -> Any:
    """The agenda of the meeting on ``day``: its referrals in order, each with its state."""
    on, problem = _date(day)
    if on is None or problem:
        abort(404)
    session = db.session()
    in_force = instrument_in_force(session)
    titles = (
        {c.id: c.title(language()) for c in load_instrument(in_force).spec.advice.categories}
        if in_force
        else {}
    )
    return render_template("agenda.html", on=on, rows=agenda(session, on), titles=titles)


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


def _family(pseudonym: str) -> tuple[Candidate, str]:
    """The family report of a decided candidate as HTML in the reader's language (the reading is
    logged like a report's): the advice scored on the decision's basis, worded as the committee
    decided it. 404 before a decision; 403 for a member who has not submitted (blind rating)."""
    candidate = candidate_or_404(pseudonym)
    _may_read_report(candidate)
    assessment = latest_assessment(db.session(), candidate)
    scored = _scored(candidate, assessment) if assessment is not None else None
    if assessment is None or scored is None:
        abort(404)
    db.record_reading("report.read", assessment)
    advice = scored.advice
    if assessment.category and assessment.category != advice.category:
        advice = dataclasses.replace(advice, category=assessment.category)
    return candidate, render_family_html(
        advice, load_instrument(candidate.instrument), language(), assessment.decided_on
    )


@bp.get("/candidates/<pseudonym>/family.html")
@roles_required("coordinator", *RATING_ROLES)
def family_html(pseudonym: str) -> Response:
    """The short report for the young person and the parents (``report --audience family``)."""
    _, page = _family(pseudonym)
    response = make_response(page)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@bp.get("/candidates/<pseudonym>/family.pdf")
@roles_required("coordinator", *RATING_ROLES)
def family_pdf(pseudonym: str) -> Response:
    candidate, page = _family(pseudonym)
    return download(
        render_pdf(page),
        "application/pdf",
        f"{say('web.candidate.family_file')}-{_safe(candidate.pseudonym)}.pdf",
    )


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60]
