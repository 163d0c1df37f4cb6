"""Advice reports: valid, self-contained HTML in the order a committee reads; PDF text; free text stays data."""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
from html.parser import HTMLParser

import html5lib
import jinja2
import pandas as pd
import pytest
from pypdf import PdfReader

import weegtool
from weegtool.decision import Decision, Signatory
from weegtool.i18n import describe_reason, messages
from weegtool.io import parse_houses
from weegtool.report import render_cohort_index, render_html, render_pdf
from weegtool.report.chart import Bar, profile_svg
from weegtool.report.render import _footer, environment

from .conftest import ROOT

COMMITTEE = ROOT / "tests" / "data" / "committee.csv"
HOUSES = ROOT / "examples" / "houses.yaml"
GOLDEN = ROOT / "tests" / "data" / "golden"
ON = _dt.date(2026, 11, 23)
SECTIONS = ("h-advice", "h-reasons", "h-profile", "h-items", "h-flags", "h-decision", "h-appendix")
HOSTILE = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</td></tr></table><h1>ingevoegd</h1>",
    "{{ 7*7 }} {% raw %}",
    "Onafgebroken" * 40,
    "\u202eمرحبا بالعالم\u202c שלום",
    "Goed bezig 👍🏽 👨‍👩‍👧 🏠",
]


@pytest.fixture(scope="module")
def instrument() -> weegtool.Instrument:
    return weegtool.load_instrument()


@pytest.fixture(scope="module")
def scored(instrument):
    scores = weegtool.score(instrument, COMMITTEE)
    houses = weegtool.load_houses(HOUSES, instrument)
    return scores, weegtool.advise(scores, houses=houses, on=ON)


def _page(scored, candidate: str = "C1", lang: str = "nl", **kwargs) -> str:
    scores, advices = scored
    advice = next(a for a in advices if a.candidate_id == candidate)
    return render_html(advice, scores.instrument, scores.ratings, lang, **kwargs)


def _strict_parse(page: str) -> None:
    """html5lib in strict mode raises on any parse error (unclosed tags, stray end tags, bad nesting)."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)


class _Refs(HTMLParser):
    """Every attribute that could make a browser fetch something, and every script or external style."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href", "srcset", "poster", "data", "action", "xlink:href"}:
                self.refs.append(value or "")
            if name.startswith("on"):
                self.handlers.append(name)
            if name == "id" and value:
                self.ids.append(value)


def _refs(page: str) -> _Refs:
    parser = _Refs()
    parser.feed(page)
    return parser


# --- HTML ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_is_valid_html(scored, lang):
    _strict_parse(_page(scored, lang=lang))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_is_self_contained(scored, lang):
    page = _page(scored, lang=lang)
    refs = _refs(page)
    assert "script" not in refs.tags and "link" not in refs.tags and "img" not in refs.tags
    assert all(ref.startswith("#") for ref in refs.refs), refs.refs
    assert not re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", page)


def test_sections_come_in_the_order_a_committee_reads(scored):
    ids = [i for i in _refs(_page(scored)).ids if i in SECTIONS]
    assert ids == list(SECTIONS)


def test_header_names_candidate_instrument_hash_and_committee(scored, instrument):
    page = _page(scored)
    assert "sha256 " + instrument.sha256 in page
    assert f"versie {instrument.version}" in page
    assert "concept" in page
    assert "3 beoordelaars" in page
    assert "23 november 2026" in page and ON.isoformat() not in page


def test_report_carries_every_item_with_its_anchor_text(scored, instrument):
    _scores, advices = scored
    page = _page(scored)
    advice = next(a for a in advices if a.candidate_id == "C1")
    for item in instrument.items:
        assert item.id not in page  # its wording, never its id
        assert jinja2.utils.markupsafe.escape(item.text("nl")) in page
        rating = advice.ratings[item.id]
        if rating is not None and float(rating).is_integer():
            anchor = item.anchors[int(rating)]("nl")
            assert jinja2.utils.markupsafe.escape(anchor) in page


def test_disputed_items_stand_out_and_critical_items_are_listed(scored):
    _scores, advices = scored
    for advice in advices:
        page = _page(scored, advice.candidate_id)
        assert page.count('class="disputed"') == len({d.item for d in advice.disputed})
        for critical in advice.critical:
            assert jinja2.utils.markupsafe.escape(critical.reason) in page


