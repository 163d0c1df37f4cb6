"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import datetime as _dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from weegtool.store import db
from weegtool.store.audit import check_chain
from weegtool.store.models import ACTIONS, AuditEntry, Base, Instrument, User, utcnow


def test_upgrade_to_head_builds_the_models_schema_with_no_difference(empty_url):
    db.upgrade(empty_url)
    engine = db.make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            assert set(inspect(connection).get_table_names()) == set(Base.metadata.tables) | {
                "alembic_version"
            }
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
            assert [(r.instrument_id, r.in_force) for r in rows] == [
                ("twente-specialistisch-wonen", True)
            ]
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
    assert (
        db.database_url({"WEEGTOOL_INSTANCE_PATH": "/srv/w"}) == "sqlite:////srv/w/weegtool.sqlite3"
    )
    assert (
        db.database_url({"WEEGTOOL_DATABASE_URL": "postgresql+psycopg://w@h/w"})
        == "postgresql+psycopg://w@h/w"
    )


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    folder = tmp_path / "instance"
    db.upgrade(f"sqlite:///{folder / 'weegtool.sqlite3'}")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "weegtool.sqlite3").stat().st_mode & 0o777 == 0o600


def _rows_at_0001(connection) -> None:
    """Rows in every table of revision 0001, written with the tables as that revision made them."""
    import weegtool

    from .conftest import TWENTE

    tables = MetaData()
    tables.reflect(connection)

    def add(table: str, **values) -> int:
        return connection.execute(
            tables.tables[table].insert().values(**values)
        ).inserted_primary_key[0]

    instrument = weegtool.load_instrument(TWENTE)
    now = _dt.datetime(2026, 11, 1, 10, 0, tzinfo=_dt.UTC)
    add(
        "instruments",
        instrument_id=instrument.id,
        version=instrument.version,
        status=instrument.status,
        sha256=instrument.sha256,
        yaml_text=TWENTE.read_text(encoding="utf-8"),
        in_force=True,
        added_at=now,
    )
    coordinator, rater = (
        add(
            "users",
            name=name,
            role=role,
            password_hash="$argon2id$old",
            must_change_password=False,
            behavioural_scientist=False,
            registration=None,
            active=True,
            created_at=now,
        )
        for name, role in [("coordinator", "coordinator"), ("R1", "rater")]
    )
    candidate = add(
        "candidates",
        pseudonym="K-0001",
        age=15,
        referrer="",
        direction="crisis",
        consent=True,
        flags=["suicide_risk"],
        instrument_sha256=instrument.sha256,
        registered_by=coordinator,
        registered_at=now,
        row_version=1,
    )
    add(
        "ratings",
        candidate_id=candidate,
        rater_id=rater,
        item="er_intensity",
        value=3,
        note="",
        critical="",
        saved_at=now,
    )
    connection.execute(
        tables.tables["rating_submissions"]
        .insert()
        .values(candidate_id=candidate, rater_id=rater, submitted_at=now)
    )
    house = add("houses", code="huis-a", capacity=4, staff_on_duty=1, age_min=None, age_max=None)
    add("residents", house_id=house, pseudonym="B-1", age=16, flags=[], main_problem=None)
    for action, kind, row in [
        ("user.add", "users", rater),
        ("referral.register", "candidates", candidate),
        ("ratings.submit", "candidates", candidate),
    ]:
        add(
            "audit_log", at=now, user_id=coordinator, action=action, object_type=kind, object_id=row
        )


OLD_ENTRIES = ["user.add", "referral.register", "ratings.submit"]


def _counts(connection) -> dict[str, int]:
    tables = MetaData()
    tables.reflect(connection)
    return {
        name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in tables.tables.items()
        if name != "alembic_version"
    }


