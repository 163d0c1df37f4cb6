"""The intake committee's web app: ``create_app()`` and one blueprint per feature.

>>> from weegtool.web import create_app
>>> app = create_app({"DATABASE_URL": "sqlite:///instance/weegtool.sqlite3"})   # doctest: +SKIP

The app reads and writes through :mod:`weegtool.store` only; the views parse a
form, make one store call in one transaction, and render. Everything under
``instance/`` (the database file, the secret keys) is created readable by its
owner only.
"""

from __future__ import annotations

import datetime as _dt
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from ..coordinator import TWENTE_MUNICIPALITIES
from ..disclosure import DEFAULT_THRESHOLD
from ..errors import WeegtoolError
from ..store.db import instance_path

__all__ = ["create_app"]

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: WEEGTOOL_DATABASE_URL or the SQLite file in the instance folder
    "SESSION_COOKIE_NAME": "weegtool_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Strict",
    "SESSION_COOKIE_SECURE": True,  # browsers treat http://127.0.0.1 and localhost as secure
    "PERMANENT_SESSION_LIFETIME": _dt.timedelta(hours=8),  # a meeting day at most
    "IDLE_MINUTES": 30,  # a session unused for this long ends
    "MAX_CONTENT_LENGTH": 2
    * 1024
    * 1024,  # criteria files and forms; nothing bigger is ever needed
    "LOGIN_FAILURES_PER_ADDRESS": 20,  # failed log-ins from one address per LOGIN_WINDOW_MINUTES
    "LOGIN_WINDOW_MINUTES": 15,
    "REPORT_PDF": True,  # store the PDF beside the HTML when an assessment is finalised
    "PROXIES": 0,  # HTTPS proxies in front (their X-Forwarded-For/-Proto are trusted)
    # Counts about groups of young people below this are suppressed on every page and export (weegtool.disclosure)
    "DISCLOSURE_THRESHOLD": DEFAULT_THRESHOLD,
    "MUNICIPALITIES": TWENTE_MUNICIPALITIES,  # a referral's municipality is one of these
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app; ``test_config`` overrides the defaults (and the instance folder's settings)."""
    config = dict(test_config or {})
    folder = Path(config.pop("INSTANCE_PATH", None) or instance_path()).resolve()
    app = Flask(__name__, instance_path=str(folder), instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("settings.py", silent=True)
    app.config.from_mapping(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(folder, "secret_key")
    _check_overview_settings(app.config)
    if not app.config.get("PSEUDONYM_KEY"):
        app.config["PSEUDONYM_KEY"] = instance_secret(folder, "pseudonym_key")

    from . import (
        admin,
        auth,
        candidates,
        coordinator,
        db,
        exports,
        houses,
        language,
        meeting,
        placements,
        rating,
        research,
        reviews,
        security,
        views,
    )

    if app.config["PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    db.init_app(app)
    language.init_app(app)  # first: the CSRF refusal and the store's refusals follow the language
    security.init_app(app)
    views.init_app(app)
    for blueprint in (
        auth.bp,
        candidates.bp,
        rating.bp,
        meeting.bp,
        houses.bp,
        exports.bp,
        admin.bp,
        research.bp,
        placements.bp,
        coordinator.bp,
        reviews.bp,
    ):
        app.register_blueprint(blueprint)
    return app


def _check_overview_settings(config: Mapping[str, Any]) -> None:
    """Refuse a start with a suppression threshold or list of municipalities that cannot work."""
    value = config["DISCLOSURE_THRESHOLD"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise WeegtoolError(
            f"DISCLOSURE_THRESHOLD must be a whole number of at least 1; got {value!r}."
        )
    names = config["MUNICIPALITIES"]
    if isinstance(names, str) or not names or not all(isinstance(n, str) and n for n in names):
        raise WeegtoolError(f"MUNICIPALITIES must be a list of names; got {names!r}.")


def instance_secret(folder: Path, name: str) -> str:
    """A random secret kept in ``folder/name`` (made on first use, owner-only), so sessions survive a restart."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    value = path.read_text(encoding="ascii").strip()
    if len(value) < 32:
        raise WeegtoolError(f"{path} holds too short a secret; delete it to have a new one made.")
    return value
