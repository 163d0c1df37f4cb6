"""One database session per request, opened on first use and closed when the request ends.

A view that changes something calls :func:`commit` once, after its store
calls succeeded; anything not committed is rolled back when the request ends,
so a refused form leaves the database as it was.
"""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from ..store.db import database_url, make_engine, session_factory

__all__ = ["init_app", "session", "commit", "sessions"]


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"] or database_url())
    app.extensions["weegtool.engine"] = engine
    app.extensions["weegtool.sessions"] = session_factory(engine)
    app.teardown_appcontext(_close)


def sessions() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["weegtool.sessions"]
    return factory


def session() -> Session:
    """The request's session."""
    if "db" not in g:
        g.db = sessions()()
    db: Session = g.db
    return db


def commit() -> None:
    session().commit()


def _close(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()      # rolls back whatever was not committed
