"""Advice + instrument + ratings -> the plain values one report shows (no jinja2 here)."""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from .. import __version__
from ..advice import Advice
from ..candidate import CandidateFields
from ..decision import Decision, check_decision
from ..i18n import describe_change, describe_reason, direction_title, role_title, text
from ..instrument import Instrument, Item
from ..ratings import Ratings
from .chart import Bar, profile_svg

__all__ = ["report_context"]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if digits else f"{value:g}"


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
    return {
        "lang": lang,
        "t": lambda key, **values: text(key, lang, **values),
        "candidate": shown_id or advice.candidate_id,
        "header": _header(
            advice, instrument, fields, ratings.rater_count(advice.candidate_id), lang
        ),
        "advice": _advice_part(advice, instrument, lang),
        "chart": _chart(advice, instrument, lang),
        "domains": _domains(advice, instrument, ratings, lang),
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
        "date": advice.assessed_on.isoformat(),
        "purpose": text(f"report.purpose.{purpose}", lang),
        "raters": text("report.raters", lang, n=n_raters),
        "instrument": f"{instrument.spec.title(lang)} ({instrument.id} {instrument.version})",
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


def _advice_part(advice: Advice, instrument: Instrument, lang: str) -> dict[str, Any]:
    fit_key = f"report.group_fit.{advice.group_fit}"
    return {
        "category": advice.category,
        "title": instrument.category(advice.category).title(lang),
        "sentence": text(
            "report.advice_sentence", lang, title=instrument.category(advice.category).title(lang)
        ),
        "suitability": text(
            "report.suitability_sentence",
            lang,
            title=instrument.category(advice.suitability).title(lang),
            fit=text(fit_key, lang, house=advice.house or "-"),
        ),
        "direction": direction_title(advice.direction, lang),
        "review_date": advice.review_date.isoformat(),
        "total": _fmt(advice.total),
        "band": instrument.band_title(advice.band, lang),
        "margin": _fmt(advice.margin),
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
    values = "; ".join(f"{b.label}: {_fmt(b.value)}" for b in bars)
    return profile_svg(
        bars,
        boundaries,
        text("report.profile", lang),
        text("report.profile_desc", lang, values=values),
        text("report.not_rated", lang),
    )


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
    advice: Advice, instrument: Instrument, ratings: Ratings, lang: str
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
            spread = _number(ratings.spread[row, j]) if values else None
            notes = ratings.notes.get((advice.candidate_id, item.id), ())
            items.append(
                {
                    "id": item.id,
                    "text": item.text(lang),
                    "rating": _fmt(advice.ratings[item.id], 0),
                    "anchor": _anchor(instrument, item, advice.ratings[item.id], lang),
                    "raters": " · ".join(f"{r}: {v:g}" for r, v in values),
                    "spread": _fmt(spread, 0),
                    "weight": f"{item.weight:g}",
                    "contribution": _fmt(advice.contributions[item.id], 2),
                    "disputed": item.id in disputed,
                    "notes": [(e.rater_id, e.text) for e in notes],
                    "critical": critical.get(item.id, []),
                }
            )
        score = advice.domains[domain.id]
        out.append(
            {
                "id": domain.id,
                "title": domain.title(lang),
                "kind": domain.kind,
                "score": _fmt(score) if score is not None else text("report.not_rated", lang),
                "items": items,
            }
        )
    return out


def _flags(advice: Advice, instrument: Instrument, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f.id,
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


def _composition(advice: Advice, instrument: Instrument, lang: str) -> dict[str, Any]:
    conflicts = [
        describe_reason(r, instrument, lang) for r in advice.reasons if r.kind == "composition"
    ]
    return {
        "checked": advice.group_fit != "not_checked",
        "house": advice.house,
        "conflicts": conflicts,
        "free_places": dict(advice.houses_checked),
    }


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
        # an item by its wording, its id beside it to find it in the tables; an unknown id as given
        "items": [
            f"{instrument.item(i).text(lang)} ({i})" if i in instrument.item_ids else i
            for i in decision.items
        ],
        "signatories": [
            {**vars(s), "role": role_title(s.role, lang)} for s in decision.signatories
        ],
        "decided_on": (decision.decided_on or _dt.date.today()).isoformat(),
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
                "weight": f"{d.weight:g}",
                "share": f"{100 * share:.0f}%",
                "items": ", ".join(
                    f"{i.id} ({i.weight:g})" for i in instrument.items if i.domain == d.id
                ),
            }
            for d, share in zip(instrument.domains, weights.domain_share)
        ],
        "bands": [
            {
                "id": instrument.band_title(b.id, lang),
                "from": f"{b.lower:g}",
                "to": f"{b.upper:g}",
                "advice": instrument.category(b.advice).title(lang),
            }
            for b in instrument.spec.advice.bands
        ],
    }
