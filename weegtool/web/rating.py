"""A rater's own scoring: one screen per domain, saved as they go, submitted once.

The form works without JavaScript (each domain's screen posts its items);
``static/rate.js`` adds saving on every change through the JSON endpoint,
which answers with the rater's own domain and total scores so far. A rater
sees only their own ratings here; the others' come after submitting (see
:mod:`weegtool.web.meeting`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..errors import NotAllowedError, ReadOnlyError, WeegtoolError
from ..instrument import Domain, Instrument
from ..store import (
    ItemRating,
    is_decided,
    is_submitted,
    live_scores,
    load_instrument,
    own_ratings,
    save_ratings,
    submit_ratings,
)
from ..store.models import Candidate, User
from ..store.ratings import RATING_ROLES
from . import db
from .auth import roles_required, signed_in
from .candidates import candidate_or_404
from .language import language, say
from .views import status_of

__all__ = ["bp", "own_scores"]

bp = Blueprint("rating", __name__)
UNKNOWN = "unknown"


def _domain_or_404(instrument: Instrument, domain_id: str) -> Domain:
    if domain_id not in instrument.domain_ids:
        abort(404)
    return instrument.domain(domain_id)


def own_scores(candidate: Candidate, rater: User) -> dict[str, Any] | None:
    """The rater's own domain and total scores so far (None before their first rating)."""
    scores = live_scores(db.reader(), candidate, rater)
    return None if scores is None else dataclasses.asdict(scores)


@bp.get("/candidates/<pseudonym>/rate")
@roles_required(*RATING_ROLES)
def start(pseudonym: str) -> Response:
    candidate = candidate_or_404(pseudonym)
    return redirect(
        url_for(
            "rating.domain",
            pseudonym=pseudonym,
            domain_id=load_instrument(candidate.instrument).domain_ids[0],
        )
    )


def _page(
    candidate: Candidate,
    instrument: Instrument,
    domain: Domain,
    errors: list[str],
    status: int = 200,
    posted: dict[str, ItemRating] | None = None,
) -> tuple[str, int]:
    rater = signed_in()
    saved = own_ratings(db.session(), candidate, rater)
    ids = instrument.domain_ids
    position = ids.index(domain.id)
    return render_template(
        "rate.html",
        candidate=candidate,
        instrument=instrument,
        domain=domain,
        items=[item for item in instrument.items if item.domain == domain.id],
        saved=saved,
        posted=posted or {},
        typed=request.form if request.method == "POST" else {},
        scores=own_scores(candidate, rater),
        submitted=is_submitted(db.session(), candidate, rater),
        closed=is_decided(db.session(), candidate),
        previous=ids[position - 1] if position else None,
        next=ids[position + 1] if position + 1 < len(ids) else None,
        position=position + 1,
        errors=errors,
        unknown=UNKNOWN,
    ), status


def _posted(instrument: Instrument, item_ids: list[str]) -> tuple[dict[str, ItemRating], list[str]]:
    """The domain's items as posted: an item without a choice is left out (not saved), 'unknown' is None."""
    out, problems = {}, []
    for item_id in item_ids:
        choice = request.form.get(f"value-{item_id}")
        note = request.form.get(f"note-{item_id}", "").strip()
        critical = request.form.get(f"critical-{item_id}", "").strip()
        if choice is None:
            if note or critical:
                problems.append(
                    say("web.rate.choose_level", item=instrument.item(item_id).text(language()))
                )
            continue
        if choice == UNKNOWN:
            value = None
        else:
            try:
                value = int(choice)
            except ValueError:
                problems.append(
                    say(
                        "web.rate.no_level",
                        item=instrument.item(item_id).text(language()),
                        choice=choice[:10],
                    )
                )
                continue
        out[item_id] = ItemRating(item_id, value, note, critical)
    return out, problems


