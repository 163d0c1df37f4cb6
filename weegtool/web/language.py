"""The web app's language: chosen per user (Dutch by default, English available), kept in a cookie.

- Every request gets ``g.lang`` from the ``weegtool_lang`` cookie ("nl" when absent or unknown);
  Flask-Babel's locale follows it, and so do the store's refusals (:mod:`weegtool.store.messages`).
- Templates word everything through the gettext catalogues (:mod:`weegtool.i18n`):
  ``{{ _("web.login.title") }}``, ``{{ _n("web.users.count", n) }}`` (plural forms),
  ``{{ titled("web.audit.do", action) }}`` (words for a stored identifier), ``pattern(key)``
  (a sentence with its placeholders, for ``rate.js``: the script's words are on ``<body
  data-js-...>``), and format
  numbers and dates with the filters ``number``, ``percent``, ``day`` and ``moment``
  (:mod:`weegtool.formatting`). A key the catalogue lacks raises; it never shows English on a
  Dutch page.
- ``POST /language`` (any visitor, with the CSRF token) switches; the page header has the switch.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, g, redirect, request
from flask_babel import Babel

from .. import formatting
from ..i18n import LANGUAGES, LOCALE_DIR, has, messages, plural, text

__all__ = ["init_app", "bp", "COOKIE", "say"]

COOKIE = "weegtool_lang"
bp = Blueprint("language", __name__)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "nl")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(LOCALE_DIR)
    app.config["BABEL_DOMAIN"] = "weegtool"
    Babel(app, locale_selector=lambda: g.get("lang", "nl"))
    app.before_request(_choose)
    # after Flask-Babel: its gettext would fall back to the key silently; ours refuses a missing one
    app.jinja_env.globals.update(
        _=say, _n=say_plural, titled=titled, pattern=pattern, languages=LANGUAGES
    )
    for name in ("number", "percent", "day", "moment"):
        app.jinja_env.filters[name] = _filter(getattr(formatting, name))
    app.register_blueprint(bp)


def _choose() -> None:
    chosen = request.cookies.get(COOKIE, "nl")
    g.lang = chosen if chosen in LANGUAGES else "nl"


def language() -> str:
    """The language of the current request ("nl" outside one)."""
    return str(g.get("lang", "nl"))


def say(key: str, **values: Any) -> str:
    """The catalogue's ``key`` in the request's language."""
    return text(key, language(), **values)


def titled(prefix: str, identifier: str | None) -> str:
    """The words for ``identifier`` under ``prefix`` (``titled("web.audit.do", "user.login")``);
    the identifier itself for one the catalogue does not know yet (a test lists those)."""
    key = f"{prefix}.{identifier}"
    return say(key) if identifier and has(key, language()) else str(identifier or "")


def pattern(key: str) -> str:
    """The catalogue's ``key`` with its ``{placeholders}`` left in, for a script to fill in."""
    return messages(language())[key]


def say_plural(key: str, n: int, **values: Any) -> str:
    return plural(key, n, language(), **values)


def _filter(function: Any) -> Any:
    def apply(value: Any, *args: Any) -> str:
        return str(function(value, language(), *args))

    return apply


@bp.post("/language")
def switch() -> Any:
    """Set the language cookie to the form's ``lang`` and go back to ``next`` (a path on this site)."""
    chosen = request.form.get("lang", "")
    if chosen not in LANGUAGES:
        abort(400, description=say("web.language.unknown", got=chosen[:20]))
    target = request.form.get("next") or "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Strict",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
