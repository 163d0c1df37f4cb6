"""Intraclass correlation: the six ICCs of Shrout & Fleiss (1979), their F tests and intervals.

As R's ``psych::ICC`` and pingouin's ``intraclass_corr`` compute them, with the
intervals of McGraw & Wong (1996). Targets (candidates) in rows, raters in
columns; complete targets only, with a :class:`ReliabilityWarning` saying how
many were dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._common import (
    MAX_SHOWN,
    _at_least,
    _check_alpha,
    _div,
    _fail,
    _listwise,
    _numeric,
    _undefined,
)

ICC_COLUMNS = ("type", "description", "icc", "F", "df1", "df2", "pval", "ci_low", "ci_high")

ICC_FORMS = (
    ("ICC1", "one-way random effects, absolute agreement, single rater"),
    ("ICC2", "two-way random effects, absolute agreement, single rater"),
    ("ICC3", "two-way mixed effects, consistency, single rater"),
    ("ICC1k", "one-way random effects, absolute agreement, mean of k raters"),
    ("ICC2k", "two-way random effects, absolute agreement, mean of k raters"),
    ("ICC3k", "two-way mixed effects, consistency, mean of k raters"),
)


def icc(
    data: pd.DataFrame | np.ndarray | Sequence[Sequence[float]],
    targets: str | None = None,
    raters: str | None = None,
    ratings: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The six intraclass correlations of Shrout & Fleiss (1979), with F tests and confidence intervals.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Wide: one row per target, one column per rater. Long: one row per
        rating, with the column names given in ``targets``, ``raters`` and
        ``ratings``.
    targets, raters, ratings : str, optional
        Column names of a long table; give all three or none.
    alpha : float, default 0.05
        The intervals are ``1 - alpha`` confidence intervals.

    Returns
    -------
    DataFrame
        One row per form (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k) with columns
        ``type, description, icc, F, df1, df2, pval, ci_low, ci_high``;
        ``attrs`` holds ``n_targets``, ``n_raters`` and ``n_dropped``.

    Raises
    ------
    ReliabilityError
        Non-numeric or infinite ratings, a long table that is not balanced (a
        target without a row for some rater, or a rater with two rows for one
        target), fewer than 2 raters or fewer than 2 complete targets.

    Warns
    -----
    ReliabilityWarning
        When targets with a missing (NaN) rating were left out: the ANOVA needs
        a complete targets x raters table, so only complete targets are used.

    Notes
    -----
    With mean squares of targets (MSR), raters (MSC), error (MSE) and within
    targets (MSW) from the two-way ANOVA, ``ICC1 = (MSR - MSW) / (MSR + (k-1) MSW)``,
    ``ICC2 = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)`` and
    ``ICC3 = (MSR - MSE) / (MSR + (k-1) MSE)``; the k forms are the reliability
    of the mean of the k raters. ICC1 and ICC1k are tested with ``MSR / MSW``,
    the others with ``MSR / MSE``. The interval of ICC2 uses Satterthwaite's
    degrees of freedom (McGraw & Wong 1996, table 7). Values that are not
    defined (for example no variance at all) are NaN.
    """
    _check_alpha(alpha, "icc")
    wide = _wide(data, targets, raters, ratings)
    values = _numeric(wide, "data", "icc")
    _at_least(values.shape[1], 2, "raters (columns)", "data", "icc")
    complete, dropped = _listwise(values, "icc", "data", "targets", "rating")
    table = _icc_table(values[complete], alpha)
    undefined = table.loc[table["icc"].isna(), "type"].tolist()
    if undefined:
        _undefined(f"icc {', '.join(undefined)}", "the ratings do not vary between targets")
    table.attrs.update(n_targets=int(complete.sum()), n_raters=values.shape[1], n_dropped=dropped)
    return table


