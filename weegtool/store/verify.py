"""Is the database whole? Its pages, its foreign keys and the audit log's hash chain, checked.

:func:`verify` is what ``weegtool db verify`` runs, and what a restore runs
after restoring. It reads only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, MetaData, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from .audit import check_chain
from .db import make_engine, shown_url

__all__ = ["Verification", "verify", "verify_connection", "facts"]


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found: ``problems`` (empty: the database is whole) and what it checked."""

    url: str  # password hidden
    problems: tuple[str, ...]
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(url: str, heads: Sequence[tuple[str, list[Any] | None]] = ()) -> Verification:
    """Check the database at ``url``: SQLite's ``integrity_check``, every foreign key, the audit chain, and
    that the chain still runs through each recorded head.

    ``heads`` are ``(where, [id, hash])`` pairs, e.g. from backups' manifests: the audit entry with that id
    must still have that hash. This finds what the chain alone cannot: its newest entries cut off, or the
    whole chain rewritten with new hashes.

    Raises nothing for what it finds: the problems are listed, one sentence each, naming the table and row
    (or audit entry) where each shows.
    """
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    # connecting would make an empty file that "verifies": a mistyped path is said, not created
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).is_file():
        return Verification(shown_url(url), (f"no database file at {file}",), {"tables": 0})
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as connection:
            problems, checked = verify_connection(connection)
            problems += _check_heads(connection, heads)
    finally:
        engine.dispose()
    if not checked.get("tables"):
        problems.insert(
            0, "the database holds no tables: not a weegtool database (or never set up)"
        )
    if heads:
        checked["recorded heads"] = len(heads)
    return Verification(shown_url(url), tuple(problems), checked)


def _check_heads(
    connection: Connection, heads: Sequence[tuple[str, list[Any] | None]]
) -> list[str]:
    problems = []
    for where, head in heads:
        if not head:
            continue
        entry_id, digest = head
        found = connection.execute(
            text("SELECT hash FROM audit_log WHERE id = :id"), {"id": entry_id}
        ).scalar()
        if found is None:
            problems.append(
                f"audit entry {entry_id}: gone, though {where} recorded it as the log's head"
            )
        elif found != digest:
            problems.append(
                f"audit entry {entry_id}: its hash differs from the head {where} recorded: "
                "the log was rewritten since"
            )
    return problems


def verify_connection(connection: Connection) -> tuple[list[str], dict[str, int]]:
    """:func:`verify` on an open connection: (problems, counts of what was checked)."""
    problems: list[str] = []
    if connection.dialect.name == "sqlite":
        found = [r[0] for r in connection.exec_driver_sql("PRAGMA integrity_check").all()]
        problems += [f"integrity_check: {line}" for line in found if line != "ok"]
    metadata = MetaData()
    metadata.reflect(connection)
    problems += _orphans(connection, metadata)
    checked = {"tables": len(metadata.tables), "foreign keys": _n_keys(metadata)}
    if "audit_log" in metadata.tables:
        log = metadata.tables["audit_log"]
        rows = connection.execute(select(log).order_by(log.c.id)).all()
        problems += [str(p) for p in check_chain(rows)]
        checked["audit entries"] = len(rows)
    return problems, checked


def _n_keys(metadata: MetaData) -> int:
    return sum(len(t.foreign_key_constraints) for t in metadata.tables.values())


def _orphans(connection: Connection, metadata: MetaData) -> list[str]:
    """Rows whose foreign key names a row that does not exist (checked here, not trusted to the database:
    SQLite enforces keys only on connections that switched them on, PostgreSQL not under replication role)."""
    problems = []
    for child in metadata.sorted_tables:
        for key in child.foreign_key_constraints:
            parent = key.referred_table
            columns = list(key.columns)
            targets = [element.column for element in key.elements]
            match = select(parent).where(*(t == c for t, c in zip(targets, columns, strict=True)))
            query = (
                select(func.count())
                .select_from(child)
                .where(*(c.is_not(None) for c in columns), ~match.exists())
            )
            n = connection.execute(query).scalar_one()
            if n:
                names = ", ".join(c.name for c in columns)
                problems.append(
                    f"foreign key: {n} row(s) of {child.name} name a {parent.name} row that does "
                    f"not exist ({names})"
                )
    return problems


def facts(connection: Connection) -> dict[str, object]:
    """What a backup's manifest records of a database: schema revision, row counts per table, the sha256 of
    each stored instrument and the audit log's head (last id and hash)."""
    names = sorted(n for n in inspect(connection).get_table_names() if n != "alembic_version")
    counts = {
        name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in names
    }
    revision = None
    if "alembic_version" in inspect(connection).get_table_names():
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    instruments: list[str] = []
    head = None
    if "instruments" in names:
        instruments = sorted(connection.exec_driver_sql("SELECT sha256 FROM instruments").scalars())
    if "audit_log" in names:
        row = connection.exec_driver_sql(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
        ).first()
        head = None if row is None else [row[0], row[1]]
    return {
        "schema_revision": revision,
        "row_counts": counts,
        "instruments": instruments,
        "audit_head": head,
    }


def backend_of(url: str) -> str:
    return make_url(url).get_backend_name()