@pytest.mark.parametrize("lang, other", [("nl", "en"), ("en", "nl")])
def test_fixed_text_is_translated(scored, lang, other):
    """No sentence of the other language's catalogue leaks into a report."""
    page = _page(scored, lang=lang)
    leaked = []
    for key, phrase in messages(other).items():
        plain = phrase.split("{")[0].strip()
        if (
            len(plain) >= 12
            and plain != messages(lang).get(key, "").split("{")[0].strip()
            and plain in page
        ):
            leaked.append((key, plain))
    assert leaked == []
    assert f'<html lang="{lang}">' in page


def test_band_titles_follow_the_language(scored):
    nl, en = _page(scored, "C1", "nl"), _page(scored, "C1", "en")
    assert "doelgroep" in nl and "target group" in en
    assert "'target'" not in nl


def test_a_decision_is_printed_with_its_signatories(scored, instrument):
    scores, advices = scored
    advice = next(a for a in advices if a.candidate_id == "C2")
    other = next(c.id for c in instrument.spec.advice.categories if c.id != advice.category)
    decision = Decision(
        "C2",
        other,
        follows_advice=False,
        justification="Sterk netwerk weegt zwaarder.",
        items=("pf_network",),
        dissent="Lid 2 is het niet eens.",
        signatories=(
            Signatory("A. Voorzitter", "voorzitter"),
            Signatory("B. Gedrag", "gedragswetenschapper", "SKJ 123", True),
        ),
        decided_on=ON,
    )
    page = render_html(advice, scores.instrument, scores.ratings, "nl", decision)
    for text in (
        "Sterk netwerk weegt zwaarder.",
        "Lid 2 is het niet eens.",
        "B. Gedrag",
        "SKJ 123",
        instrument.item("pf_network").text("nl"),
        instrument.category(other).title("nl"),
    ):
        assert text in page
    assert 'class="line"' not in page.split('id="h-decision"')[1].split("</section>")[0]


def test_a_decision_names_its_items_by_their_wording_and_known_roles_in_the_reports_language(
    scored, instrument
):
    scores, advices = scored
    advice = next(a for a in advices if a.candidate_id == "C2")
    decision = Decision(
        "C2",
        advice.category,
        follows_advice=True,
        items=("pf_network",),
        decided_on=ON,
        signatories=(Signatory("A", "chair"), Signatory("B", "orthopedagoog", "SKJ 1", True)),
    )
    part = {
        lang: render_html(advice, scores.instrument, scores.ratings, lang, decision).split(
            'id="h-decision"'
        )[1]
        for lang in ("nl", "en")
    }
    wording = instrument.item("pf_network").text("nl")
    assert wording in part["nl"] and "pf_network" not in part["nl"]
    assert "<td>voorzitter</td>" in part["nl"] and "<td>chair</td>" in part["en"]
    assert "<td>orthopedagoog</td>" in part["nl"]  # a role from a decisions file, as given


def test_without_a_decision_the_report_has_lines_to_sign(scored):
    decision_part = _page(scored).split('id="h-decision"')[1].split("</section>")[0]
    assert decision_part.count('class="line"') >= 3


def test_templates_refuse_missing_values():
    with pytest.raises(jinja2.UndefinedError):
        environment().get_template("report.html.j2").render({"t": lambda key, **values: key})


# --- free text is data ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(instrument):
    """Every free-text field the report shows filled with strings that try to become markup."""
    table = pd.read_csv(COMMITTEE, dtype=str, keep_default_na=False)
    table["er_intensity.note"] = [HOSTILE[n % len(HOSTILE)] for n in range(len(table))]
    table["cp_avoidance.note"] = [HOSTILE[(n + 3) % len(HOSTILE)] for n in range(len(table))]
    table["er_self_harm.critical"] = [
        "" if n else HOSTILE[0] + HOSTILE[6] for n in range(len(table))
    ]
    table["sources"] = " ; ".join(HOSTILE[:2])
    scores = weegtool.score(instrument, table)
    houses = parse_houses([{"id": HOSTILE[1], "capacity": 4}], instrument)
    advice = next(
        a for a in weegtool.advise(scores, houses=houses, on=ON) if a.candidate_id == "C1"
    )
    decision = Decision(
        "C1",
        advice.category,
        follows_advice=True,
        justification=" ".join(HOSTILE),
        dissent=HOSTILE[0],
        signatories=(
            Signatory(HOSTILE[1], HOSTILE[3]),
            Signatory(HOSTILE[6], HOSTILE[7], HOSTILE[2], True),
        ),
        decided_on=ON,
    )
    return render_html(
        advice, scores.instrument, scores.ratings, "nl", decision, shown_id=HOSTILE[1]
    )


