"""What the store says when it refuses something, in English (the default) or Dutch.

The sentences are the ``store.*`` messages of the gettext catalogues (:mod:`weegtool.i18n`).

The web app asks for the page's language (Dutch by default) for the length of each
request (:func:`use`, then :func:`restore`); the command line and the Python API keep English. A
message about one field of a form starts with that field's name in quotes
(``'age' must ...``, ``'age': moet ...``), so a form can show it beside the field.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

from ..i18n import check_lang, text

__all__ = ["say", "use", "restore", "language", "strength_warning"]

_language: ContextVar[str] = ContextVar("weegtool_store_messages", default="en")


STRENGTH_WARNINGS_NL = {
    "Straight rows of keys are easy to guess.": "Rijen toetsen naast elkaar zijn makkelijk te raden.",
    "Short keyboard patterns are easy to guess.": "Korte patronen op het toetsenbord zijn makkelijk te raden.",
    'Repeats like "aaa" are easy to guess.': 'Herhalingen zoals "aaa" zijn makkelijk te raden.',
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "Herhalingen zoals "
    '"abcabcabc" zijn nauwelijks moeilijker te raden dan "abc".',
    'Sequences like "abc" or "6543" are easy to guess.': 'Reeksen zoals "abc" of "6543" zijn makkelijk te '
    "raden.",
    "Recent years are easy to guess.": "Recente jaartallen zijn makkelijk te raden.",
    "Dates are often easy to guess.": "Datums zijn vaak makkelijk te raden.",
    "This is a top-10 common password.": "Dit is een van de tien meest gebruikte wachtwoorden.",
    "This is a top-100 common password.": "Dit is een van de honderd meest gebruikte wachtwoorden.",
    "This is a very common password.": "Dit is een veelgebruikt wachtwoord.",
    "This is similar to a commonly used password.": "Dit lijkt op een veelgebruikt wachtwoord.",
    "A word by itself is easy to guess.": "Een los woord is makkelijk te raden.",
    "Names and surnames by themselves are easy to guess.": "Losse voor- en achternamen zijn makkelijk te "
    "raden.",
    "Common names and surnames are easy to guess.": "Veelvoorkomende namen zijn makkelijk te raden.",
}


def strength_warning(warning: str) -> str:
    """zxcvbn's ``warning`` in the current language (its English when no translation is known)."""
    if _language.get() == "nl":
        return STRENGTH_WARNINGS_NL.get(warning, warning)
    return warning


def language() -> str:
    return _language.get()


def use(lang: str) -> Token[str]:
    """Word the store's refusals in ``lang`` ("en" or "nl") until :func:`restore` with the token returned."""
    return _language.set(check_lang(lang))


def restore(token: Token[str]) -> None:
    """Back to the language before the :func:`use` that gave ``token``."""
    _language.reset(token)


def say(key: str, **values: Any) -> str:
    """The message ``key`` in the current language, with ``values`` filled in."""
    return text(f"store.{key}", _language.get(), **values)
