"""Inter-rater reliability and internal consistency, and a reliability report for an instrument.

The coefficients, each as published and as the usual reference implementations
compute it:

- :func:`icc`: the six intraclass correlations of Shrout & Fleiss (1979) with
  their F tests and confidence intervals (McGraw & Wong 1996; as R's
  ``psych::ICC`` and pingouin's ``intraclass_corr``);
- :func:`cronbach_alpha` (with Feldt's confidence interval and alpha if an
  item is deleted) and :func:`domain_alphas` for the domains of an instrument;
- :func:`cohen_kappa`, unweighted or with linear or quadratic weights, with the
  large-sample standard error of Fleiss, Cohen & Everitt (1969);
- :func:`fleiss_kappa` (Fleiss 1971, through statsmodels);
- :func:`krippendorff_alpha` for nominal, ordinal, interval and ratio data
  (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability");
- :func:`percent_agreement`, exact agreement with a Wilson interval;
- :func:`koo_li_band` and :func:`landis_koch_band`, the usual verbal labels.

:func:`reliability_report` scores every rater of a ratings table separately with
weegtool's own reader and engine and reports, per domain and for the total,
ICC(2,1); per item, for the band and for the advice, kappa and exact agreement.

Orientation of the inputs, as in the literature each function follows:
``icc`` and ``percent_agreement`` take targets (candidates) in rows and raters in
columns; ``cronbach_alpha`` cases in rows and items in columns;
``fleiss_kappa`` subjects in rows and categories in columns (counts);
``krippendorff_alpha`` raters in rows and units in columns ("reliability data").

Missing ratings (NaN, None) are handled as each method allows, and said so:
``icc`` and ``cronbach_alpha`` use the complete rows only and warn
(:class:`ReliabilityWarning`) how many they dropped; ``cohen_kappa`` uses the
cases both raters rated; ``krippendorff_alpha`` and ``percent_agreement`` use
every unit with at least two ratings.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ResearchError
from ..instrument import Instrument
from ..ratings import Ratings, read_ratings, read_table

__all__ = [
    "ReliabilityError",
    "ReliabilityWarning",
    "Estimate",
    "AlphaResult",
    "icc",
    "cronbach_alpha",
    "domain_alphas",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "koo_li_band",
    "landis_koch_band",
    "reliability_report",
]

ICC_COLUMNS = ("type", "description", "icc", "F", "df1", "df2", "pval", "ci_low", "ci_high")
REPORT_COLUMNS = ("what", "measure", "value", "ci_low", "ci_high", "label", "n")
LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = (None, "linear", "quadratic")
MAX_SHOWN = 20  # bad cells listed in an error's .problems

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"] | None


class ReliabilityError(ResearchError):
    """Data that a reliability coefficient cannot be computed from (a ``ResearchError``, so a ``ValueError``)."""


class ReliabilityWarning(UserWarning):
    """Data were left out of a coefficient (for example targets with a missing rating)."""


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its standard error and confidence interval (NaN where not available).

    ``n`` is the number of cases (targets, subjects or units) the value rests on.
    ``float(estimate)`` gives the value.
    """

    value: float
    se: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    n: int = 0

    def __float__(self) -> float:
        return self.value


@dataclass(frozen=True, eq=False)
class AlphaResult:
    """Cronbach's alpha of a set of items.

    ``if_deleted`` holds, per item, alpha of the other items (NaN with two
    items); ``n`` the cases used and ``n_dropped`` the cases left out for a
    missing item.
    """

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    n_dropped: int
    if_deleted: pd.Series

    def __float__(self) -> float:
        return self.alpha


# --- input checks ---------------------------------------------------------------------


def _fail(message: str, problems: Sequence[str] = ()) -> ReliabilityError:
    return ReliabilityError(message, problems)


def _frame(data: Any, parameter: str, function: str) -> pd.DataFrame:
    """``data`` as a 2-D DataFrame (arrays get positional labels)."""
    if isinstance(data, pd.DataFrame):
        return data
    array = np.asarray(data, dtype=object) if not isinstance(data, np.ndarray) else data
    if array.ndim != 2:
        raise _fail(
            f"The {parameter!r} parameter of {function} must be a 2-D table. "
            f"Got an array with {array.ndim} dimension{'s' if array.ndim != 1 else ''} instead."
        )
    return pd.DataFrame(array)


