"""A candidate's own fields (age, consent, flags, ...) as one typed record, parsed once.

The ratings readers and the store build a :class:`CandidateFields` per
candidate; :class:`~weegtool.ratings.Ratings` carries them and every rule,
report and export reads them from there, so "not known" (``None``) is decided
in one place and no consumer cleans NaN or splits ``"a;b"`` again.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .instrument import Instrument

__all__ = [
    "CandidateFields",
    "FIELD_NAMES",
    "DIRECTIONS",
    "PURPOSES",
    "MISSING_MARKERS",
    "TRUE_WORDS",
    "FALSE_WORDS",
    "known",
    "blank",
    "field_parser",
    "boolean_fields",
    "critical_reason",
    "parse_fields",
    "yes_no",
    "a_date",
    "whole_number",
]

PURPOSES = ("admission", "review")
DIRECTIONS = ("long_term", "cannot_live_home", "temporary_back_home", "crisis")
MISSING_MARKERS = frozenset(
    {"", "nb", "n.b.", "?", "onbekend", "unknown", "not known", "na", "n/a", "nan"}
)
TRUE_WORDS = frozenset({"1", "true", "yes", "ja", "j", "y", "waar"})
FALSE_WORDS = frozenset({"0", "false", "no", "nee", "n", "onwaar"})


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


def blank(raw: Any) -> bool:
    """Whether a raw value means 'not known' (empty, NaN, pandas' NA, or a marker such as 'nb')."""
    return known(raw) is None or str(raw).strip().lower() in MISSING_MARKERS


def _parse_age(raw: Any, _flags: set[str]) -> int | None:
    if blank(raw):
        return None
    if isinstance(raw, (bool, np.bool_)):
        raise ValueError("must be an age in whole years")
    try:
        number = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise ValueError("must be an age in whole years") from None
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= 120:
        raise ValueError("must be an age in whole years")
    return int(number)


def _parse_bool(raw: Any, _flags: set[str]) -> bool | None:
    if blank(raw):
        return None
    if isinstance(raw, (bool, np.bool_)):
        return bool(raw)
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("must be yes or no (ja/nee, true/false, 1/0)")


def _parse_direction(raw: Any, _flags: set[str]) -> str | None:
    if blank(raw):
        return None
    word = str(raw).strip().lower()
    if word.endswith(".0"):
        word = word[:-2]
    if word.isdigit() and 1 <= int(word) <= len(DIRECTIONS):
        return DIRECTIONS[int(word) - 1]
    if word in DIRECTIONS:
        return word
    raise ValueError(f"must be 1-4 or one of {', '.join(DIRECTIONS)}")


def _parse_flags(raw: Any, flag_ids: set[str]) -> tuple[str, ...]:
    if isinstance(raw, (list, tuple, set, frozenset)):
        raw = ";".join(str(part) for part in raw)
    if blank(raw):
        return ()
    names = [part.strip() for part in str(raw).replace(",", ";").split(";") if part.strip()]
    unknown = [n for n in names if n not in flag_ids]
    if unknown:
        hints = [difflib.get_close_matches(n, sorted(flag_ids), n=1) for n in unknown]
        said = ", ".join(
            f"{n!r}" + (f" (did you mean {h[0]!r}?)" if h else "") for n, h in zip(unknown, hints)
        )
        raise ValueError(f"unknown flag {said}; flags are {', '.join(sorted(flag_ids))}")
    return tuple(sorted(set(names)))


def _parse_date(raw: Any, _flags: set[str]) -> _dt.date | None:
    if blank(raw):
        return None
    if isinstance(raw, (_dt.date, pd.Timestamp)):
        return pd.Timestamp(raw).date()
    text = " ".join(str(raw).split())
    for pattern in DATE_FORMATS:
        try:
            day = _dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if YEARS[0] <= day.year <= YEARS[1]:
            return day
    raise ValueError("must be a date as YYYY-MM-DD or DD-MM-YYYY")


YEARS = (1900, 2200)
"""The years a date of this field may fall in (a typo like 0226 or 9999 is refused, not stored)."""

DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
)
"""The whole text must match one (ISO, or as Dutch offices write it, with a time as Excel adds)."""


def _parse_text(raw: Any, _flags: set[str]) -> str | None:
    return None if blank(raw) else str(raw).strip()


