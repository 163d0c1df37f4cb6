"""What the views share: error pages, template helpers, names for roles and choices in the
request's language (:mod:`weegtool.web.language`)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..errors import ConflictError, NotAllowedError, NotFoundError, ReadOnlyError, WeegtoolError
from ..formatting import number
from ..i18n import direction_title, role_title
from ..instrument import Instrument
from ..store import messages
from . import db
from .language import language, say

__all__ = ["init_app", "status_of", "download"]

log = logging.getLogger("weegtool.web")

CONSENT_KEYS = {True: "report.yes", False: "report.no", None: "web.consent.unknown"}


def download(data: bytes | str, content_type: str, filename: str) -> Response:
    """A file to save (not to show): ``filename`` must be plain (letters, digits, '-', '_', '.')."""
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def status_of(error: WeegtoolError) -> int:
    """The HTTP status a store error stands for."""
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, NotAllowedError):
        return 403
    if isinstance(error, (ConflictError, ReadOnlyError)):
        return 409
    return 400


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        role_title=lambda role: role_title(role, language()),
        direction_title=lambda direction: direction_title(direction, language()),
        consent_title=lambda consent: say(CONSENT_KEYS.get(consent, "web.consent.unknown")),
        category_title=lambda instrument, category, lang=None: category_title(
            instrument, category, lang or language()
        ),
    )
    app.jinja_env.filters["score"] = _score
    # The store's refusals shown on a page are in its language (for the request, not the thread).
    app.before_request(_page_language_messages)
    app.teardown_request(_messages_back)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(WeegtoolError, _weegtool_error)


def _page_language_messages() -> None:
    g.messages = messages.use(language())


def _messages_back(_exc: BaseException | None = None) -> None:
    token = g.pop("messages", None)
    if token is not None:
        messages.restore(token)


def category_title(instrument: Instrument, category: str | None, lang: str = "nl") -> str:
    """An advice category's title; its id when the instrument does not know it."""
    if not category:
        return "–"
    known = {c.id: c.title(lang) for c in instrument.spec.advice.categories}
    return known.get(category, category)


def _score(value: Any, digits: int = 1) -> str:
    return number(None if value is None else float(value), language(), digits)


def _rolled_back() -> None:
    # The page below reads the user from the database: after a failed statement that needs a fresh transaction.
    db.rollback()


def _http_error(error: HTTPException) -> Any:
    _rolled_back()
    status = error.code or 500
    known = (400, 401, 403, 404, 405, 409, 413, 429)
    title = say(f"web.error.{status}" if status in known else "web.error.other")
    message = error.description if status in (400, 409) else None
    if status == 413:  # werkzeug's own description is English
        message = say("web.error.413.text", limit=current_app.config["MAX_CONTENT_LENGTH"] // 2**20)
    if request.path.startswith("/api/"):  # the rating form's script reads JSON, not a page
        words = {401: say("web.error.401.api"), 405: title, 404: title}
        return jsonify(error=words.get(status) or message or title), status
    return render_template("error.html", title=title, message=message, status=status), status


def _weegtool_error(error: WeegtoolError) -> Any:
    # A refusal the views did not turn into a message beside a field: shown whole, never as a traceback.
    _rolled_back()
    status = status_of(error)
    log.info("refused %s %s: %s", request.method, request.path, type(error).__name__)
    return render_template(
        "error.html",
        title=say("web.error.refused"),
        message=None,
        problems=error.problems,
        status=status,
    ), status
