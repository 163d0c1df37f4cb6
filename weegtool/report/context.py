"""Advice + instrument + ratings -> the plain values one report shows (no jinja2 here).

Every number and date is formatted here for the report's language (:mod:`weegtool.formatting`),
every sentence comes from the catalogue (:mod:`weegtool.i18n`), and no identifier reaches the
page where the instrument gives a title.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from .. import __version__
from ..advice import Advice
from ..candidate import CandidateFields
from ..composition import Conflict
from ..decision import Decision, check_decision
from ..formatting import day, number, percent
from ..i18n import (
    describe_change,
    describe_reason,
    detail_label,
    detail_value,
    direction_title,
    plural,
    role_title,
    text,
)
from ..instrument import Instrument, Item
from ..ratings import Ratings
from .chart import Bar, profile_svg

__all__ = ["report_context"]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def report_context(
    advice: Advice,
    instrument: Instrument,
    ratings: Ratings,
    lang: str = "nl",
    decision: Decision | None = None,
    shown_id: str | None = None,
) -> dict[str, Any]:
    """Everything the report template shows, as plain values; ``shown_id`` replaces the id (a pseudonym).

    Raises
    ------
    WeegtoolError
        When ``advice`` or ``ratings`` were made with another version of ``instrument``, or the
        ratings are not the ones the advice was made from.
    """
    advice.check_instrument(instrument)
    ratings.check_instrument(instrument)
    advice.check_ratings(ratings)
    fields = advice.fields or ratings.record(advice.candidate_id)
    n_raters = ratings.rater_count(advice.candidate_id)
    return {
        "lang": lang,
        "t": lambda key, **values: text(key, lang, **values),
        "candidate": shown_id or advice.candidate_id,
        "header": _header(advice, instrument, fields, n_raters, lang),
        "advice": _advice_part(advice, instrument, lang),
        "chart": _chart(advice, instrument, lang),
        "legend": _legend(instrument, lang),
        "domains": _domains(advice, instrument, ratings, n_raters, lang),
        "flags": _flags(advice, instrument, lang),
        "composition": _composition(advice, instrument, lang),
        "decision": _decision(decision, advice, instrument, lang),
        "appendix": _appendix(instrument, lang),
        "generated": text("report.generated", lang, version=__version__),
    }


def _header(
    advice: Advice, instrument: Instrument, fields: CandidateFields, n_raters: int, lang: str
) -> dict[str, Any]:
    consent = advice.preconditions.get("consent")
    purpose = fields.purpose or "admission"
    return {
        "date": day(advice.assessed_on, lang),
        "purpose": text(f"report.purpose.{purpose}", lang),
        "raters": text("report.single_rater", lang)
        if n_raters == 1
        else plural("report.raters", n_raters, lang),
        "single_rater": n_raters == 1,
        "instrument": f"{instrument.spec.title(lang)} ({text('report.version', lang)} {instrument.version})",
        "status": text(f"report.status.{instrument.status}", lang),
        "concept": instrument.status == "concept",
        "sha256": instrument.sha256,
        "consent": text(
            "report.unknown" if consent is None else ("report.yes" if consent else "report.no"),
            lang,
        ),
        "sources": fields.sources,
        "source_doubts": fields.source_doubts,
    }


def _lives_here(advice: Advice, instrument: Instrument) -> bool:
    """Whether the advice places the young person in a house of this housing form (a review date
    then applies; for a referral elsewhere it is another organisation's)."""
    return advice.category in instrument.spec.advice.suitable


def _group_sentence(advice: Advice, instrument: Instrument, lang: str) -> str:
    if advice.suitability not in instrument.spec.advice.suitable:
        return text("report.group.not_sought", lang)
    if advice.group_fit == "not_checked":
        return text("report.group_fit.not_checked", lang)
    if advice.group_fit == "fits":
        free = advice.houses_checked.get(advice.house or "", 0)
        return plural("report.group.fits", free, lang, house=advice.house)
    if advice.house is not None:
        return text("report.group.conflicts", lang, house=advice.house)
    return text("report.group.none_fits", lang)


def _advice_part(advice: Advice, instrument: Instrument, lang: str) -> dict[str, Any]:
    lives_here = _lives_here(advice, instrument)
    return {
        "category": advice.category,
        "title": instrument.category(advice.category).title(lang),
        "sentence": text(
            "report.advice_sentence", lang, title=instrument.category(advice.category).title(lang)
        ),
        "group": _group_sentence(advice, instrument, lang),
        "direction": direction_title(advice.direction, lang),
        "review": text("report.review_sentence", lang, day=day(advice.review_date, lang))
        if lives_here
        else None,
        "total": number(advice.total, lang, 1),
        "band": instrument.band_title(advice.band, lang),
        "margin": number(advice.margin, lang, 1),
        "nearest_band": instrument.band_title(advice.nearest_band, lang),
        "prorated": advice.prorated,
        "reasons": [
            {"text": describe_reason(r, instrument, lang), "decisive": r.decisive, "kind": r.kind}
            for r in advice.reasons
        ],
        "changes": [describe_change(c, instrument, lang) for c in advice.changes]
        or [text("no_change", lang)],
        "not_decision": text("advice_not_decision", lang),
    }


def _chart(advice: Advice, instrument: Instrument, lang: str) -> str:
    ceilings = {c.domain: c.at for c in instrument.spec.advice.ceilings}
    bars = [
        Bar(d.title(lang), advice.domains[d.id], d.kind, ceilings.get(d.id))
        for d in instrument.domains
    ]
    bars.append(Bar(text("report.total", lang), advice.total, "total"))
    boundaries = [
        (b.lower, instrument.band_title(b.id, lang)) for b in instrument.spec.advice.bands[1:]
    ]
    values = "; ".join(f"{b.label}: {number(b.value, lang, 1)}" for b in bars)
    return profile_svg(
        bars,
        boundaries,
        text("report.profile", lang),
        text("report.profile_desc", lang, values=values),
        text("report.not_rated", lang),
        lang,
    )


def _legend(instrument: Instrument, lang: str) -> list[str]:
    """What the chart's lines mean: the band boundaries belong to the total, the red ticks are
    the domains' ceilings."""
    bands = "; ".join(
        text("report.legend.band", lang, at=b.lower, band=instrument.band_title(b.id, lang))
        for b in instrument.spec.advice.bands[1:]
    )
    legend = [text("report.legend.bands", lang, bands=bands)]
    if instrument.spec.advice.ceilings:
        legend.append(text("report.legend.ceilings", lang))
    return legend


def _anchor(instrument: Instrument, item: Item, rating: float | None, lang: str) -> str:
    if rating is None:
        return text("report.not_rated", lang)
    if rating.is_integer() and int(rating) in item.anchors:
        return item.anchors[int(rating)](lang)
    low, high = math.floor(rating), math.ceil(rating)
    if low in item.anchors and high in item.anchors:
        return text("report.between", lang, a=item.anchors[low](lang), b=item.anchors[high](lang))
    return "-"


def _domains(
    advice: Advice, instrument: Instrument, ratings: Ratings, n_raters: int, lang: str
) -> list[dict[str, Any]]:
    disputed = {d.item for d in advice.disputed}
    critical: dict[str, list[tuple[str, str]]] = {}
    for c in advice.critical:
        critical.setdefault(c.item, []).append((c.rater_id, c.reason))
    row = ratings.position(advice.candidate_id)
    out = []
    for domain in instrument.domains:
        items = []
        for j, item in enumerate(instrument.items):
            if item.domain != domain.id:
                continue
            values = list(ratings.by_rater(advice.candidate_id, item.id).items())
            spread = _number(ratings.spread[row, j]) if values and n_raters > 1 else None
            notes = ratings.notes.get((advice.candidate_id, item.id), ())
            items.append(
                {
                    "text": item.text(lang),
                    "rating": number(advice.ratings[item.id], lang),
                    "anchor": _anchor(instrument, item, advice.ratings[item.id], lang),
                    "raters": [f"{r}: {number(v, lang)}" for r, v in values],
                    "spread": number(spread, lang, 0),
                    "weight": number(item.weight, lang),
                    "contribution": number(advice.contributions[item.id], lang, 2),
                    "disputed": item.id in disputed,
                    "notes": [(e.rater_id, e.text) for e in notes],
                    "critical": critical.get(item.id, []),
                }
            )
        score = advice.domains[domain.id]
        out.append(
            {
                "title": domain.title(lang),
                "kind": domain.kind,
                "score": number(score, lang, 1)
                if score is not None
                else text("report.not_rated", lang),
                "items": items,
            }
        )
    return out


def _flags(advice: Advice, instrument: Instrument, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "title": instrument.flag(f.id).text(lang),
            "meaning": instrument.flag(f.id).meaning(lang),
            "severity": text(f"report.flag_{f.severity}", lang),
            "hard": f.severity == "hard",
            "needs_justification": f.severity in ("hard", "soft"),
            "overridden": f.overridden,
            "justification": f.justification,
        }
        for f in advice.flags
    ]


