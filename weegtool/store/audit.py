"""The audit log: who did what to which record, and when; a hash chain makes changes to it evident.

An entry holds a user id, an action from :data:`~weegtool.store.models.ACTIONS`,
a table name and a row id, and nothing else: no names, no ratings, no notes, so
no clinical content can reach the log.

Each entry also holds ``prev_hash``, the ``hash`` of the entry before it (``""``
for the first), and its own ``hash``: the sha256 of ``prev_hash`` and its
fields (:func:`entry_hash`). Someone who edits, deletes or reorders rows
directly in the database breaks the chain, and :func:`check_chain` says where.
Someone who recomputes every hash after an edit is not caught by the chain
alone: the head (last id and hash) is written into every backup's manifest,
so a chain that no longer runs through a recorded head is found by comparing
(see :mod:`weegtool.store.safekeeping`).

Writers take turns to append: on SQLite every writing transaction already
begins IMMEDIATE; on PostgreSQL :func:`record` takes a transaction-level
advisory lock, so two transactions never chain onto the same entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .models import ACTIONS, AuditEntry, Base, User, as_utc, utcnow

__all__ = [
    "record",
    "entries",
    "latest_entries",
    "entry_hash",
    "ChainProblem",
    "check_chain",
    "head",
]

# Any fixed number: the key of PostgreSQL's advisory lock that appending to the log takes.
_CHAIN_LOCK = 0x57_45_45_47


def entry_hash(
    prev_hash: str,
    at: Any,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
) -> str:
    """The sha256 (64 hex digits) of an entry's fields chained onto ``prev_hash``.

    ``at`` is taken as UTC to the microsecond, so the same entry hashes alike on SQLite (which gives the
    time back without its zone) and on PostgreSQL. The row id is not hashed: the chain, not the id, says
    where an entry belongs.
    """
    fields = [prev_hash, as_utc(at).isoformat(timespec="microseconds"), user_id, action]
    fields += [object_type, object_id]
    canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _last_hash(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return last or ""


def record(
    session: Session,
    user: User | None,
    action: str,
    target: Base | type[Base],
    *,
    object_id: int | None = None,
) -> AuditEntry:
    """Log that ``user`` (None: the system) did ``action`` to ``target``: a stored row, or a model (a table).

    ``object_id`` names a row of the model ``target`` that is no longer there (an erased candidate). The entry is chained onto the last one and written at once (flushed), so its id follows that entry's.
    """
    if action not in ACTIONS:
        raise ValueError(f"'action' must be one of {', '.join(ACTIONS)}; got {action!r}.")
    if not isinstance(target, type):
        session.flush()  # gives ``target`` its id
    fields: dict[str, Any] = {
        "at": utcnow(),
        "user_id": user.id if user else None,
        "action": action,
        "object_type": target.__tablename__,
        "object_id": object_id if isinstance(target, type) else getattr(target, "id", None),
    }
    prev = _last_hash(session)
    entry = AuditEntry(**fields, prev_hash=prev, hash=entry_hash(prev, **fields))
    session.add(entry)
    session.flush()
    return entry


def entries(
    session: Session, object_type: str | None = None, object_id: int | None = None
) -> list[AuditEntry]:
    """The log, oldest first; only the entries of one record when ``object_type`` and ``object_id`` are given."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    return list(session.scalars(query))


def latest_entries(session: Session, limit: int) -> list[AuditEntry]:
    """The ``limit`` most recent entries of the log, newest first."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def head(session: Session) -> tuple[int, str] | None:
    """The last entry's id and hash (None: the log is empty): what a backup's manifest records."""
    row = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


@dataclass(frozen=True)
class ChainProblem:
    """One break in the chain: the entry (row id) where it shows, and what was done to the log there.

    ``kind`` is ``"edited"`` (the entry's fields no longer give its hash), ``"missing"`` (the entry does
    not follow the one before it, nor any other entry: one or more entries before it were deleted) or
    ``"reordered"`` (it follows another entry than the one before it).
    """

    entry_id: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"audit entry {self.entry_id}: {self.kind}: {self.detail}"


def check_chain(rows: Iterable[AuditEntry | Any]) -> list[ChainProblem]:
    """Every break in the hash chain of ``rows`` (the log in id order), first to last; [] when it holds.

    Each row needs ``id``, ``at``, ``user_id``, ``action``, ``object_type``, ``object_id``, ``prev_hash``
    and ``hash`` (an :class:`AuditEntry` or a result row).
    """
    rows = list(rows)
    by_hash = {row.hash: row.id for row in rows}
    problems: list[ChainProblem] = []
    before = ""
    for row in rows:
        fields = (row.at, row.user_id, row.action, row.object_type, row.object_id)
        if entry_hash(row.prev_hash, *fields) != row.hash:
            problems.append(
                ChainProblem(
                    row.id, "edited", "its fields or hash were changed after it was written"
                )
            )
        if row.prev_hash != before:
            follows = by_hash.get(row.prev_hash)
            if follows is not None:
                detail = f"it was written after entry {follows}, not after the entry before it"
                problems.append(ChainProblem(row.id, "reordered", detail))
            else:
                detail = (
                    "it does not follow the entry before it: entries before it were deleted "
                    "(or the one before it rewritten with a new hash)"
                )
                problems.append(ChainProblem(row.id, "missing", detail))
        before = row.hash
    return problems
