"""Counts about the cohort, safe to show: young people per municipality or direction and decision, with small
counts suppressed by the one rule (:func:`weegtool.disclosure.suppress_counts`).

A table shows how many candidates of each group (the referring municipality,
or the placement direction) stand at each decision (the latest finalised
assessment's category, or ``open``). In a pilot of a few dozen, a 1 or a 2
in such a table can point at one child: every count ``0 < n < threshold``
is hidden, and so are the complementary cells that would give it away from
the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..disclosure import DEFAULT_THRESHOLD, Suppressed, suppress_counts
from .models import Candidate

__all__ = ["GROUPINGS", "AGE_BANDS", "OPEN", "SafeCounts", "cohort_counts", "safe_cohort_counts"]

OPEN = "open"  # the column of candidates without a finalised assessment
UNKNOWN = "onbekend"  # the group of candidates without a municipality, direction or age
GROUPINGS = {
    "municipality": Candidate.municipality,
    "direction": Candidate.direction,
    "age": Candidate.age,
}
# Age bands of the pilot's range (8 to 27): child, young teenager, older teenager, young adult.
AGE_BANDS = ((0, 11, "t/m 11"), (12, 15, "12-15"), (16, 17, "16-17"), (18, 200, "18+"))


def _label(value: Any) -> str:
    if isinstance(value, int):
        return next(label for low, high, label in AGE_BANDS if low <= value <= high)
    return str(value or "").strip() or UNKNOWN


def cohort_counts(session: Session, by: str) -> pd.DataFrame:
    """Candidates per group (``by``: ``'municipality'``, ``'direction'`` or ``'age'``, in :data:`AGE_BANDS`) and
    decision: a frame of counts,
    groups as rows (sorted), decision categories and ``open`` as columns (sorted, ``open`` last)."""
    if by not in GROUPINGS:
        raise ValueError(f"'by' must be one of {', '.join(GROUPINGS)}; got {by!r}.")
    from .reviews import admission_decisions  # the intake's decision, not a review's

    decided = {pseudonym: a.category for pseudonym, a in admission_decisions(session)}
    rows = session.execute(select(Candidate.pseudonym, GROUPINGS[by])).all()
    frame = pd.DataFrame(
        {
            "group": [_label(g) for _, g in rows],
            "decision": [decided.get(p, OPEN) for p, _ in rows],
        }
    )
    if frame.empty:
        return pd.DataFrame(dtype="int64")
    counts = pd.crosstab(frame["group"], frame["decision"])
    if by == "age":
        counts = counts.reindex([b[2] for b in AGE_BANDS] + [UNKNOWN]).dropna().astype("int64")
    columns = sorted(c for c in counts.columns if c != OPEN) + ([OPEN] if OPEN in counts else [])
    return counts[columns].rename_axis(index=None, columns=None).astype("int64")


@dataclass(frozen=True)
class SafeCounts:
    """A cohort table as it may be shown: the suppression, the totals that may be shown, what was hidden."""

    by: str
    suppressed: Suppressed

    @property
    def threshold(self) -> int:
        return self.suppressed.threshold

    @property
    def n_hidden(self) -> int:
        return self.suppressed.n_hidden

    def rows(self) -> list[dict[str, Any]]:
        """One dict per group: ``group``, ``cells`` (a count, or None where hidden) and ``total`` (None where
        hidden: a total below the threshold)."""
        shown = self.suppressed.shown()
        hidden_total = self.suppressed.total_hidden(axis=1)
        totals = self.suppressed.counts.sum(axis=1)
        return [
            {
                "group": group,
                "cells": [None if pd.isna(v) else int(v) for v in shown.loc[group]],
                "total": None if hidden_total[group] else int(totals[group]),
            }
            for group in shown.index
        ]

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.suppressed.counts.columns]

    def records(self) -> list[dict[str, Any]]:
        """Long form for an export: ``group``, ``decision``, ``count`` (None where hidden), ``suppressed``."""
        hidden = self.suppressed.hidden
        return [
            {
                "grouping": self.by,
                "group": row["group"],
                "decision": column,
                "count": count,
                "suppressed": bool(hidden.loc[row["group"], column]),
            }
            for row in self.rows()
            for column, count in zip(self.columns, row["cells"], strict=True)
        ]


def safe_cohort_counts(session: Session, by: str, threshold: int = DEFAULT_THRESHOLD) -> SafeCounts:
    """:func:`cohort_counts` passed through :func:`~weegtool.disclosure.suppress_counts` at ``threshold``."""
    return SafeCounts(by, suppress_counts(cohort_counts(session, by), threshold))
