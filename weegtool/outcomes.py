"""How a placement ended, and the outcome researchers calibrate against.

The end reasons are one fixed list (:data:`END_REASONS`), each with its Dutch
and English title and whether the end was planned. The unplanned ends
(breakdown, to heavier care, crisis) are what the research calls a
*breakdown*: the adverse event that weights and cut-offs are calibrated to
predict. Only placed young people have an outcome (selective labels).

:func:`outcome` turns one placement into the outcome columns of the
researcher's export (:data:`OUTCOME_COLUMNS`); ``synthetic_cohort`` produces
the same columns, so a notebook reads either.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

__all__ = [
    "EndReason",
    "END_REASONS",
    "END_REASON_IDS",
    "UNPLANNED",
    "OUTCOME_COLUMNS",
    "Outcome",
    "outcome",
    "end_reason_title",
    "add_months",
    "broke_down_within",
]


@dataclass(frozen=True)
class EndReason:
    """Why a placement ended: ``planned`` for the ends that were the plan, ``breakdown`` for the unplanned ones."""

    id: str
    nl: str
    en: str
    planned: bool
    breakdown: bool

    def title(self, lang: str = "nl") -> str:
        return self.nl if lang == "nl" else self.en


# The one list (seed 004 and the pilot's own ends); 'other' is neither planned nor a breakdown.
END_REASONS = (
    EndReason("back_home", "Terug naar huis", "Back home", planned=True, breakdown=False),
    EndReason(
        "foster_family",
        "Naar pleeggezin of gezinshuis",
        "To a foster or family home",
        planned=True,
        breakdown=False,
    ),
    EndReason(
        "independent_living",
        "Zelfstandig wonen",
        "Independent living",
        planned=True,
        breakdown=False,
    ),
    EndReason(
        "breakdown", "Plaatsing afgebroken", "Placement broke down", planned=False, breakdown=True
    ),
    EndReason(
        "heavier_care", "Naar zwaardere zorg", "To heavier care", planned=False, breakdown=True
    ),
    EndReason("crisis", "Crisis", "Crisis", planned=False, breakdown=True),
    EndReason("other", "Anders", "Other", planned=False, breakdown=False),
)
END_REASON_IDS = tuple(r.id for r in END_REASONS)
UNPLANNED = tuple(r.id for r in END_REASONS if r.breakdown)
_BY_ID = {r.id: r for r in END_REASONS}

OUTCOME_COLUMNS = (
    "placed",
    "placement_start",
    "placement_end",
    "end_reason",
    "planned_end",
    "days_placed",
    "breakdown",
    "outcome",
    "days_to_breakdown",
)


def end_reason_title(reason: str, lang: str = "nl") -> str:
    """An end reason's title; the id itself when it is not on the list."""
    found = _BY_ID.get(reason)
    return found.title(lang) if found else reason


@dataclass(frozen=True)
class Outcome:
    """One candidate's outcome, as the columns of :data:`OUTCOME_COLUMNS` (None: empty).

    ``breakdown`` is 1 for an unplanned end, 0 for a placement that goes on or
    ended otherwise, None when not placed; ``outcome`` is ``1 - breakdown``.
    ``days_placed`` counts to the end, or to the day of the export while the
    placement goes on.
    """

    placed: bool
    placement_start: _dt.date | None = None
    placement_end: _dt.date | None = None
    end_reason: str | None = None
    planned_end: bool | None = None
    days_placed: int | None = None
    breakdown: int | None = None
    outcome: int | None = None
    days_to_breakdown: int | None = None


def outcome(
    start: _dt.date | None, end: _dt.date | None, reason: str | None, on: _dt.date
) -> Outcome:
    """The outcome of a placement from ``start`` to ``end`` (None: goes on) for ``reason``, as of ``on``.

    ``start`` None: not placed, every other column empty.

    Raises
    ------
    ValueError
        If ``reason`` is not one of :data:`END_REASON_IDS`, an end has no reason
        (or a reason no end), or the end lies before the start.
    """
    if start is None:
        return Outcome(placed=False)
    if (end is None) != (reason is None):
        raise ValueError(f"An end needs its reason and a reason its end; got {end!r}, {reason!r}.")
    if end is None:
        return Outcome(True, start, None, None, None, (on - start).days, 0, 1, None)
    if reason not in _BY_ID:
        raise ValueError(
            f"'end_reason' must be one of {', '.join(END_REASON_IDS)}; got {reason!r}."
        )
    if end < start:
        raise ValueError(f"A placement ends on or after its start ({start}); got {end}.")
    why = _BY_ID[reason]
    days = (end - start).days
    broke = int(why.breakdown)
    return Outcome(
        True, start, end, reason, why.planned, days, broke, 1 - broke, days if broke else None
    )


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus whole ``months``, on the last day of the month where that day does not exist (31 Aug + 6 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return _dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")  # pragma: no cover


def broke_down_within(
    start: _dt.date, end: _dt.date | None, reason: str | None, months: int = 6
) -> bool:
    """Whether a placement ended unplanned before ``months`` had passed since its start."""
    return end is not None and reason in UNPLANNED and end < add_months(start, months)