@bp.route("/candidates/<pseudonym>/rate/<domain_id>", methods=["GET", "POST"])
@roles_required(*RATING_ROLES)
def domain(pseudonym: str, domain_id: str) -> Any:
    candidate = candidate_or_404(pseudonym)
    instrument = load_instrument(candidate.instrument)
    this = _domain_or_404(instrument, domain_id)
    if request.method == "GET":
        return _page(candidate, instrument, this, [])
    items = [item.id for item in instrument.items if item.domain == this.id]
    posted, problems = _posted(instrument, items)
    if problems:
        return _page(candidate, instrument, this, problems, 400, posted)
    try:
        save_ratings(db.session(), candidate, signed_in(), list(posted.values()))
    except WeegtoolError as error:
        db.session().rollback()
        return _page(candidate, instrument, this, list(error.problems), status_of(error), posted)
    db.commit()
    target = request.form.get("go")
    if target in instrument.domain_ids:
        return redirect(url_for("rating.domain", pseudonym=pseudonym, domain_id=target))
    if target == "review":
        return redirect(url_for("rating.review", pseudonym=pseudonym))
    flash("Opgeslagen.", "success")
    return redirect(url_for("rating.domain", pseudonym=pseudonym, domain_id=this.id))


@bp.get("/candidates/<pseudonym>/rate/review")
@roles_required(*RATING_ROLES)
def review(pseudonym: str) -> Any:
    return _review(candidate_or_404(pseudonym))


def _review(candidate: Candidate, refused: list[str] | None = None, status: int = 200) -> Any:
    instrument = load_instrument(candidate.instrument)
    rater = signed_in()
    return render_template(
        "review.html",
        candidate=candidate,
        instrument=instrument,
        saved=own_ratings(db.session(), candidate, rater),
        scores=own_scores(candidate, rater),
        submitted=is_submitted(db.session(), candidate, rater),
        closed=is_decided(db.session(), candidate),
        refused=refused or [],
    ), status


@bp.post("/candidates/<pseudonym>/rate/submit")
@roles_required(*RATING_ROLES)
def submit(pseudonym: str) -> Any:
    candidate = candidate_or_404(pseudonym)
    try:
        submit_ratings(db.session(), candidate, signed_in())
    except (ReadOnlyError, NotAllowedError) as error:  # decided meanwhile, or not on its committee
        db.session().rollback()
        return _review(candidate, list(error.problems), status_of(error))
    db.commit()
    flash(say("web.rate.submitted"), "success")
    return redirect(url_for("meeting.show", pseudonym=pseudonym))


@bp.post("/api/candidates/<pseudonym>/ratings")
@roles_required(*RATING_ROLES)
def save_api(pseudonym: str) -> Any:
    """Save some of the rater's ratings and answer with their scores so far (JSON).

    Body: ``{"ratings": [{"item": "er_intensity", "value": 3, "note": "...", "critical": ""}, ...]}``;
    a value null means 'not known'.
    """
    candidate = candidate_or_404(pseudonym)
    body = _json_body()
    rows = body.get("ratings") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return jsonify(error=say("web.rate.api.body")), 400
    try:
        ratings = [
            ItemRating(
                _text(row["item"]),
                _value(row.get("value")),
                _text(row.get("note") or ""),
                _text(row.get("critical") or ""),
            )
            for row in rows
        ]
    except KeyError:
        return jsonify(error=say("web.rate.api.no_item")), 400
    except (TypeError, ValueError) as error:
        return jsonify(error=say("web.rate.api.unreadable", problem=str(error))), 400
    try:
        saved = save_ratings(db.session(), candidate, signed_in(), ratings)
    except WeegtoolError as error:
        return jsonify(error=str(error), problems=list(error.problems)), status_of(error)
    db.commit()
    return jsonify(saved=saved, scores=own_scores(candidate, signed_in()))


def _json_body() -> Any:
    """The request's JSON, or None when it is not JSON (nested beyond what Python reads included)."""
    try:
        return json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        return None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(say("web.rate.api.not_text", got=type(value).__name__))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(say("web.rate.api.surrogate")) from None
    return value


def _value(value: Any) -> int | None:
    if value is None or value == UNKNOWN:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(say("web.rate.api.no_level", value=repr(value)))
    try:
        return int(value)
    except ValueError:
        raise ValueError(say("web.rate.api.no_level", value=repr(value))) from None
