"""jinja2 rendering of reports: one template source for HTML and PDF (WeasyPrint)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import jinja2

from ..advice import Advice
from ..change import Comparison
from ..decision import Decision
from ..formatting import day, number
from ..i18n import check_lang, describe_reason, text
from ..instrument import Instrument
from ..ratings import Ratings
from .context import report_context

__all__ = ["environment", "render_html", "render_pdf", "render_cohort_index"]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Autoescape everywhere, strict undefined: free text is data, a missing value an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("weegtool.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )


def _footer(*parts: str) -> str:
    """Text for a CSS string in the page footer: only characters that cannot break out of it."""
    return re.sub(r"[^0-9A-Za-z ._:-]", "", " · ".join(parts).replace(" · ", " - "))[:120]


def render_html(
    advice: Advice,
    instrument: Instrument,
    ratings: Ratings,
    lang: str = "nl",
    decision: Decision | None = None,
    shown_id: str | None = None,
    comparison: Comparison | None = None,
) -> str:
    """The advice report of one candidate as a self-contained HTML page.

    With a ``comparison`` (:func:`weegtool.change.compare`) it has the section "change since the
    previous assessment" (saying so when this candidate had none).
    """
    from .since import since_context

    context = report_context(advice, instrument, ratings, check_lang(lang), decision, shown_id)
    context["since"] = since_context(comparison, advice.candidate_id, instrument, lang)
    context["footer_left"] = _footer(
        context["candidate"], instrument.id, instrument.version, instrument.sha256[:12]
    )
    return environment().get_template("report.html.j2").render(context)


def render_pdf(html: str) -> bytes:
    """A4 PDF of a rendered report (WeasyPrint; no network: the page is self-contained)."""
    import weasyprint

    # Reports are self-contained: any reference to a file or a server is refused (and logged), never fetched.
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def render_cohort_index(
    advices: Sequence[Advice],
    instrument: Instrument,
    lang: str = "nl",
    shown: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    """The cohort overview: counts per advice and direction, disputed items, hard flags, a row per candidate."""
    from collections import Counter

    from ..i18n import direction_title

    lang = check_lang(lang)
    shown = shown or {a.candidate_id: a.candidate_id for a in advices}
    links = links or {}
    categories = Counter(a.category for a in advices)
    directions = Counter(a.direction for a in advices)
    disputed = Counter(d.item for a in advices for d in a.disputed)
    context = {
        "lang": lang,
        "t": lambda key, **values: text(key, lang, **values),
        "footer_left": _footer(instrument.id, instrument.version, instrument.sha256[:12]),
        "instrument": f"{instrument.spec.title(lang)} ({text('report.version', lang)} {instrument.version}, "
        f"{text(f'report.status.{instrument.status}', lang)})",
        "sha256": instrument.sha256,
        "n": len(advices),
        "categories": [
            (instrument.category(c.id).title(lang), categories.get(c.id, 0))
            for c in instrument.spec.advice.categories
        ],
        "directions": [
            (direction_title(d, lang), n)
            for d, n in sorted(directions.items(), key=lambda kv: -kv[1])
        ],
        "disputed": [(instrument.item(i).text(lang), n) for i, n in disputed.most_common(10)],
        "hard": [
            shown[a.candidate_id]
            for a in advices
            if any(f.severity == "hard" and not f.overridden for f in a.flags)
        ],
        "rows": [
            {
                "id": shown[a.candidate_id],
                "link": links.get(a.candidate_id),
                "total": number(a.total, lang, 1),
                "band": instrument.band_title(a.band, lang),
                "advice": instrument.category(a.category).title(lang),
                "direction": direction_title(a.direction, lang),
                "review": day(a.review_date, lang),
                "reason": next(
                    (describe_reason(r, instrument, lang) for r in a.reasons if r.decisive), "-"
                ),
            }
            for a in advices
        ],
    }
    return environment().get_template("cohort.html.j2").render(context)
