"""One candidate's advice as readable tables on a terminal (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .advice import Advice
from .change import CandidateChange
from .formatting import day, number
from .i18n import describe_change, describe_reason, direction_title, text
from .instrument import Instrument

__all__ = ["explain_table", "cohort_table", "change_table"]


class _Labels:
    """``words["item"]`` is the catalogue's ``label.item`` in the chosen language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getitem__(self, name: str) -> str:
        return text(f"label.{name}", self.lang)


def explain_table(advice: Advice, instrument: Instrument, lang: str = "nl") -> Group:
    """Header, item table per domain with contributions, reasons and the counterfactual."""
    words = _Labels(lang)
    header = Text.assemble(
        (f"{words['candidate']} {advice.candidate_id}\n", "bold"),
        f"{instrument.spec.title(lang)} {text('report.version', lang)} {instrument.version} "
        f"({text(f'report.status.{instrument.status}', lang)}) sha256 {instrument.sha256}\n",
        (f"{words['advice']}: {instrument.category(advice.category).title(lang)}\n", "bold"),
        f"{words['total']}: {number(advice.total, lang, 1)}  {words['band']}: {instrument.band_title(advice.band, lang)}  "
        f"{words['direction']}: {direction_title(advice.direction, lang)}  "
        f"{words['review']}: {day(advice.review_date, lang)}\n",
        (text("advice_not_decision", lang), "italic"),
    )
    parts: list[Text | Table] = [
        header,
        _items(advice, instrument, lang),
        _reasons(advice, instrument, lang),
    ]
    if advice.critical:
        parts.append(_critical(advice, instrument, lang))
    return Group(*parts)


def _items(advice: Advice, instrument: Instrument, lang: str) -> Table:
    words = _Labels(lang)
    table = Table(box=box.SIMPLE_HEAVY, show_lines=False)
    for name, justify in (
        ("item", "left"),
        ("rating", "right"),
        ("spread", "right"),
        ("weight", "right"),
        ("contribution", "right"),
    ):
        table.add_column(words[name], justify=justify)  # type: ignore[arg-type]
    spreads = {d.item: d.spread for d in advice.disputed}
    for domain in instrument.domains:
        score = advice.domains[domain.id]
        label = number(score, lang, 1) if score is not None else words["not_assessable"]
        kind = text(f"label.kind.{domain.kind}", lang)
        weight = text("label.domain_weight", lang, weight=domain.weight)
        table.add_row(Text(f"{domain.title(lang)} ({kind}, {weight}): {label}", style="bold"))
        for item in (i for i in instrument.items if i.domain == domain.id):
            mark = f" ({words['disputed']})" if item.id in spreads else ""
            table.add_row(
                f"  {item.text(lang)}{mark}",
                number(advice.ratings[item.id], lang),
                number(spreads.get(item.id), lang, 0) if item.id in spreads else "",
                number(item.weight, lang),
                number(advice.contributions[item.id], lang, 2),
                style="yellow" if item.id in spreads else None,
            )
    table.add_row(
        Text(words["total"], style="bold"),
        "",
        "",
        "",
        Text(number(advice.total, lang, 2), style="bold"),
    )
    return table


def _reasons(advice: Advice, instrument: Instrument, lang: str) -> Table:
    words = _Labels(lang)
    table = Table(box=box.SIMPLE, show_header=True)
    table.add_column(words["reasons"])
    for reason in advice.reasons:
        marker = "* " if reason.decisive else "  "
        table.add_row(marker + describe_reason(reason, instrument, lang))
    table.add_row("")
    table.add_row(Text(words["changes"], style="bold"))
    changes = [describe_change(c, instrument, lang) for c in advice.changes] or [
        text("no_change", lang)
    ]
    for line in changes:
        table.add_row("  " + line)
    return table


def _critical(advice: Advice, instrument: Instrument, lang: str) -> Table:
    table = Table(box=box.SIMPLE, title=text("label.critical", lang))
    for name in ("item", "rater", "reason"):
        table.add_column(text(f"label.{name}", lang))
    for c in advice.critical:
        table.add_row(instrument.item(c.item).text(lang), c.rater_id, c.reason)
    return table


def cohort_table(
    advices: Sequence[Advice], instrument: Instrument, lang: str = "nl", limit: int = 15
) -> Table:
    """A row per candidate: total, band, advice, flags, items for discussion."""
    words = _Labels(lang)
    table = Table(box=box.SIMPLE_HEAVY)
    for name in ("candidate", "total", "band", "advice", "flags", "disputed"):
        table.add_column(words[name], justify="right" if name == "total" else "left")
    for advice in list(advices)[:limit]:
        table.add_row(
            advice.candidate_id,
            number(advice.total, lang, 1),
            instrument.band_title(advice.band, lang),
            instrument.category(advice.category).title(lang),
            ", ".join(instrument.flag(f.id).text(lang) for f in advice.flags) or "-",
            str(len(advice.disputed)),
        )
    return table


def change_table(change: CandidateChange | None, instrument: Instrument, lang: str = "nl") -> Group:
    """The change since the previous assessment: the numbers per score, then in words."""
    from . import change_text

    if change is None:
        return Group(Text(text("since.no_previous", lang), style="italic"))
    table = Table(box=box.SIMPLE_HEAVY, title=text("since.title", lang))
    for key in ("score", "previous", "current", "delta", "sdc", "rci", "verdict"):
        table.add_column(
            text(f"since.{key}", lang), justify="left" if key in ("score", "verdict") else "right"
        )
    rows = change_text.score_rows(change, instrument, lang)
    for row in rows:
        table.add_row(
            row["title"],
            row["previous"],
            row["current"],
            row["delta"],
            row["sdc"],
            row["rci"],
            row["verdict"],
        )
    words = [
        *change_text.describe_comparison(change, instrument, lang),
        *(row["sentence"] for row in rows),
        change_text.meaning(lang),
    ]
    items = [change_text.describe_item_move(m, instrument, lang) for m in change.items]
    if items:
        words += [text("since.items", lang) + ":", *("  " + line for line in items)]
    return Group(table, *(Text(line) for line in words))


def console() -> Console:
    return Console(width=140, soft_wrap=False)
