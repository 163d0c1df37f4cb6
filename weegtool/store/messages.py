"""What the store says when it refuses something, in English (the default) or Dutch.

The sentences are the ``store.*`` messages of the gettext catalogues (:mod:`weegtool.i18n`).

The web app, whose pages are Dutch, asks for Dutch for the length of each
request (:func:`use`, then :func:`restore`); the command line and the Python API keep English. A
message about one field of a form starts with that field's name in quotes
(``'age' must ...``, ``'age': moet ...``), so a form can show it beside the field.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

from ..i18n import check_lang, text

__all__ = ["say", "use", "restore", "language"]

_language: ContextVar[str] = ContextVar("weegtool_store_messages", default="en")


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