def _numeric(data: Any, parameter: str, function: str) -> np.ndarray:
    """A 2-D float array from a DataFrame or array; NaN where missing; every other value a finite number."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf" and data.ndim == 2:
        values = data.astype(float)
        frame = None
    else:
        frame = _frame(data, parameter, function)
        values = (
            np.column_stack([_to_float(frame.iloc[:, j]) for j in range(frame.shape[1])])
            if frame.shape[1]
            else np.empty((len(frame), 0))
        )
    rows, cols = np.nonzero(np.isinf(values))
    if len(rows):
        where = [
            _cell(values, frame, i, j)
            for i, j in zip(rows[:MAX_SHOWN], cols[:MAX_SHOWN], strict=True)
        ]
        more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
        raise _fail(
            f"The {parameter!r} parameter of {function} must hold finite numbers (NaN where missing). "
            f"Got {where[0]}{more} instead.",
            [f"{function}: {parameter}: {w}" for w in where],
        )
    return values


def _to_float(column: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(column, errors="coerce")
    unparsed = column.notna().to_numpy() & numbers.isna().to_numpy()
    out = np.array(numbers.to_numpy(dtype=float, na_value=np.nan))  # a writable copy
    out[unparsed] = np.inf  # marked; reported with the original value
    return out


def _cell(values: np.ndarray, frame: pd.DataFrame | None, i: int, j: int) -> str:
    """A bad cell as the user gave it: the DataFrame's labels, or an array's positions (from 0)."""
    if frame is None:
        return f"{_shown(values[i, j])} at row {i}, column {j}"
    return f"{_shown(frame.iat[i, j])} at row {_shown(frame.index[i])}, column {_shown(frame.columns[j])}"


def _shown(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _check_alpha(alpha: float, function: str) -> None:
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise _fail(
            f"The 'alpha' parameter of {function} must be a number in (0, 1). Got {alpha!r} instead."
        )


def _at_least(
    count: int, minimum: int, what: str, parameter: str, function: str, note: str = ""
) -> None:
    if count < minimum:
        raise _fail(
            f"The {parameter!r} parameter of {function} must have at least {minimum} {what}. "
            f"Got {count} instead{note}."
        )


def _complete_rows(values: np.ndarray) -> np.ndarray:
    return ~np.isnan(values).any(axis=1)


def _listwise(
    values: np.ndarray, function: str, parameter: str, rows: str, cell: str
) -> tuple[np.ndarray, int]:
    """Rows without a missing value, and how many were dropped; refuses fewer than two, warns about drops."""
    complete = _complete_rows(values)
    kept, dropped = int(complete.sum()), int((~complete).sum())
    note = f" ({dropped} of {len(values)} {rows} left out for a missing {cell})" if dropped else ""
    _at_least(kept, 2, f"{rows} without a missing {cell}", parameter, function, note)
    if dropped:
        warnings.warn(
            f"{function}: {dropped} of {len(values)} {rows} have a missing {cell} and are left out "
            f"(listwise deletion); {kept} remain.",
            ReliabilityWarning,
            stacklevel=3,
        )
    return complete, dropped


# --- intraclass correlation -------------------------------------------------------------

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
    return [
        _div(r - w, r + (k - 1) * w),
        _div(r - e, r + (k - 1) * e + k * (c - e) / n),
        _div(r - e, r + (k - 1) * e),
        _div(r - w, r),
        _div(r - e, r + (c - e) / n),
        _div(r - e, r),
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
    if (
        e == 0
    ):  # no residual variance: identical raters give 1, otherwise the approximation is not defined
        return (1.0, 1.0) if c == 0 and r > 0 else (math.nan, math.nan)
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


def _div(a: float, b: float) -> float:
    return (
        float(np.divide(a, b)) if b != 0 else (math.nan if a == 0 else math.copysign(math.inf, a))
    )


# --- internal consistency ---------------------------------------------------------------------


def cronbach_alpha(
    items: pd.DataFrame | np.ndarray | Sequence[Sequence[float]], ci: float = 0.95
) -> AlphaResult:
    """Cronbach's alpha of ``items`` (one row per case, one column per item), with alpha if an item is deleted.

    Parameters
    ----------
    items : DataFrame or 2-D array
        Cases in rows, items in columns; NaN where an item is missing.
    ci : float, default 0.95
        Level of Feldt's confidence interval (Feldt, Woodruff & Salih 1987).

    Returns
    -------
    AlphaResult
        ``alpha = k / (k - 1) * (1 - sum of item variances / variance of the sum)``.

    Warns
    -----
    ReliabilityWarning
        Listwise deletion: cases with any missing item are left out.

    Notes
    -----
    Alpha assumes the items point the same way; reverse items that do not
    (:func:`domain_alphas` does this for an instrument). It equals ICC3k of the
    same table.
    """
    if not isinstance(ci, (int, float)) or not 0 < ci < 1:
        raise _fail(
            f"The 'ci' parameter of cronbach_alpha must be a number in (0, 1). Got {ci!r} instead."
        )
    values = _numeric(items, "items", "cronbach_alpha")
    _at_least(values.shape[1], 2, "items (columns)", "items", "cronbach_alpha")
    complete, dropped = _listwise(values, "cronbach_alpha", "items", "cases", "item")
    names: list[Hashable] = (
        list(items.columns) if isinstance(items, pd.DataFrame) else list(range(values.shape[1]))
    )
    return _alpha_result(values[complete], names, dropped, ci)


def _alpha_result(x: np.ndarray, names: list[Hashable], dropped: int, ci: float) -> AlphaResult:
    n, k = x.shape
    cov = np.cov(x, rowvar=False, ddof=1)
    total, trace = float(cov.sum()), float(np.trace(cov))
    total = 0.0 if total <= 1e-12 * trace else total  # a constant sum: rounding, not variance
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _div(k * (total - trace), (k - 1) * total)
        rest_total = total - 2 * cov.sum(axis=0) + np.diag(cov)
        rest = (
            (k - 1) / (k - 2) * (1 - (trace - np.diag(cov)) / rest_total)
            if k > 2
            else np.full(k, np.nan)
        )
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - value) * float(stats.f.ppf(1 - (1 - ci) / 2, df1, df2))
    high = 1 - (1 - value) * float(stats.f.ppf((1 - ci) / 2, df1, df2))
    return AlphaResult(
        value,
        low,
        high,
        n,
        dropped,
        pd.Series(rest, index=pd.Index(names), name="alpha_if_deleted"),
    )


def domain_alphas(instrument: Instrument, ratings: Ratings, ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha of each domain of ``instrument``, from aggregated ``ratings``.

    Parameters
    ----------
    instrument : Instrument
    ratings : Ratings
        From :func:`weegtool.read_ratings`, read for this instrument;
        ``ratings.values`` has one row per candidate, columns aligned with
        ``instrument.item_ids``.
    ci : float, default 0.95
        Level of Feldt's interval.

    Returns
    -------
    DataFrame
        One row per domain: ``domain, kind, items, alpha, ci_low, ci_high, n,
        n_dropped, reversed``. A domain with fewer than 2 items or fewer than 2
        complete candidates gets NaN.

    Notes
    -----
    Within a domain alpha needs the items to point the same way. An item whose
    direction differs from its domain's kind is reversed on its own scale
    (``min + max - rating``, as the engine orients it) and named in
    ``reversed``. In the default Twente instrument every item shares its
    domain's direction, so nothing is reversed there. Candidates with a missing
    item in a domain are left out of that domain (listwise), without a warning:
    ``n_dropped`` says how many.
    """
    if (
        tuple(ratings.item_ids) != tuple(instrument.item_ids)
        or ratings.instrument_sha256 != instrument.sha256
    ):
        raise _fail(
            f"The 'ratings' parameter of domain_alphas must be read for {instrument.label}. "
            f"Got ratings read for instrument sha256 {ratings.instrument_sha256[:12]} instead."
        )
    rows = [
        _domain_alpha(instrument, ratings.values, domain.id, domain.kind, ci)
        for domain in instrument.domains
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "domain",
            "kind",
            "items",
            "alpha",
            "ci_low",
            "ci_high",
            "n",
            "n_dropped",
            "reversed",
        ],
    )


