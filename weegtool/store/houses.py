"""Houses and their current residents (pseudonymised), kept by the coordinator.

A house's residents are of two kinds: those typed in by hand (the start of
the pilot; :class:`~weegtool.store.models.Resident`) and those placed after a
decision (:mod:`weegtool.store.placements`). Every composition check sees both.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import composition as core
from ..errors import InputError
from . import audit
from .lookup import one_by
from .messages import say
from .models import House, Resident, User
from .referrals import PSEUDONYM

__all__ = [
    "save_house",
    "delete_house",
    "houses",
    "get_house",
    "core_houses",
    "ShownResident",
    "house_residents",
]


def save_house(session: Session, house: core.House, *, by: User) -> House:
    """Store ``house`` (a :class:`weegtool.House`, e.g. from :func:`weegtool.load_houses`), replacing its residents."""
    problems = []
    if not PSEUDONYM.fullmatch(house.id):
        problems.append(say("house.code", got=house.id[:60]))
    if house.capacity < 1:
        problems.append(say("house.capacity", got=house.capacity))
    problems += [
        say("resident.pseudonym", got=r.id[:60])
        for r in house.residents
        if not PSEUDONYM.fullmatch(r.id)
    ]
    problems += [say("resident.twice", got=i) for i in house.repeated_residents]
    if problems:
        raise InputError.collect(f"house {house.id[:60]!r}", problems)
    row = session.scalar(select(House).where(House.code == house.id)) or House(code=house.id)
    row.capacity, row.staff_on_duty = house.capacity, house.staff_on_duty
    row.age_min, row.age_max = house.age_range if house.age_range else (None, None)
    if row.residents:
        row.residents = []
        session.flush()  # the old residents go before the new ones come, whose pseudonyms may be the same
    row.residents = [
        Resident(pseudonym=r.id, age=r.age, flags=sorted(r.flags), main_problem=r.main_problem)
        for r in house.residents
    ]
    session.add(row)
    audit.record(session, by, "house.save", row)
    return row


def get_house(session: Session, code: str) -> House:
    """The house with ``code``, its residents loaded."""
    row: House = one_by(session, House.code, code, "house", selectinload(House.residents))
    return row


def delete_house(session: Session, code: str, *, by: User) -> None:
    """Remove the house ``code`` with its residents (a house that closes; its past assessments keep their report)."""
    from .placements import open_placements

    row = one_by(session, House.code, code, "house")
    living = sorted(p.candidate.pseudonym for p in open_placements(session) if p.house_id == row.id)
    if living:
        raise InputError.collect(
            f"house {code!r}", [say("house.placed", house=code, residents=", ".join(living))]
        )
    audit.record(session, by, "house.delete", row)
    session.delete(row)
    session.flush()


def houses(session: Session) -> list[House]:
    """Every stored house by code, its residents loaded."""
    return list(
        session.scalars(select(House).options(selectinload(House.residents)).order_by(House.code))
    )


def core_houses(session: Session) -> tuple[core.House, ...]:
    """Every stored house as the core's :class:`weegtool.House`, for the composition check.

    Its residents are the hand-typed ones, then those placed in it whose placement has not ended.
    """
    from .placements import placed_residents

    rows: Sequence[House] = houses(session)
    placed = placed_residents(session)
    return tuple(
        core.House(
            id=row.code,
            capacity=row.capacity,
            staff_on_duty=row.staff_on_duty,
            age_range=(row.age_min, row.age_max)
            if row.age_min is not None and row.age_max is not None
            else None,
            residents=tuple(
                core.Resident(r.pseudonym, r.age, tuple(r.flags), r.main_problem)
                for r in row.residents
            )
            + tuple(placed.get(row.id, ())),
        )
        for row in rows
    )


@dataclass(frozen=True)
class ShownResident:
    """A resident as the houses page lists them: ``since`` None for one typed in by hand."""

    pseudonym: str
    age: int | None
    flags: tuple[str, ...]
    since: _dt.date | None = None

    @property
    def by_hand(self) -> bool:
        return self.since is None


def house_residents(session: Session) -> dict[str, list[ShownResident]]:
    """Per house code, its residents: the hand-typed ones first, then the placed ones by start."""
    from .placements import open_placements

    out: dict[str, list[ShownResident]] = {
        row.code: [ShownResident(r.pseudonym, r.age, tuple(r.flags)) for r in row.residents]
        for row in houses(session)
    }
    for p in reversed(open_placements(session)):
        if p.house is not None:
            out.setdefault(p.house.code, []).append(
                ShownResident(
                    p.candidate.pseudonym, p.candidate.age, tuple(p.candidate.flags), p.started_on
                )
            )
    return out
