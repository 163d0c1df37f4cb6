"""Where the database is and how to talk to it: engines, sessions and migrations.

By default an SQLite file in the instance folder (``./instance``, or
``WEEGTOOL_INSTANCE_PATH``); a PostgreSQL server when ``WEEGTOOL_DATABASE_URL``
says so, e.g. ``postgresql+psycopg://weegtool@localhost/weegtool``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "database_url",
    "instance_path",
    "shown_url",
    "make_engine",
    "is_sqlite",
    "session_factory",
    "transaction",
    "upgrade",
    "init",
    "SQLITE_BUSY_TIMEOUT",
]

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT = 15.0  # seconds a writer waits for another one before 'database is locked'


def instance_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The instance folder: ``WEEGTOOL_INSTANCE_PATH`` or ``./instance``."""
    return Path(environ.get("WEEGTOOL_INSTANCE_PATH") or "instance")


def database_url(environ: Mapping[str, str] = os.environ) -> str:
    """``WEEGTOOL_DATABASE_URL``, or the SQLite file ``weegtool.sqlite3`` in the instance folder."""
    return (
        environ.get("WEEGTOOL_DATABASE_URL")
        or f"sqlite:///{instance_path(environ) / 'weegtool.sqlite3'}"
    )


def shown_url(url: str) -> str:
    """``url`` with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str | None = None, *, read_only: bool = False, **options: Any) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`); SQLite gets WAL, foreign keys and busy waits.

    On SQLite every transaction of a writing engine begins IMMEDIATE (see below); a ``read_only`` engine's
    transactions begin DEFERRED and refuse writes (``PRAGMA query_only``), so reading never waits for a
    writer. On PostgreSQL ``read_only`` makes no difference.
    """
    url = url or database_url()
    # A failed statement's values (notes, reasons) never reach an exception message, and so never a log.
    options.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **options)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, **options)
    event.listen(engine, "connect", _sqlite_reader_on_connect if read_only else _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_begin_deferred if read_only else _sqlite_begin_immediate)
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that "begin" below decides how to begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_reader_on_connect(dbapi_connection: Any, record: Any) -> None:
    _sqlite_on_connect(dbapi_connection, record)
    dbapi_connection.execute("PRAGMA query_only = ON")


def _sqlite_begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _sqlite_begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads and then writes fails at once with 'database is locked' when another
    # writer committed in between; BEGIN IMMEDIATE takes the write lock first and so waits its turn instead.
    # Readers are not blocked (WAL).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed when the block ends, and rolled back when it raises."""
    with sessions.begin() as session:
        yield session


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _prepare_sqlite_folder(url: str) -> None:
    """The database file's folder, readable by its owner only (health data of minors); the file likewise."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (the newest by default); creates an SQLite file."""
    from alembic import command

    url = url or database_url()
    _prepare_sqlite_folder(url)
    command.upgrade(_alembic_config(url), revision)


def current_revision(url: str | None = None) -> str | None:
    """The migration the database at ``url`` is at (None: not initialised)."""
    from alembic.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def init(url: str | None = None) -> bool:
    """Migrate to the newest schema and put the default instrument in force when none is.

    Returns whether the default instrument was added. Safe to run again.
    """
    from ..instrument import default_instrument_path
    from .instruments import add_instrument, instrument_in_force

    url = url or database_url()
    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            if instrument_in_force(session) is not None:
                return False
            path = default_instrument_path()
            add_instrument(
                session, path.read_text(encoding="utf-8"), in_force=True, source=path.name
            )
            return True
    finally:
        engine.dispose()
