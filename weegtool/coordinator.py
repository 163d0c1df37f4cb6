"""The coordinator's overview per municipality and period, from a plain history of what happened.

The store gathers the history (:class:`History`: referrals, decisions,
placements, time on the waiting list, each with its municipality and dates);
:func:`coordinator_overview` counts it for one :class:`Period` and hides small
counts with the project's one suppression rule (:func:`weegtool.disclosure.suppress_counts`).

What is counted in a period (first to last day, both included):

- **referrals** registered in it;
- **advice** by category and **decisions** following or deviating from the
  advice, for each candidate's newest decision whose date lies in it;
- **placements** that started in it;
- **on the waiting list**: candidates on it on any day of the period, and the
  **median days** they had waited by the period's last day (or until they
  left the list, or the day of the overview, whichever is first);
- **departures** by end reason, for placements that ended in it;
- **broke down within six months**: of those departures, the unplanned ones
  (breakdown, heavier care, crisis) within six months of the start.

Each block of counts (rows: the block's lines, columns: municipalities) goes
through :func:`~weegtool.disclosure.suppress_counts` with its totals known, so
a hidden count cannot be worked out from its row or column. A median rests on
the waits it is the median of: it is hidden where that number is small.
"""

from __future__ import annotations

import datetime as _dt
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .candidate import YEARS
from .disclosure import DEFAULT_THRESHOLD, is_small, suppress_counts
from .formatting import month
from .i18n import check_lang, text
from .outcomes import END_REASONS, add_months, broke_down_within

__all__ = [
    "TWENTE_MUNICIPALITIES",
    "UNKNOWN_MUNICIPALITY",
    "REFERRER_TYPES",
    "REFERRER_TYPE_IDS",
    "Period",
    "parse_period",
    "ReferralEvent",
    "DecisionEvent",
    "PlacementEvent",
    "WaitEvent",
    "History",
    "Line",
    "CoordinatorOverview",
    "coordinator_overview",
]

# The 14 Twente municipalities that fund the pilot (Regio Twente), the default list of a referral's municipality.
TWENTE_MUNICIPALITIES = (
    "Almelo",
    "Borne",
    "Dinkelland",
    "Enschede",
    "Haaksbergen",
    "Hellendoorn",
    "Hengelo",
    "Hof van Twente",
    "Losser",
    "Oldenzaal",
    "Rijssen-Holten",
    "Tubbergen",
    "Twenterand",
    "Wierden",
)
UNKNOWN_MUNICIPALITY = "onbekend"

# The referrer's kind of organisation: (id, Dutch title); the ids are stored, the titles shown.
REFERRER_TYPES = (
    ("municipal_team", "Wijkteam of toegang van de gemeente"),
    ("certified_institution", "Gecertificeerde instelling (jeugdbescherming, jeugdreclassering)"),
    ("care_provider", "Jeugdhulpaanbieder"),
    ("mental_health", "Jeugd-ggz"),
    ("medical", "Huisarts, jeugdarts of medisch specialist"),
    ("other", "Anders"),
)
REFERRER_TYPE_IDS = tuple(i for i, _ in REFERRER_TYPES)


@dataclass(frozen=True)
class Period:
    """A month, quarter or year: ``first`` to ``last`` day, both included; ``key`` as typed (2026-07, 2026-K3, 2026)."""

    key: str
    first: _dt.date
    last: _dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, _dt.date) and self.first <= day <= self.last

    @property
    def title(self) -> str:
        """In Dutch: 'juli 2026', '3e kwartaal 2026', '2026' (:meth:`titled` for another language)."""
        return self.titled("nl")

    def titled(self, lang: str = "nl") -> str:
        """The period in words for ``lang``: nl 'juli 2026', '3e kwartaal 2026', '2026'; en
        'July 2026', 'Q3 2026', '2026' (month names from Babel, the quarter from the catalogue)."""
        if re.fullmatch(r"\d{4}-\d{2}", self.key):
            return month(self.first, lang)
        if "-K" in self.key:
            return text(
                "coordinator.period.quarter", lang, quarter=self.key[-1], year=str(self.first.year)
            )
        return str(self.first.year)