def _conflict_words(conflict: Conflict, instrument: Instrument, lang: str) -> str:
    """One conflict as "<the rule's title> (<who and the numbers>)"."""
    details = "; ".join(
        f"{detail_label(k, lang)}: {detail_value(k, x, instrument, lang)}"
        for k, x in conflict.details.items()
    )
    title = instrument.composition_rule(conflict.rule).text(lang)
    return f"{title} ({details})" if details else title


def _composition(advice: Advice, instrument: Instrument, lang: str) -> dict[str, Any]:
    """Every house checked, the chosen one first; for each the free places, and for one passed
    over the rules it breaks, with the residents and the numbers (why)."""
    found: dict[str, list[Conflict]] = {}
    for c in (*advice.conflicts, *advice.passed_over):
        found.setdefault(c.house, []).append(c)
    chosen = advice.house if advice.group_fit == "fits" else None
    order = sorted(advice.houses_checked, key=lambda name: name != chosen)
    houses = []
    for name in order:
        conflicts = found.get(name, [])
        hard = any(c.hard for c in conflicts)
        status = "chosen" if name == chosen else ("excluded" if hard else "fits")
        houses.append(
            {
                "name": name,
                "status": text(f"report.house.{status}", lang),
                "chosen": name == chosen,
                "excluded": hard,
                "free": plural("report.free_places", advice.houses_checked[name], lang),
                "conflicts": [
                    (text(f"report.flag_{c.severity}", lang), _conflict_words(c, instrument, lang))
                    for c in conflicts
                ],
                "none": text("report.no_conflicts", lang) if not conflicts else None,
            }
        )
    return {"checked": advice.group_fit != "not_checked", "houses": houses}


