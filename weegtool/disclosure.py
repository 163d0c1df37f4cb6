"""The one suppression rule for counts about small groups of young people.

In a pilot of a few dozen young people, a count of 1 or 2 in a table per
municipality, category or group can identify a child. Every aggregate that
weegtool shows or exports (the coordinator's overview, the cohort index, the
research page, group rates) passes its counts through :func:`suppress_counts`.

The rule, as statistical offices apply it to frequency tables (e.g. CBS,
*Statistische beveiliging*; Hundepool et al., *Statistical Disclosure
Control*, Wiley 2012, ch. 5 and 6):

1. **Primary suppression**: a count ``n`` with ``0 < n < threshold`` is not
   shown (a zero is shown: it describes no one).
2. **Complementary suppression**: when the totals of a row or column are
   known, a row or column with exactly one hidden cell would give it away
   (total minus the others), and hidden cells whose sum is small give that
   small sum away when the total is shown (two hidden 1s in a row of 22:
   together 2). So in a row or column with exactly one hidden cell, or with
   hidden cells summing to less than the threshold under a shown total, one
   more cell is hidden, the smallest non-zero
   shown count (else the smallest shown count), and this repeats over rows
   and columns until no row or column is exposed so.

This is a simple, deterministic heuristic, not an optimal (least-loss)
suppression pattern; it never shows a count below the threshold, never
leaves a single hidden cell in a row or column whose total can be known,
and never leaves hidden cells summing to less than the threshold in a line
whose total is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_THRESHOLD", "Suppressed", "is_small", "suppress_counts"]

DEFAULT_THRESHOLD = 5
"""Counts below this (and above zero) are hidden unless configured otherwise."""


def is_small(count: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Whether one count falls under primary suppression: ``0 < count < threshold``."""
    return 0 < count < threshold


@dataclass(frozen=True)
class Suppressed:
    """A table of counts with the cells not to be shown.

    Attributes
    ----------
    counts : DataFrame
        The counts as given (integers, same index and columns as the input).
    hidden : DataFrame
        Same shape, True where a count must not be shown.
    primary : DataFrame
        Same shape, True where the count itself is small (rule 1); ``hidden``
        minus ``primary`` are the complementary cells (rule 2).
    threshold : int
    """

    counts: pd.DataFrame
    hidden: pd.DataFrame
    primary: pd.DataFrame
    threshold: int

    @property
    def n_hidden(self) -> int:
        """How many cells are hidden, primary and complementary."""
        return int(self.hidden.to_numpy().sum())

    @property
    def n_complementary(self) -> int:
        """How many shown-size cells were hidden only to protect a small one."""
        return int((self.hidden.to_numpy() & ~self.primary.to_numpy()).sum())

    def shown(self) -> pd.DataFrame:
        """The counts as they may be shown: a nullable integer frame, ``<NA>`` where hidden."""
        return self.counts.astype("Int64").mask(self.hidden)

    def total_hidden(self, axis: Literal[0, 1] = 1) -> pd.Series:
        """Whether a row total (``axis=1``) or column total (``axis=0``) must itself be hidden.

        A total is hidden when it is small by rule 1, or when its line keeps
        exactly one hidden cell (a one-cell line, where nothing could
        complement it): the total would give that cell away. The totals
        are themselves a line whose sum (the grand total) is known, so rule 2
        applies to them too: one hidden total, or hidden totals of a small
        sum, take the smallest shown total with them (a page saying "30
        referrals" above row totals 9, 9, 8 and a hidden one gave away 4).
        """
        totals = self.counts.sum(axis=axis)
        alone = self.hidden.sum(axis=axis) == 1
        hidden = (((totals > 0) & (totals < self.threshold)) | alone).to_numpy()[None, :].copy()
        if hidden.any():
            _complement(totals.to_numpy(dtype=np.int64)[None, :], hidden, self.threshold)
        return pd.Series(hidden[0], index=totals.index)


def suppress_counts(
    counts: pd.DataFrame | pd.Series,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    totals: bool = True,
    also: pd.DataFrame | None = None,
) -> Suppressed:
    """Which counts of a frequency table may be shown.

    Parameters
    ----------
    counts : DataFrame or Series
        Non-negative integer counts; a Series is one column (its total
        counted as known).
    threshold : int
        Counts ``0 < n < threshold`` are hidden; 1 hides nothing.
    totals : bool
        Whether row and column totals are known to the reader (shown or
        published elsewhere); then complementary cells are hidden as well.
    also : DataFrame of bool, optional
        Cells to hide as if small (rule 1), same index and columns as
        ``counts``: for a table whose caller also shows a count derived from
        it (a sum of cells) that is small, and hides a cell so that the
        sum cannot be worked out. Rule 2 then complements them too.

    Returns
    -------
    Suppressed

    Raises
    ------
    ValueError
        If a count is negative, not whole, or missing, or the threshold is
        below 1.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise ValueError(
            f"The 'threshold' parameter of suppress_counts must be a whole number of at "
            f"least 1. Got {threshold!r} instead."
        )
    frame = counts.to_frame() if isinstance(counts, pd.Series) else counts
    values = frame.to_numpy(dtype=float, na_value=np.nan)
    if values.size and (
        np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any()
    ):
        raise ValueError("Counts must be whole numbers of at least 0, none missing.")
    values = values.astype(np.int64)
    primary = (values > 0) & (values < threshold)
    if also is not None:
        if list(also.index) != list(frame.index) or list(also.columns) != list(frame.columns):
            raise ValueError("'also' must have the index and columns of the counts.")
        primary |= also.to_numpy(dtype=bool)
    hidden = primary.copy()
    if totals and hidden.any():
        _complement(values, hidden, int(threshold))
    wrap = lambda a: pd.DataFrame(a, index=frame.index, columns=frame.columns)  # noqa: E731
    return Suppressed(
        counts=wrap(values), hidden=wrap(hidden), primary=wrap(primary), threshold=int(threshold)
    )


def _complement(values: np.ndarray, hidden: np.ndarray, threshold: int) -> None:
    """Rule 2 in place: no row or column keeps one hidden cell, or hidden cells of a small sum."""
    changed = True
    while changed:
        changed = False
        for axis in (1, 0):
            lines = hidden if axis == 1 else hidden.T
            cells = values if axis == 1 else values.T
            n_hidden = lines.sum(axis=1)
            hidden_sum = np.where(lines, cells, 0).sum(axis=1)
            # a small line total is hidden itself (Suppressed.total_hidden), so it gives no sum away
            shown_total = cells.sum(axis=1) >= threshold
            exposed = (n_hidden == 1) | ((hidden_sum > 0) & (hidden_sum < threshold) & shown_total)
            for i in np.flatnonzero(exposed):
                candidates = np.flatnonzero(~lines[i])
                if candidates.size == 0:
                    continue  # a one-cell line: its total is the hidden cell, hidden below
                positive = candidates[cells[i, candidates] > 0]
                pool = positive if positive.size else candidates
                j = pool[np.argmin(cells[i, pool])]
                lines[i, j] = True
                changed = True