def parse_period(typed: str, lang: str = "nl") -> Period:
    """A period from ``2026-07`` (month), ``2026-K3`` or ``2026-Q3`` (quarter) or ``2026`` (year).

    Raises
    ------
    ValueError
        In ``lang`` (Dutch by default), with what was given, when the text is none of these.
    """
    raw = (typed or "").strip()
    # ASCII digits only (\d takes full-width ones too), years in the range any date here may have
    month = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", raw)
    quarter = re.fullmatch(r"([0-9]{4})-[KkQq]([1-4])", raw)
    year = re.fullmatch(r"[0-9]{4}", raw)
    given = next((m for m in (month, quarter, year) if m), None)
    if given is not None and not YEARS[0] <= int(given.group(0)[:4]) <= YEARS[1]:
        raise ValueError(
            text(
                "coordinator.period.years",
                lang,
                first=str(YEARS[0]),
                last=str(YEARS[1]),
                given=repr(raw[:40]),
            )
        )
    if month and 1 <= int(month.group(2)) <= 12:
        first = _dt.date(int(month.group(1)), int(month.group(2)), 1)
        return Period(
            f"{first.year}-{first.month:02d}", first, add_months(first, 1) - _dt.timedelta(1)
        )
    if quarter:
        first = _dt.date(int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 1)
        return Period(
            f"{first.year}-K{quarter.group(2)}", first, add_months(first, 3) - _dt.timedelta(1)
        )
    if year:
        return Period(raw, _dt.date(int(raw), 1, 1), _dt.date(int(raw), 12, 31))
    raise ValueError(text("coordinator.period.choose", lang, given=repr(raw[:40])))


@dataclass(frozen=True)
class ReferralEvent:
    municipality: str | None
    registered_on: _dt.date


@dataclass(frozen=True)
class DecisionEvent:
    """A candidate's newest decision: the advice's category and whether the committee followed it."""

    municipality: str | None
    decided_on: _dt.date
    advice: str
    follows_advice: bool


@dataclass(frozen=True)
class PlacementEvent:
    municipality: str | None
    start: _dt.date
    end: _dt.date | None = None
    end_reason: str | None = None


@dataclass(frozen=True)
class WaitEvent:
    """A stay on the waiting list from ``since`` to ``until`` (None: still waiting)."""

    municipality: str | None
    since: _dt.date
    until: _dt.date | None = None


@dataclass(frozen=True)
class History:
    referrals: Sequence[ReferralEvent] = ()
    decisions: Sequence[DecisionEvent] = ()
    placements: Sequence[PlacementEvent] = ()
    waits: Sequence[WaitEvent] = ()


@dataclass(frozen=True)
class Line:
    """One line of the overview: a value per municipality and the total.

    A value is None where it is hidden (``hidden`` True) or, for a median, where
    there is nothing to take the median of. ``kind`` is "count" or "median"
    (days, may be fractional).
    """

    block: str
    label: str
    cells: tuple[float | None, ...]
    hidden: tuple[bool, ...]
    total: float | None
    total_hidden: bool
    kind: str = "count"


@dataclass(frozen=True)
class CoordinatorOverview:
    period: Period
    municipalities: tuple[str, ...]
    lines: tuple[Line, ...]
    threshold: int
    n_hidden: int = 0  # cells hidden, primary and complementary (totals not counted)
    on: _dt.date = field(default_factory=_dt.date.today)

    def blocks(self) -> list[tuple[str, list[Line]]]:
        """The lines grouped by block, in order."""
        out: list[tuple[str, list[Line]]] = []
        for line in self.lines:
            if not out or out[-1][0] != line.block:
                out.append((line.block, []))
            out[-1][1].append(line)
        return out

    def value(self, label: str, municipality: str | None = None) -> float | None:
        """The shown value of the line ``label`` for ``municipality`` (None: the total)."""
        line = next(line for line in self.lines if line.label == label)
        if municipality is None:
            return line.total
        return line.cells[self.municipalities.index(municipality)]