def _wide(data: Any, targets: str | None, raters: str | None, ratings: str | None) -> Any:
    names = {"targets": targets, "raters": raters, "ratings": ratings}
    if all(v is None for v in names.values()):
        return data
    missing = [k for k, v in names.items() if v is None]
    if missing:
        raise _fail(
            f"The {missing[0]!r} parameter of icc must be a column name when 'targets', 'raters' and "
            f"'ratings' describe a long table. Got None instead."
        )
    if not isinstance(data, pd.DataFrame):
        raise _fail(
            f"The 'data' parameter of icc must be a DataFrame when it is a long table. "
            f"Got {type(data).__name__} instead."
        )
    absent = [f"{k}={v!r}" for k, v in names.items() if v not in data.columns]
    if absent:
        raise _fail(
            f"The long table passed to icc has no column {', '.join(absent)}; "
            f"its columns are {list(map(str, data.columns))}."
        )
    return _pivot(data, str(targets), str(raters), str(ratings))


def _pivot(data: pd.DataFrame, targets: str, raters: str, ratings: str) -> pd.DataFrame:
    values = _numeric(data[[ratings]], "data", "icc")[:, 0]
    long = pd.DataFrame({"t": data[targets].to_numpy(), "r": data[raters].to_numpy(), "y": values})
    problems = _unbalanced(long.groupby(["t", "r"], sort=False).size().unstack(fill_value=0))
    if problems:
        raise _fail(
            "The long table passed to icc must be balanced: one rating of every target by every rater "
            f"(NaN where a rating is missing). Found {len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''}: {'; '.join(problems[:3])}"
            f"{'; ...' if len(problems) > 3 else ''}.",
            problems[:MAX_SHOWN],
        )
    return long.pivot(index="t", columns="r", values="y")


def _unbalanced(counts: pd.DataFrame) -> list[str]:
    """Every (target, rater) cell of a long table without exactly one row."""
    table = counts.to_numpy(dtype=np.int64)
    cells = [
        (t, r, int(table[i, j]))
        for i, t in enumerate(counts.index)
        for j, r in enumerate(counts.columns)
    ]
    return [f"target {t!r} has {c} ratings by rater {r!r}" for t, r, c in cells if c > 1] + [
        f"target {t!r} has no rating by rater {r!r}" for t, r, c in cells if c == 0
    ]


@dataclass(frozen=True)
class _MeanSquares:
    n: int
    k: int
    rows: float  # between targets (MSR)
    cols: float  # between raters (MSC)
    error: float  # residual (MSE)
    within: float  # within targets (MSW), raters and error together

    @classmethod
    def of(cls, x: np.ndarray) -> _MeanSquares:
        n, k = x.shape
        grand = x.mean()
        row_dev, col_dev = x.mean(axis=1) - grand, x.mean(axis=0) - grand
        ss_rows, ss_cols = k * float(row_dev @ row_dev), n * float(col_dev @ col_dev)
        ss_error = float(((x - grand - row_dev[:, None] - col_dev[None, :]) ** 2).sum())
        rounding = 1e-12 * float(
            ((x - grand) ** 2).sum()
        )  # below this a sum of squares is rounding, not data
        ss_rows, ss_cols, ss_error = (
            0.0 if ss <= rounding else ss for ss in (ss_rows, ss_cols, ss_error)
        )
        return cls(
            n,
            k,
            ss_rows / (n - 1),
            ss_cols / (k - 1),
            ss_error / ((n - 1) * (k - 1)),
            (ss_cols + ss_error) / (n * (k - 1)),
        )


