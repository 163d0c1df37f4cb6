"""Keyed pseudonyms: stable for a key, different across keys, no way back without it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weegtool.errors import WeegtoolError
from weegtool.pseudonym import KEY_VARIABLE, key_from_environment, pseudonym, pseudonyms

KEY = b"0123456789abcdef-key"


@given(st.text(min_size=1, max_size=40))
def test_pseudonym_shape_and_stability(candidate):
    shown = pseudonym(candidate, KEY)
    assert shown == pseudonym(candidate, KEY)
    assert len(shown) == 14 and shown.startswith("P-") and set(shown[2:]) <= set("0123456789ABCDEF")
    assert candidate not in shown[2:] or len(candidate) <= 2


@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=30, unique=True))
def test_distinct_ids_distinct_pseudonyms(ids):
    mapping = pseudonyms(ids, KEY)
    assert list(mapping) == ids and len(set(mapping.values())) == len(ids)


def test_the_key_matters():
    assert pseudonym("K00001", KEY) != pseudonym("K00001", KEY + b"x")


def test_a_published_hmac_value():
    # HMAC-SHA256 test case 2 of RFC 4231: key "Jefe", data "what do ya want for nothing?"
    # gives 5bdcc146bf60754e6a042426089575c7...; the pseudonym is its first 12 hex digits.
    assert pseudonym("what do ya want for nothing?", b"Jefe") == "P-5BDCC146BF60"


def test_no_key_no_export_unless_ids_are_kept_on_purpose():
    with pytest.raises(WeegtoolError, match=f"set {KEY_VARIABLE}.*--keep-ids"):
        pseudonyms(["a"], None)
    assert pseudonyms(["a", "b"], None, keep_ids=True) == {"a": "a", "b": "b"}


def test_key_from_environment(monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    assert key_from_environment() is None
    monkeypatch.setenv(KEY_VARIABLE, "kort")
    with pytest.raises(WeegtoolError, match="must be at least 16 characters; got 4"):
        key_from_environment()
    monkeypatch.setenv(KEY_VARIABLE, "x" * 32)
    assert key_from_environment() == b"x" * 32
