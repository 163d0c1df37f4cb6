"""Backups that can be trusted years later: written atomically, described by a manifest, optionally encrypted.

A backup is two files: ``OUT`` (the database copy: an SQLite file, or a
``pg_dump`` archive in its custom format; encrypted when a key is given) and
``OUT.manifest.json``, written last. Both are written under a temporary name
and renamed into place, so a backup stopped half-way leaves at most a
``.partial`` file and never a pair that looks complete; a copy without its
manifest is refused by :func:`restore`.

The manifest (:class:`Manifest`) records the schema revision, the row count
of every table, the sha256 of ``OUT`` and of the plain copy inside it, the
sha256 of every stored instrument and the audit log's head. The counts are
taken from the copy itself (SQLite) or from the same snapshot ``pg_dump``
dumps (PostgreSQL, ``pg_export_snapshot``), so they match what was saved.

Encryption is Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``)
with a key in a file of its own (:func:`new_key`), kept apart from the
backups: a key in the backup's own folder is refused.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, create_engine, insert, select, text
from sqlalchemy.engine import URL, make_url

from .. import __version__
from ..errors import StoreError
from .db import make_engine, shown_url, upgrade
from .verify import facts, verify, verify_connection

__all__ = [
    "BackupError",
    "Manifest",
    "backup",
    "restore",
    "read_manifest",
    "recorded_heads",
    "manifest_path",
    "new_key",
    "FORMAT",
]

FORMAT = 1
SUFFIX = ".manifest.json"


class BackupError(StoreError):
    """A backup cannot be made or restored; the message says which file and why."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written beside it as JSON.

    ``sha256`` is of the backup file as written (encrypted or not); ``content_sha256`` of the plain
    database copy. ``audit_head`` is ``[id, hash]`` of the last audit entry (None: an empty log).
    """

    format: int
    created_at: str  # ISO 8601, UTC
    weegtool_version: str
    backend: str  # 'sqlite' or 'postgresql'
    schema_revision: str | None
    row_counts: dict[str, int]
    instruments: list[str]
    audit_head: list[Any] | None
    encrypted: bool
    sha256: str
    content_sha256: str
    size: int  # bytes of the backup file


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + SUFFIX)


def new_key(path: Path) -> None:
    """Write a new Fernet key to ``path`` (owner-only); refuses to overwrite one."""
    from cryptography.fernet import Fernet

    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(Fernet.generate_key() + b"\n")
    except FileExistsError:
        raise BackupError(f"{path}: exists already; a key is never overwritten.") from None


def _fernet(key_file: Path, backup_file: Path) -> Any:
    from cryptography.fernet import Fernet

    key, folder = key_file.resolve(), backup_file.resolve().parent
    if key.parent == folder or folder in key.parents:
        raise BackupError(
            f"{key_file}: the key lies in the backup's folder; keep it apart from the backups."
        )
    with contextlib.suppress(FileNotFoundError):
        if key.stat().st_mode & 0o077:
            raise BackupError(
                f"{key_file}: others may read this key; make it the owner's only "
                f"(chmod 600 {key_file})."
            )
    try:
        return Fernet(key_file.read_bytes().strip())
    except FileNotFoundError:
        raise BackupError(
            f"{key_file}: no such key file; make one with 'weegtool db key {key_file}'."
        ) from None
    except ValueError:
        raise BackupError(f"{key_file}: not a key made by 'weegtool db key'.") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (0600), atomically: a person's data or a
    backup never lies world-readable, not even for a moment, nor half-written under its name."""
    _write_atomically(path, data)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    _sync_folder(path.parent)