def _icc_table(x: np.ndarray, alpha: float) -> pd.DataFrame:
    """The kernel: a complete targets x raters array (n >= 2, k >= 2) to the table of six forms."""
    ms = _MeanSquares.of(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = _icc_values(ms)
        tests = _icc_tests(ms)
        intervals = _icc_intervals(ms, values[1], alpha)
    rows = [
        (name, text, values[i], *tests[0 if i % 3 == 0 else 1], *intervals[i])
        for i, (name, text) in enumerate(ICC_FORMS)
    ]
    return pd.DataFrame(rows, columns=list(ICC_COLUMNS))


def _icc_values(ms: _MeanSquares) -> list[float]:
    n, k, r, c, e, w = ms.n, ms.k, ms.rows, ms.cols, ms.error, ms.within
    rounding = 1e-12 * (abs(r) + abs(c) + abs(e) + abs(w))

    def ratio(a: float, b: float) -> float:
        # a sum of mean squares that is zero in exact arithmetic comes out as +-1e-16 or so, in a
        # sign that depends on the order of the rows: read it as the zero it is (Hypothesis found
        # ICC2k = -7e16 one way and 2e16 the other on [[2, 0, 0], [4, 0, 0], [0, 4, 0]])
        return _div(0.0 if abs(a) <= rounding else a, 0.0 if abs(b) <= rounding else b)

    return [
        ratio(r - w, r + (k - 1) * w),
        ratio(r - e, r + (k - 1) * e + k * (c - e) / n),
        ratio(r - e, r + (k - 1) * e),
        ratio(r - w, r),
        ratio(r - e, r + (c - e) / n),
        ratio(r - e, r),
    ]


def _icc_tests(ms: _MeanSquares) -> list[tuple[float, int, int, float]]:
    """(F, df1, df2, p) of the one-way test (index 0) and the two-way test (index 1)."""
    n, k = ms.n, ms.k
    out = []
    for f, df2 in (
        (_div(ms.rows, ms.within), n * (k - 1)),
        (_div(ms.rows, ms.error), (n - 1) * (k - 1)),
    ):
        out.append((f, n - 1, df2, float(stats.f.sf(f, n - 1, df2))))
    return out


def _icc_intervals(ms: _MeanSquares, icc2: float, alpha: float) -> list[tuple[float, float]]:
    n, k = ms.n, ms.k
    q = 1 - alpha / 2
    one_way, two_way = _icc_tests(ms)
    f1_low, f1_high = _f_bounds(one_way[0], n - 1, n * (k - 1), q)
    f3_low, f3_high = _f_bounds(two_way[0], n - 1, (n - 1) * (k - 1), q)
    icc2_low, icc2_high = _icc2_interval(ms, icc2, q)

    def single(f: float) -> float:  # (F - 1) / (F + k - 1), written to give 1 at F = inf
        return 1 - k / (f + k - 1)

    def mean_of_k(low: float) -> float:  # Spearman-Brown
        return low * k / (1 + low * (k - 1))

    return [
        (single(f1_low), single(f1_high)),
        (icc2_low, icc2_high),
        (single(f3_low), single(f3_high)),
        (1 - 1 / f1_low, 1 - 1 / f1_high),
        (mean_of_k(icc2_low), mean_of_k(icc2_high)),
        (1 - 1 / f3_low, 1 - 1 / f3_high),
    ]


def _f_bounds(f: float, df1: int, df2: int, q: float) -> tuple[float, float]:
    f = np.float64(f)  # numpy arithmetic: F = 0 gives bounds of -inf, not ZeroDivisionError
    return f / stats.f.ppf(q, df1, df2), f * stats.f.ppf(q, df2, df1)


def _icc2_interval(ms: _MeanSquares, icc2: float, q: float) -> tuple[float, float]:
    """McGraw & Wong (1996): Satterthwaite's approximate degrees of freedom for ICC(2,1)."""
    n, k = ms.n, ms.k
    r, c, e, icc2 = (
        np.float64(x) for x in (ms.rows, ms.cols, ms.error, icc2)
    )  # numpy: 0/0 is NaN, not an error
    if e == 0 and (c == 0 or r == 0):  # identical raters: 1; no variation at all: undefined
        return (1.0, 1.0) if c == 0 and r > 0 else (math.nan, math.nan)
    if e == 0:
        # raters differing by a constant: Satterthwaite's df tends to k - 1 as MSE -> 0, and the
        # bounds stay finite (psych::ICC gives [0.00250, 0.98718] for [[2,4],[4,6],[6,8]])
        v = float(k - 1)
    else:
        fj = c / e
        base = n * (1 + (k - 1) * icc2) - k * icc2
        v = (
            (k - 1)
            * (n - 1)
            * (k * icc2 * fj + base) ** 2
            / ((n - 1) * k**2 * icc2**2 * fj**2 + base**2)
        )
    f_high = float(stats.f.ppf(q, n - 1, v))
    f_low = float(stats.f.ppf(q, v, n - 1))
    spread = k * c + (k * n - k - n) * e
    return (
        n * (r - f_high * e) / (f_high * spread + n * r),
        n * (f_low * r - e) / (spread + n * f_low * r),
    )