def _decision(
    decision: Decision | None, advice: Advice, instrument: Instrument, lang: str
) -> dict[str, Any] | None:
    if decision is None:
        return None
    known = {c.id for c in instrument.spec.advice.categories}  # check_decision names an unknown one
    title = (
        instrument.category(decision.category).title(lang)
        if decision.category in known
        else decision.category
    )
    return {
        "follows": decision.category == advice.category,
        "sentence": text("report.decision_follows", lang)
        if decision.category == advice.category
        else text("report.decision_deviates", lang, title=title),
        "justification": decision.justification,
        "dissent": decision.dissent,
        # an item by its wording; an unknown id as given (check_decision names it a problem)
        "items": [
            instrument.item(i).text(lang) if i in instrument.item_ids else i for i in decision.items
        ],
        "signatories": [
            {**vars(s), "role": role_title(s.role, lang)} for s in decision.signatories
        ],
        "decided_on": day(decision.decided_on or _dt.date.today(), lang),
        "problems": check_decision(decision, advice, instrument, lang),
    }


def _appendix(instrument: Instrument, lang: str) -> dict[str, Any]:
    from ..engine import Weights

    weights = Weights.of(instrument)
    protective = "lowers" if instrument.settings.protective_lowers_total else "beside"
    return {
        "text": text(
            "report.appendix_text",
            lang,
            aggregation=text(f"report.aggregation.{instrument.settings.aggregation}", lang),
            protective=text(f"report.protective.{protective}", lang),
        ),
        "domains": [
            {
                "title": d.title(lang),
                "weight": number(d.weight, lang),
                "share": percent(share, lang),
                "items": "; ".join(
                    f"{i.text(lang)} ({number(i.weight, lang)})"
                    for i in instrument.items
                    if i.domain == d.id
                ),
            }
            for d, share in zip(instrument.domains, weights.domain_share)
        ],
        "bands": [
            {
                "title": instrument.band_title(b.id, lang),
                "from": number(b.lower, lang),
                "to": number(b.upper, lang),
                "advice": instrument.category(b.advice).title(lang),
            }
            for b in instrument.spec.advice.bands
        ],
        "ceilings": [
            {
                "title": instrument.domain(c.domain).title(lang),
                "at": number(c.at, lang),
                "advice": instrument.category(c.advice).title(lang),
            }
            for c in instrument.spec.advice.ceilings
        ],
    }
