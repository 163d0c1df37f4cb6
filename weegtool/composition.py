"""Candidate + current residents -> composition conflicts.

A house (read from a YAML or CSV file by :mod:`weegtool.io.houses`) gives its
capacity, the professionals on duty, an optional age range, and its current
residents, pseudonymised: a resident id, age, composition-relevant flags and
main problem domain. The instrument's ``composition`` rules are checked for
the group the candidate would join; each conflict says which rule, who and
why, with the numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .instrument import CompositionRule, Instrument

__all__ = ["House", "Resident", "Profile", "Conflict", "check_composition", "without_resident"]


@dataclass(frozen=True)
class Resident:
    id: str
    age: int | None = None
    flags: tuple[str, ...] = ()
    main_problem: str | None = None


@dataclass(frozen=True)
class House:
    id: str
    capacity: int
    staff_on_duty: int | None = None
    age_range: tuple[int, int] | None = None
    residents: tuple[Resident, ...] = ()

    @property
    def free_places(self) -> int:
        return max(self.capacity - len(self.residents), 0)

    @property
    def repeated_residents(self) -> list[str]:
        """Resident ids listed more than once (a resident counted twice fills two places)."""
        ids = [r.id for r in self.residents]
        return sorted({i for i in ids if ids.count(i) > 1})


def without_resident(houses: House | Iterable[House], resident_id: str) -> list[House]:
    """``houses`` as a list with ``resident_id`` taken out of every house's residents.

    A resident under review is judged against the group as it would be without them: they do not
    fill their own place, nor conflict with themselves.
    """
    given = [houses] if isinstance(houses, House) else list(houses)
    return [
        replace(h, residents=tuple(r for r in h.residents if r.id != resident_id)) for h in given
    ]


@dataclass(frozen=True)
class Profile:
    """What the composition rules need to know of a candidate."""

    id: str
    age: int | None = None
    flags: tuple[str, ...] = ()
    main_problem: str | None = None


@dataclass(frozen=True)
class Conflict:
    """A composition rule the candidate's joining would break."""

    rule: str
    type: str
    severity: str
    house: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def hard(self) -> bool:
        return self.severity == "hard"


def check_composition(
    instrument: Instrument, candidate: Profile, house: House
) -> tuple[Conflict, ...]:
    """Every composition rule of ``instrument`` that ``candidate`` joining ``house`` would break."""
    return tuple(
        conflict
        for rule in instrument.spec.composition
        for conflict in _CHECKS[rule.type](instrument, rule, candidate, house)
    )


def _conflict(rule: CompositionRule, house: House, **details: Any) -> Conflict:
    return Conflict(rule.id, rule.type, rule.severity, house.id, details)


def _capacity(
    instrument: Instrument, rule: CompositionRule, _c: Profile, house: House
) -> Iterator[Conflict]:
    limit = min(house.capacity, instrument.settings.max_residents)
    if len(house.residents) + 1 > limit:
        yield _conflict(rule, house, residents=len(house.residents), capacity=limit)


def _staff_ratio(
    instrument: Instrument, rule: CompositionRule, _c: Profile, house: House
) -> Iterator[Conflict]:
    if house.staff_on_duty is None:
        return
    group = len(house.residents) + 1
    ratio = instrument.settings.staff_ratio
    if house.staff_on_duty == 0 or group / house.staff_on_duty > ratio:
        yield _conflict(
            rule, house, group=group, staff_on_duty=house.staff_on_duty, max_per_staff=ratio
        )


def _max_count(
    _i: Instrument, rule: CompositionRule, candidate: Profile, house: House
) -> Iterator[Conflict]:
    if rule.flag not in candidate.flags:
        return
    others = [r.id for r in house.residents if rule.flag in r.flags]
    if len(others) + 1 > (rule.max or 0):
        yield _conflict(rule, house, flag=rule.flag, residents=others, max=rule.max)


def _exclusive_pair(
    _i: Instrument, rule: CompositionRule, candidate: Profile, house: House
) -> Iterator[Conflict]:
    first, second = rule.flags or ("", "")
    for mine, theirs in ((first, second), (second, first)):
        if mine in candidate.flags:
            others = [r.id for r in house.residents if theirs in r.flags]
            if others:
                yield _conflict(
                    rule, house, candidate_flag=mine, resident_flag=theirs, residents=others
                )


def _age_range(
    _i: Instrument, rule: CompositionRule, candidate: Profile, house: House
) -> Iterator[Conflict]:
    if house.age_range is None or candidate.age is None:
        return
    low, high = house.age_range
    if not low <= candidate.age <= high:
        yield _conflict(rule, house, age=candidate.age, age_range=[low, high])


def _diversity(
    _i: Instrument, rule: CompositionRule, candidate: Profile, house: House
) -> Iterator[Conflict]:
    if candidate.main_problem is None:
        return
    others = [r.id for r in house.residents if r.main_problem == candidate.main_problem]
    if len(others) + 1 > (rule.max or 0):
        yield _conflict(
            rule, house, main_problem=candidate.main_problem, residents=others, max=rule.max
        )


_CHECKS: dict[str, Callable[[Instrument, CompositionRule, Profile, House], Iterable[Conflict]]] = {
    "capacity": _capacity,
    "staff_ratio": _staff_ratio,
    "max_count": _max_count,
    "exclusive_pair": _exclusive_pair,
    "age_range": _age_range,
    "diversity": _diversity,
}
