"""Numbers, percentages and dates for a language: the one place that formats them (Babel).

Every page, report, export and message of weegtool formats its numbers here, so a Dutch page
says "74,7" and "29 november 2026" everywhere and an English one "74.7" and "29 November 2026".
English is British English (``en_GB``): day before month, as the Dutch readers expect.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from numbers import Real

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

__all__ = ["locale", "number", "signed", "percent", "day", "month", "moment", "with_spec", "DASH"]

DASH = "-"  # a missing number
_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
_SPEC = re.compile(r"^(?:\.(?P<digits>\d+))?(?P<kind>[fg%])?$")


def locale(lang: str) -> Locale:
    """The Babel locale of a weegtool language ("nl" -> nl_NL, "en" -> en_GB).

    Raises
    ------
    ValueError
        When ``lang`` is not a language weegtool speaks.
    """
    if lang not in _LOCALES:
        raise ValueError(
            f"The 'lang' parameter must be one of {tuple(_LOCALES)}. Got {lang!r} instead."
        )
    return Locale.parse(_LOCALES[lang])


def number(value: float | None, lang: str, digits: int | None = None) -> str:
    """``value`` with ``digits`` decimals (rounded half to even), or as few as it needs (at most 3)
    when ``digits`` is None; "-" for None or NaN. nl: ``74,7``, ``5000``, ``12.500,5``; en: ``74.7``,
    ``12,500.5``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    # thousands grouped from five digits on, as Dutch typography does (5000 tekens, 12.500 tekens)
    whole = "#,##0" if abs(value) >= 10_000 else "0"
    pattern = whole + ("." + "0" * digits if digits else "" if digits == 0 else ".###")
    return str(format_decimal(value, format=pattern, locale=locale(lang)))


def signed(value: float | None, lang: str, digits: int = 1) -> str:
    """A change with its sign: nl ``+5,0`` and ``-2,5``, en ``+5.0``; "-" for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return ("+" if value >= 0 else "-") + number(abs(value), lang, digits)


def percent(value: float | None, lang: str, digits: int = 0) -> str:
    """A share (0.25) as a percentage for ``lang``: nl ``25%``, en ``25%``; "-" for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return str(format_percent(value, format=pattern, locale=locale(lang)))


def day(value: _dt.date, lang: str) -> str:
    """A date in words: nl ``29 november 2026``, en ``29 November 2026``."""
    return str(format_date(value, "long", locale=locale(lang)))


def month(value: _dt.date, lang: str) -> str:
    """The month of ``value`` with its year: nl ``juli 2026``, en ``July 2026`` (Babel's names)."""
    return str(format_date(value, "LLLL y", locale=locale(lang)))


def moment(value: _dt.datetime, lang: str) -> str:
    """A date and time to the minute: nl ``29-11-2026, 20:54``, en ``29/11/2026, 20:54``."""
    return str(format_datetime(value, "short", locale=locale(lang)))


def with_spec(value: Real, spec: str, lang: str) -> str:
    """``value`` formatted as Python's format ``spec`` would, in ``lang``: ``.1f`` fixed decimals,
    ``g`` or no spec as few decimals as needed, ``.0%`` a percentage. For the placeholders of the
    catalogue's sentences (``{total:.1f}``).

    Raises
    ------
    ValueError
        For a spec other than those (width, fill and signs are layout, not wording).
    """
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(
            f"The format spec {spec!r} is not one weegtool's sentences use (.Nf, g, .N%)."
        )
    digits = None if match["digits"] is None else int(match["digits"])
    if match["kind"] == "%":
        return percent(float(value), lang, digits or 0)
    if match["kind"] == "f":
        return number(float(value), lang, 6 if digits is None else digits)
    if isinstance(value, int):
        return number(value, lang, 0)
    return number(float(value), lang, None)
