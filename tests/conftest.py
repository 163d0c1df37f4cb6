"""Shared fixtures: factories for instruments and ratings, seeded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

import weegtool
from weegtool.instrument import Instrument, parse_instrument

from .factories import ratings_frame

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=60)
# `make test` (and so CI) runs the "ci" profile: derandomised, the same examples every run, so a
# submission never fails by luck; plain `pytest` explores new examples ("dev").
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

ROOT = Path(__file__).resolve().parent.parent
CRITERIA = ROOT / "criteria"
EXAMPLE = CRITERIA / "example-minimal.yaml"
TWENTE = CRITERIA / "twente-specialistisch-wonen.yaml"


def example_data() -> dict[str, Any]:
    """The example instrument as plain data, to change in a test."""
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def make_instrument():
    """``make_instrument(**changes)``: the example instrument with top-level fields replaced."""

    def make(data: dict[str, Any] | None = None, **changes: Any) -> Instrument:
        content = data if data is not None else example_data()
        content.update(changes)
        return parse_instrument(
            yaml.safe_dump(content, allow_unicode=True, sort_keys=False), source="test.yaml"
        )

    return make


@pytest.fixture(scope="session")
def twente() -> Instrument:
    return weegtool.load_instrument(TWENTE)


@pytest.fixture
def make_ratings():
    """``make_ratings(instrument, n_candidates=5, n_raters=3, seed=0, missing=0.0)``."""
    return ratings_frame


# --- the database: every store test runs on SQLite and on a throwaway PostgreSQL server ------------------------

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server():
    from . import postgres

    try:
        server = postgres.start()
    except postgres.Unavailable as exc:
        if os.environ.get("CI") or os.environ.get("WEEGTOOL_REQUIRE_POSTGRESQL"):
            pytest.fail(f"make test and CI must test PostgreSQL too: {exc}")
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def template_url(request, tmp_path_factory):
    """A database migrated once per backend; each test gets a copy (migrating per test would be slow)."""
    from weegtool.store import db

    def make(backend: str) -> str:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite3'}"
        else:
            server = request.getfixturevalue("postgres_server")
            _admin(server.url, "CREATE DATABASE weegtool_template")
            url = f"{server.url}/weegtool_template"
        db.upgrade(url)
        return url

    made: dict[str, str] = {}
    return lambda backend: made.get(backend) or made.setdefault(backend, make(backend))


def _admin(server_url: str, statement: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def empty_url(request, backend, tmp_path):
    """The URL of a new, empty database of ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'weegtool.sqlite3'}"
        return
    yield from _postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def database_url(request, backend, template_url, tmp_path):
    """The URL of a new database of ``backend`` at the newest schema, with no rows."""
    import sqlite3

    template = template_url(backend)
    if backend == "sqlite":
        path = tmp_path / "weegtool.sqlite3"
        with (
            sqlite3.connect(template.removeprefix("sqlite:///")) as source,
            sqlite3.connect(path) as target,
        ):
            source.backup(target)
        yield f"sqlite:///{path}"
        return
    yield from _postgres_database(
        request.getfixturevalue("postgres_server"), template="weegtool_template"
    )


@pytest.fixture
def sqlite_url(template_url, tmp_path):
    """A new SQLite database at the newest schema (for the web tests that need one backend only)."""
    import sqlite3

    path = tmp_path / "weegtool.sqlite3"
    with (
        sqlite3.connect(template_url("sqlite").removeprefix("sqlite:///")) as source,
        sqlite3.connect(path) as target,
    ):
        source.backup(target)
    return f"sqlite:///{path}"


_numbers = iter(range(1, 1_000_000))


def _postgres_database(server, template: str | None = None):
    """A new database on the throwaway server (a copy of ``template`` if given), dropped afterwards."""
    name = f"test_{os.getpid()}_{next(_numbers)}"
    _admin(server.url, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    yield f"{server.url}/{name}"
    _admin(server.url, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def fast_hashing(monkeypatch):
    """Cheap argon2 parameters: the real ones cost ~50 ms and 64 MiB a hash, on purpose."""
    import importlib

    from argon2 import PasswordHasher

    # The module, not the function weegtool.store.users that hides it as an attribute of the package.
    users = importlib.import_module("weegtool.store.users")
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def sessions(database_url, fast_hashing):
    """A session factory on a fresh database with the default instrument in force."""
    from weegtool.store import db
    from weegtool.store.instruments import add_instrument

    engine = db.make_engine(database_url)
    factory = db.session_factory(engine)
    with db.transaction(factory) as session:
        add_instrument(session, TWENTE.read_text(encoding="utf-8"), in_force=True)
    yield factory
    engine.dispose()


# --- the browser: Debian's Chromium through Playwright (see tests/browser.py) -----------------------------------

from .browser import chromium_browser, page  # noqa: E402,F401  (fixtures, found by name)
