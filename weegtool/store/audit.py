"""The audit log: who did what to which record, and when.

An entry holds a user id, an action from :data:`~weegtool.store.models.ACTIONS`,
a table name and a row id, and nothing else: no names, no ratings, no notes, so
no clinical content can reach the log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ACTIONS, AuditEntry, Base, User

__all__ = ["record", "entries", "latest_entries"]


def record(
    session: Session, user: User | None, action: str, target: Base | type[Base]
) -> AuditEntry:
    """Log that ``user`` (None: the system) did ``action`` to ``target``: a stored row, or a model (a table)."""
    if action not in ACTIONS:
        raise ValueError(f"'action' must be one of {', '.join(ACTIONS)}; got {action!r}.")
    if not isinstance(target, type):
        session.flush()  # gives ``target`` its id
    entry = AuditEntry(
        user_id=user.id if user else None,
        action=action,
        object_type=target.__tablename__,
        object_id=None if isinstance(target, type) else getattr(target, "id", None),
    )
    session.add(entry)
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
