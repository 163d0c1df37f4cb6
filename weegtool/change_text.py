"""A change since the previous assessment in words (Dutch and English), for the report and the terminal.

The numbers come from :mod:`weegtool.change`; the wording from the catalogue (:mod:`weegtool.i18n`,
keys ``since.*``). Points are shown to one decimal, the RCI and reliability to two.
"""

from __future__ import annotations

from typing import Any

from .change import CRITICAL_RCI, CandidateChange, ItemMove, ScoreChange
from .errors import UnknownIdError
from .formatting import day, number, signed
from .i18n import points, text
from .instrument import Instrument

__all__ = [
    "score_title",
    "verdict_title",
    "describe_score_change",
    "describe_comparison",
    "describe_item_move",
    "describe_measurement",
    "meaning",
    "sources",
    "score_rows",
]


def score_title(instrument: Instrument, domain_id: str | None, lang: str) -> str:
    """A domain's title, or "Totaal"/"Total" for None."""
    return (
        text("label.total", lang) if domain_id is None else instrument.domain(domain_id).title(lang)
    )


def verdict_title(verdict: str, lang: str) -> str:
    return text(f"since.verdict.{verdict}", lang)


def describe_score_change(title: str, change: ScoreChange, lang: str) -> str:
    """One sentence: how much the score moved, which way, and whether it is beyond the measurement error."""
    if change.why == "not_assessable":
        which = "previous" if change.previous is None else "current"
        return text(
            "since.sentence.not_assessable",
            lang,
            title=title,
            which=text(f"since.which.{which}", lang),
        )
    if change.why == "other_version":
        return text("since.sentence.other_version", lang, title=title)
    assert change.delta is not None
    if change.delta == 0:
        return text("since.sentence.same", lang, title=title, new=points(change.current, lang))
    key = change.why or change.reliable
    return text(
        f"since.sentence.{key}",
        lang,
        title=title,
        size=points(abs(change.delta), lang),
        way=text("since.lower" if change.delta < 0 else "since.higher", lang),
        old=points(change.previous, lang),
        new=points(change.current, lang),
        sdc=points(change.sdc, lang),
    )


def describe_comparison(change: CandidateChange, instrument: Instrument, lang: str) -> list[str]:
    """The opening sentences: compared with which assessment, the advice then and now, versions."""
    previous = change.previous
    version = f"{previous.instrument['id']} {previous.instrument['version']}"
    lines = [
        text(
            "since.intro",
            lang,
            date=day(previous.assessed_on, lang)
            if previous.assessed_on
            else text("since.no_date", lang),
            instrument=version,
            old=_category(instrument, previous.advice, lang),
            new=_category(instrument, change.advice, lang),
        )
        + " "
        + text("since.category_changed" if change.category_changed else "since.category_same", lang)
    ]
    if not change.same_version:
        lines.append(text("since.other_version", lang, version=version))
    if change.not_compared:
        named = [
            score_title(instrument, d, lang) if d in instrument.domain_ids else d
            for d in change.not_compared
        ]  # a domain only the previous version has is named by its id
        lines.append(text("since.not_compared", lang, domains=", ".join(named)))
    unmeasured = [
        score_title(instrument, domain_id, lang)
        for domain_id, score in _scores(change)
        if score.why == "no_reliability"
    ]
    if unmeasured:
        lines.append(text("since.no_reliability", lang, scores=", ".join(unmeasured)))
    return lines


def _scores(change: CandidateChange) -> list[tuple[str | None, ScoreChange]]:
    """The total (None) first, then the compared domains."""
    return [(None, change.total), *change.domains.items()]


def _category(instrument: Instrument, category: str, lang: str) -> str:
    try:
        return instrument.category(category).title(lang)
    except UnknownIdError:  # a category of another version of the instrument
        return category


def describe_item_move(move: ItemMove, instrument: Instrument, lang: str) -> str:
    return text(
        "since.item",
        lang,
        text=instrument.item(move.item).text(lang),
        item=move.item,
        old=move.previous_rating,
        new=move.rating,
        delta=signed(move.delta, lang),
    )


def describe_measurement(instrument: Instrument, domain_id: str | None, lang: str) -> str | None:
    """Where the reliability of a score comes from; None when the criteria file gives none."""
    measurement = instrument.measurement(domain_id)
    if measurement is None:
        return None
    source = measurement.source
    return text(
        "since.source",
        lang,
        title=score_title(instrument, domain_id, lang),
        coefficient=source.coefficient,
        r=number(measurement.reliability, lang, 2),
        sd=points(measurement.sd, lang),
        data=source.data,
        candidates=source.candidates,
        raters=source.raters,
    )


def sources(change: CandidateChange, instrument: Instrument, lang: str) -> list[str]:
    """Where the reliability of each compared score comes from (scores without one left out)."""
    found = (
        describe_measurement(instrument, domain_id, lang)
        for domain_id, score in _scores(change)
        if score.why != "other_version"
    )
    return [line for line in found if line is not None]


def meaning(lang: str) -> str:
    return text("since.meaning", lang, z=number(CRITICAL_RCI, lang, 2))


def score_rows(change: CandidateChange, instrument: Instrument, lang: str) -> list[dict[str, Any]]:
    """One row per score (the total first, then the compared domains), as text for a table."""
    return [
        {
            "title": score_title(instrument, domain_id, lang),
            "previous": points(score.previous, lang),
            "current": points(score.current, lang),
            "delta": signed(score.delta, lang),
            "sdc": points(score.sdc, lang),
            "rci": signed(score.rci, lang, 2),
            "verdict": verdict_title(score.reliable, lang),
            "reliable": score.reliable,
            "sentence": describe_score_change(
                score_title(instrument, domain_id, lang), score, lang
            ),
        }
        for domain_id, score in _scores(change)
    ]
