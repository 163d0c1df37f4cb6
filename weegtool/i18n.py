"""Wording in Dutch and English: the core's door to the gettext catalogues.

The sentences live in ``weegtool/locale/<lang>/LC_MESSAGES/weegtool.po`` (edited with any gettext
tool, e.g. Poedit), compiled to ``.mo`` by ``make catalogues`` (``make run`` and ``make test`` do
it). Messages are found by a stable key (``report.title``), the msgid; the English catalogue
holds the English wording like any other language. Instrument texts (items, flags, categories)
come from the criteria file. Numbers in a sentence are formatted for the language by
:mod:`weegtool.formatting` (``{total:.1f}`` gives ``74,7`` in Dutch).

A catalogue that is not compiled, or older than its ``.po``, is compiled in memory from the
``.po``; one that is missing altogether raises :class:`CatalogueError`: never English on a Dutch
page.
"""

from __future__ import annotations

import gettext
import io
import string
from functools import cache
from numbers import Real
from pathlib import Path
from typing import Any

from .errors import WeegtoolError
from .formatting import day, number, with_spec
from .instrument import Instrument

__all__ = [
    "LANGUAGES",
    "CatalogueError",
    "catalogue",
    "messages",
    "has",
    "text",
    "plural",
    "describe_reason",
    "describe_change",
    "direction_title",
    "role_title",
    "check_lang",
    "points",
    "detail_label",
    "detail_value",
]

LANGUAGES = ("nl", "en")
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "weegtool"


class CatalogueError(WeegtoolError, LookupError):
    """A language's catalogue is missing, or lacks a message weegtool asks for."""


def _mo_bytes(lang: str) -> bytes:
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        return mo.read_bytes()
    if not po.exists():
        raise CatalogueError(
            f"{po}: the {lang!r} catalogue is missing; weegtool will not fall back."
        )
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(source, locale=lang, domain=DOMAIN))
    return compiled.getvalue()


@cache
def catalogue(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``lang`` (no fallback: a missing message is an error, not English).

    Raises
    ------
    CatalogueError
        When neither ``weegtool.mo`` nor ``weegtool.po`` of ``lang`` exists.
    """
    return gettext.GNUTranslations(io.BytesIO(_mo_bytes(check_lang(lang))))


def messages(lang: str) -> dict[str, str]:
    """Every message of ``lang`` by key, as written in the catalogue (plural forms by their first
    form); for checks that compare the languages."""
    out: dict[str, str] = {}
    for key, message in catalogue(lang)._catalog.items():  # type: ignore[attr-defined]
        if isinstance(key, tuple):
            if key[1] == 0:
                out[key[0]] = message
        elif key:
            out[key] = message
    return out


def has(key: str, lang: str = "nl") -> bool:
    """Whether the catalogue of ``lang`` words ``key``."""
    return key in catalogue(lang)._catalog  # type: ignore[attr-defined]


class _Sentence(string.Formatter):
    """``str.format`` whose numbers and dates are formatted for the language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Real) and not isinstance(value, bool):
            return with_spec(value, format_spec, self.lang)
        if hasattr(value, "isoformat") and not format_spec:
            return day(value, self.lang)
        return str(super().format_field(value, format_spec))


def text(key: str, lang: str = "nl", **values: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``values`` filled in, numbers formatted for ``lang``.

    Raises
    ------
    CatalogueError
        When the catalogue of ``lang`` has no ``key``.
    """
    if not has(key, lang):
        raise CatalogueError(f"the {lang!r} catalogue has no message {key!r}.")
    return _Sentence(lang).format(catalogue(lang).gettext(key), **values)


def plural(key: str, n: int, lang: str = "nl", **values: Any) -> str:
    """The sentence ``key`` in the plural form ``n`` asks for in ``lang`` ("1 beoordelaar",
    "2 beoordelaars"), with ``n`` and ``values`` filled in (plural forms of the ``.po`` header)."""
    if not has(key, lang) and not any(k == (key, 0) for k in catalogue(lang)._catalog):  # type: ignore[attr-defined]
        raise CatalogueError(f"the {lang!r} catalogue has no message {key!r}.")
    return _Sentence(lang).format(catalogue(lang).ngettext(key, key + ".plural", n), n=n, **values)


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"The 'lang' parameter must be one of {LANGUAGES}. Got {lang!r} instead.")
    return lang


def role_title(role: str, lang: str = "nl") -> str:
    """A committee role in words (a role the catalogue does not know, e.g. from a decisions file, as given)."""
    return text(f"role.{role}", lang) if has(f"role.{role}", lang) else role


def direction_title(direction: str | None, lang: str = "nl") -> str:
    return text(f"direction.{direction}", lang) if direction else text("none", lang)


def describe_reason(reason: Any, instrument: Instrument, lang: str = "nl") -> str:
    """One sentence for a :class:`~weegtool.rules.Reason`, with its numbers: the reason's type
    chooses it (:meth:`~weegtool.rules.Reason.words`)."""
    return str(reason.words(instrument, check_lang(lang)))


def describe_change(change: Any, instrument: Instrument, lang: str = "nl") -> str:
    return text(
        "change" if change.total_to is not None else "change.no_total",
        lang,
        item=instrument.item(change.item).text(lang)
        if change.item in instrument.item_ids
        else change.item,
        old=change.rating_from,
        new=change.rating_to,
        total=change.total_to,
        advice=instrument.category(change.advice_to).title(lang),
    )


def points(value: float | None, lang: str) -> str:
    """Points on the 0-100 scale with one decimal for ``lang`` ("-" when there are none)."""
    return number(value, lang, 1)


def detail_label(key: str, lang: str) -> str:
    """A composition conflict's detail in words; the key itself when the catalogue has none."""
    return text(f"detail.{key}", lang) if has(f"detail.{key}", lang) else key


def detail_value(key: str, value: Any, instrument: Instrument, lang: str) -> str:
    """A composition conflict's detail value in words: a flag or domain by its title, numbers
    formatted for ``lang`` by :func:`weegtool.formatting.number` (nl ``4`` or ``2,5``, en ``2.5``)."""
    flags = {f.id for f in instrument.flags}
    if key.endswith("flag") and isinstance(value, str) and value in flags:
        return instrument.flag(value).text(lang)
    if key == "main_problem" and isinstance(value, str) and value in instrument.domain_ids:
        return instrument.domain(value).title(lang)
    if key == "age_range" and isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{_plain(value[0], lang)}-{_plain(value[1], lang)}"
    return _plain(value, lang)


def _plain(value: Any, lang: str) -> str:
    """A detail as shown: numbers formatted for ``lang`` (nl ``4`` or ``2,5``, never ``4.0``)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(x, lang) for x in value) or "-"
    if isinstance(value, Real) and not isinstance(value, bool):
        return number(float(value), lang)
    return str(value)