def test_hostile_strings_render_inert(hostile):
    _strict_parse(hostile)
    refs = _refs(hostile)
    assert "script" not in refs.tags and "img" not in refs.tags
    assert refs.handlers == []
    assert hostile.count("<h1") == 1
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in hostile
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in hostile
    assert "{{ 7*7 }}" in hostile and "49" not in hostile.split("{{ 7*7 }}")[0][-5:]
    for text in HOSTILE[5:]:
        assert text in hostile


def test_the_page_footer_cannot_break_out_of_its_css_string():
    footer = _footer('x"; } body { display: none } @page { content: "', "id\\", "a\nb")
    assert not set(footer) & set("\"\\;{}\n'")


def test_hostile_report_prints_on_a4(hostile):
    reader = PdfReader(io.BytesIO(render_pdf(hostile)))
    assert all(
        round(float(p.mediabox.width)) == 595 and round(float(p.mediabox.height)) == 842
        for p in reader.pages
    )
    text = re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))
    assert "<script>alert('x')</script>" in text
    assert "onmouseover='alert(1)" in text


def test_chart_labels_are_escaped():
    svg = profile_svg(
        [Bar("<b>x</b>", 50.0, "risk"), Bar("t&t", None, "total")],
        [(20.0, "<i>")],
        "<title>",
        "desc </desc><script>",
        "n/a",
    )
    assert "<b>" not in svg and "<script>" not in svg and "<i>" not in svg
    _strict_parse(f"<!DOCTYPE html><html><head><title>t</title></head><body>{svg}</body></html>")


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pdf_carries_advice_hash_and_every_item(scored, instrument, lang):
    _scores, advices = scored
    advice = next(a for a in advices if a.candidate_id == "C1")
    reader = PdfReader(io.BytesIO(render_pdf(_page(scored, lang=lang))))
    assert {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    } == {(595, 842)}
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    squeezed = re.sub("[ \u2010\u00ad]", "", text)  # hyphenation breaks words at line ends
    assert instrument.category(advice.category).title(lang) in text
    assert instrument.sha256 in squeezed
    for item in instrument.items:
        assert re.sub("[ \u2010\u00ad]", "", item.text(lang)) in squeezed


def test_pdf_refuses_to_fetch_anything(tmp_path):
    """Neither a file nor a server is ever asked for anything, whatever the page refers to."""
    import http.server
    import threading

    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    secret = tmp_path / "geheim.css"
    secret.write_text("p::after { content: 'GELEKT' }")
    page = (
        f'<html><head><link rel="stylesheet" href="{secret.as_uri()}">'
        f'<link rel="stylesheet" href="{base}/style.css"><style>@import "{base}/import.css";</style></head>'
        f'<body><img src="{base}/x.png"><p style="background: url({base}/bg.png)">tekst</p></body></html>'
    )
    try:
        text = PdfReader(io.BytesIO(render_pdf(page))).pages[0].extract_text()
    finally:
        server.shutdown()
    assert "tekst" in text and "GELEKT" not in text
    assert requests == []


# --- golden files -----------------------------------------------------------------------------


