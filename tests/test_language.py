"""Every report kind and every converted web page, in both languages: no untranslated sentence,
no raw identifier where a title exists, numbers and dates in the language's own format (issue 13).

Round 2 converts the remaining web pages to the catalogues; it adds each to ``PAGES`` (and a
report kind to ``report_kinds``), nothing else.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pandas as pd
import pytest
from rich.console import Console

import weegtool
from weegtool.decision import Decision, Signatory
from weegtool.explain import cohort_table, explain_table
from weegtool.i18n import LANGUAGES, messages
from weegtool.report import render_cohort_index, render_family_html, render_html
from weegtool.store.models import ACTIONS

from .conftest import ROOT
from .test_change_cli import files  # noqa: F401  (a fixture: the previous assessment and a review)
from .web_site import build_site

COMMITTEE = ROOT / "tests" / "data" / "committee.csv"
HOUSES = ROOT / "examples" / "houses.yaml"
ON = _dt.date(2026, 11, 23)
OTHER = {"nl": "en", "en": "nl"}

# (user, path, status): the pages worded from the catalogues. Round 2 adds the pages it converts.
PAGES = [
    (None, "/login", 200),
    ("beheer", "/admin/users", 200),
    ("beheer", "/admin/instruments", 200),
    ("beheer", "/admin/audit", 200),
    ("R3", "/password", 200),
    ("R1", "/candidates/K-NEW/rate/review", 200),  # review.html with scores.html
    ("R1", "/candidates/NOPE", 404),  # error.html
    ("R1", "/admin/users", 403),
    ("coordinator", "/", 200),  # index.html with _reviews_due.html and _safe_counts.html
    ("R1", "/", 200),  # index.html with the rater's own state
    ("R3", "/", 200),
    ("R3", "/candidates/C2/meeting", 200),  # meeting.html: advice, ratings, houses, decision form
    ("R3", "/candidates/C5/meeting", 200),
    ("R4", "/candidates/C2/meeting", 200),  # blind: not submitted
    ("R1", "/candidates/K-NEW/rate/emotion_regulation", 200),  # rate.html with candidate_facts.html
    ("R1", "/candidates/C2/rate/coping", 200),  # submitted: read only
    ("coordinator", "/candidates/new", 200),  # referral.html
    ("coordinator", "/candidates/C2/edit", 200),
    ("R3", "/meetings/2026-12-03", 200),  # agenda.html
    ("coordinator", "/placements/", 200),  # placements.html
    ("coordinator", "/houses/", 200),  # houses.html: residents' flags by their titles
    ("R3", "/houses/", 200),
    ("coordinator", "/houses/new", 200),  # house.html
    ("coordinator", "/houses/huis-a/edit", 200),
    ("coordinator", "/exports/", 200),  # exports.html
    ("coordinator", "/exports/person.zip?pseudonym=%3Cb%3E", 400),  # the view's refusals
    ("coordinator", "/exports/person.zip?pseudonym=NOPE", 404),
    ("coordinator", "/overview/?period=2026", 200),  # coordinator.html: labels from the core
    ("coordinator", "/overview/?period=2026-K4", 200),
    ("R3", "/overview/?period=2026-11", 200),  # the chair: no downloads
    ("coordinator", "/overview/?period=juli", 400),  # the period refused in the reader's language
    ("onderzoeker", "/research/", 200),  # research.html with _safe_counts.html
]

CATALOGUE_KEY = re.compile(
    r"(?<![\w.-])(?:report|web|label|reason|decision|store|detail|role|direction|change|cli|family)"
    r"(?:\.[a-z_0-9]+)+(?![\w-])"
)
DECIMAL = {  # a decimal separator of the other language: 74.7 on a Dutch page, 74,7 on an English one
    "nl": re.compile(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])"),  # versions (0.1.0) do not match
    "en": re.compile(r"(?<![\d,])(?<!ICC\()\d+,\d{1,2}(?![\d,])"),  # ICC(2,1) is a name
}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MONTHS = {  # a date written in the other language
    "nl": re.compile(
        r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December) \d{4}"
    ),
    "en": re.compile(
        r"\b(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
        r"december) \d{4}"
    ),
}


class _Visible(HTMLParser):
    """The text a reader sees (and a screen reader reads): no markup, styles or scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._hidden += 1
        self.parts.extend(v or "" for k, v in attrs if k in ("aria-label", "title", "alt"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def raw_ids(instrument: weegtool.Instrument) -> set[str]:
    """Identifiers that have a title, and so must never reach a reader; those that are also plain
    words ("coping", "fits") are left out: only ids with '_' or '.' are unmistakable."""
    spec = instrument.spec
    ids = {
        *instrument.item_ids,
        *instrument.domain_ids,
        *(f.id for f in instrument.flags),
        *(c.id for c in spec.advice.categories),
        *(b.id for b in spec.advice.bands),
        *(r.id for r in spec.composition),
        *ACTIONS,
        "long_term",
        "cannot_live_home",
        "temporary_back_home",
        "follows_advice",
    }
    return {i for i in ids if "_" in i or "." in i}


def problems(text: str, lang: str, instrument: weegtool.Instrument) -> list[str]:
    """What is wrong with a page's visible ``text`` in ``lang``: each finding with its evidence."""
    found = [f"catalogue key {k!r}" for k in CATALOGUE_KEY.findall(text)]
    found += [
        f"raw id {i!r}"
        for i in sorted(raw_ids(instrument))
        if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)
    ]
    mine, other = messages(lang), messages(OTHER[lang])
    for key, sentence in other.items():
        plain = sentence.split("{")[0].strip()
        if len(plain) >= 14 and plain != mine.get(key, "").split("{")[0].strip() and plain in text:
            found.append(f"untranslated {key!r}: {plain!r}")
    for item in instrument.items:
        there, here = item.text(OTHER[lang]), item.text(lang)
        if there != here and there in text:
            found.append(f"item {item.id!r} in {OTHER[lang]}")
    found += [f"number {n!r}" for n in DECIMAL[lang].findall(text)]
    found += [f"ISO date {d!r}" for d in ISO_DATE.findall(text)]
    found += [f"date {d!r}" for d in MONTHS[lang].findall(text)]
    return found


# --- the checker itself catches what it is for ------------------------------------------------


@pytest.fixture(scope="module")
def instrument() -> weegtool.Instrument:
    return weegtool.load_instrument()


@pytest.mark.parametrize(
    ("lang", "text", "finding"),
    [
        ("nl", "Totaalscore 74.7 valt in band", "number '74.7'"),
        ("en", "Total score 74,7 lies in band", "number '74,7'"),
        ("nl", "vastgesteld op 2026-11-29", "ISO date '2026-11-29'"),
        ("en", "reviewed by 29 november 2026", "date 'november 2026'"),
        ("nl", "zie er_intensity", "raw id 'er_intensity'"),
        ("nl", "advies fits_with_conditions", "raw id 'fits_with_conditions'"),
        ("nl", "Titel: report.title", "catalogue key 'report.title'"),
        (
            "nl",
            "The group composition was not checked: no houses were given.",
            "untranslated 'report.group_fit.not_checked'",
        ),
        ("en", "Het instrument adviseert: x", "untranslated 'report.advice_sentence'"),
    ],
)
def test_the_checker_finds_what_it_looks_for(instrument, lang, text, finding):
    assert any(p.startswith(finding) for p in problems(text, lang, instrument)), problems(
        text, lang, instrument
    )


def test_the_checker_passes_a_clean_sentence(instrument):
    assert problems("Totaalscore 74,7 (versie 0.1.0) op 23 november 2026.", "nl", instrument) == []
    assert problems("Total 74.7 (version 0.1.0) on 23 November 2026.", "en", instrument) == []


# --- every report kind -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort(instrument):
    scores = weegtool.score(instrument, pd.read_csv(COMMITTEE))
    houses = weegtool.load_houses(HOUSES, instrument)
    return scores, weegtool.advise(scores, houses=houses, on=ON)


def _console_text(renderable: object) -> str:
    console = Console(record=True, width=140, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def report_kinds(cohort, instrument, lang: str) -> Iterator[tuple[str, str]]:
    """(name, visible text) of every report kind weegtool makes in ``lang``."""
    scores, advices = cohort
    for advice in advices:
        yield (
            f"report {advice.candidate_id}",
            visible(render_html(advice, instrument, scores.ratings, lang)),
        )
    c2 = next(a for a in advices if a.candidate_id == "C2")
    deviating = Decision(
        "C2",
        "refer",
        follows_advice=True,  # wrong on purpose: the report prints the rule it breaks
        justification="Netwerk weegt zwaarder.",
        items=("pf_network",),
        signatories=(Signatory("A", "chair"),),
        decided_on=ON,
    )
    yield (
        "report with a decision",
        visible(render_html(c2, instrument, scores.ratings, lang, deviating)),
    )
    yield "cohort index", visible(render_cohort_index(advices, instrument, lang))
    for advice in advices:
        yield f"family {advice.candidate_id}", visible(render_family_html(advice, instrument, lang))
    for advice in advices:
        yield (
            f"explain {advice.candidate_id}",
            _console_text(explain_table(advice, instrument, lang)),
        )
    yield "explain cohort", _console_text(cohort_table(advices, instrument, lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_report_kind_reads_in_its_language(cohort, instrument, lang):
    found = {
        name: wrong
        for name, text in report_kinds(cohort, instrument, lang)
        if (wrong := problems(text, lang, instrument))
    }
    assert found == {}


# --- every converted web page ------------------------------------------------------------------


@pytest.fixture
def site(sqlite_url, tmp_path, fast_hashing):
    return build_site(sqlite_url, tmp_path / "instance")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_converted_page_reads_in_its_language(site, instrument, lang):
    found = {}
    for user, path, status in PAGES:
        client = site.client(user)
        client.post("/language", {"lang": lang, "next": "/login"})
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in page, path
        if wrong := problems(visible(page), lang, instrument):
            found[user, path] = wrong
    assert found == {}


def test_the_language_switch_keeps_the_choice_and_goes_back_to_the_page(site):
    client = site.client("beheer")
    assert "Gebruikers" in client.get("/admin/users").get_data(as_text=True)
    response = client.post("/language", {"lang": "en", "next": "/admin/users"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert "weegtool_lang=en" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<h1>Users</h1>" in page and 'lang="en"' in page
    assert ">Nederlands</button>" in page  # the switch offers the other language, named in itself


@pytest.mark.parametrize(
    ("form", "status", "said"),
    [
        ({"lang": "xx"}, 400, "'lang': kies Nederlands (nl) of Engels (en); gegeven: 'xx'."),
        ({"lang": "<script>"}, 400, "gegeven: '<script>'"),
        ({}, 400, "'lang': kies Nederlands (nl) of Engels (en); gegeven: ''."),
        ({"lang": "en", "next": "//evil.example/"}, 302, None),
        ({"lang": "en", "next": "https://evil.example/"}, 302, None),
    ],
)
def test_the_language_switch_refuses_odd_values_and_never_leads_off_the_site(
    site, form, status, said
):
    response = site.client().post("/language", form)
    assert response.status_code == status
    if said is not None:
        assert said in html.unescape(response.get_data(as_text=True))
    else:
        assert response.headers["Location"] == "/"


def test_the_language_switch_needs_the_csrf_token(site):
    response = site.client().post("/language", {"lang": "en"}, csrf=False)
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert (
        "Set-Cookie" not in response.headers
        or "weegtool_lang" not in response.headers["Set-Cookie"]
    )


def test_refusals_follow_the_language(site):
    client = site.client("R1")
    client.post("/language", {"lang": "en"})
    expired = client.post("/language", {"lang": "nl"}, csrf=False)
    assert "The form has expired or is not from this site (CSRF check)." in expired.get_data(
        as_text=True
    )
    api = site.client()
    api.post("/language", {"lang": "en"})
    answer = api.post_json("/api/candidates/K-NEW/ratings", {"ratings": []})
    assert answer.status_code == 401
    assert answer.get_json() == {"error": "You are not logged in (any more); log in again."}


def test_a_too_large_upload_is_refused_in_the_pages_language(sqlite_url, tmp_path, fast_hashing):
    site = build_site(sqlite_url, tmp_path / "instance", MAX_CONTENT_LENGTH=1024 * 1024)
    client = site.client("beheer")
    for lang, said in (
        ("nl", "groter dan 1 MB, meer dan weegtool ooit nodig heeft"),
        ("en", "larger than 1 MB, more than weegtool ever needs"),
    ):
        client.post("/language", {"lang": lang})
        response = client.post("/admin/instruments", {"criteria": "x" * (2 * 1024 * 1024)})
        assert response.status_code == 413
        assert said in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_change_since_the_previous_assessment_reads_in_its_language(files, lang):  # noqa: F811
    """The report and explain with --previous (issue 15's change section)."""
    from .test_change_cli import run

    instrument = weegtool.load_instrument(files / "measured.yaml")
    out = files / f"C3.{lang}.html"
    common = ["--previous", files / "old.csv", "-i", files / "measured.yaml", "--lang", lang]
    assert (
        run(
            "report", files / "new.csv", *common, "--candidate", "C3", "--keep-ids", "--out", out
        ).exit_code
        == 0
    )
    explained = run("explain", files / "new.csv", *common, "--candidate", "C3")
    assert explained.exit_code == 0
    found = {
        name: wrong
        for name, text in (
            ("report", visible(out.read_text("utf-8"))),
            ("explain", explained.stdout),
        )
        if (wrong := problems(text, lang, instrument))
    }
    assert found == {}


# --- pages of a decided candidate, and the family report (round 2) -----------------------------

DECIDED_PAGES = [
    ("coordinator", "/candidates/C1"),  # candidate.html with _timeline.html, decision and reports
    ("R3", "/candidates/C1"),
    ("R1", "/candidates/C1"),
    ("R4", "/candidates/C1"),  # not submitted: blind
    ("coordinator", "/candidates/C3"),  # undecided, with its house checks
    ("R3", "/candidates/C1/meeting"),  # the decision recorded: the correction form
    ("coordinator", "/candidates/C1/family.html"),
    ("coordinator", "/candidates/C1/edit"),  # referral.html, locked
    ("onderzoeker", "/research/"),  # research.html: the decision by its category's title
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_decided_candidates_pages_and_family_report_read_in_their_language(
    site, instrument, lang
):
    from .test_web import _finalised

    _finalised(site, "C1")
    found = {}
    for user, path in DECIDED_PAGES:
        client = site.client(user)
        client.post("/language", {"lang": lang, "next": "/login"})
        response = client.get(path)
        assert response.status_code == 200, (user, path, response.status_code)
        page = response.get_data(as_text=True)
        assert f'lang="{lang}"' in page, path
        if wrong := problems(visible(page), lang, instrument):
            found[user, path] = wrong
    assert found == {}


def test_the_family_report_is_offered_once_decided_and_carries_no_names_notes_or_scores(site):
    from .test_web import _finalised

    coordinator = site.client("coordinator")
    assert "/candidates/C1/family.html" not in coordinator.get("/candidates/C1").get_data(
        as_text=True
    )
    assert coordinator.get("/candidates/C1/family.html").status_code == 404
    _finalised(site, "C1")
    page = coordinator.get("/candidates/C1").get_data(as_text=True)
    assert "/candidates/C1/family.html" in page and "gezinsrapport (PDF)" in page
    family = coordinator.get("/candidates/C1/family.html").get_data(as_text=True)
    shown = visible(family)
    for name in ("R1", "R2", "R3", "wijkteam"):  # raters and the referrer are not named
        assert not re.search(rf"\b{name}\b", shown), name
    assert "Totaalscore" not in shown and not re.search(r"\d+,\d", shown)  # no scores
    # worded for a decision taken, not for an advice still to be decided
    assert "De commissie heeft dit op " in shown and "nog geen besluit" not in shown
    coordinator.post("/language", {"lang": "en", "next": "/login"})
    english = coordinator.get("/candidates/C1/family.html").get_data(as_text=True)
    assert 'lang="en"' in english and english != family
    pdf = coordinator.get("/candidates/C1/family.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "family-report-C1.pdf" in pdf.headers["Content-Disposition"]
    # a rater who has not submitted does not see it (blind rating)
    assert site.client("R4").get("/candidates/C1/family.html").status_code == 403


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("nl", ["Vink aan dat wissen niet ongedaan kan worden gemaakt.", "Geen aanmelding"]),
        ("en", ["Tick that erasing cannot be undone.", "No referral with pseudonym NOPE."]),
    ],
)
def test_the_erase_forms_refusals_read_in_their_language(site, instrument, lang, said):
    client = site.client("coordinator")
    client.post("/language", {"lang": lang, "next": "/login"})
    page = client.post("/exports/erase", {"erase_pseudonym": "NOPE"}).get_data(as_text=True)
    assert said[0] in page and problems(visible(page), lang, instrument) == []
    person = client.get("/exports/person.zip?pseudonym=NOPE").get_data(as_text=True)
    assert said[1] in person


def test_the_overviews_period_is_refused_in_english_on_an_english_page(site):
    client = site.client("coordinator")
    client.post("/language", {"lang": "en", "next": "/login"})
    response = client.get("/overview/?period=juli")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose a month (2026-07)" in page, page[-800:]
