"""One database session per request, opened on first use and closed when the request ends.

A view that changes something calls :func:`commit` once, after its store
calls succeeded; anything not committed is rolled back when the request ends,
so a refused form leaves the database as it was.

Reading and writing are kept apart, for SQLite's one-writer-at-a-time:

- A GET (or HEAD) reads through a read-only engine whose transactions begin
  DEFERRED, so pages never wait for a writer (WAL lets readers and one writer
  work side by side).
- Any other request writes. On SQLite its writers first queue on a lock in
  the app (first come, first served), which they hold until they commit or
  the request ends; without it, waiting writers poll SQLite in random sleeps,
  and under load some starve until "database is locked". After committing, a
  view reads on through :func:`reader`, without holding up the next writer.

PostgreSQL takes many writers at once: there the lock and the second engine
are left out.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session, sessionmaker

from ..store.db import database_url, is_sqlite, make_engine, session_factory

__all__ = ["init_app", "session", "reader", "writer", "commit", "rollback", "record_reading"]

READING = ("GET", "HEAD", "OPTIONS")


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"] or database_url()
    engine = make_engine(url)
    app.extensions["weegtool.engine"] = engine
    app.extensions["weegtool.sessions"] = session_factory(engine)
    if is_sqlite(engine):
        app.extensions["weegtool.readers"] = session_factory(make_engine(url, read_only=True))
        app.extensions["weegtool.writer_lock"] = threading.Lock()
    else:
        app.extensions["weegtool.readers"] = app.extensions["weegtool.sessions"]
        app.extensions["weegtool.writer_lock"] = None
    app.teardown_request(_close)  # per request, also when an app context was pushed already


def reader() -> Session:
    """A session that only reads and never waits for a writer (its own transaction)."""
    if "db_reader" not in g:
        factory: sessionmaker[Session] = current_app.extensions["weegtool.readers"]
        g.db_reader = factory()
    db: Session = g.db_reader
    return db


def session() -> Session:
    """The request's session: the reader for a GET, else the writer."""
    return reader() if request.method in READING else writer()


def writer() -> Session:
    """The request's writing session; on SQLite it first waits its turn behind the other writers.

    The turn lasts until :func:`commit` (or the end of the request); writing again after a commit waits
    for a new turn. On each new turn the registered ``weegtool.writer_checks`` run on the writing
    session (the signed-in user must still be signed in: see :mod:`weegtool.web.auth`).
    """
    lock: threading.Lock | None = current_app.extensions["weegtool.writer_lock"]
    turn = lock is not None and "db_lock" not in g
    if turn and lock is not None:
        lock.acquire()
        g.db_lock = lock
    if "db" not in g:
        factory: sessionmaker[Session] = current_app.extensions["weegtool.sessions"]
        g.db, turn = factory(), True
    db: Session = g.db
    if turn:  # what was read before the turn may have changed while waiting for it
        for check in current_app.extensions.get("weegtool.writer_checks", ()):
            check(db)
    return db


def commit(*, keep_turn: bool = False) -> None:
    """Commit what the request wrote (nothing to do when it only read).

    The reader's transaction ends too, so what the request reads next sees what it wrote (a
    reader that began before the commit would keep its older snapshot). ``keep_turn`` holds the
    writers' turn (SQLite) until the request ends: for work on the file after the commit that no
    other writer may begin during (an erasure's purge, whose VACUUM otherwise makes a save that
    begins meanwhile fail with 'database is locked').
    """
    if "db" in g:
        g.db.commit()
    if "db_reader" in g:
        g.db_reader.rollback()
    if not keep_turn:
        _release()


def record_reading(action: str, target: Any) -> None:
    """Log in the audit log that the user is shown health data (a report, the ratings, an export), and commit.

    Only for a GET, which has nothing else to commit; a HEAD shows nothing and is not logged.
    """
    from ..store import audit

    if request.method == "HEAD":
        return
    assert request.method == "GET", (
        "record_reading commits: a writing request logs through its own commit"
    )
    audit.record(writer(), g.user, action, target)
    commit()


def rollback() -> None:
    """Undo what the request's sessions hold uncommitted (opening none, waiting for no turn)."""
    for name in ("db", "db_reader"):
        if name in g:
            g.get(name).rollback()


def _release() -> None:
    lock = g.pop("db_lock", None)
    if lock is not None:
        lock.release()


def _close(_exc: BaseException | None = None) -> None:
    try:
        for name in ("db", "db_reader"):
            db = g.pop(name, None)
            if db is not None:
                db.close()  # rolls back whatever was not committed
    finally:
        _release()  # whatever happened, the next writer gets its turn
