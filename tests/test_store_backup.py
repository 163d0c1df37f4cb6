"""Backups: made while raters save, restored into fresh SQLite and PostgreSQL with every acknowledged save;
refused when incomplete, damaged, encrypted without the key or aimed at a database that is not empty."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import weegtool
from weegtool.cli import cli
from weegtool.store import (
    ItemRating,
    db,
    get_candidate,
    register_referral,
    save_ratings,
    transaction,
)
from weegtool.store.backup import (
    BackupError,
    backup,
    manifest_path,
    new_key,
    read_manifest,
    restore,
)
from weegtool.store.models import Rating
from weegtool.store.verify import verify

from .conftest import TWENTE, _postgres_database
from .store_factories import make_user

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cohort(sessions):
    """Raters R1..R3 and candidates K1, K2."""
    with transaction(sessions) as session:
        coordinator = make_user(session, "coordinator", "coordinator")
        raters = [make_user(session, f"R{n}") for n in (1, 2, 3)]
        for name in ("K1", "K2"):
            register_referral(session, name, by=coordinator, age=15)
    return raters


def _round_of(note: str) -> int:
    return int(note.removeprefix("round "))


def _saves_under_load(
    sessions, raters, until: threading.Event, acknowledged: dict
) -> list[threading.Thread]:
    """Each rater saves all items of K1 and K2 round after round (the round in each note) until ``until``;
    ``acknowledged[(rater, candidate)]`` is the last round whose commit returned."""
    items = list(weegtool.load_instrument(TWENTE).item_ids)

    def save(rater):
        round_ = 0
        while not until.is_set():
            round_ += 1
            for name in ("K1", "K2"):
                with transaction(sessions) as session:
                    ratings = [ItemRating(item, 1, note=f"round {round_}") for item in items]
                    save_ratings(session, get_candidate(session, name), rater, ratings)
                acknowledged[(rater.id, name)] = round_

    threads = [threading.Thread(target=save, args=(r,)) for r in raters]
    for thread in threads:
        thread.start()
    return threads


def _stored_rounds(url: str) -> dict[tuple[int, str], set[int]]:
    engine = db.make_engine(url)
    try:
        with transaction(db.session_factory(engine)) as session:
            rounds: dict[tuple[int, str], set[int]] = {}
            for rating in session.scalars(select(Rating)):
                name = "K1" if rating.candidate_id == 1 else "K2"
                rounds.setdefault((rating.rater_id, name), set()).add(_round_of(rating.note))
            return rounds
    finally:
        engine.dispose()


def _restore_targets(backend, request, tmp_path):
    """Where a backup of ``backend`` restores to: a fresh SQLite file (of an SQLite backup) and a fresh
    PostgreSQL database (of either)."""
    server = request.getfixturevalue("postgres_server")
    postgres = _postgres_database(server)
    targets = [next(postgres)]
    if backend == "sqlite":
        targets.insert(0, f"sqlite:///{tmp_path / 'restored' / 'weegtool.sqlite3'}")
    return targets, postgres


@pytest.fixture
def fresh(backend, request, tmp_path):
    """A new, empty database of ``backend`` to restore into."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh' / 'weegtool.sqlite3'}"
        return
    yield from _postgres_database(request.getfixturevalue("postgres_server"))


def test_a_backup_under_load_restores_every_acknowledged_save(
    cohort, sessions, database_url, backend, request, tmp_path
):
    until, acknowledged = threading.Event(), {}
    threads = _saves_under_load(sessions, cohort, until, acknowledged)
    try:
        while len(acknowledged) < 6 or min(acknowledged.values()) < 2:
            until.wait(0.05)
        before = dict(acknowledged)
        manifest = backup(database_url, tmp_path / "nightly.wgb")
        after = dict(acknowledged)
    finally:
        until.set()
        for thread in threads:
            thread.join()
    assert manifest.backend == backend and manifest.schema_revision == db.current_revision(
        database_url
    )
    targets, postgres = _restore_targets(backend, request, tmp_path)
    try:
        for url in targets:
            restore(tmp_path / "nightly.wgb", url)
            rounds = _stored_rounds(url)
            for key, acked in before.items():
                # each save is one transaction: all items of one round, at least the acknowledged one
                (stored,) = rounds[key]
                assert acked <= stored <= after[key] + 1, (url, key)
            assert verify(url).ok
            assert sum(len(r) for r in rounds.values()) == 6
    finally:
        next(postgres, None)


def test_an_encrypted_backup_needs_its_key_and_restores_with_it(
    cohort, database_url, fresh, tmp_path
):
    keys = tmp_path / "keys"
    keys.mkdir()
    new_key(keys / "backup.key")
    out = tmp_path / "backups" / "b.wgb"
    out.parent.mkdir()
    manifest = backup(database_url, out, key_file=keys / "backup.key")
    assert manifest.encrypted and b"SQLite format" not in out.read_bytes()[:64]
    assert b"coordinator" not in out.read_bytes()
    target = fresh
    with pytest.raises(BackupError, match="encrypted; give its key with --key-file"):
        restore(out, target)
    new_key(keys / "other.key")
    with pytest.raises(BackupError, match=r"other\.key is not the key it was made with"):
        restore(out, target, key_file=keys / "other.key")
    restore(out, target, key_file=keys / "backup.key")
    assert verify(target).ok


