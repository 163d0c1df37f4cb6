"""The exception tree of weegtool. Imports nothing from weegtool.

Every error a user can cause is a :class:`WeegtoolError`; the ones caused by a
bad value also subclass :class:`ValueError`. Validation collects every problem
it finds before raising, so a file is fixed in one pass: the message lists them
all and ``.problems`` holds them one by one.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

__all__ = [
    "WeegtoolError",
    "CriteriaError",
    "RatingsError",
    "HouseError",
    "DecisionError",
    "ChangeError",
    "UnknownIdError",
    "ResearchError",
    "ReliabilityError",
    "ComparisonMatrixError",
    "ReliabilityWarning",
    "InconsistentJudgementsWarning",
    "UndefinedWarning",
    "StoreError",
    "InputError",
    "NotFoundError",
    "NotAllowedError",
    "ThrottledError",
    "ConflictError",
    "ReadOnlyError",
]


class WeegtoolError(Exception):
    """Base class of every error weegtool raises on purpose."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems: tuple[str, ...] = tuple(problems) or (message,)
        super().__init__(message)

    @classmethod
    def collect(
        cls, source: str, problems: Sequence[str], total: int | None = None
    ) -> WeegtoolError:
        """One error for all ``problems`` found in ``source``; ``total`` counts those not listed too."""
        count = len(problems) if total is None else total
        if count > len(problems):
            problems = [*problems, f"... and {count - len(problems)} more problems"]
        head = f"{source}: {count} problem{'s' if count != 1 else ''}"
        return cls("\n".join([head + ":", *(f"  - {p}" for p in problems)]), problems)


class CriteriaError(WeegtoolError, ValueError):
    """A criteria (instrument) file is malformed or inconsistent."""


class RatingsError(WeegtoolError, ValueError):
    """A ratings or candidates table holds a value the instrument does not allow."""


class HouseError(WeegtoolError, ValueError):
    """A house file (capacity and residents) is malformed."""


class DecisionError(WeegtoolError, ValueError):
    """A committee decision (or an override of a hard flag) does not meet the rules."""


class ChangeError(WeegtoolError, ValueError):
    """Two assessments that cannot be compared, or a measurement-error parameter out of range."""


class UnknownIdError(WeegtoolError, KeyError):
    """An id (item, domain, flag, category) that the instrument does not have."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ResearchError(WeegtoolError, ValueError):
    """Data or a parameter that a research method cannot use (shape, kind, missing values)."""


class ReliabilityError(ResearchError):
    """Data that a reliability coefficient cannot be computed from (a ``ResearchError``, so a ``ValueError``)."""


class ComparisonMatrixError(ResearchError):
    """A pairwise comparison matrix is not square, positive and reciprocal with ones on its diagonal."""


class ReliabilityWarning(UserWarning):
    """Data were left out of a coefficient (for example targets with a missing rating)."""


class UndefinedWarning(ReliabilityWarning):
    """A coefficient is undefined on these data (no variation to measure agreement against): it is
    NaN, and this warning says why."""


class SelectiveLabelsWarning(UserWarning):
    """Outcomes exist only for the candidates who were placed: an estimate rests on a selected group."""


class InconsistentJudgementsWarning(UserWarning):
    """The consistency ratio of pairwise judgements is above Saaty's limit of 0.10."""


class StoreError(WeegtoolError):
    """The database refuses a change or cannot find what was asked for."""


class InputError(StoreError, ValueError):
    """A value given for a record (a referral, a user, a decision) that the rules do not allow."""


class NotFoundError(StoreError, LookupError):
    """No record with that name or id."""


class NotAllowedError(StoreError, PermissionError):
    """The user's role (or the blind-rating rule) does not allow this."""


class ThrottledError(NotAllowedError):
    """Too many failed logins: the account is locked until ``.until`` (aware, UTC), whatever password is given."""

    def __init__(self, message: str, until: _dt.datetime) -> None:
        super().__init__(message)
        self.until = until


class ConflictError(StoreError):
    """Someone else changed the record since it was read: read it again and redo the change."""


class ReadOnlyError(StoreError):
    """The record is fixed (submitted ratings, a finalised assessment); a correction makes a new revision."""
