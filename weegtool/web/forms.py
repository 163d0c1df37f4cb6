"""Reading forms: text to typed values, and refusals placed beside the field they are about."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..candidate import whole_number as as_whole_number
from ..candidate import yes_no as as_yes_no

__all__ = ["FormErrors", "by_field", "whole_number", "yes_no"]

FormErrors = dict[str, list[str]]


def by_field(problems: Iterable[str], fields: Iterable[str] = ()) -> FormErrors:
    """Problems keyed by the field they name (``'age' must ...``); the rest under ``""`` (the whole form).

    A message shown beside its field loses its ``'field': `` lead (the store's Dutch wording has one).
    """
    names = set(fields)
    out: FormErrors = {}
    for problem in problems:
        match = re.search(r"'([a-z_]+)'", problem)
        key = match.group(1) if match and match.group(1) in names else ""
        out.setdefault(key, []).append(_without_lead(problem))
    return out


def _without_lead(problem: str) -> str:
    found = re.match(r"'[a-z_]+': (.)", problem)
    return problem[found.start(1)].upper() + problem[found.start(1) + 1 :] if found else problem


def whole_number(
    form: Mapping[str, str], name: str, errors: FormErrors, low: int = 0, high: int = 1000
) -> int | None:
    """The field as a whole number, None when blank; a problem under ``name`` when it is not one."""
    text = (form.get(name) or "").strip()
    if not text:
        return None
    value = as_whole_number(text)  # the vocabulary of every file: 16 and 16,0 alike
    if not isinstance(value, int):
        errors.setdefault(name, []).append(f"Vul een heel getal in; '{text[:20]}' is dat niet.")
        return None
    if not low <= value <= high:
        errors.setdefault(name, []).append(
            f"Vul een getal van {low} tot {high} in; {value} valt erbuiten."
        )
        return None
    return value


def yes_no(form: Mapping[str, str], name: str) -> bool | None:
    """The field as yes or no in the vocabulary of every file (yes/no, ja/nee, ...), else None."""
    value = as_yes_no(form.get(name, ""))
    return value if isinstance(value, bool) else None