def _domain_alpha(
    instrument: Instrument, values: np.ndarray, domain: str, kind: str, ci: float
) -> list[Any]:
    columns = [j for j, item in enumerate(instrument.items) if item.domain == domain]
    x = values[:, columns].astype(float)
    flipped = []
    for n, j in enumerate(columns):
        item = instrument.items[j]
        if item.direction != kind:
            scale = instrument.scale_of(item)
            x[:, n] = scale.min + scale.max - x[:, n]
            flipped.append(item.id)
    complete = _complete_rows(x)
    head = [domain, kind, len(columns)]
    if len(columns) < 2 or complete.sum() < 2:
        return head + [
            math.nan,
            math.nan,
            math.nan,
            int(complete.sum()),
            int((~complete).sum()),
            tuple(flipped),
        ]
    result = _alpha_result(
        x[complete], [instrument.item_ids[j] for j in columns], int((~complete).sum()), ci
    )
    return head + [
        result.alpha,
        result.ci_low,
        result.ci_high,
        result.n,
        result.n_dropped,
        tuple(flipped),
    ]


# --- kappa ------------------------------------------------------------------------------------


def cohen_kappa(
    a: Sequence[Any] | np.ndarray | pd.Series,
    b: Sequence[Any] | np.ndarray | pd.Series,
    weights: Weights = None,
    labels: Sequence[Any] | None = None,
    alpha: float = 0.05,
) -> Estimate:
    """Cohen's kappa of two raters, unweighted or weighted, with its standard error and interval.

    Parameters
    ----------
    a, b : sequences of the same length
        The two raters' categories per case; None or NaN where a rater gave
        none. Only cases both raters rated count.
    weights : {None, "linear", "quadratic"}
        Agreement weights ``1 - |i - j| / (r - 1)`` or ``1 - (i - j)**2 / (r - 1)**2``
        over the positions ``i, j`` of the categories in ``labels``; None for
        exact agreement only.
    labels : sequence, optional
        The categories in order. For weighted kappa give the whole ordered
        scale: weights use positions, so a level nobody used must still be
        listed. By default the sorted categories that occur.
    alpha : float, default 0.05
        The interval is ``kappa ± z(1 - alpha/2) * se``.

    Returns
    -------
    Estimate
        ``value`` is kappa (NaN when chance agreement is 1, e.g. every
        rating in one category); ``se`` the large-sample standard error of
        Fleiss, Cohen & Everitt (1969), as SAS PROC FREQ reports it (ASE).
        Equals :func:`sklearn.metrics.cohen_kappa_score` for the same weights.
    """
    _check_alpha(alpha, "cohen_kappa")
    if weights not in WEIGHTS:
        raise _fail(
            f"The 'weights' parameter of cohen_kappa must be one of {WEIGHTS}. Got {weights!r} instead."
        )
    first, second = _paired(a, b)
    labels = _labels(first, second, labels)
    table = _contingency(first, second, labels)
    return _kappa(table, _agreement_weights(len(labels), weights), alpha)


