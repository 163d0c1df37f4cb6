"""The short report for the young person and the parents, in plain words (language level B1).

What was assessed, the advice and its main reasons in words, what would change it, when it is
looked at again and how to object; without rater names, notes, scores or other residents. The
Dutch guidance on deciding together with parents and young people (shared decision-making in
youth care) and the child's right to be heard (UN Convention on the Rights of the Child, art.
12) are why. The wording is the catalogue's ``family.*`` messages; a domain or advice category
without plain words there falls back to the instrument's title.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..advice import Advice
from ..formatting import day
from ..i18n import has, text
from ..instrument import Instrument
from .render import environment

__all__ = ["family_context", "render_family_html"]

SHOWN_DOMAINS = 2  # the domains named as "where help is needed most": a few, in order


def _plain(prefix: str, identifier: str, fallback: str, lang: str) -> str:
    key = f"family.{prefix}.{identifier}"
    return text(key, lang) if has(key, lang) else fallback


def _needs(advice: Advice, instrument: Instrument, lang: str) -> list[str]:
    """The risk domains with the highest scores (the most help needed), in plain words."""
    risk = [
        (score, d)
        for d in instrument.domains
        if d.kind == "risk" and (score := advice.domains[d.id]) is not None
    ]
    ranked = sorted(risk, key=lambda pair: -pair[0])[:SHOWN_DOMAINS]
    return [_plain("domain", d.id, d.title(lang), lang) for _, d in ranked]


def _strengths(advice: Advice, instrument: Instrument, lang: str) -> list[str]:
    """The protective items rated as present (rating 0 or 1 of a protective item is a strength
    lacking; at least half of the scale is a strength)."""
    out = []
    for item in instrument.items:
        domain = instrument.domain(item.domain)
        rating = advice.ratings[item.id]
        if domain.kind == "protective" and rating is not None and rating >= max(item.anchors) / 2:
            out.append(_plain("item", item.id, item.text(lang), lang))
    return out


def _reasons(advice: Advice, instrument: Instrument, lang: str) -> list[str]:
    """The flags to discuss, and the decisive reasons that have plain words (never the score
    band: the family report carries no scores). Said once each."""
    out: list[str] = []
    for reason in advice.reasons:
        if reason.kind in ("hard_flag", "soft_flag"):
            flag = instrument.flag(reason.rule).text(lang).lower()
            sentence = text(f"family.reason.{reason.kind}", lang, flag=flag)
        elif reason.decisive and has(f"family.reason.{reason.kind}", lang):
            sentence = text(f"family.reason.{reason.kind}", lang)
        else:
            continue
        if sentence not in out:
            out.append(sentence)
    return out


def family_context(
    advice: Advice, instrument: Instrument, lang: str = "nl", decided_on: _dt.date | None = None
) -> dict[str, Any]:
    """Everything the family report shows: sentences only, no score, name or note. With
    ``decided_on`` (the web app's report of a decided candidate) it says the committee decided on
    that day, what happens now, and how to object to the decision; without it, that the advice is
    not yet a decision."""
    lives_here = advice.category in instrument.spec.advice.suitable
    changes = [
        text(
            "family.change.better" if c.rating_to < c.rating_from else "family.change.worse",
            lang,
            item=_plain("item", c.item, instrument.item(c.item).text(lang), lang).rstrip("."),
            advice=_plain(
                "category", c.advice_to, instrument.category(c.advice_to).title(lang), lang
            ),
        )
        for c in advice.changes[:3]
    ]
    return {
        "lang": lang,
        "t": lambda key, **values: text(key, lang, **values),
        "assessed_on": day(advice.assessed_on, lang),
        "advice": _plain(
            "category", advice.category, instrument.category(advice.category).title(lang), lang
        ),
        "needs": _needs(advice, instrument, lang),
        "strengths": _strengths(advice, instrument, lang),
        "reasons": _reasons(advice, instrument, lang),
        "changes": changes,
        "decided": text("family.decided", lang, day=day(decided_on, lang)) if decided_on else None,
        "review": text("family.review", lang, day=day(advice.review_date, lang))
        if lives_here
        else text("family.no_review", lang),
    }


def render_family_html(
    advice: Advice, instrument: Instrument, lang: str = "nl", decided_on: _dt.date | None = None
) -> str:
    """The family report of one candidate as a self-contained HTML page (A4 in PDF); with
    ``decided_on``, worded for a decision the committee took that day."""
    from ..i18n import check_lang

    context = family_context(advice, instrument, check_lang(lang), decided_on)
    context["footer_left"] = ""
    return environment().get_template("family.html.j2").render(context)