def _sync_file(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- making a backup -----------------------------------------------------------------------------------------


def backup(url: str, out: Path, *, key_file: Path | None = None) -> Manifest:
    """Back up the database at ``url`` to ``out`` and ``out.manifest.json``, while the app may be running.

    Raises
    ------
    BackupError
        If ``out`` or its manifest exists already, its folder does not, ``pg_dump`` is missing or fails,
        or the key file cannot be used.
    """
    out = Path(out)
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent}: no such folder.")
    for path in (out, manifest_path(out)):
        if path.exists():
            raise BackupError(f"{path}: exists already; a backup never overwrites one.")
    fernet = _fernet(key_file, out) if key_file else None
    backend = make_url(url).get_backend_name()
    with tempfile.TemporaryDirectory(prefix=".weegtool-backup-", dir=out.parent) as work:
        plain = Path(work) / "copy"
        found = _copy_sqlite(url, plain) if backend == "sqlite" else _dump_postgresql(url, plain)
        content_sha256 = _sha256(plain)
        if (
            fernet is None
        ):  # the copy itself, renamed into place: no second copy, nothing held in memory
            os.chmod(
                plain, 0o600
            )  # health data: readable by the owner only, as the database itself
            _sync_file(plain)
            os.replace(plain, out)
            _sync_folder(out.parent)
            sha256 = content_sha256
        else:  # Fernet encrypts a whole message at once
            data = fernet.encrypt(plain.read_bytes())
            _write_atomically(out, data)
            sha256 = hashlib.sha256(data).hexdigest()
    manifest = Manifest(
        format=FORMAT,
        created_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        weegtool_version=__version__,
        backend=backend,
        schema_revision=found["schema_revision"],  # type: ignore[arg-type]
        row_counts=found["row_counts"],  # type: ignore[arg-type]
        instruments=found["instruments"],  # type: ignore[arg-type]
        audit_head=found["audit_head"],  # type: ignore[arg-type]
        encrypted=fernet is not None,
        sha256=sha256,
        content_sha256=content_sha256,
        size=out.stat().st_size,
    )
    text_ = json.dumps(asdict(manifest), indent=2, sort_keys=True) + "\n"
    _write_atomically(manifest_path(out), text_.encode("utf-8"))
    return manifest


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{shown_url(url)}: an SQLite database in memory cannot be backed up.")
    path = Path(database)
    if not path.is_file():
        raise BackupError(f"{path}: no such database file.")
    return path


def _copy_sqlite(url: str, target: Path) -> dict[str, object]:
    """SQLite's online backup API: one consistent copy while others read and write (WAL)."""
    source = sqlite3.connect(f"file:{_sqlite_file(url)}?mode=ro", uri=True, timeout=15.0)
    copy = sqlite3.connect(target)
    try:
        source.backup(
            copy
        )  # all pages in one step, under one read transaction: one consistent snapshot
        copy.execute(
            "PRAGMA journal_mode = DELETE"
        )  # a single self-contained file, no -wal beside it
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return facts(connection)
    finally:
        engine.dispose()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for ``url`` (no password in it) and the environment giving the password."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string(hide_password=False), env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name}: not found; install PostgreSQL's client programs (Debian: postgresql-client)."
        )
    return found


