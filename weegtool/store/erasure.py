"""Retention and erasure: a person's file kept for the configured years, erased when due or on request.

Youth-care files are kept twenty years from when each record was made
(Jeugdwet art. 7.3.8) and may be destroyed earlier on a written request
(art. 7.3.9). weegtool keeps one file per person (a candidate) and erases it
whole: a file's **retention date** is the day its newest record (the
referral, a rating, a note, an assessment) was made, plus the configured
years (:data:`RETENTION_YEARS`, ``WEEGTOOL_RETENTION_YEARS``). Erasing record
by record would leave an assessment without the ratings it was made on.

Erasing removes every row about the person: the referral, ratings,
submissions, notes, assessments with their signatures and reports, and any
current-resident row under the same pseudonym; any other table that refers to
a candidate (now or added later) through a foreign key is followed too. The
audit log keeps its entries (ids and actions, no content: the pseudonym is
gone with the candidate row) and gains one ``person.erase`` entry, so the
chain still verifies; an :class:`~weegtool.store.models.Erasure` row says
when, on which grounds, why, and by whom. On SQLite the freed pages are
overwritten (``secure_delete``) and the file is compacted (:func:`purge`), so
the pseudonym is not left in the file or its write-ahead log.

Backups made before an erasure still hold the person: they age out with the
backup rotation (see the README).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, delete, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..errors import InputError, NotAllowedError
from . import audit
from .locks import lock_candidate
from .lookup import one_by
from .messages import say
from .models import (
    ERASURE_GROUNDS,
    Assessment,
    Base,
    Candidate,
    Erasure,
    Note,
    Rating,
    User,
    as_utc,
)

__all__ = [
    "RETENTION_YEARS",
    "retention_years",
    "RetentionDate",
    "retention_dates",
    "erase_person",
    "confirm_eraser",
    "erase_on_request",
    "apply_retention",
    "purge",
]

RETENTION_YEARS = 20
"""Jeugdwet art. 7.3.8: twenty years from when a record was made, unless longer is needed."""


def retention_years(environ: Mapping[str, str] = os.environ) -> int:
    """``WEEGTOOL_RETENTION_YEARS`` (a whole number of at least 1), or :data:`RETENTION_YEARS`."""
    given = environ.get("WEEGTOOL_RETENTION_YEARS")
    if not given:
        return RETENTION_YEARS
    if not given.strip().isdigit() or int(given) < 1:
        raise InputError(
            f"WEEGTOOL_RETENTION_YEARS must be a whole number of years of at least 1; got {given!r}."
        )
    return int(given)


@dataclass(frozen=True)
class RetentionDate:
    """A person's file: its newest record's moment and the day it may be erased from."""

    candidate_id: int
    pseudonym: str
    newest_record: _dt.datetime  # aware, UTC
    erase_from: _dt.date

    def due(self, today: _dt.date) -> bool:
        return self.erase_from <= today


def _plus_years(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def retention_dates(session: Session, years: int = RETENTION_YEARS) -> list[RetentionDate]:
    """Every person's file with its retention date, soonest first.

    A file's newest record is the latest of its referral, ratings (also those a review kept as
    past ratings), notes, decisions, placements (recorded and ended) and waiting-list entries.
    """
    from .models import PastRating, Placement, WaitingEntry

    newest: dict[int, _dt.datetime] = {}
    sources: list[tuple[Any, Any]] = [
        (Candidate.id, Candidate.registered_at),
        (Rating.candidate_id, Rating.saved_at),
        (PastRating.candidate_id, PastRating.saved_at),
        (Note.candidate_id, Note.created_at),
        (Assessment.candidate_id, Assessment.finalised_at),
        (Placement.candidate_id, Placement.recorded_at),
        (Placement.candidate_id, Placement.ended_on),
        (WaitingEntry.candidate_id, WaitingEntry.added_at),
    ]
    for key, moment in sources:
        for candidate_id, at in session.execute(select(key, func.max(moment)).group_by(key)):
            if at is None:
                continue
            if not isinstance(at, _dt.datetime):  # a day (a placement's end): its start, UTC
                at = _dt.datetime.combine(at, _dt.time(), tzinfo=_dt.UTC)
            at = as_utc(at)
            newest[candidate_id] = max(newest.get(candidate_id, at), at)
    names = {cid: name for cid, name in session.execute(select(Candidate.id, Candidate.pseudonym))}
    dates = [
        RetentionDate(cid, names[cid], at, _plus_years(at.date(), years))
        for cid, at in newest.items()
    ]
    return sorted(dates, key=lambda d: (d.erase_from, d.pseudonym))


ERASERS = ("coordinator", "admin")
MAX_REASON = 500


def _check_erasers(requested_by: User | None, confirmed_by: User | None, grounds: str) -> None:
    if grounds == "retention":
        return
    people = [u for u in (requested_by, confirmed_by) if u is not None]
    if len(people) < 2 or people[0].id == people[1].id:
        raise NotAllowedError(say("erasure.two"))
    if {u.role for u in people} != set(ERASERS):
        roles = " + ".join(sorted(u.role for u in people))
        raise NotAllowedError(say("erasure.roles", roles=roles))


def erase_person(
    session: Session,
    pseudonym: str,
    *,
    reason: str,
    grounds: str = "request",
    requested_by: User | None = None,
    confirmed_by: User | None = None,
) -> Erasure:
    """Erase everything kept about the candidate ``pseudonym``; cannot be undone.

    ``grounds`` is ``'request'`` (the person's written request: ``requested_by`` and ``confirmed_by``
    are a coordinator and an administrator, two people) or ``'retention'`` (the retention date has
    passed; the system erases). ``reason`` is required and must not name the person: it may not
    contain the pseudonym.

    Raises
    ------
    NotFoundError
        No candidate has that pseudonym.
    NotAllowedError
        The two people are not a coordinator and an administrator.
    InputError
        The reason is blank or contains the pseudonym.
    """
    if grounds not in ERASURE_GROUNDS:
        raise InputError(f"'grounds' must be one of {', '.join(ERASURE_GROUNDS)}; got {grounds!r}.")
    candidate = one_by(session, Candidate.pseudonym, pseudonym, "candidate")
    lock_candidate(session, candidate)  # a save or decision on the file waits, then finds it gone
    _check_erasers(requested_by, confirmed_by, grounds)
    reason = reason.strip()
    if not reason:
        raise InputError(say("erasure.reason"))
    if pseudonym.lower() in reason.lower():
        raise InputError(say("erasure.named"))
    if len(reason) > MAX_REASON:
        raise InputError(say("erasure.long", max=MAX_REASON, n=len(reason)))
    cid = candidate.id
    session.expunge(candidate)
    for table, where in _rows_about(cid, candidate.pseudonym):
        session.execute(delete(table).where(where))
    erasure = Erasure(
        candidate_id=cid,
        grounds=grounds,
        reason=reason,
        requested_by=requested_by.id if requested_by else None,
        confirmed_by=confirmed_by.id if confirmed_by else None,
    )
    session.add(erasure)
    audit.record(session, requested_by, "person.erase", Candidate, object_id=cid)
    return erasure


def _rows_about(candidate_id: int, pseudonym: str) -> list[tuple[Table, ColumnElement[bool]]]:
    """Each table with the rows about the person, children before parents (the order to delete in).

    A row is about the person when it is the candidate's, names the pseudonym, or refers through a
    foreign key to a row about the person (assessments' signatures, for instance).
    """
    tables = Base.metadata.sorted_tables
    wheres: dict[str, ColumnElement[bool]] = {}
    for table in tables:
        conditions: list[ColumnElement[bool]] = []
        if table.name == Candidate.__tablename__:
            conditions.append(table.c.id == candidate_id)
        if (
            "pseudonym" in table.c
        ):  # pseudonyms are unique regardless of case: 'k00012' typed for K00012
            conditions.append(func.lower(table.c.pseudonym) == pseudonym.lower())
        for key in table.foreign_key_constraints:
            parent = key.referred_table
            if parent.name in wheres and parent is not table:
                (column,) = key.columns
                (element,) = key.elements
                chosen = select(element.column).where(wheres[parent.name])
                conditions.append(column.in_(chosen.scalar_subquery()))
        if conditions:
            wheres[table.name] = or_(*conditions)
    return [(t, wheres[t.name]) for t in reversed(tables) if t.name in wheres]


def purge(engine: Engine) -> None:
    """After an erasure on SQLite: no deleted row left in the file's free pages or its write-ahead log.

    Rewrites the file (``VACUUM``) and empties the write-ahead log (``wal_checkpoint(TRUNCATE)``); needs
    no other connection to be reading at that moment (the app's pages are quick; run it again otherwise).
    Does nothing on PostgreSQL, whose ``VACUUM`` reclaims dead rows on its own schedule.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        driver.execute("PRAGMA secure_delete = ON")
        driver.execute("VACUUM")
        busy = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        raw.close()
    if busy and busy[0]:
        raise InputError(
            "The erasure is saved, but another connection was reading: the write-ahead log could not be "
            "emptied. Run 'weegtool db purge' when the app is quiet."
        )


def confirm_eraser(session: Session, name: str, password: str, role: str) -> User:
    """The active ``role`` user ``name``, confirming an erasure with ``password``.

    A wrong password counts toward the account's lock like a failed log-in (the caller commits the count).

    Raises
    ------
    NotAllowedError
        Wrong name, password or role; :class:`~weegtool.errors.ThrottledError` while the account is locked.
    """
    from .users import authenticate

    user = authenticate(session, name, password)
    if user is None or user.role != role:
        raise NotAllowedError(say("erasure.password", role=role, name=name))
    return user


def erase_on_request(
    url: str,
    pseudonym: str,
    reason: str,
    *,
    coordinator: tuple[str, str],
    admin: tuple[str, str],
) -> Erasure:
    """Erase ``pseudonym``'s file at ``url`` on their request: a coordinator and an administrator, each
    ``(name, password)``, confirm it; committed, then purged from the SQLite file (:func:`purge`).

    A wrong password is counted toward that account's lock (and logged) even though nothing is erased.
    """
    from .db import make_engine, session_factory, transaction

    engine = make_engine(url)
    try:
        refused: NotAllowedError | None = None
        with transaction(session_factory(engine)) as session:  # committed: wrong passwords count
            try:
                by = confirm_eraser(session, *coordinator, "coordinator")
                second = confirm_eraser(session, *admin, "admin")
            except NotAllowedError as error:
                refused = error
        if refused is not None:
            raise refused
        with transaction(session_factory(engine)) as session:
            erasure = erase_person(
                session,
                pseudonym,
                reason=reason,
                requested_by=session.merge(by),
                confirmed_by=session.merge(second),
            )
        purge(engine)
        return erasure
    finally:
        engine.dispose()


def _actual_today() -> _dt.date:
    """The machine's date (a function, so that tests can move the clock)."""
    return _dt.date.today()


def apply_retention(
    url: str, *, years: int, today: _dt.date, backup_to: Path, key_file: Path | None = None
) -> list[RetentionDate]:
    """Back up ``url`` to ``backup_to`` (see :func:`~weegtool.store.backup.backup`), then erase every file
    whose retention date has come by ``today``; the erased ones, in the order erased.

    Nothing is erased when the backup fails.

    Raises
    ------
    InputError
        When ``today`` lies after the actual date: a retention date that has not come yet
        is no reason to erase (a mistyped ``--on 2999-01-01`` erased every file).
    """
    from .backup import backup

    if today > _actual_today():
        raise InputError(
            f"Retention is applied on today's date or a past one, not on {today.isoformat()}: "
            "nothing was erased."
        )
    from .db import make_engine, session_factory, transaction

    backup(url, backup_to, key_file=key_file)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            due = [d for d in retention_dates(session, years) if d.due(today)]
            for d in due:
                reason = f"bewaartermijn van {years} jaar verstreken op {d.erase_from.isoformat()}"
                erase_person(session, d.pseudonym, reason=reason, grounds="retention")
        if due:
            purge(engine)
        return due
    finally:
        engine.dispose()