def _normalised(page: str) -> str:
    page = re.sub(r"weegtool \d+\.\d+\.\d+\S*", "weegtool VERSION", page)
    return "\n".join(line.rstrip() for line in page.splitlines()) + "\n"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_golden_report(scored, lang):
    """One known candidate, byte for byte (set WEEGTOOL_UPDATE_GOLDEN=1 to accept a deliberate change)."""
    page = _normalised(_page(scored, "C3", lang))
    golden = GOLDEN / f"report-C3.{lang}.html"
    if os.environ.get("WEEGTOOL_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(page, encoding="utf-8")
    assert page == golden.read_text(encoding="utf-8")


# --- cohort overview ----------------------------------------------------------------------------


def test_cohort_index_counts_and_links(scored, instrument):
    _scores, advices = scored
    shown = {a.candidate_id: f"P-{n}" for n, a in enumerate(advices)}
    links = {a.candidate_id: f"reports/{shown[a.candidate_id]}.html" for a in advices}
    page = render_cohort_index(advices, instrument, "nl", shown, links)
    _strict_parse(page)
    assert all(f'href="reports/P-{n}.html"' in page for n in range(len(advices)))
    assert not re.search(r">C\d<", page)
    assert instrument.sha256 in page


@pytest.mark.parametrize(
    "lang, said",
    [
        ("nl", "het besluit: vraagt ten minste twee commissieleden; nu 1."),
        ("en", "the decision: needs at least two committee members; got 1."),
    ],
)
def test_an_incomplete_decision_says_what_is_missing_in_the_reports_language(scored, lang, said):
    scores, advices = scored
    advice = advices[0]
    decision = Decision(
        advice.candidate_id, advice.category, True, signatories=(Signatory("A", "chair"),)
    )
    page = render_html(advice, scores.instrument, scores.ratings, lang, decision)
    assert said in page


def test_both_languages_have_every_text():
    assert set(messages("nl")) == set(messages("en"))


def test_composition_conflicts_are_told_in_the_reports_language(instrument):
    scores = weegtool.score(instrument, COMMITTEE)
    full = parse_houses(
        [{"id": "huis-vol", "capacity": 1, "residents": [{"id": "B-1", "age": 15}]}], instrument
    )
    advice = weegtool.advise(scores, houses=full, on=ON)[0]
    assert any(r.kind == "composition" for r in advice.reasons)
    nl = render_html(advice, scores.instrument, scores.ratings, "nl")
    en = render_html(advice, scores.instrument, scores.ratings, "en")
    assert "bewoners: 1; plaatsen: 1" in nl and "residents: 1; places: 1" in en
    assert "capacity:" not in nl


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_c2_names_every_house_checked_and_why_huis_a_is_excluded(scored, instrument, lang):
    """Issue 13: C2 (suicide-risk flag) with examples/houses.yaml is ruled out of huis-a by
    one_suicide_risk because of resident B-101; huis-b is chosen. The report lists both, the
    chosen one first, and says for huis-a the rule, the resident and why."""
    _scores, advices = scored
    advice = next(a for a in advices if a.candidate_id == "C2")
    assert advice.house == "huis-b"
    rows = _page(scored, "C2", lang).split('class="houses"')[1].split("</table>")[0].split("<tr")
    houses = [r for r in rows if 'class="chosen"' in r or 'class="excluded"' in r]
    assert [("huis-b" in r, "huis-a" in r) for r in houses] == [(True, False), (False, True)]
    chosen, excluded = houses
    rule = instrument.composition_rule("one_suicide_risk").text(lang)
    assert rule in excluded and "B-101" in excluded
    assert {"nl": "uitgesloten", "en": "excluded"}[lang] in excluded
    assert {"nl": "gekozen", "en": "chosen"}[lang] in chosen
    assert "one_suicide_risk" not in excluded and "suicide_risk" not in excluded


@pytest.mark.parametrize(
    ("candidate", "review"), [("C2", True), ("C5", False)]
)  # C2 fits huis-b, C5 is referred elsewhere
def test_the_advice_box_gives_a_review_date_only_where_the_young_person_would_live(
    scored, candidate, review
):
    box = _page(scored, candidate).split('class="advice-box"')[1].split("</div>")[0]
    assert ("geëvalueerd" in box) is review
    assert "huis huis-" not in box
    assert box.count('<p class="sentence">') == 1


def test_one_rater_is_said_plainly(instrument):
    table = pd.read_csv(COMMITTEE)
    one = table[(table.candidate_id == "C1") & (table.rater_id == "R1")]
    scores = weegtool.score(instrument, one)
    advice = weegtool.advise(scores, on=ON)[0]
    page = render_html(advice, instrument, scores.ratings, "nl")
    assert "beoordeeld door één lid: geen spreiding" in page
    assert "1 beoordelaar" not in page


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_pdf_page_carries_a_lone_line(scored, lang):
    """The English PDF used to leave the appendix's last line alone on a page of its own."""
    reader = PdfReader(io.BytesIO(render_pdf(_page(scored, "C2", lang))))
    footer = re.compile(r"^C2 - |^\d+ / \d+$")
    for number, page in enumerate(reader.pages, 1):
        lines = [
            line
            for line in page.extract_text().splitlines()
            if line.strip() and not footer.search(line)
        ]
        assert len(lines) >= 3, (number, lines)


def test_the_cohort_index_gives_each_candidates_decisive_reason(scored, instrument):
    _scores, advices = scored
    page = render_cohort_index(advices, instrument, "nl")
    assert "<th>Beslissende reden</th>" in page
    for advice in advices:
        decisive = next(r for r in advice.reasons if r.decisive)
        words = jinja2.utils.markupsafe.escape(describe_reason(decisive, instrument, "nl"))
        assert words in page, advice.candidate_id


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_charts_legend_stays_on_the_charts_page(scored, lang):
    """The Dutch C2 report used to put the ceiling line of the legend on the next page."""
    reader = PdfReader(io.BytesIO(render_pdf(_page(scored, "C2", lang))))
    pages = [page.extract_text() for page in reader.pages]
    heading, ceiling = {
        "nl": ("Domeinprofiel", "Donkerrode streep"),
        "en": ("Domain profile", "Dark red tick"),
    }[lang]
    assert [n for n, t in enumerate(pages) if heading in t][:1] == [
        n for n, t in enumerate(pages) if ceiling in t
    ]