def _dump_postgresql(url: str, target: Path) -> dict[str, object]:
    """``pg_dump`` of the snapshot the manifest's counts are taken in (``pg_export_snapshot``)."""
    dsn, env = _libpq(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            found = facts(connection)
            args = [_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            args += [f"--snapshot={snapshot}", f"--file={target}", f"--dbname={dsn}"]
            done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
            connection.exec_driver_sql("COMMIT")
    finally:
        engine.dispose()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed ({done.returncode}): {done.stderr.strip()}")
    return found


# --- restoring ----------------------------------------------------------------------------------------------


def read_manifest(backup_file: Path) -> Manifest:
    """The manifest beside ``backup_file``; refused when it is missing or not a weegtool manifest."""
    path = manifest_path(backup_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except FileNotFoundError:
        raise BackupError(
            f"{path}: missing; without its manifest {backup_file.name} is an incomplete backup."
        ) from None
    except (ValueError, TypeError) as exc:
        raise BackupError(f"{path}: not a weegtool backup manifest ({exc}).") from None
    if manifest.format != FORMAT:
        raise BackupError(
            f"{path}: manifest format {manifest.format}; this weegtool reads {FORMAT}."
        )
    return manifest


def recorded_heads(manifests: Iterable[Path]) -> list[tuple[str, list[Any] | None]]:
    """``(manifest file name, audit head)`` of each manifest, for :func:`~weegtool.store.verify.verify`."""
    heads = []
    for path in manifests:
        try:
            head = json.loads(Path(path).read_text(encoding="utf-8"))["audit_head"]
        except (ValueError, KeyError, TypeError):
            raise BackupError(f"{path}: not a weegtool backup manifest.") from None
        heads.append((Path(path).name, head))
    return heads


def _plain_copy(backup_file: Path, manifest: Manifest, key_file: Path | None, to: Path) -> None:
    """Check ``backup_file`` against its manifest, decrypt it if need be and write the plain copy to ``to``."""
    if not backup_file.is_file():
        raise BackupError(f"{backup_file}: no such backup file.")
    if _sha256(backup_file) != manifest.sha256:
        raise BackupError(
            f"{backup_file}: its sha256 differs from the manifest's: damaged or not this backup."
        )
    data = backup_file.read_bytes()
    if manifest.encrypted:
        if key_file is None:
            raise BackupError(f"{backup_file}: encrypted; give its key with --key-file.")
        from cryptography.fernet import InvalidToken

        try:
            data = _fernet(key_file, backup_file).decrypt(data)
        except InvalidToken:
            raise BackupError(
                f"{backup_file}: {key_file} is not the key it was made with."
            ) from None
    if hashlib.sha256(data).hexdigest() != manifest.content_sha256:
        raise BackupError(f"{backup_file}: the content's sha256 differs from the manifest's.")
    to.write_bytes(data)


def _compare(found: dict[str, object], manifest: Manifest, where: str) -> None:
    wanted = {
        "schema_revision": manifest.schema_revision,
        "row_counts": manifest.row_counts,
        "instruments": manifest.instruments,
        "audit_head": manifest.audit_head,
    }
    differ = [name for name, value in wanted.items() if found[name] != value]
    if differ:
        detail = "; ".join(f"{n}: manifest {wanted[n]!r}, found {found[n]!r}" for n in differ)
        raise BackupError(f"{where} differs from the manifest: {detail}")


def _empty_target(url: str) -> None:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        database = make_url(url).database
        if not database or database == ":memory:":
            raise BackupError("Restore into an SQLite file, not into memory.")
        path = Path(database)
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(
                f"{path}: exists and is not empty; a restore goes into an empty database only."
            )
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = (
                connection.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"{shown_url(url)}: holds tables ({', '.join(sorted(tables))}); a restore goes into an "
            "empty database only."
        )


def restore(backup_file: Path, url: str, *, key_file: Path | None = None) -> Manifest:
    """Restore ``backup_file`` into the empty database at ``url``, checked against its manifest before and after.

    An SQLite backup restores into SQLite (the file) or into PostgreSQL (its rows, into the schema
    revision it was made at); a PostgreSQL backup restores into PostgreSQL (``pg_restore``).

    Raises
    ------
    BackupError
        If the manifest is missing, the file's or content's sha256 differs from it, the key is missing or
        wrong, the target database is not empty, or the restored database differs from the manifest or
        fails :func:`~weegtool.store.verify.verify`.
    """
    backup_file = Path(backup_file)
    manifest = read_manifest(backup_file)
    target = make_url(url).get_backend_name()
    if manifest.backend == "postgresql" and target != "postgresql":
        raise BackupError(f"{backup_file}: a PostgreSQL backup restores into PostgreSQL only.")
    _empty_target(url)
    with tempfile.TemporaryDirectory(prefix=".weegtool-restore-") as work:
        plain = Path(work) / "copy"
        _plain_copy(backup_file, manifest, key_file, plain)
        if manifest.backend == "sqlite":
            _check_sqlite_copy(plain, manifest, backup_file)
            if target == "sqlite":
                _place_sqlite(plain, Path(str(make_url(url).database)))
            else:
                _rows_into_postgresql(plain, url, manifest)
        else:
            _pg_restore(plain, url)
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as connection:
            _compare(facts(connection), manifest, f"the restored database {shown_url(url)}")
    finally:
        engine.dispose()
    found = verify(url)
    if not found.ok:
        raise BackupError(f"{shown_url(url)}: restored, but: " + "; ".join(found.problems))
    return manifest


def _check_sqlite_copy(plain: Path, manifest: Manifest, backup_file: Path) -> None:
    engine = create_engine(f"sqlite:///{plain}")
    try:
        with engine.connect() as connection:
            _compare(facts(connection), manifest, str(backup_file))
            problems, _ = verify_connection(connection)
    finally:
        engine.dispose()
    if problems:
        raise BackupError(f"{backup_file}: " + "; ".join(problems))


def _place_sqlite(plain: Path, path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        shutil.copyfile(plain, partial)
        os.chmod(partial, 0o600)
        _sync_file(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    _sync_folder(path.parent)


@contextlib.contextmanager
def _connect(url: str) -> Iterator[Connection]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def _rows_into_postgresql(plain: Path, url: str, manifest: Manifest) -> None:
    """The SQLite copy's rows into PostgreSQL at the same schema revision, in one transaction."""
    upgrade(url, manifest.schema_revision or "base")
    source = MetaData()
    with _connect(f"sqlite:///{plain}") as reading, _connect(url) as writing:
        source.reflect(reading)
        writing.exec_driver_sql("SET TIME ZONE 'UTC'")  # SQLite's times are UTC without their zone
        target = MetaData()
        target.reflect(writing)
        for table in target.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = [c for c in source.tables[table.name].primary_key.columns]
            rows = [
                dict(r._mapping)
                for r in reading.execute(select(source.tables[table.name]).order_by(*order))
            ]
            if rows:
                writing.execute(insert(table), rows)
            if "id" in table.c and table.c.id.autoincrement:
                writing.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                    )
                )


def _pg_restore(plain: Path, url: str) -> None:
    dsn, env = _libpq(url)
    args = [_program("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction"]
    args += ["--exit-on-error", f"--dbname={dsn}", str(plain)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed ({done.returncode}): {done.stderr.strip()}")
