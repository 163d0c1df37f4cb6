"""Keyed pseudonyms for exports: the same id and key give the same pseudonym; without the key, no way back."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable

from .errors import WeegtoolError

__all__ = ["KEY_VARIABLE", "pseudonym", "pseudonyms", "key_from_environment"]

KEY_VARIABLE = "WEEGTOOL_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16


def key_from_environment() -> bytes | None:
    """The pseudonym key from ``WEEGTOOL_PSEUDONYM_KEY``; None when unset."""
    value = os.environ.get(KEY_VARIABLE, "")
    if not value:
        return None
    if len(value) < MIN_KEY_LENGTH:
        raise WeegtoolError(
            f"{KEY_VARIABLE} must be at least {MIN_KEY_LENGTH} characters; got {len(value)}. "
            'Use a long random secret, e.g. from: python -c "import secrets; print(secrets.token_hex(32))"'
        )
    return value.encode("utf-8")


def pseudonym(candidate_id: str, key: bytes) -> str:
    """``P-`` and 12 hexadecimal characters of HMAC-SHA256(key, id)."""
    return (
        "P-" + hmac.new(key, candidate_id.encode("utf-8"), hashlib.sha256).hexdigest()[:12].upper()
    )


def pseudonyms(
    candidate_ids: Iterable[str], key: bytes | None, keep_ids: bool = False
) -> dict[str, str]:
    """Id to pseudonym for a cohort (or to itself with ``keep_ids``); refuses without a key."""
    ids = list(candidate_ids)
    if keep_ids:
        return {c: c for c in ids}
    if key is None:
        raise WeegtoolError(
            f"exports pseudonymise candidate ids with a key: set {KEY_VARIABLE} to a long random "
            "secret (keep it safe; the same key gives the same pseudonyms), or pass --keep-ids to "
            "export the ids as they are."
        )
    mapping = {c: pseudonym(c, key) for c in ids}
    if len(set(mapping.values())) != len(mapping):
        raise WeegtoolError("two candidate ids got the same pseudonym; use another key.")
    return mapping