def coordinator_overview(
    history: History,
    period: Period,
    municipalities: Sequence[str] = TWENTE_MUNICIPALITIES,
    advice_titles: Sequence[tuple[str, str]] = (),
    threshold: int = DEFAULT_THRESHOLD,
    on: _dt.date | None = None,
    lang: str = "nl",
) -> CoordinatorOverview:
    """The overview of ``history`` in ``period``, one column per municipality, small counts hidden.

    Parameters
    ----------
    municipalities : the columns, in order; events of another or no municipality
        count under :data:`UNKNOWN_MUNICIPALITY`, a column added only when it has any.
    advice_titles : ``(category id, title)`` of the instrument's advice categories,
        in order; a category in the history but not here is added with its id.
    threshold : counts ``0 < n < threshold`` are hidden (and the cells that would give them away).
    on : the day of the overview (today by default): a wait still going on counts to it.
    lang : the language of the blocks' and lines' labels (catalogue keys ``coordinator.*``,
        end reasons by their title); ``advice_titles`` are given in it by the caller.

    Raises
    ------
    ValueError
        When ``lang`` is not one of :data:`weegtool.i18n.LANGUAGES`.
    """
    check_lang(lang)
    t = lambda key: text(key, lang)  # noqa: E731
    on = on or _dt.date.today()
    columns = _columns(history, municipalities)
    place = lambda m: m if m in municipalities else UNKNOWN_MUNICIPALITY  # noqa: E731
    titles = list(advice_titles) + [
        (d.advice, d.advice)
        for d in history.decisions
        if d.advice not in {c for c, _ in advice_titles}
    ]
    decided = [d for d in history.decisions if d.decided_on in period]
    ended = [p for p in history.placements if p.end is not None and p.end in period]
    waiting = [
        w
        for w in history.waits
        if w.since <= period.last and (w.until is None or w.until >= period.first)
    ]
    blocks: list[tuple[str, list[tuple[str, Callable[[str], int]]]]] = [
        (
            t("coordinator.block.referrals"),
            [
                (
                    t("coordinator.line.referrals"),
                    _count(history.referrals, place, lambda r: r.registered_on in period),
                )
            ],
        ),
        (
            t("coordinator.block.advice"),
            [
                (title, _count(decided, place, lambda d, c=cid: d.advice == c))
                for cid, title in dict(titles).items()
            ],
        ),
        (
            t("coordinator.block.decision"),
            [
                (t("coordinator.line.follows"), _count(decided, place, lambda d: d.follows_advice)),
                (
                    t("coordinator.line.deviates"),
                    _count(decided, place, lambda d: not d.follows_advice),
                ),
            ],
        ),
        (
            t("coordinator.block.placements"),
            [
                (
                    t("coordinator.line.placed"),
                    _count(history.placements, place, lambda p: p.start in period),
                )
            ],
        ),
        (
            t("coordinator.block.waiting"),
            [(t("coordinator.line.waiting"), _count(waiting, place, lambda w: True))],
        ),
        (
            t("coordinator.block.departures"),
            [
                (r.title(lang), _count(ended, place, lambda p, r=r: p.end_reason == r.id))
                for r in END_REASONS
            ],
        ),
        (
            t("coordinator.block.breakdown"),
            [
                (
                    t("coordinator.line.breakdown"),
                    _count(ended, place, lambda p: broke_down_within(p.start, p.end, p.end_reason)),
                )
            ],
        ),
    ]
    lines: list[Line] = []
    n_hidden = 0
    for block, rows in blocks:
        frame = pd.DataFrame(
            [[count(m) for m in columns] for _, count in rows],
            index=[label for label, _ in rows],
            columns=list(columns),
        )
        suppressed = suppress_counts(frame, threshold)
        n_hidden += suppressed.n_hidden
        counts = suppressed.counts.to_numpy()
        hidden = suppressed.hidden.to_numpy()
        total_hidden = suppressed.total_hidden(axis=1).to_numpy()
        for i, (label, _) in enumerate(rows):
            cells = tuple(None if h else int(c) for c, h in zip(counts[i], hidden[i]))
            secret = bool(total_hidden[i])
            total = None if secret else int(counts[i].sum())
            lines.append(
                Line(block, label, cells, tuple(bool(h) for h in hidden[i]), total, secret)
            )
        if block == t("coordinator.block.waiting"):
            lines.append(
                _median_line(
                    waiting,
                    columns,
                    place,
                    period,
                    on,
                    threshold,
                    block,
                    t("coordinator.line.median"),
                )
            )
    return CoordinatorOverview(period, columns, tuple(lines), threshold, n_hidden, on)


def _columns(history: History, municipalities: Sequence[str]) -> tuple[str, ...]:
    known = set(municipalities)
    events: Iterable[object] = (
        *history.referrals,
        *history.decisions,
        *history.placements,
        *history.waits,
    )
    unknown = any(getattr(e, "municipality", None) not in known for e in events)
    return (*municipalities, *((UNKNOWN_MUNICIPALITY,) if unknown else ()))


def _count(
    events: Iterable[object], place: Callable[[str | None], str], keep: Callable[..., bool]
) -> Callable[[str], int]:
    tally: dict[str, int] = {}
    for event in events:
        if keep(event):
            where = place(getattr(event, "municipality", None))
            tally[where] = tally.get(where, 0) + 1
    return lambda municipality: tally.get(municipality, 0)


def _median_line(
    waits: Sequence[WaitEvent],
    columns: Sequence[str],
    place: Callable[[str | None], str],
    period: Period,
    on: _dt.date,
    threshold: int,
    block: str,
    label: str,
) -> Line:
    def days(w: WaitEvent) -> int:
        stop = min(d for d in (w.until, period.last, on) if d is not None)
        return max((stop - w.since).days, 0)

    by_place: dict[str, list[int]] = {}
    for w in waits:
        by_place.setdefault(place(w.municipality), []).append(days(w))

    def median(values: list[int]) -> float | None:
        if not values or is_small(len(values), threshold):
            return None
        return float(statistics.median(values))

    every = [d for values in by_place.values() for d in values]
    return Line(
        block,
        label,
        tuple(median(by_place.get(m, [])) for m in columns),
        tuple(is_small(len(by_place.get(m, [])), threshold) for m in columns),
        median(every),
        is_small(len(every), threshold),
        kind="median",
    )
