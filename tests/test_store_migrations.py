"""The migrations build exactly the schema the models describe, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from weegtool.store import db
from weegtool.store.models import Base, Instrument


def test_upgrade_to_head_builds_the_models_schema_with_no_difference(empty_url):
    db.upgrade(empty_url)
    engine = db.make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            assert set(inspect(connection).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(db._alembic_config(empty_url)).get_current_head()
    assert db.current_revision(empty_url) == head


def test_downgrade_to_base_removes_every_table(empty_url):
    from alembic import command

    db.upgrade(empty_url)
    command.downgrade(db._alembic_config(empty_url), "base")
    engine = db.make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_init_puts_the_default_instrument_in_force_once(empty_url):
    assert db.init(empty_url) is True
    assert db.init(empty_url) is False
    engine = db.make_engine(empty_url)
    try:
        with db.transaction(db.session_factory(engine)) as session:
            rows = session.scalars(select(Instrument)).all()
            assert [(r.instrument_id, r.in_force) for r in rows] == [("twente-specialistisch-wonen", True)]
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_the_default_database_is_a_file_in_the_instance_folder():
    assert db.database_url({}) == "sqlite:///instance/weegtool.sqlite3"
    assert db.database_url({"WEEGTOOL_INSTANCE_PATH": "/srv/w"}) == "sqlite:////srv/w/weegtool.sqlite3"
    assert db.database_url({"WEEGTOOL_DATABASE_URL": "postgresql+psycopg://w@h/w"}) == "postgresql+psycopg://w@h/w"


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    folder = tmp_path / "instance"
    db.upgrade(f"sqlite:///{folder / 'weegtool.sqlite3'}")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "weegtool.sqlite3").stat().st_mode & 0o777 == 0o600
