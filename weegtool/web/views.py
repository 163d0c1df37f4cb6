"""What the views share: error pages, template helpers, Dutch names for roles and choices."""

from __future__ import annotations

import logging
import math
from typing import Any

from flask import Flask, g, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..errors import ConflictError, NotAllowedError, NotFoundError, ReadOnlyError, WeegtoolError
from ..i18n import direction_title, role_title
from ..instrument import Instrument
from ..store import messages
from . import db

__all__ = ["init_app", "status_of", "download"]

log = logging.getLogger("weegtool.web")

CONSENT_TITLES = {True: "ja", False: "nee", None: "onbekend"}


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
        role_title=role_title,
        direction_title=direction_title,
        consent_title=CONSENT_TITLES.get,
        category_title=category_title,
    )
    app.jinja_env.filters["score"] = _score
    # The pages are Dutch: so are the store's refusals shown on them (for the request, not the thread).
    app.before_request(_dutch_messages)
    app.teardown_request(_messages_back)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(WeegtoolError, _weegtool_error)


def _dutch_messages() -> None:
    g.messages = messages.use("nl")


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
    if value is None or math.isnan(value):
        return "–"
    return f"{float(value):.{digits}f}".replace(".", ",")


def _rolled_back() -> None:
    # The page below reads the user from the database: after a failed statement that needs a fresh transaction.
    db.rollback()


def _http_error(error: HTTPException) -> Any:
    _rolled_back()
    titles = {
        400: "Verzoek niet uitgevoerd",
        401: "Niet ingelogd",
        403: "Geen toegang",
        404: "Niet gevonden",
        405: "Niet toegestaan",
        409: "Conflict",
        413: "Te groot",
        429: "Even wachten",
    }
    status = error.code or 500
    message = error.description if status in (400, 409, 413) else None
    if request.path.startswith("/api/"):  # the rating form's script reads JSON, not a page
        words = {401: "U bent niet (meer) ingelogd; log opnieuw in."}
        return jsonify(error=words.get(status) or message or titles.get(status, "Fout")), status
    return render_template(
        "error.html", title=titles.get(status, "Fout"), message=message, status=status
    ), status


def _weegtool_error(error: WeegtoolError) -> Any:
    # A refusal the views did not turn into a message beside a field: shown whole, never as a traceback.
    _rolled_back()
    status = status_of(error)
    log.info("refused %s %s: %s", request.method, request.path, type(error).__name__)
    return render_template(
        "error.html", title="Niet uitgevoerd", message=None, problems=error.problems, status=status
    ), status