def _parse_purpose(raw: Any, _flags: set[str]) -> str | None:
    if blank(raw):
        return None
    word = str(raw).strip().lower()
    aliases = {
        "opname": "admission",
        "intake": "admission",
        "evaluatie": "review",
        "herbeoordeling": "review",
    }
    if word in PURPOSES or word in aliases:
        return aliases.get(word, word)
    raise ValueError("must be admission or review (opname of evaluatie)")


_FIELD_PARSERS: dict[str, Callable[[Any, set[str]], Any]] = {
    "age": _parse_age,
    "direction": _parse_direction,
    "flags": _parse_flags,
    "date": _parse_date,
    "purpose": _parse_purpose,
}


def yes_no(raw: Any) -> Any:
    """Yes or no as every file and form says it (ja/nee, true/false, 1/0); other values as given,
    for the caller's own check to refuse. For pydantic fields (``BeforeValidator``)."""
    try:
        return _parse_bool(raw, set())
    except ValueError:
        return raw


def a_date(raw: Any) -> Any:
    """A date as ISO (2026-11-29) or as Dutch offices write it (29-11-2026); other values as given."""
    try:
        return _parse_date(raw, set())
    except ValueError:
        return raw


def whole_number(raw: Any) -> Any:
    """A whole number, also as Excel writes it with a decimal comma or point (16,0); other values as
    given (yes/no words and booleans included: YAML reads ``yes`` as True), for the caller's own
    check to refuse."""
    if isinstance(raw, bool):
        raise ValueError("must be a whole number, not yes or no")
    text = str(raw).strip() if isinstance(raw, (str, float)) else None
    if text is not None and re.fullmatch(r"-?\d+(?:[.,]0*)?", text):
        return int(re.split(r"[.,]", text)[0])
    return raw


def field_parser(name: str, boolean_fields: Iterable[str]) -> Callable[[Any, set[str]], Any]:
    """The parser of candidate field ``name``: ``parser(raw, flag_ids)`` gives the typed value or raises
    ValueError saying what it must be. ``boolean_fields`` are the yes/no fields (consent and the
    instrument's precondition fields other than age); any other field is free text."""
    if name in _FIELD_PARSERS:
        return _FIELD_PARSERS[name]
    return _parse_bool if name in set(boolean_fields) else _parse_text


def boolean_fields(instrument: Instrument) -> set[str]:
    """The yes/no candidate fields of ``instrument``: consent and its preconditions other than age."""
    return {p.field for p in instrument.spec.preconditions if p.field != "age"} | {"consent"}


def critical_reason(text: str) -> str:
    """A rater's reason that an item is critical, stripped; "" when it says 'not critical' (nee, 0).

    Raises ValueError when it only says that the item is critical (ja, x), not why.
    """
    said = text.strip()
    if said.lower() in TRUE_WORDS | {"x", "critical", "kritiek", "kritisch"}:
        raise ValueError(
            f"give the reason the item is critical, not only that it is; got {said!r}."
        )
    return "" if said.lower() in FALSE_WORDS else said


def parse_fields(
    fields: CandidateFields, instrument: Instrument
) -> tuple[CandidateFields, list[str]]:
    """``fields`` with every value read as the table readers read it (one vocabulary: ``"nee"`` is
    False, ``"14,0"`` is 14, flags sorted and once), and the problems found, each naming the field.

    A condition that is not a precondition field of ``instrument`` is a problem too.
    """
    yes_no, flag_ids = boolean_fields(instrument), {f.id for f in instrument.flags}
    parsed: dict[str, Any] = {}
    problems = []
    conditions = {p.field for p in instrument.spec.preconditions} - set(FIELD_NAMES)
    for name, raw in [*((n, getattr(fields, n)) for n in FIELD_NAMES), *fields.conditions.items()]:
        if name not in FIELD_NAMES and name not in conditions:
            known_fields = ", ".join(sorted(conditions)) or "none"
            problems.append(f"field {name!r} is not a precondition field of {instrument.label} "
                            f"(those are {known_fields}).")  # fmt: skip
            continue
        try:
            parsed[name] = field_parser(name, yes_no)(raw, flag_ids)
        except (ValueError, TypeError) as exc:
            problems.append(f"field {name!r}: {exc}; got {raw!r}.")
    return CandidateFields.of(fields.id, parsed), problems


def known(value: Any) -> Any:
    """``value``, or None when it stands for 'not known' (None, NaN, pandas' NA)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value
