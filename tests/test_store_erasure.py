"""Retention and erasure: a person erased leaves no trace of their pseudonym, ratings or notes in the
database, the instance folder or later exports, while the audit log still verifies."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, select, text

import weegtool
from weegtool.cli import cli
from weegtool.errors import InputError, NotAllowedError, NotFoundError
from weegtool.store import (
    DecisionInput,
    add_note,
    db,
    decision_rows,
    erasure,
    finalise,
    get_candidate,
    register_referral,
    save_house,
    save_ratings,
    score_candidate,
    submit_ratings,
    submitted_ratings_wide,
    transaction,
)
from weegtool.store.erasure import (
    RETENTION_YEARS,
    erase_on_request,
    erase_person,
    retention_dates,
    retention_years,
)
from weegtool.store.models import Erasure, utcnow
from weegtool.store.person import person_export
from weegtool.store.verify import verify

from .conftest import TWENTE
from .store_factories import PASSWORD, committee_ratings, make_user

ERASED = "ZQX-7731"  # a pseudonym no other byte sequence in the database could contain
NOTE = "Besproken-WXQ-vertrouwelijk"
RATING_NOTE = "Toelichting-QQJ-uniek"
KEPT = "K-KEPT"
HOUSES = TWENTE.parent.parent / "examples" / "houses.yaml"


@pytest.fixture
def committee(sessions):
    with transaction(sessions) as session:
        return {
            "coordinator": make_user(session, "coordinator", "coordinator"),
            "admin": make_user(session, "admin", "admin"),
            "R1": make_user(session, "R1", "rater", scientist=True),
            "R2": make_user(session, "R2"),
            "R3": make_user(session, "R3"),
            "chair": make_user(session, "chair", "chair"),
        }


def _assessed(sessions, committee, pseudonym: str, marker: bool) -> None:
    """``pseudonym`` registered, rated by three raters as the committee example's C2, discussed, finalised."""
    with transaction(sessions) as session:
        candidate = register_referral(
            session,
            pseudonym,
            by=committee["coordinator"],
            age=16,
            direction="long_term",
            consent=True,
            flags=["suicide_risk"],
        )
        for rater, ratings in committee_ratings("C2").items():
            if marker:
                ratings[0] = dataclasses.replace(ratings[0], note=RATING_NOTE)
            save_ratings(session, candidate, committee[rater], ratings)
            submit_ratings(session, candidate, committee[rater])
        add_note(session, candidate, NOTE if marker else "Besproken.", by=committee["R1"])
    with transaction(sessions) as session:
        candidate = get_candidate(session, pseudonym)
        advice = score_candidate(session, candidate, on=_dt.date(2026, 11, 23)).advice
        decision = DecisionInput(
            advice.category,
            True,
            justification="Veiligheidsplan besproken.",
            items=("er_self_harm",),
            decided_on=_dt.date(2026, 11, 23),
        )
        finalise(
            session, candidate, decision, [committee["R1"], committee["R2"]], by=committee["chair"]
        )


@pytest.fixture
def two_people(sessions, committee):
    _assessed(sessions, committee, ERASED, marker=True)
    _assessed(sessions, committee, KEPT, marker=False)
    house = weegtool.load_houses(HOUSES, weegtool.load_instrument(TWENTE))[0]
    resident = house.residents[0]
    house = house.__class__(
        **{
            **house.__dict__,
            "residents": (resident.__class__(**{**resident.__dict__, "id": ERASED}),),
        }
    )
    with transaction(sessions) as session:
        save_house(session, house, by=committee["coordinator"])
    return committee