def _paired(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    first, second = (
        np.asarray(pd.Series(list(x) if not isinstance(x, pd.Series) else x, dtype=object))
        for x in (a, b)
    )
    if len(first) != len(second):
        raise _fail(
            f"The 'b' parameter of cohen_kappa must have as many cases as 'a' ({len(first)}). "
            f"Got {len(second)} instead."
        )
    both = ~(pd.isna(first) | pd.isna(second))
    _at_least(int(both.sum()), 2, "cases rated by both raters", "a", "cohen_kappa")
    return first[both], second[both]


def _labels(first: np.ndarray, second: np.ndarray, labels: Sequence[Any] | None) -> list[Any]:
    if labels is None:
        seen = pd.unique(np.concatenate([first, second]))
        try:
            return sorted(seen)
        except TypeError:
            return list(seen)
    labels = list(labels)
    if len(set(labels)) != len(labels):
        raise _fail(
            f"The 'labels' parameter of cohen_kappa must not repeat a category. Got {labels!r} instead."
        )
    return labels


def _contingency(first: np.ndarray, second: np.ndarray, labels: list[Any]) -> np.ndarray:
    index = pd.Index(labels)
    codes = [index.get_indexer(pd.Index(x)) for x in (first, second)]
    for name, x, code in zip("ab", (first, second), codes, strict=True):
        if (code < 0).any():
            raise _fail(
                f"The {name!r} parameter of cohen_kappa must only hold categories in 'labels' {labels!r}. "
                f"Got {_shown(x[np.argmax(code < 0)])} instead."
            )
    table = np.zeros((len(labels), len(labels)))
    np.add.at(table, (codes[0], codes[1]), 1)
    return table


def _agreement_weights(r: int, weights: Weights) -> np.ndarray:
    if weights is None or r == 1:
        return np.eye(r)
    distance = np.abs(np.subtract.outer(np.arange(r), np.arange(r))) / (r - 1)
    return 1 - (distance if weights == "linear" else distance**2)


def _kappa(table: np.ndarray, agree: np.ndarray, alpha: float) -> Estimate:
    """Weighted kappa of a contingency table, with the Fleiss-Cohen-Everitt (1969) standard error."""
    n = float(table.sum())
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed, chance = float((agree * p).sum()), float(rows @ agree @ cols)
    if chance >= 1 - 1e-12:
        return Estimate(math.nan, n=int(n))
    kappa = (observed - chance) / (1 - chance)
    row_mean, col_mean = agree @ cols, rows @ agree
    spread = float((p * (agree - np.add.outer(row_mean, col_mean) * (1 - kappa)) ** 2).sum())
    excess = spread - (kappa - chance * (1 - kappa)) ** 2
    variance = (excess if excess > 1e-12 * spread else 0.0) / (
        n * (1 - chance) ** 2
    )  # not rounding noise
    se = math.sqrt(variance)
    z = float(stats.norm.ppf(1 - alpha / 2))
    return Estimate(kappa, se, kappa - z * se, kappa + z * se, int(n))


def fleiss_kappa(counts: pd.DataFrame | np.ndarray | Sequence[Sequence[float]]) -> Estimate:
    """Fleiss' (1971) kappa for many raters, from a subjects x categories table of counts.

    Parameters
    ----------
    counts : DataFrame or 2-D array
        ``counts[i, c]`` is the number of raters who put subject ``i`` in
        category ``c``; every subject must have the same number of ratings (at
        least 2). statsmodels' ``aggregate_raters`` builds it from a subjects x
        raters table.

    Returns
    -------
    Estimate
        ``value`` from :func:`statsmodels.stats.inter_rater.fleiss_kappa`
        (``method="fleiss"``), NaN when every rating falls in one category;
        ``n`` the number of subjects. No standard error.
    """
    from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss_kappa

    table = _numeric(counts, "counts", "fleiss_kappa")
    _check_counts(table)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(statsmodels_fleiss_kappa(table, method="fleiss"))
    return Estimate(value, n=len(table))


def _check_counts(table: np.ndarray) -> None:
    if np.isnan(table).any() or (table < 0).any() or (table != np.round(table)).any():
        i, j = np.argwhere(np.isnan(table) | (table < 0) | (table != np.round(table)))[0]
        raise _fail(
            "The 'counts' parameter of fleiss_kappa must hold counts (whole numbers >= 0). "
            f"Got {_shown(table[i, j])} at row {i}, column {j} instead."
        )
    _at_least(len(table), 2, "subjects (rows)", "counts", "fleiss_kappa")
    _at_least(table.shape[1], 2, "categories (columns)", "counts", "fleiss_kappa")
    totals = table.sum(axis=1)
    if (totals != totals[0]).any():
        i = int(np.argmax(totals != totals[0]))
        raise _fail(
            "The 'counts' parameter of fleiss_kappa must have the same number of raters for every subject. "
            f"Got {int(totals[0])} ratings in row 0 and {int(totals[i])} in row {i} instead."
        )
    _at_least(int(totals[0]), 2, "ratings per subject", "counts", "fleiss_kappa")


# --- Krippendorff's alpha ---------------------------------------------------------------------


def krippendorff_alpha(
    data: pd.DataFrame | np.ndarray | Sequence[Sequence[float]], level: Level = "nominal"
) -> Estimate:
    """Krippendorff's alpha of reliability data (raters in rows, units in columns, NaN where not rated).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Numeric values; code categories as numbers (their order matters for
        ordinal, their distances for interval and ratio).
    level : {"nominal", "ordinal", "interval", "ratio"}
        The metric of the differences.

    Returns
    -------
    Estimate
        ``value = 1 - D_o / D_e`` from the coincidence matrix (Krippendorff
        2011); NaN when the pairable values show no variation at all. ``n``
        is the number of units with at least two values (the pairable units);
        the others carry no information on agreement and are left out. No
        standard error (Krippendorff bootstraps it).
    """
    if level not in LEVELS:
        raise _fail(
            f"The 'level' parameter of krippendorff_alpha must be one of {LEVELS}. Got {level!r} instead."
        )
    values = _numeric(data, "data", "krippendorff_alpha")
    counts, categories = _value_counts(values)
    pairable = counts.sum(axis=1) >= 2
    if not pairable.any():
        raise _fail(
            "The 'data' parameter of krippendorff_alpha must have at least one unit (column) with values "
            "from 2 or more raters. Got none instead."
        )
    coincidence = _coincidences(counts[pairable])
    return Estimate(float(_alpha_from(coincidence, categories, level)), n=int(pairable.sum()))


def _value_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """units x values: how many raters gave each value to each unit."""
    rated = ~np.isnan(values)
    categories, codes = np.unique(values[rated], return_inverse=True)
    units = np.nonzero(rated)[1]
    counts = np.zeros((values.shape[1], len(categories)))
    np.add.at(counts, (units, codes.ravel()), 1)
    return counts, categories


def _coincidences(counts: np.ndarray) -> np.ndarray:
    """o_ck = sum over units of (n_uc n_uk - [c = k] n_uc) / (m_u - 1)."""
    scaled = counts / (counts.sum(axis=1, keepdims=True) - 1)
    return scaled.T @ counts - np.diag(scaled.sum(axis=0))


def _alpha_from(coincidence: np.ndarray, categories: np.ndarray, level: str) -> float:
    marginal = coincidence.sum(axis=0)
    total = marginal.sum()
    delta = _squared_differences(categories, marginal, level)
    expected = float(marginal @ delta @ marginal)
    if expected <= 0:
        return math.nan
    return 1 - (total - 1) * float((coincidence * delta).sum()) / expected


def _squared_differences(v: np.ndarray, marginal: np.ndarray, level: str) -> np.ndarray:
    """Krippendorff's metric differences delta^2 between every pair of values."""
    if level == "nominal":
        return 1.0 - np.eye(len(v))
    if level == "interval":
        return np.subtract.outer(v, v) ** 2
    if level == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.subtract.outer(v, v) / np.add.outer(v, v)
        return np.nan_to_num(ratio, nan=0.0) ** 2
    cumulative = np.cumsum(marginal)  # ordinal: the values between c and k, half of each end
    low, high = (
        np.minimum.outer(np.arange(len(v)), np.arange(len(v))),
        np.maximum.outer(np.arange(len(v)), np.arange(len(v))),
    )
    between = cumulative[high] - cumulative[low] + marginal[low]
    return (between - (marginal[low] + marginal[high]) / 2) ** 2


# --- exact agreement -------------------------------------------------------------------------


def percent_agreement(
    data: pd.DataFrame | np.ndarray | Sequence[Sequence[Any]], alpha: float = 0.05
) -> Estimate:
    """The share of units on which all raters who rated it gave the same value.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Units in rows, raters in columns; any values that compare with ``==``
        (numbers or category names); None or NaN where a rater gave none.
        Units with fewer than two ratings are left out.
    alpha : float, default 0.05
        The Wilson score interval is a ``1 - alpha`` interval.

    Returns
    -------
    Estimate
        ``value`` a proportion in [0, 1] (times 100 for a percentage), ``n``
        the units counted, with a Wilson interval. Exact agreement ignores
        chance agreement; report it beside a kappa, not instead of one.
    """
    _check_alpha(alpha, "percent_agreement")
    frame = _frame(data, "data", "percent_agreement")
    _at_least(frame.shape[1], 2, "raters (columns)", "data", "percent_agreement")
    counted = (frame.notna().sum(axis=1) >= 2).to_numpy()
    if not counted.any():
        raise _fail(
            "The 'data' parameter of percent_agreement must have at least one unit (row) rated by "
            "2 or more raters. Got none instead."
        )
    agree = (frame[counted].nunique(axis=1, dropna=True) == 1).to_numpy()
    return _proportion(int(agree.sum()), int(counted.sum()), alpha)


def _proportion(successes: int, n: int, alpha: float) -> Estimate:
    """A proportion with its Wilson score interval."""
    p = successes / n
    z = float(stats.norm.ppf(1 - alpha / 2))
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return Estimate(
        p, math.sqrt(p * (1 - p) / n), max(centre - half, 0.0), min(centre + half, 1.0), n
    )


# --- labels -------------------------------------------------------------------------------------


def koo_li_band(value: float) -> str:
    """Koo & Li's (2016) label of an ICC: poor, moderate, good or excellent ("undefined" for NaN).

    Below 0.5 poor, from 0.5 moderate, from 0.75 good, above 0.9 excellent.
    Koo & Li advise judging by the confidence interval, not the point estimate:
    label ``ci_low`` and ``ci_high`` as well.
    """
    if math.isnan(value):
        return "undefined"
    if value < 0.5:
        return "poor"
    if value < 0.75:
        return "moderate"
    return "good" if value <= 0.9 else "excellent"


LANDIS_KOCH = (
    (0.0, "poor"),
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
)


def landis_koch_band(value: float) -> str:
    """Landis & Koch's (1977) label of a kappa ("undefined" for NaN).

    Below 0 poor, up to 0.20 slight, up to 0.40 fair, up to 0.60 moderate,
    up to 0.80 substantial, above that almost perfect (each upper bound
    belongs to its band, so 0.20 is slight and 0.205 fair).
    """
    if math.isnan(value):
        return "undefined"
    if value < 0:
        return "poor"
    for upper, label in LANDIS_KOCH[1:]:
        if value <= upper:
            return label
    return "almost perfect"


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Panel:
    """Every rater's own scores, aligned: candidates in rows, raters in the last axis (NaN/None where not rated)."""

    raters: tuple[str, ...]
    items: np.ndarray  # (n, items, raters)
    domains: np.ndarray  # (n, domains, raters)
    total: np.ndarray  # (n, raters), NaN where not assessable
    band: np.ndarray  # (n, raters), band index, NaN where not assessable
    advice: np.ndarray  # (n, raters), advice category, None where not rated


def reliability_report(
    instrument: Instrument,
    ratings_table: pd.DataFrame | str | Any,
    candidates: pd.DataFrame | str | Any | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Inter-rater reliability of ``instrument`` in a ratings table: scores, band, advice and items.

    Every rater is scored on their own (their rows alone, through
    :func:`weegtool.score` and :func:`weegtool.advise`), so each candidate has a
    total, domain scores, a band and an advice per rater.

    Parameters
    ----------
    instrument : Instrument
    ratings_table : DataFrame or path
        The long ratings table :func:`weegtool.read_ratings` reads
        (``candidate_id``, ``rater_id``, one column per item, candidate fields);
        at least 2 raters.
    candidates : DataFrame or path, optional
        Candidate fields in a separate table, as for :func:`weegtool.score`.
    alpha : float, default 0.05
        Intervals are ``1 - alpha`` intervals.

    Returns
    -------
    DataFrame
        Columns ``what, measure, value, ci_low, ci_high, label, n``; rows:

        - ``total`` and ``domain.<id>``: ICC(2,1) (two-way random effects,
          absolute agreement, single rater) with its interval and Koo & Li
          label, over the candidates every rater could score (a domain or total
          that is not assessable for one rater drops the candidate there);
        - ``band``: kappa with quadratic weights over the ordered bands, and
          exact agreement; candidates a rater could not score are left out;
        - ``advice``: unweighted kappa on the advice category, and exact
          agreement. The categories are not ordered (their listed order is
          precedence), so a weighted kappa would rest on an arbitrary order;
          the ordered part of the advice is the band. The rules on candidate
          fields (preconditions, flags) are the same for every rater and raise
          this agreement;
        - ``item.<id>``: kappa with quadratic weights over the item's scale
          levels, with its Landis & Koch label.

        With two raters a kappa is Cohen's, with its interval. With more
        raters it is the mean of Cohen's kappa over every pair of raters (each
        pair on the candidates both rated), named so in ``measure``, without an
        interval. ``n`` is the number of candidates used (for a mean pairwise
        kappa: rated by at least two raters). ``attrs["raters"]`` lists the raters.

    Raises
    ------
    RatingsError
        When the table does not validate against the instrument.
    ReliabilityError
        With fewer than 2 raters.
    """
    _check_alpha(alpha, "reliability_report")
    ratings = read_ratings(ratings_table, instrument, candidates)
    panel = _panel(instrument, ratings, candidates)
    rows = [_icc_row("total", panel.total, alpha)]
    rows += [
        _icc_row(f"domain.{d}", panel.domains[:, n, :], alpha)
        for n, d in enumerate(instrument.domain_ids)
    ]
    bands = list(range(len(instrument.spec.advice.bands)))
    rows += [
        _kappa_row("band", panel.band, "quadratic", bands, alpha),
        _agreement_row("band", panel.band, alpha),
    ]
    categories = [c.id for c in instrument.spec.advice.categories]
    rows += [
        _kappa_row("advice", panel.advice, None, categories, alpha),
        _agreement_row("advice", panel.advice, alpha),
    ]
    rows += [
        _kappa_row(
            f"item.{item.id}",
            panel.items[:, j, :],
            "quadratic",
            list(instrument.scale_of(item).values),
            alpha,
        )
        for j, item in enumerate(instrument.items)
    ]
    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    report.attrs["raters"] = panel.raters
    return report


def _panel(instrument: Instrument, ratings: Ratings, candidates: Any) -> _Panel:
    from ..advice import advise  # the advice is needed here only; keeps the module's import light
    from ..api import score

    frame = ratings.raters if ratings.raters is not None else pd.DataFrame(columns=["rater_id"])
    raters = tuple(str(r) for r in pd.unique(frame["rater_id"]))
    _at_least(len(raters), 2, "raters", "ratings_table", "reliability_report")
    info = read_table(candidates, "candidates")[0] if candidates is not None else None
    row = {str(c): i for i, c in enumerate(ratings.candidate_ids)}
    n, r = len(row), len(raters)
    items = np.full((n, len(instrument.items), r), np.nan)
    domains = np.full((n, len(instrument.domains), r), np.nan)
    total, band = np.full((n, r), np.nan), np.full((n, r), np.nan)
    advice = np.full((n, r), None, dtype=object)
    for k, rater in enumerate(raters):
        own = frame[frame["rater_id"] == rater]
        scores = score(instrument, own, candidates=_own_candidates(info, own))
        at = np.array([row[str(c)] for c in scores.candidate_ids])
        items[at, :, k] = scores.ratings.values
        domains[at, :, k] = scores.domain_scores
        total[at, k] = scores.total
        band[at, k] = np.where(scores.band >= 0, scores.band, np.nan)
        advice[at, k] = [a.category for a in advise(scores)]
    return _Panel(raters, items, domains, total, band, advice)


def _own_candidates(info: pd.DataFrame | None, own: pd.DataFrame) -> pd.DataFrame | None:
    """The candidates table cut to one rater's candidates (a table may not list candidates without ratings)."""
    if info is None:
        return None
    ids = info["candidate_id"].astype("string").str.strip()
    return info[ids.isin(set(own["candidate_id"])).to_numpy(dtype=bool)]


def _icc_row(what: str, matrix: np.ndarray, alpha: float) -> tuple[Any, ...]:
    complete = _complete_rows(matrix)
    if complete.sum() < 2:
        return (
            what,
            "ICC(2,1)",
            math.nan,
            math.nan,
            math.nan,
            koo_li_band(math.nan),
            int(complete.sum()),
        )
    icc2 = _icc_table(matrix[complete], alpha).iloc[1]
    return (
        what,
        "ICC(2,1)",
        float(icc2["icc"]),
        float(icc2["ci_low"]),
        float(icc2["ci_high"]),
        koo_li_band(float(icc2["icc"])),
        int(complete.sum()),
    )


def _kappa_row(
    what: str, matrix: np.ndarray, weights: Weights, labels: list[Any], alpha: float
) -> tuple[Any, ...]:
    name = "kappa" + (f", {weights} weights" if weights else "")
    rated = pd.DataFrame(matrix).notna().to_numpy()
    kappas = [
        _pair_kappa(matrix[:, i], matrix[:, j], weights, labels, alpha)
        for i, j in itertools.combinations(range(matrix.shape[1]), 2)
    ]
    n = int((rated.sum(axis=1) >= 2).sum())
    if len(kappas) == 1:
        k = kappas[0]
        return (what, name, k.value, k.ci_low, k.ci_high, landis_koch_band(k.value), k.n)
    values = [k.value for k in kappas if not math.isnan(k.value)]
    mean = float(np.mean(values)) if values else math.nan
    return (
        what,
        f"mean pairwise {name} ({matrix.shape[1]} raters)",
        mean,
        math.nan,
        math.nan,
        landis_koch_band(mean),
        n,
    )


def _pair_kappa(
    a: np.ndarray, b: np.ndarray, weights: Weights, labels: list[Any], alpha: float
) -> Estimate:
    both = pd.notna(a) & pd.notna(b)
    if both.sum() < 2:
        return Estimate(math.nan, n=int(both.sum()))
    return _kappa(
        _contingency(a[both], b[both], labels), _agreement_weights(len(labels), weights), alpha
    )


def _agreement_row(what: str, matrix: np.ndarray, alpha: float) -> tuple[Any, ...]:
    frame = pd.DataFrame(matrix)
    counted = (frame.notna().sum(axis=1) >= 2).to_numpy()
    if not counted.any():
        return (what, "exact agreement", math.nan, math.nan, math.nan, None, 0)
    share = percent_agreement(frame[counted], alpha)
    return (what, "exact agreement", share.value, share.ci_low, share.ci_high, None, share.n)
