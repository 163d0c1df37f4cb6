"""Referrals: the overview, registering and changing a referral, and a candidate's page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..advice import conflict_reason
from ..composition import Profile, check_composition, without_resident
from ..coordinator import REFERRER_TYPES
from ..errors import ConflictError, InputError, NotFoundError, ReadOnlyError
from ..i18n import describe_reason
from ..instrument import Instrument
from ..store import (
    basis_changes,
    committee_members,
    committee_of,
    core_houses,
    get_candidate,
    instrument_in_force,
    is_decided,
    is_seated,
    is_submitted,
    latest_assessment,
    load_instrument,
    outside_candidate_ids,
    overview,
    rated_candidate_ids,
    register_referral,
    revisions,
    seated_ids,
    submissions,
    submitted_candidate_ids,
    update_referral,
)
from ..store.aggregates import safe_cohort_counts
from ..store.models import DIRECTIONS, Candidate
from ..store.overview import CandidateRow
from ..store.ratings import RATING_ROLES
from . import db
from .auth import roles_required, signed_in
from .forms import FormErrors, by_field, whole_number, yes_no
from .language import language, say

__all__ = ["bp", "candidate_or_404", "composition_checks"]

bp = Blueprint("candidates", __name__)
REFERRAL_FIELDS = (
    "pseudonym",
    "age",
    "referrer",
    "direction",
    "consent",
    "flags",
    "municipality",
    "referrer_type",
)
COMMITTEE = RATING_ROLES
CASEWORK = ("coordinator", *RATING_ROLES)


def candidate_or_404(pseudonym: str) -> Candidate:
    try:
        return get_candidate(db.session(), pseudonym)
    except NotFoundError:
        abort(404)


@bp.get("/")
@roles_required()
def index() -> Any:
    user = signed_in()
    if user.role == "admin":
        return redirect(url_for("admin.users_page"))
    if user.role == "researcher":
        return redirect(url_for("research.index"))
    session = db.session()
    rows = overview(session)
    mine: dict[int, str] = {}
    if user.role in COMMITTEE:
        started = rated_candidate_ids(session, user)
        done = submitted_candidate_ids(session, user)
        outside = outside_candidate_ids(session, user)
        mine = {
            row.id: "outside"
            if row.id in outside and row.id not in done
            else _rater_state(row, row.id in done, row.id in started)
            for row in rows
        }
    in_force = instrument_in_force(session)
    titles = (
        {c.id: c.title(language()) for c in load_instrument(in_force).spec.advice.categories}
        if in_force
        else {}
    )
    cohort = None
    if (
        user.role == "coordinator"
    ):  # the counts per municipality taken to the municipalities, suppressed
        threshold = int(current_app.config["DISCLOSURE_THRESHOLD"])
        cohort = safe_cohort_counts(session, "municipality", threshold)
    return render_template("index.html", rows=rows, mine=mine, titles=titles, cohort=cohort)


def _rater_state(row: CandidateRow, done: bool, started: bool) -> str:
    """Where a committee member stands with a referral (a key under ``web.index.state``): a decided
    one is closed unless they submitted."""
    if done:
        return "submitted"
    if row.category is not None:
        return "closed"
    return "started" if started else "todo"


def _referral_form(instrument: Instrument) -> tuple[dict[str, Any], FormErrors]:
    form = request.form
    errors: FormErrors = {}
    fields = {
        "age": whole_number(form, "age", errors, 0, 120),
        "referrer": form.get("referrer", "").strip(),
        "direction": form.get("direction", "").strip() or None,
        "consent": yes_no(form, "consent"),
        "flags": form.getlist("flags"),
        "municipality": form.get("municipality", "").strip() or None,
        "referrer_type": form.get("referrer_type", "").strip() or None,
    }
    return fields, errors


def _form_page(
    template: str,
    instrument: Instrument,
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
    **context: Any,
) -> tuple[str, int]:
    return render_template(
        template,
        instrument=instrument,
        values=values,
        errors=errors,
        directions=DIRECTIONS,
        municipalities=current_app.config["MUNICIPALITIES"],
        referrer_types=REFERRER_TYPES,
        **context,
    ), status


@bp.route("/candidates/new", methods=["GET", "POST"])
@roles_required("coordinator")
def new() -> Any:
    session = db.session()
    row = instrument_in_force(session)
    if row is None:
        abort(409, description=say("web.referral.no_instrument"))
    instrument = load_instrument(row)
    if request.method == "GET":
        return _form_page("referral.html", instrument, {"flags": []}, {})
    fields, errors = _referral_form(instrument)
    pseudonym = request.form.get("pseudonym", "").strip()
    values = {"pseudonym": pseudonym, **fields, "age": request.form.get("age", "")}
    # The store checks the rest even when the form could not read a field, so every problem shows at once.
    try:
        candidate = register_referral(
            session,
            pseudonym,
            by=signed_in(),
            municipalities=current_app.config["MUNICIPALITIES"],
            **fields,
        )
    except InputError as error:
        session.rollback()
        errors = _merged(errors, by_field(error.problems, REFERRAL_FIELDS))
    else:
        if not errors:
            db.commit()
            flash(say("web.referral.registered", pseudonym=candidate.pseudonym), "success")
            return redirect(url_for("candidates.show", pseudonym=candidate.pseudonym))
        session.rollback()
    return _form_page("referral.html", instrument, values, errors, 400)


def _merged(first: FormErrors, second: FormErrors) -> FormErrors:
    out = {key: list(found) for key, found in first.items()}
    for key, found in second.items():
        out.setdefault(key, []).extend(found)
    return out


@bp.route("/candidates/<pseudonym>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(pseudonym: str) -> Any:
    candidate = candidate_or_404(pseudonym)
    instrument = load_instrument(candidate.instrument)
    current = {
        "pseudonym": candidate.pseudonym,
        "age": "" if candidate.age is None else candidate.age,
        "referrer": candidate.referrer,
        "direction": candidate.direction,
        "consent": candidate.consent,
        "flags": candidate.flags,
        "municipality": candidate.municipality,
        "referrer_type": candidate.referrer_type,
    }
    locked = not candidate.correction_open and is_decided(db.session(), candidate)
    if request.method == "GET":
        return _form_page(
            "referral.html",
            instrument,
            current,
            {},
            candidate=candidate,
            row_version=candidate.row_version,
            locked=locked,
        )
    fields, errors = _referral_form(instrument)
    values = {**current, **fields, "age": request.form.get("age", "")}
    read_at = whole_number(request.form, "row_version", errors, 1, 2**31)
    if read_at is None:
        errors.setdefault("", []).append(say("web.referral.no_version"))
    else:
        try:
            update_referral(
                db.session(),
                candidate,
                read_at,
                by=signed_in(),
                municipalities=current_app.config["MUNICIPALITIES"],
                **fields,
            )
        except ConflictError as error:
            db.session().rollback()
            fresh = candidate_or_404(pseudonym)
            return _form_page(
                "referral.html",
                instrument,
                values,
                {"": [str(error)]},
                409,
                candidate=fresh,
                row_version=fresh.row_version,
                conflict=True,
            )
        except ReadOnlyError as error:
            db.session().rollback()
            return _form_page(
                "referral.html",
                instrument,
                current,
                {"": [str(error)]},
                409,
                candidate=candidate_or_404(pseudonym),
                row_version=read_at,
                locked=True,
            )
        except InputError as error:
            db.session().rollback()
            errors = _merged(errors, by_field(error.problems, REFERRAL_FIELDS))
        else:
            if not errors:
                db.commit()
                flash(say("web.referral.updated", pseudonym=pseudonym), "success")
                return redirect(url_for("candidates.show", pseudonym=pseudonym))
            db.session().rollback()
    return _form_page(
        "referral.html",
        instrument,
        values,
        errors,
        400,
        candidate=candidate_or_404(pseudonym),
        row_version=read_at or candidate.row_version,
    )


def composition_checks(
    instrument: Instrument, candidate: Candidate, main_problem: str | None = None, lang: str = "nl"
) -> list[dict[str, Any]]:
    """For every house: free places and the composition rules the candidate's joining would break."""
    profile = Profile(candidate.pseudonym, candidate.age, tuple(candidate.flags), main_problem)
    checks = []
    # a resident (under review) holds their own place and does not conflict with themselves
    for house in without_resident(core_houses(db.session()), candidate.pseudonym):
        conflicts = check_composition(instrument, profile, house)
        described = [
            (c.hard, describe_reason(conflict_reason(c), instrument, lang)) for c in conflicts
        ]
        checks.append(
            {
                "house": house,
                "free": house.free_places,
                "conflicts": described,
                "fits": house.free_places > 0 and not any(hard for hard, _ in described),
            }
        )
    return checks


@bp.get("/candidates/<pseudonym>")
@roles_required(*CASEWORK)
def show(pseudonym: str) -> Any:
    session = db.session()
    candidate = candidate_or_404(pseudonym)
    user = signed_in()
    instrument = load_instrument(candidate.instrument)
    assessment = latest_assessment(session, candidate)
    return render_template(
        "candidate.html",
        changed=basis_changes(session, candidate, assessment) if assessment else [],
        candidate=candidate,
        instrument=instrument,
        in_force=instrument_in_force(session),
        checks=composition_checks(instrument, candidate, None, language()),
        assessment=assessment,
        revisions=revisions(session, candidate),
        submitted=submissions(session, candidate),
        mine_submitted=user.role in COMMITTEE and is_submitted(session, candidate, user),
        flag_titles={f.id: f.text(language()) for f in instrument.flags},
        committee=committee_of(session, candidate),
        members=committee_members(session) if user.role in ("coordinator", "chair") else [],
        decided=is_decided(session, candidate),
        seated=user.role not in COMMITTEE or is_seated(session, candidate, user),
        assigned=seated_ids(session, candidate),
    )


def redirect_to(candidate: Candidate) -> Response:
    return redirect(url_for("candidates.show", pseudonym=candidate.pseudonym))
