"""Fixed wording in Dutch and English: the translation catalogue of the core.

Instrument texts (items, flags, categories) come from the criteria file; this
module words the rest: directions, reasons, conflicts and labels.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .instrument import Instrument

__all__ = ["LANGUAGES", "text", "describe_reason", "describe_change", "direction_title", "check_lang"]

LANGUAGES = ("nl", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    "nl": {
        "label.item": 'Item',
        "label.rating": 'Score',
        "label.spread": 'Spreiding',
        "label.weight": 'Gewicht',
        "label.contribution": 'Bijdrage',
        "label.domain": 'Domein',
        "label.total": 'Totaal',
        "label.advice": 'Advies',
        "label.reasons": 'Redenen',
        "label.changes": 'Kleinste wijziging die het advies verandert',
        "label.critical": 'Kritieke items',
        "label.direction": 'Richting',
        "label.review": 'Evaluatie',
        "label.disputed": 'ter bespreking',
        "label.not_assessable": 'niet te beoordelen',
        "label.candidate": 'Kandidaat',
        "label.band": 'Band',
        "label.flags": 'Vlaggen',
        "label.house": 'Huis',
        "direction.long_term": "Langdurig thuis (gedrag overvraagt pleeg- of gezinshuis)",
        "direction.cannot_live_home": "Kan of wil niet meer thuis wonen",
        "direction.temporary_back_home": "Tijdelijk, perspectief terug naar huis",
        "direction.crisis": "Tijdelijke onderbreking of crisis",
        "reason.precondition.unknown": "Voorwaarde '{title}' is niet vastgelegd ({field} ontbreekt): eerst uitzoeken.",
        "reason.precondition.age": "Leeftijd {value} valt buiten het bereik {low}-{high} jaar van de woonvorm.",
        "reason.precondition": "Niet voldaan aan voorwaarde: {title}",
        "reason.missing": "Te veel ontbrekende informatie: {missing} van {items} items ontbreken "
                          "(toegestaan {allowed:.0%}); niet te beoordelen domeinen: {domains}.",
        "reason.hard_flag": "Harde contra-indicatie: {title}. {meaning}",
        "reason.overridden_flag": "Harde contra-indicatie '{title}' terzijde geschoven door de commissie: "
                                  "{justification} (getekend: {signatories}).",
        "reason.soft_flag": "Zachte contra-indicatie: {title}. Bespreken en schriftelijk onderbouwen. {meaning}",
        "reason.info_flag": "Kenmerk voor de groepssamenstelling: {title}.",
        "reason.ceiling": "Domein {title} scoort {score:.1f}, op of boven het plafond {at:g}.",
        "reason.band": "Totaalscore {total:.1f} valt in band '{band}' ({low:g}-{high:g}); "
                       "marge {margin} punten tot band '{nearest}'.",
        "reason.band.prorated": " De score is naar rato berekend (ontbrekende items).",
        "reason.composition": "Groepssamenstelling, huis {house}: {title} ({details}).",
        "change": "{item}: van {old:g} naar {new:g} geeft totaal {total:.1f} en advies '{advice}'.",
        "no_change": "Geen enkele wijziging van één item verandert dit advies.",
        "none": "geen",
        "advice_not_decision": "Dit is een advies; de commissie beslist en legt een afwijking met redenen vast.",
    },
    "en": {
        "label.item": 'Item',
        "label.rating": 'Rating',
        "label.spread": 'Spread',
        "label.weight": 'Weight',
        "label.contribution": 'Contribution',
        "label.domain": 'Domain',
        "label.total": 'Total',
        "label.advice": 'Advice',
        "label.reasons": 'Reasons',
        "label.changes": 'Smallest change that changes the advice',
        "label.critical": 'Critical items',
        "label.direction": 'Direction',
        "label.review": 'Review',
        "label.disputed": 'for discussion',
        "label.not_assessable": 'not assessable',
        "label.candidate": 'Candidate',
        "label.band": 'Band',
        "label.flags": 'Flags',
        "label.house": 'House',
        "direction.long_term": "Long-term home (behaviour overasks foster or family home)",
        "direction.cannot_live_home": "Cannot or will not live at home any more",
        "direction.temporary_back_home": "Temporary, perspective back home",
        "direction.crisis": "Temporary interruption or crisis",
        "reason.precondition.unknown": "Precondition '{title}' is not recorded ({field} missing): find out first.",
        "reason.precondition.age": "Age {value} lies outside the housing form's range of {low}-{high} years.",
        "reason.precondition": "Precondition not met: {title}",
        "reason.missing": "Too much information missing: {missing} of {items} items "
                          "(allowed {allowed:.0%}); domains not assessable: {domains}.",
        "reason.hard_flag": "Hard contra-indication: {title}. {meaning}",
        "reason.overridden_flag": "Hard contra-indication '{title}' overridden by the committee: "
                                  "{justification} (signed: {signatories}).",
        "reason.soft_flag": "Soft contra-indication: {title}. Discuss and justify in writing. {meaning}",
        "reason.info_flag": "Group composition marker: {title}.",
        "reason.ceiling": "Domain {title} scores {score:.1f}, at or above the ceiling {at:g}.",
        "reason.band": "Total score {total:.1f} lies in band '{band}' ({low:g}-{high:g}); "
                       "margin {margin} points to band '{nearest}'.",
        "reason.band.prorated": " The score is prorated (items missing).",
        "reason.composition": "Group composition, house {house}: {title} ({details}).",
        "change": "{item}: from {old:g} to {new:g} gives total {total:.1f} and advice '{advice}'.",
        "no_change": "No change of a single item changes this advice.",
        "none": "none",
        "advice_not_decision": "This is an advice; the committee decides and records any deviation with reasons.",
    },
}


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"The 'lang' parameter must be one of {LANGUAGES}. Got {lang!r} instead.")
    return lang


def text(key: str, lang: str = "nl", **values: Any) -> str:
    return CATALOGUE[check_lang(lang)][key].format(**values)


def direction_title(direction: str | None, lang: str = "nl") -> str:
    return text(f"direction.{direction}", lang) if direction else text("none", lang)


def describe_reason(reason: Any, instrument: Instrument, lang: str = "nl") -> str:
    """One sentence for a :class:`~weegtool.advice.Reason`, with its numbers."""
    v: Mapping[str, Any] = reason.values
    kind = reason.kind
    if kind == "precondition":
        pre = next(p for p in instrument.spec.preconditions if p.id == reason.rule)
        if not v.get("known", True):
            return text("reason.precondition.unknown", lang, title=pre.text(lang), field=pre.field)
        if pre.field == "age":
            low, high = v["age_range"]
            return text("reason.precondition.age", lang, value=v["value"], low=low, high=high)
        return text("reason.precondition", lang, title=pre.text(lang))
    if kind == "missing":
        return text("reason.missing", lang, missing=sum(v["missing"].values()), items=len(instrument.items),
                    allowed=v["max_missing_fraction"],
                    domains=", ".join(instrument.domain(d).title(lang) for d in v["domains_not_assessable"])
                    or text("none", lang))
    if kind.endswith("_flag"):
        flag = instrument.flag(reason.rule)
        return text(f"reason.{kind}", lang, title=flag.text(lang), meaning=flag.meaning(lang),
                    justification=v.get("justification", ""), signatories=", ".join(v.get("signatories", [])))
    if kind == "ceiling":
        return text("reason.ceiling", lang, title=instrument.domain(reason.rule).title(lang), score=v["score"],
                    at=v["at"])
    if kind == "band":
        sentence = text("reason.band", lang, total=v["total"], band=reason.rule, low=v["from"], high=v["to"],
                        margin=_points(v["margin"]), nearest=v["nearest_band"] or "-")
        return sentence + (text("reason.band.prorated", lang) if v.get("prorated") else "")
    if kind == "composition":
        rule = next(r for r in instrument.spec.composition if r.id == reason.rule)
        details = "; ".join(f"{k}: {_plain(x)}" for k, x in v.items() if k not in {"house", "severity", "type"})
        return text("reason.composition", lang, house=v["house"], title=rule.text(lang), details=details)
    raise ValueError(f"unknown reason kind {kind!r}")


def describe_change(change: Any, instrument: Instrument, lang: str = "nl") -> str:
    return text("change", lang, item=change.item, old=change.rating_from, new=change.rating_to,
                total=change.total_to, advice=instrument.category(change.advice_to).title(lang))


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "-"
    return str(value)
