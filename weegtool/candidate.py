"""A candidate's own fields (age, consent, flags, ...) as one typed record, parsed once.

The ratings readers and the store build a :class:`CandidateFields` per
candidate; :class:`~weegtool.ratings.Ratings` carries them and every rule,
report and export reads them from there, so "not known" (``None``) is decided
in one place and no consumer cleans NaN or splits ``"a;b"`` again.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["CandidateFields", "FIELD_NAMES", "known"]


@dataclass(frozen=True)
class CandidateFields:
    """What is known of one candidate besides the ratings; ``None`` where it is not known.

    ``conditions`` holds the instrument's own precondition fields other than
    ``age`` and ``consent`` (yes/no, or None when not known).
    """

    id: str
    age: int | None = None
    consent: bool | None = None
    direction: str | None = None
    flags: tuple[str, ...] = ()
    date: _dt.date | None = None
    house: str | None = None
    purpose: str | None = None
    sources: str | None = None
    source_doubts: str | None = None
    conditions: Mapping[str, bool | None] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """A field by name: one of :data:`FIELD_NAMES`, else a precondition field (None when not given)."""
        if name in FIELD_NAMES:
            return getattr(self, name)
        return self.conditions.get(name)

    @classmethod
    def of(cls, candidate_id: str, values: Mapping[str, Any]) -> CandidateFields:
        """The record from already parsed values (NaN, pandas' NA and None all mean not known)."""
        clean = {str(k): known(v) for k, v in values.items()}
        own = {k: clean.pop(k) for k in list(clean) if k in FIELD_NAMES and k != "id"}
        if own.get("flags") is None:
            own["flags"] = ()
        return cls(id=candidate_id, **own, conditions=clean)

    def as_row(self) -> dict[str, Any]:
        """The fields as one table row (no id), conditions beside the named fields."""
        row = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("id", "conditions")
        }
        return {**row, **self.conditions}


FIELD_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(CandidateFields) if f.name not in ("id", "conditions")
)


def known(value: Any) -> Any:
    """``value``, or None when it stands for 'not known' (None, NaN, pandas' NA)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value
