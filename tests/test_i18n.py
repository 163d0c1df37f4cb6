"""The gettext catalogues (weegtool/locale) and the one formatting module (weegtool.formatting)."""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from weegtool import formatting, i18n
from weegtool.i18n import CatalogueError, messages, plural, text

PACKAGE = Path(i18n.__file__).parent
KEYWORDS = {
    "text": (1,),
    "plural": (1,),
    "say": (1,),
    "t": (1,),
    "_": (1,),
    "_n": (1,),
    "pattern": (1,),
}


@pytest.fixture
def locale_copy(tmp_path, monkeypatch):
    """The catalogues copied to ``tmp_path`` (the .po files only) and made weegtool's."""
    for lang in i18n.LANGUAGES:
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        shutil.copy(PACKAGE / "locale" / lang / "LC_MESSAGES" / "weegtool.po", folder)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    yield tmp_path
    i18n.catalogue.cache_clear()


def test_a_missing_mo_is_compiled_from_the_po_never_english(locale_copy):
    assert not list(locale_copy.rglob("*.mo"))
    assert text("report.title", "nl") == "Opnameadvies"


def test_a_stale_mo_gives_way_to_its_newer_po(locale_copy):
    po = locale_copy / "nl" / "LC_MESSAGES" / "weegtool.po"
    mo = po.with_suffix(".mo")
    shutil.copy(PACKAGE / "locale" / "en" / "LC_MESSAGES" / "weegtool.po", po.with_name("x.po"))
    from babel.messages.mofile import write_mo

    with po.with_name("x.po").open("rb") as source, mo.open("wb") as out:
        write_mo(out, read_po(source, locale="en"))  # an English .mo in the Dutch folder...
    os.utime(mo, (1, 1))  # ...older than the Dutch .po
    assert text("report.title", "nl") == "Opnameadvies"


def test_a_missing_catalogue_is_refused_not_replaced_by_english(locale_copy):
    (locale_copy / "nl" / "LC_MESSAGES" / "weegtool.po").unlink()
    with pytest.raises(CatalogueError, match=r"weegtool\.po: the 'nl' catalogue is missing"):
        text("report.title", "nl")


def test_a_missing_message_is_refused_with_its_key():
    with pytest.raises(CatalogueError, match=r"the 'nl' catalogue has no message 'report\.nope'"):
        text("report.nope", "nl")
    with pytest.raises(ValueError, match=r"The 'lang' parameter must be one of"):
        text("report.title", "de")


def _catalogues() -> dict[str, object]:
    out = {}
    for lang in i18n.LANGUAGES:
        with (PACKAGE / "locale" / lang / "LC_MESSAGES" / "weegtool.po").open("rb") as f:
            out[lang] = read_po(f, locale=lang)
    return out


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_both_catalogues_word_every_message_with_the_same_placeholders():
    nl, en = _catalogues().values()  # English is the reference: the code passes its values
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in nl if m.id} == {
        m.id if isinstance(m.id, str) else m.id[0] for m in en if m.id
    }
    for message in nl:  # type: ignore[attr-defined]
        if not message.id:
            continue
        other = en[message.id]  # type: ignore[index]
        assert not message.fuzzy and not other.fuzzy, message.id
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        others = [other.string] if isinstance(other.string, str) else list(other.string)
        assert all(forms) and all(others) and len(forms) == len(others), message.id
        # a translation may leave a value out ('kies uit de lijst'), never ask for one not given
        assert {f for s in forms for f in _fields(s)} <= {f for s in others for f in _fields(s)}, (
            message.id
        )


def test_every_message_the_code_and_templates_ask_for_is_in_both_catalogues():
    method_map = [
        ("**.py", "python"),
        ("report/templates/**.j2", "jinja2"),
        ("web/templates/**.html", "jinja2"),
    ]
    asked = set()
    for keywords in ({k: v for k, v in KEYWORDS.items() if k != "say"}, {"say": (1,)}):
        for file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map, keywords=keywords
        ):
            key = message if isinstance(message, str) else message[0]
            # the store's say() words its own messages, the catalogue's store.* ones
            asked.add(f"store.{key}" if "say" in keywords and file.startswith("store") else key)
    known = set(messages("en"))
    asked = {
        key
        for key in asked
        if re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)+", key)
        # `a if c else b` in a call reads as the two literals joined: each half is asked for
        and not any(key.startswith(k) and key[len(k) :] in known for k in known)
    }
    assert len(asked) > 150  # the extraction found the keys (a broken mapping finds none)
    missing = {(lang, key) for lang in i18n.LANGUAGES for key in asked - set(messages(lang))}
    assert missing == set()


def test_plural_forms_follow_the_number():
    assert plural("report.raters", 1, "nl") == "1 beoordelaar"
    assert plural("report.raters", 2, "nl") == "2 beoordelaars"
    assert plural("report.free_places", 1, "en") == "1 free place"
    assert plural("report.free_places", 0, "en") == "0 free places"


# --- formatting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "nl", "en"),
    [
        (74.66, 1, "74,7", "74.7"),
        (2.0, 2, "2,00", "2.00"),
        (40, None, "40", "40"),
        (0.5, None, "0,5", "0.5"),
        (5000, 0, "5000", "5000"),
        (12500.5, 1, "12.500,5", "12,500.5"),
        (None, 1, "-", "-"),
        (float("nan"), 1, "-", "-"),
    ],
)
def test_numbers_in_each_language(value, digits, nl, en):
    assert formatting.number(value, "nl", digits) == nl
    assert formatting.number(value, "en", digits) == en


def test_dates_percentages_and_sentence_placeholders():
    day = _dt.date(2026, 11, 29)
    assert formatting.day(day, "nl") == "29 november 2026"
    assert formatting.day(day, "en") == "29 November 2026"
    assert formatting.percent(0.25, "nl") == "25%"
    assert text("report.review_sentence", "nl", day=formatting.day(day, "nl")).endswith(
        "29 november 2026 geëvalueerd."
    )
    assert "74,7" in text("reason.ceiling", "nl", title="x", score=74.66, at=90.0)
    with pytest.raises(ValueError, match="is not one weegtool's sentences use"):
        formatting.with_spec(1.0, ">10", "nl")


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 3))
def test_a_number_reads_back_as_itself_in_both_languages(value, digits):
    for lang, locale in (("nl", "nl_NL"), ("en", "en_GB")):
        shown = formatting.number(value, lang, digits)
        assert float(parse_decimal(shown, locale=locale)) == pytest.approx(
            round(value, digits), abs=10**-digits
        )


@pytest.mark.parametrize(
    ("lang", "shown", "never"),
    [("nl", "hoogstens per begeleider: 4; ", "4.0"), ("en", ": 2.5", "2,5")],
)
def test_composition_details_print_numbers_in_the_readers_language(twente, lang, shown, never):
    """Issue 13: a Dutch page said "hoogstens per begeleider: 4.0" (the ratio is a float)."""
    from weegtool.rules import CompositionReason

    ratio = 4.0 if lang == "nl" else 2.5
    reason = CompositionReason(
        rule="staff_ratio",
        house="De Es",
        severity="hard",
        type="staff_ratio",
        details={"max_per_staff": ratio, "group": 5, "staff_on_duty": 1},
    )
    said = i18n.describe_reason(reason, twente, lang)
    assert shown in said and never not in said, said
    assert i18n.detail_value("age_range", [12.0, 17.5], twente, "nl") == "12-17,5"