@pytest.mark.parametrize("backend", ["sqlite"])
def test_refusals_name_the_file_and_the_reason(cohort, database_url, tmp_path):
    out = tmp_path / "b.wgb"
    backup(database_url, out)
    bk = tmp_path / "bk"  # a folder of backups beside (not above) the keys' folders
    bk.mkdir()
    cases = [
        (lambda: backup(database_url, out), "exists already; a backup never overwrites one"),
        (lambda: backup(database_url, tmp_path / "nowhere" / "b"), "no such folder"),
        (
            lambda: backup(database_url, bk / "c", key_file=tmp_path / "keys" / "k"),
            "no such key file",
        ),
        (
            lambda: restore(out, database_url),
            "exists and is not empty; a restore goes into an empty",
        ),
        (lambda: restore(out, "sqlite://"), "not into memory"),
    ]
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "k2").write_text("not a key")
    (tmp_path / "keys" / "k2").chmod(0o600)
    (tmp_path / "k3").write_text("not a key")
    (tmp_path / "apart").mkdir()
    new_key(tmp_path / "apart" / "open")
    (tmp_path / "apart" / "open").chmod(0o644)
    elsewhere = tmp_path / "apart" / "backups"
    elsewhere.mkdir()
    (elsewhere / "sub").mkdir()
    new_key(elsewhere / "sub" / "k4")
    # a key in a subfolder of the backups' folder, or readable by others, is not kept apart (break-it probe)
    cases += [
        (
            lambda: backup(database_url, elsewhere / "e", key_file=elsewhere / "sub" / "k4"),
            "key lies in the backup's folder",
        ),
        (
            lambda: backup(database_url, bk / "d", key_file=tmp_path / "apart" / "open"),
            "others may read this key; make it the owner's only",
        ),
        (
            lambda: backup(database_url, tmp_path / "d", key_file=tmp_path / "k3"),
            "key lies in the backup's folder",
        ),
        (
            lambda: backup(database_url, bk / "d", key_file=tmp_path / "keys" / "k2"),
            "not a key made by",
        ),
    ]
    for call, message in cases:
        with pytest.raises(BackupError, match=message):
            call()
    damaged = tmp_path / "damaged.wgb"
    damaged.write_bytes(out.read_bytes()[:-1] + b"x")
    manifest_path(damaged).write_text(manifest_path(out).read_text())
    with pytest.raises(BackupError, match="sha256 differs from the manifest's"):
        restore(damaged, f"sqlite:///{tmp_path / 'r.sqlite3'}")
    lying = json.loads(manifest_path(out).read_text())
    lying["row_counts"]["ratings"] += 1
    (tmp_path / "lying.wgb").write_bytes(out.read_bytes())
    manifest_path(tmp_path / "lying.wgb").write_text(json.dumps(lying))
    with pytest.raises(BackupError, match=r"differs from the manifest: row_counts"):
        restore(tmp_path / "lying.wgb", f"sqlite:///{tmp_path / 'r.sqlite3'}")
    assert not (tmp_path / "r.sqlite3").exists()  # checked before it was put in place


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_postgresql_database_that_is_not_empty_is_refused(cohort, database_url, tmp_path):
    out = tmp_path / "b.wgb"
    backup(database_url, out)
    with pytest.raises(
        BackupError, match=r"holds tables \(alembic_version, .*\); a restore goes into an empty"
    ):
        restore(out, database_url)
    with pytest.raises(BackupError, match="a PostgreSQL backup restores into PostgreSQL only"):
        restore(out, f"sqlite:///{tmp_path / 'r.sqlite3'}")


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from weegtool.store.backup import backup

    calls, kill_at = [0], int(sys.argv[3])
    real_fsync = os.fsync

    def fsync(fd):
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        real_fsync(fd)

    os.fsync = fsync
    backup(sys.argv[1], Path(sys.argv[2]))
    """
)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("kill_at", [1, 2, 3, 4])
def test_a_backup_killed_half_way_leaves_nothing_that_looks_complete(
    cohort, database_url, tmp_path, kill_at
):
    """Killed at each fsync in turn: while the data file is written, after it is renamed into place, while the
    manifest is written and before the folder holding it is synced."""
    out = tmp_path / "b.wgb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, database_url, str(out), str(kill_at)], env=env, check=False
    )
    assert done.returncode == -signal.SIGKILL
    if kill_at < 4:
        assert not manifest_path(out).exists()
        with pytest.raises(BackupError, match=r"incomplete backup|no such backup file"):
            restore(out, f"sqlite:///{tmp_path / 'r.sqlite3'}")
    else:  # the manifest was renamed into place before the kill: complete, and it restores
        read_manifest(out)
        restore(out, f"sqlite:///{tmp_path / 'r.sqlite3'}")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert all(".partial" in name or name.startswith(".weegtool-backup-") for name in leftovers)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_cli_backs_up_restores_and_verifies(cohort, database_url, tmp_path):
    runner = CliRunner()
    out = tmp_path / "b.wgb"
    done = runner.invoke(cli, ["db", "backup", str(out), "--url", database_url])
    assert out.stat().st_mode & 0o077 == 0 and manifest_path(out).stat().st_mode & 0o077 == 0
    head = db.current_revision(database_url)  # the newest migration, whichever branch added it last
    assert done.exit_code == 0 and f"schema {head}" in done.output and "sha256 " in done.output
    again = runner.invoke(cli, ["db", "backup", str(out), "--url", database_url])
    assert again.exit_code == 2 and "exists already" in again.output
    target = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    done = runner.invoke(cli, ["db", "restore", str(out), "--url", target])
    assert done.exit_code == 0 and "match the manifest" in done.output
    done = runner.invoke(cli, ["db", "verify", "--url", target])
    assert done.exit_code == 0 and done.output.endswith("audit entries).\n")