def _everything_as_text(url: str) -> str:
    """Every value of every row of every table, as text."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            tables = MetaData()
            tables.reflect(connection)
            return "\n".join(
                repr(tuple(row))
                for table in tables.sorted_tables
                for row in connection.execute(select(table))
            )
    finally:
        engine.dispose()


def _files_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_an_erased_person_leaves_no_trace_and_the_log_still_verifies(
    two_people, sessions, database_url, backend, tmp_path
):
    before = _everything_as_text(database_url)
    assert all(marker in before for marker in (ERASED, NOTE, RATING_NOTE))
    erase_on_request(
        database_url,
        ERASED,
        "schriftelijk verzoek van 2026-11-29",
        coordinator=("coordinator", PASSWORD),
        admin=("admin", PASSWORD),
    )
    after = _everything_as_text(database_url)
    for marker in (ERASED, NOTE, RATING_NOTE):
        assert marker not in after
    assert KEPT in after  # the other person's file is whole
    if backend == "sqlite":  # the file, its write-ahead log and all else in the instance folder
        raw = _files_bytes(tmp_path)
        for marker in (ERASED, NOTE, RATING_NOTE):
            assert marker.encode() not in raw
    found = verify(database_url)
    assert found.ok, found.problems
    with transaction(sessions) as session:
        with pytest.raises(NotFoundError):
            get_candidate(session, ERASED)
        exports = repr(decision_rows(session)) + repr(submitted_ratings_wide(session))
        archive = person_export(session, KEPT, by=session.merge(two_people["coordinator"]))
        erasure = session.scalars(select(Erasure)).one()
        entry = session.execute(
            text(
                "SELECT user_id, action, object_type, object_id FROM audit_log ORDER BY id DESC LIMIT 2"
            )
        ).all()
    assert KEPT in exports and ERASED not in exports
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert all(ERASED.encode() not in z.read(name) for name in z.namelist())
    assert (erasure.grounds, erasure.reason) == ("request", "schriftelijk verzoek van 2026-11-29")
    assert (erasure.requested_by, erasure.confirmed_by) == (
        two_people["coordinator"].id,
        two_people["admin"].id,
    )
    assert entry[1] == (
        two_people["coordinator"].id,
        "person.erase",
        "candidates",
        erasure.candidate_id,
    )


@pytest.mark.parametrize(
    "people, message",
    [
        (("coordinator", "coordinator"), "needs two people"),
        (
            ("coordinator", "R1"),
            r"a coordinator and an administrator together; got coordinator \+ rater",
        ),
        (("admin", None), "needs two people"),
    ],
)
def test_an_erasure_on_request_needs_a_coordinator_and_an_admin(
    two_people, sessions, people, message
):
    with transaction(sessions) as session:
        first, second = (session.merge(two_people[p]) if p else None for p in people)
        with pytest.raises(NotAllowedError, match=message):
            erase_person(session, ERASED, reason="verzoek", requested_by=first, confirmed_by=second)


@pytest.mark.parametrize(
    "reason, message",
    [
        ("  ", "an erasure needs its reason"),
        (f"verzoek van {ERASED.lower()}", "must not name the person"),
    ],
)
def test_an_erasure_needs_a_reason_that_does_not_name_the_person(
    two_people, sessions, reason, message
):
    with transaction(sessions) as session, pytest.raises(InputError, match=message):
        erase_person(
            session,
            ERASED,
            reason=reason,
            requested_by=session.merge(two_people["coordinator"]),
            confirmed_by=session.merge(two_people["admin"]),
        )


def test_a_wrong_password_erases_nothing(two_people, database_url):
    with pytest.raises(NotAllowedError, match="admin 'admin': wrong name or password"):
        erase_on_request(
            database_url,
            ERASED,
            "verzoek",
            coordinator=("coordinator", PASSWORD),
            admin=("admin", "wrong"),
        )
    assert ERASED in _everything_as_text(database_url)


def test_the_retention_date_is_the_newest_record_plus_the_years(two_people, sessions):
    with transaction(sessions) as session:
        dates = {d.pseudonym: d for d in retention_dates(session, 20)}
        newest = max(session.scalars(text("SELECT finalised_at FROM assessments")).all())
    today = utcnow().date()
    assert set(dates) == {ERASED, KEPT}
    assert dates[ERASED].erase_from == today.replace(year=today.year + 20)
    assert not dates[ERASED].due(today) and dates[ERASED].due(today.replace(year=today.year + 20))
    assert newest is not None
    assert RETENTION_YEARS == 20 and retention_years({}) == 20
    assert retention_years({"WEEGTOOL_RETENTION_YEARS": "15"}) == 15
    with pytest.raises(
        InputError,
        match="WEEGTOOL_RETENTION_YEARS must be a whole number of years of at least 1; got '0'",
    ):
        retention_years({"WEEGTOOL_RETENTION_YEARS": "0"})


@pytest.mark.parametrize("backend", ["sqlite"])
def test_db_retention_lists_and_applies_only_after_a_backup(
    two_people, database_url, tmp_path, monkeypatch
):
    runner = CliRunner()
    later = (utcnow().date() + _dt.timedelta(days=366 * 20)).isoformat()
    # Applying on a future day is refused and erases nothing (a mistyped --on 2999-01-01 erased every
    # file; found by the break-it probe) ...
    early = runner.invoke(
        cli,
        [
            "db",
            "retention",
            "--url",
            database_url,
            "--on",
            later,
            "--apply",
            "--backup",
            str(tmp_path / "early.wgb"),
        ],
    )
    assert early.exit_code == 2 and "not on " + later + ": nothing was erased" in early.output
    assert ERASED in _everything_as_text(database_url)
    # ... so the clock moves twenty years on for the rest of this test
    monkeypatch.setattr(erasure, "_actual_today", lambda: _dt.date.fromisoformat(later))
    listed = runner.invoke(cli, ["db", "retention", "--url", database_url, "--on", later])
    assert listed.exit_code == 0 and ERASED in listed.output and "2 file(s) due" in listed.output
    today = runner.invoke(cli, ["db", "retention", "--url", database_url])
    assert "0 file(s) due" in today.output
    refused = runner.invoke(
        cli, ["db", "retention", "--url", database_url, "--on", later, "--apply"]
    )
    assert refused.exit_code == 2 and "give --backup OUT" in refused.output
    out = tmp_path / "before-retention.wgb"
    applied = runner.invoke(
        cli,
        ["db", "retention", "--url", database_url, "--on", later, "--apply", "--backup", str(out)],
    )
    assert applied.exit_code == 0 and "2 file(s) erased" in applied.output and out.exists()
    remaining = _everything_as_text(database_url)
    assert ERASED not in remaining and KEPT not in remaining
    assert verify(database_url).ok


@pytest.mark.parametrize("backend", ["sqlite"])
def test_person_erase_cli_reads_both_passwords_from_stdin(two_people, database_url):
    args = [
        "person",
        "erase",
        ERASED,
        "--reason",
        "verzoek 2026-11-29",
        "--coordinator",
        "coordinator",
    ]
    done = CliRunner().invoke(
        cli, [*args, "--admin", "admin", "--url", database_url], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert done.exit_code == 0 and "erased" in done.output
    again = CliRunner().invoke(
        cli, [*args, "--admin", "admin", "--url", database_url], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert again.exit_code == 2 and f"no candidate '{ERASED}'" in again.output


@pytest.mark.parametrize("backend", ["sqlite"])
def test_db_purge_leaves_no_deleted_row_in_the_file(database_url, tmp_path):
    import sqlite3

    # an idle connection of the running app: the write-ahead log is not folded back when the writer closes
    app = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    app.execute("SELECT count(*) FROM houses").fetchone()
    try:
        engine = db.make_engine(database_url)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO houses (code, capacity) VALUES ('PURGE-MARKER-77', 4)")
            )
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM houses WHERE code = 'PURGE-MARKER-77'"))
        engine.dispose()
        assert b"PURGE-MARKER-77" in _files_bytes(tmp_path)  # deleted, but still in the WAL
        done = CliRunner().invoke(cli, ["db", "purge", "--url", database_url])
        assert done.exit_code == 0 and done.output.endswith(": purged.\n")
        assert b"PURGE-MARKER-77" not in _files_bytes(tmp_path)
    finally:
        app.close()


def test_an_erasure_also_removes_a_resident_typed_in_another_case(
    two_people, sessions, database_url
):
    """Pseudonyms are one regardless of case: a resident hand-typed as 'zqx-7731' is the erased ZQX-7731."""
    house = weegtool.load_houses(HOUSES, weegtool.load_instrument(TWENTE))[1]
    resident = house.residents[0]
    typed = resident.__class__(**{**resident.__dict__, "id": ERASED.lower()})
    house = house.__class__(**{**house.__dict__, "residents": (typed, *house.residents[1:])})
    with transaction(sessions) as session:
        save_house(session, house, by=two_people["coordinator"])
    assert ERASED.lower() in _everything_as_text(database_url)
    erase_on_request(
        database_url,
        ERASED,
        "schriftelijk verzoek van 2026-11-29",
        coordinator=("coordinator", PASSWORD),
        admin=("admin", PASSWORD),
    )
    after = _everything_as_text(database_url)
    assert ERASED.lower() not in after.lower()
    assert house.residents[1].id in after  # the house's other residents stay


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_placements_end_and_a_reviews_past_ratings_count_as_records_for_retention(sessions):
    """The retention date followed only the referral, ratings, notes and decisions: a placement ended
    (or a review's kept ratings) later than those did not move it (noticed at the merge of reviews)."""
    from weegtool.store import load_demo
    from weegtool.store.models import Candidate, Placement

    with transaction(sessions) as session:
        load_demo(session)
        placement = session.scalars(
            select(Placement).where(Placement.ended_on.is_not(None))
        ).first()
        later = utcnow().date() + _dt.timedelta(days=400)
        placement.ended_on = later
        pseudonym = session.get(Candidate, placement.candidate_id).pseudonym
    with transaction(sessions) as session:
        dates = {d.pseudonym: d for d in retention_dates(session, 20)}
    assert dates[pseudonym].newest_record.date() == later
    assert dates[pseudonym].erase_from == erasure._plus_years(later, 20)
