"""The audit log's hash chain: an entry edited, deleted or reordered directly in the database is named.

The rows are changed with plain SQL, as an administrator with database access
could, on both databases; ``weegtool db verify`` must name each entry and exit 1.
"""

from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from weegtool.cli import cli
from weegtool.store import audit_entries, register_referral, transaction
from weegtool.store.audit import check_chain, entry_hash, head, record
from weegtool.store.models import AuditEntry, Candidate, as_utc
from weegtool.store.verify import verify

from .store_factories import make_user


@pytest.fixture
def logged(sessions):
    """A log of 10 entries: the instrument added and put in force, 3 users added, 5 referrals registered."""
    with transaction(sessions) as session:
        coordinator = make_user(session, "coordinator", "coordinator")
        make_user(session, "R1")
        make_user(session, "R2")
        for n in range(5):
            register_referral(session, f"K{n}", by=coordinator, age=15)
    return sessions


def _ids(sessions) -> list[int]:
    with transaction(sessions) as session:
        return [e.id for e in audit_entries(session)]


def _sql(sessions, *statements: str) -> None:
    with transaction(sessions) as session:
        for statement in statements:
            session.execute(text(statement))


def _verify_cli(url: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["db", "verify", "--url", url])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_each_entry_carries_the_hash_of_the_one_before(logged, database_url):
    with transaction(logged) as session:
        log = audit_entries(session)
        assert len(log) == 10 and log[0].prev_hash == ""
        assert [e.prev_hash for e in log[1:]] == [e.hash for e in log[:-1]]
        assert check_chain(log) == []
        assert head(session) == (log[-1].id, log[-1].hash)
    assert verify(database_url).ok
    assert _verify_cli(database_url)[0] == 0


def test_an_edited_entry_is_named(logged, database_url):
    victim = _ids(logged)[3]
    _sql(logged, f"UPDATE audit_log SET object_id = 4242 WHERE id = {victim}")
    found = verify(database_url)
    assert found.problems == (
        f"audit entry {victim}: edited: its fields or hash were changed after it was written",
    )
    code, output = _verify_cli(database_url)
    assert code == 1 and f"audit entry {victim}: edited" in output and "1 problem(s)" in output


def test_a_deleted_entry_is_found_at_the_entry_after_it(logged, database_url):
    ids = _ids(logged)
    _sql(logged, f"DELETE FROM audit_log WHERE id = {ids[4]}")
    (problem,) = verify(database_url).problems
    assert problem.startswith(
        f"audit entry {ids[5]}: missing: it does not follow the entry before it"
    )


def test_a_deleted_first_entry_is_found_too(logged, database_url):
    ids = _ids(logged)
    _sql(logged, f"DELETE FROM audit_log WHERE id = {ids[0]}")
    (problem,) = verify(database_url).problems
    assert problem.startswith(f"audit entry {ids[1]}: missing")


def test_two_swapped_entries_are_named_as_reordered(logged, database_url):
    ids = _ids(logged)
    a, b = ids[2], ids[3]
    _sql(
        logged,
        f"UPDATE audit_log SET id = 100000 WHERE id = {a}",
        f"UPDATE audit_log SET id = {a} WHERE id = {b}",
        f"UPDATE audit_log SET id = {b} WHERE id = 100000",
    )
    problems = verify(database_url).problems
    assert problems == (
        f"audit entry {a}: reordered: it was written after entry {b}, not after the entry before it",
        f"audit entry {b}: reordered: it was written after entry {ids[1]}, not after the entry before it",
        f"audit entry {ids[4]}: reordered: it was written after entry {a}, not after the entry before it",
    )


def test_edit_delete_and_reorder_together_are_each_named(logged, database_url):
    ids = _ids(logged)
    _sql(
        logged,
        f"UPDATE audit_log SET action = 'user.login' WHERE id = {ids[1]}",
        f"DELETE FROM audit_log WHERE id = {ids[3]}",
        f"UPDATE audit_log SET id = 100000 WHERE id = {ids[6]}",
        f"UPDATE audit_log SET id = {ids[6]} WHERE id = {ids[7]}",
        f"UPDATE audit_log SET id = {ids[7]} WHERE id = 100000",
    )
    kinds = [p.split(": ")[1] for p in verify(database_url).problems]
    named = [p.split(":")[0] for p in verify(database_url).problems]
    assert kinds == ["edited", "missing", "reordered", "reordered", "reordered"]
    assert named == [f"audit entry {i}" for i in (ids[1], ids[4], ids[6], ids[7], ids[8])]


def test_entries_written_at_once_from_two_sessions_still_chain(logged, database_url):
    """Writers take turns: on PostgreSQL an advisory lock keeps two transactions off the same last entry."""
    from .test_store_concurrency import run_together

    def write(barrier, n):
        barrier.wait(timeout=30)
        with transaction(logged) as session:
            for _ in range(3):
                record(session, None, "referral.update", session.get(Candidate, 1) or Candidate)

    assert run_together(write, [(n,) for n in range(4)]) == []
    with transaction(logged) as session:
        assert len(audit_entries(session)) == 10 + 12
    assert verify(database_url).ok