def test_a_database_at_0001_with_rows_upgrades_to_head_and_back_keeping_them(empty_url):
    from alembic import command

    from weegtool.store import add_note, audit_entries, authenticate, get_candidate

    db.upgrade(empty_url, "0001")
    engine = db.make_engine(empty_url)
    try:
        with engine.begin() as connection:
            _rows_at_0001(connection)
        with engine.connect() as connection:
            before = _counts(connection)
        assert before == {
            "instruments": 1,
            "users": 2,
            "candidates": 1,
            "ratings": 1,
            "rating_submissions": 1,
            "houses": 1,
            "residents": 1,
            "audit_log": 3,
            "assessments": 0,
            "signatures": 0,
        }
        db.upgrade(empty_url)
        head = ScriptDirectory.from_config(db._alembic_config(empty_url)).get_current_head()
        assert db.current_revision(empty_url) == head  # whichever branch's migration came last
        new_tables = {
            "notes": 0,
            "erasures": 0,
            "placements": 0,
            "waiting_list": 0,
            "committee_seats": 0,
            "reviews": 0,
            "past_ratings": 0,
        }
        with engine.connect() as connection:
            assert _counts(connection) == {**before, **new_tables}
        with db.transaction(db.session_factory(engine)) as session:
            r1 = session.scalars(select(User).where(User.name == "R1")).one()
            assert (
                r1.failed_logins,
                r1.locked_until,
                r1.must_change_password,
                r1.session_version,
            ) == (0, None, False, 0)
            candidate = get_candidate(session, "K-0001")
            assert (candidate.age, candidate.direction, candidate.flags) == (
                15,
                "crisis",
                ["suicide_risk"],
            )
            assert (candidate.pseudonym_key, candidate.correction_open) == ("k-0001", False)
            assert [e.action for e in audit_entries(session)] == OLD_ENTRIES
            assert (
                authenticate(session, "R1", "the old hash is not argon2 at all") is None
            )  # counted and logged
            add_note(session, get_candidate(session, "K-0001"), "Bespreken.", by=r1)
            assert [e.action for e in audit_entries(session)][-2:] == [
                "user.login_failed",
                "note.add",
            ]
        with db.transaction(db.session_factory(engine)) as session:
            # the entries from before the chain were chained by the migration, the new ones onto them
            assert check_chain(audit_entries(session)) == []
        with engine.connect() as connection:
            assert _counts(connection) == {
                **before,
                **new_tables,
                "notes": 1,
                "audit_log": before["audit_log"] + 2,
            }
        engine.dispose()
        command.downgrade(db._alembic_config(empty_url), "0001")
        assert db.current_revision(empty_url) == "0001"
        with engine.connect() as connection:
            assert (
                _counts(connection) == before
            )  # the notes and their audit entries go; the rest stays
            assert (
                list(connection.scalars(text("SELECT action FROM audit_log ORDER BY id")))
                == OLD_ENTRIES
            )
            columns = {c["name"] for c in inspect(connection).get_columns("users")}
            assert not columns & {"failed_logins", "locked_until", "session_version"}
    finally:
        engine.dispose()


def test_the_migrated_audit_log_takes_every_action_of_the_models_and_nothing_else(database_url):
    engine = db.make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                AuditEntry.__table__.insert(),
                [
                    dict(
                        at=utcnow(),
                        user_id=None,
                        action=action,
                        object_type="users",
                        object_id=None,
                    )
                    for action in ACTIONS
                ],
            )
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                AuditEntry.__table__.insert(),
                [
                    dict(
                        at=utcnow(),
                        user_id=None,
                        action="note.read",
                        object_type="notes",
                        object_id=None,
                    )
                ],
            )
    finally:
        engine.dispose()


def test_the_upgrade_to_0007_refuses_pseudonyms_that_differ_only_in_case_and_names_them(
    empty_url,
):
    import weegtool

    from .conftest import TWENTE

    # the revision before 0007, whichever it is once the parallel branches' migrations are chained
    before = (
        ScriptDirectory.from_config(db._alembic_config(empty_url))
        .get_revision("0007")
        .down_revision
    )
    db.upgrade(empty_url, before)
    engine = db.make_engine(empty_url)
    try:
        with engine.begin() as connection:
            _rows_at_0001(connection)
            tables = MetaData()
            tables.reflect(connection)
            for pseudonym in ("k-0001", "K-0002", "k-0002"):
                connection.execute(
                    tables.tables["candidates"]
                    .insert()
                    .values(
                        pseudonym=pseudonym,
                        referrer="",
                        flags=[],
                        instrument_sha256=weegtool.load_instrument(TWENTE).sha256,
                        registered_at=utcnow(),
                        row_version=1,
                    )
                )
        with pytest.raises(
            RuntimeError,
            match=r"differ only in case: 'K-0001' and 'k-0001'; 'K-0002' and 'k-0002'\. Rename",
        ):
            db.upgrade(empty_url)
        assert db.current_revision(empty_url) == before
    finally:
        engine.dispose()
