"""After the decision: placements, departures, and the waiting list with who fits where now.

The coordinator records placements and departures; the coordinator and the
chair keep the waiting list and see, for every waiting candidate, which house
would take them now (the composition check runs again on every view, so a
departure shows at once).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..candidate import a_date
from ..coordinator import REFERRER_TYPES
from ..errors import InputError
from ..outcomes import END_REASONS, end_reason_title
from ..store import (
    add_to_waiting_list,
    core_houses,
    end_placement,
    house_fits,
    open_placements,
    place,
    placements,
    remove_from_waiting_list,
    waiting_list,
)
from ..store.models import Candidate, Placement
from ..store.placements import can_be_placed
from . import db
from .auth import roles_required, signed_in
from .candidates import candidate_or_404
from .forms import FormErrors, by_field
from .language import language, say

__all__ = ["bp", "form_date"]

bp = Blueprint("placements", __name__, url_prefix="/placements")
FIELDS = ("candidate", "house", "started_on", "ended_on", "end_reason", "since", "until")


@bp.app_template_global("end_reason_title")
def _end_reason_title(reason: str | None) -> str:
    return end_reason_title(reason, language()) if reason else "–"


@bp.app_template_global("referrer_type_title")
def _referrer_type_title(kind: str | None) -> str:
    """The referrer type's words in the reader's language (``web.referrer_type.<id>``); 'unknown'
    for none or one not on the list."""
    return say(
        f"web.referrer_type.{kind}" if kind in dict(REFERRER_TYPES) else "web.counts.unknown"
    )


def form_date(name: str, errors: FormErrors) -> _dt.date | None:
    """The form field ``name`` as a date (2026-11-29 or 29-11-2026); a problem beside the field otherwise."""
    text = request.form.get(name, "").strip()
    if not text:
        errors.setdefault(name, []).append(say("web.placements.date_missing"))
        return None
    value = a_date(text)
    if not isinstance(value, _dt.date):
        errors.setdefault(name, []).append(say("web.placements.date_bad", text=text[:20]))
        return None
    return value


def _to_place() -> list[str]:
    """Decided candidates whose decision is one to place, who live in no house now: by pseudonym."""
    session = db.session()
    living = {p.candidate_id for p in open_placements(session)}
    return [
        candidate.pseudonym
        for candidate in session.query(Candidate).order_by(Candidate.pseudonym)
        if candidate.id not in living and can_be_placed(session, candidate)
    ]


def _page(
    errors: FormErrors | None = None, form: dict[str, Any] | None = None, status: int = 200
) -> Any:
    session = db.session()
    every = placements(session)
    return render_template(
        "placements.html",
        waiting=waiting_list(session),
        fits=house_fits(session),
        current=[p for p in every if p.ended_on is None],
        ended=[p for p in every if p.ended_on is not None],
        to_place=_to_place(),
        houses=[h.id for h in core_houses(session)],
        end_reasons=END_REASONS,
        today=_dt.date.today(),
        errors=errors or {},
        form=form or {},
    ), status


@bp.get("/")
@roles_required("coordinator", "chair")
def index() -> Any:
    return _page()


def _refused(error: InputError, form: dict[str, Any]) -> Any:
    db.session().rollback()
    return _page(by_field(error.problems, FIELDS), form, 400)


def _known_candidate(errors: FormErrors) -> Candidate | None:
    pseudonym = request.form.get("candidate", "").strip()
    if not pseudonym:
        errors.setdefault("candidate", []).append(say("web.placements.choose"))
        return None
    found = db.session().query(Candidate).filter_by(pseudonym=pseudonym).one_or_none()
    if found is None:
        errors.setdefault("candidate", []).append(
            say("web.placements.no_referral", pseudonym=repr(pseudonym[:40]))
        )
    return found


@bp.post("/new")
@roles_required("coordinator")
def new() -> Any:
    form = {
        "kind": "place",
        **{k: request.form.get(k, "") for k in ("candidate", "house", "started_on")},
    }
    errors: FormErrors = {}
    candidate = _known_candidate(errors)
    started_on = form_date("started_on", errors)
    if errors or candidate is None or started_on is None:
        return _page(errors, form, 400)
    try:
        place(db.session(), candidate, form["house"].strip(), started_on, by=signed_in())
    except InputError as error:
        return _refused(error, form)
    db.commit()
    flash(
        say("web.placements.placed", pseudonym=candidate.pseudonym, house=form["house"].strip()),
        "success",
    )
    return redirect(url_for("placements.index"))


@bp.post("/<int:placement_id>/end")
@roles_required("coordinator")
def end(placement_id: int) -> Any:
    placement = db.session().get(Placement, placement_id)
    if placement is None:
        abort(404)
    form = {
        "kind": "end",
        "placement": placement_id,
        **{k: request.form.get(k, "") for k in ("ended_on", "end_reason")},
    }
    errors: FormErrors = {}
    ended_on = form_date("ended_on", errors)
    if errors or ended_on is None:
        return _page(errors, form, 400)
    try:
        end_placement(db.session(), placement, ended_on, str(form["end_reason"]), by=signed_in())
    except InputError as error:
        return _refused(error, form)
    pseudonym = placement.candidate.pseudonym
    db.commit()
    flash(say("web.placements.ended", pseudonym=pseudonym), "success")
    return redirect(url_for("placements.index"))


@bp.post("/waiting")
@roles_required("coordinator", "chair")
def wait() -> Any:
    form = {"kind": "wait", **{k: request.form.get(k, "") for k in ("candidate", "since")}}
    errors: FormErrors = {}
    candidate = _known_candidate(errors)
    since = form_date("since", errors)
    if errors or candidate is None or since is None:
        return _page(errors, form, 400)
    try:
        add_to_waiting_list(db.session(), candidate, since, by=signed_in())
    except InputError as error:
        return _refused(error, form)
    db.commit()
    flash(say("web.placements.waiting", pseudonym=candidate.pseudonym), "success")
    return redirect(url_for("placements.index"))


@bp.post("/waiting/<pseudonym>/remove")
@roles_required("coordinator", "chair")
def unwait(pseudonym: str) -> Response | Any:
    candidate = candidate_or_404(pseudonym)
    form = {"kind": "unwait", "removing": pseudonym, "until": request.form.get("until", "")}
    errors: FormErrors = {}
    until = form_date("until", errors)
    if errors or until is None:
        return _page(errors, form, 400)
    try:
        remove_from_waiting_list(db.session(), candidate, until, by=signed_in())
    except InputError as error:
        return _refused(error, form)
    db.commit()
    flash(say("web.placements.unwaited", pseudonym=pseudonym), "success")
    return redirect(url_for("placements.index"))