def test_the_hash_does_not_depend_on_the_database_giving_the_time_with_or_without_its_zone():
    aware = _dt.datetime(2026, 11, 29, 21, 0, 0, 123456, tzinfo=_dt.UTC)
    plus_one = aware.astimezone(_dt.timezone(_dt.timedelta(hours=1)))
    naive = aware.replace(tzinfo=None)
    hashes = {entry_hash("", t, 1, "user.add", "users", 2) for t in (aware, plus_one, naive)}
    assert len(hashes) == 1


# --- the chain as a property: any one change to any log is found, at the right entry -----------------------------


def _log(n: int) -> list[SimpleNamespace]:
    rows, before = [], ""
    start = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC)
    for i in range(1, n + 1):
        fields = (start + _dt.timedelta(seconds=i), i % 3 or None, "ratings.save", "candidates", i)
        digest = entry_hash(before, *fields)
        rows.append(
            SimpleNamespace(
                id=i,
                at=fields[0],
                user_id=fields[1],
                action=fields[2],
                object_type=fields[3],
                object_id=fields[4],
                prev_hash=before,
                hash=digest,
            )
        )
        before = digest
    return rows


@given(n=st.integers(2, 30), data=st.data())
def test_any_deleted_entry_but_the_last_is_found_at_its_successor(n, data):
    log = _log(n)
    gone = data.draw(st.integers(0, n - 2))
    problems = check_chain(log[:gone] + log[gone + 1 :])
    assert [(p.entry_id, p.kind) for p in problems] == [(gone + 2, "missing")]


@given(n=st.integers(1, 30), data=st.data())
def test_any_edited_field_is_found_at_that_entry(n, data):
    log = _log(n)
    i = data.draw(st.integers(0, n - 1))
    field = data.draw(st.sampled_from(["at", "user_id", "action", "object_type", "object_id"]))
    changed = {
        "at": log[i].at + _dt.timedelta(microseconds=1),
        "user_id": 99,
        "action": "report.read",
        "object_type": "notes",
        "object_id": -1,
    }[field]
    setattr(log[i], field, changed)
    assert [(p.entry_id, p.kind) for p in check_chain(log)] == [(i + 1, "edited")]


def test_the_last_entry_deleted_is_not_found_by_the_chain_but_by_the_head(logged):
    """The chain alone cannot see its tail cut off: the head a backup's manifest records does."""
    with transaction(logged) as session:
        before = head(session)
        last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        session.delete(last)
    with transaction(logged) as session:
        assert check_chain(audit_entries(session)) == []
        assert head(session) != before
        assert as_utc(audit_entries(session)[-1].at) <= as_utc(last.at)


def test_a_rewritten_or_cut_off_log_is_found_against_a_backup_s_recorded_head(
    logged, database_url, tmp_path
):
    """What the chain alone cannot see: every hash recomputed after an edit, or the newest entries deleted."""
    from weegtool.store.backup import backup

    manifest = tmp_path / "b.wgb.manifest.json"
    backup(database_url, tmp_path / "b.wgb")
    ids = _ids(logged)
    args = ["db", "verify", "--url", database_url, "--manifest", str(manifest)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    # an entry edited and every hash after it recomputed, as someone who knows the algorithm could
    with transaction(logged) as session:
        log = audit_entries(session)
        log[2].object_id = 4242
        before = log[1].hash
        for e in log[2:]:
            e.prev_hash = before
            e.hash = entry_hash(before, e.at, e.user_id, e.action, e.object_type, e.object_id)
            before = e.hash
    assert check_chain_ok(logged)  # the chain alone sees nothing wrong
    rewritten = CliRunner().invoke(cli, args)
    assert rewritten.exit_code == 1
    assert (
        f"audit entry {ids[-1]}: its hash differs from the head b.wgb.manifest.json recorded: "
        "the log was rewritten since"
    ) in rewritten.output
    _sql(logged, f"DELETE FROM audit_log WHERE id = {ids[-1]}")
    assert check_chain_ok(logged)
    cut = CliRunner().invoke(cli, args)
    assert cut.exit_code == 1
    assert (
        f"audit entry {ids[-1]}: gone, though b.wgb.manifest.json recorded it as the log's head"
    ) in cut.output


def check_chain_ok(sessions) -> bool:
    with transaction(sessions) as session:
        return check_chain(audit_entries(session)) == []


def test_verify_refuses_a_missing_sqlite_file_without_making_one_and_an_empty_database(tmp_path):
    # a mistyped path made an empty file and said "ok (0 tables)": a nightly check pointed at the
    # wrong place kept reporting success (review)
    from weegtool.store.verify import verify

    missing = tmp_path / "typo.sqlite3"
    found = verify(f"sqlite:///{missing}")
    assert not found.ok and found.problems == (f"no database file at {missing}",)
    assert not missing.exists()
    import sqlite3

    sqlite3.connect(tmp_path / "empty.sqlite3").close()
    empty = verify(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert not empty.ok and "holds no tables" in empty.problems[0]
