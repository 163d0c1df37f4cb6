"""Instrument versions in the database: the criteria text as loaded, its sha256, the one in force."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import instrument as core
from ..errors import NotFoundError, StoreError
from . import audit
from .models import Instrument, User

__all__ = [
    "add_instrument",
    "put_in_force",
    "instrument_in_force",
    "instrument_by_sha256",
    "list_instruments",
    "load",
]


def add_instrument(
    session: Session,
    text: str,
    *,
    in_force: bool = False,
    by: User | None = None,
    source: str = "criteria file",
    loaded: core.Instrument | None = None,
) -> Instrument:
    """Store a criteria file (validated first; the same content twice is stored once).

    ``loaded``: ``text`` already parsed by the caller (outside the writer's turn, say); it must be
    the instrument of ``text``.
    """
    if loaded is None:
        loaded = core.parse_instrument(text, source=source)
    row = session.scalar(select(Instrument).where(Instrument.sha256 == loaded.sha256))
    if row is None:
        row = Instrument(
            instrument_id=loaded.id,
            version=loaded.version,
            status=loaded.status,
            sha256=loaded.sha256,
            yaml_text=text,
            in_force=False,
        )
        session.add(row)
        audit.record(session, by, "instrument.add", row)
    if in_force:
        put_in_force(session, row, by=by)
    return row


def put_in_force(session: Session, row: Instrument, by: User | None = None) -> None:
    """Make ``row`` the version new referrals are attached to; referrals made before keep theirs."""
    session.execute(update(Instrument).where(Instrument.id != row.id).values(in_force=False))
    row.in_force = True
    audit.record(session, by, "instrument.in_force", row)


def instrument_in_force(session: Session) -> Instrument | None:
    return session.scalar(select(Instrument).where(Instrument.in_force.is_(True)))


def instrument_by_sha256(session: Session, sha256: str) -> Instrument:
    row = session.scalar(select(Instrument).where(Instrument.sha256 == sha256))
    if row is None:
        raise NotFoundError(f"no instrument with sha256 {sha256[:12]} in the database.")
    return row


def list_instruments(session: Session) -> list[Instrument]:
    """Every stored instrument version, the most recently added first."""
    return list(session.scalars(select(Instrument).order_by(Instrument.added_at.desc())))


def load(row: Instrument) -> core.Instrument:
    """The validated instrument of ``row``; refuses a text whose content no longer has the stored hash."""
    return _parsed(row.yaml_text, row.sha256)


@lru_cache(maxsize=16)
def _parsed(text: str, sha256: str) -> core.Instrument:
    loaded = core.parse_instrument(text, source=f"instrument {sha256[:12]} in the database")
    if loaded.sha256 != sha256:
        raise StoreError(
            f"The stored instrument {sha256[:12]} now hashes to {loaded.sha256[:12]}: "
            "its text was changed in the database."
        )
    return loaded
