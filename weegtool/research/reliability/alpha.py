"""The alphas: Cronbach's alpha (and per domain of an instrument) and Krippendorff's alpha.

- :func:`cronbach_alpha`, with Feldt's confidence interval (Feldt, Woodruff &
  Salih 1987) and alpha if an item is deleted; cases in rows, items in
  columns, complete cases only;
- :func:`domain_alphas`, Cronbach's alpha of each domain of an instrument;
- :func:`krippendorff_alpha` for nominal, ordinal, interval and ratio data
  (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"); raters in
  rows, units in columns.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ...instrument import Instrument
from ...ratings import Ratings
from ._common import (
    Estimate,
    _at_least,
    _complete_rows,
    _div,
    _fail,
    _listwise,
    _numeric,
    _undefined,
)

LEVELS = ("nominal", "ordinal", "interval", "ratio")

Level = Literal["nominal", "ordinal", "interval", "ratio"]


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
    if math.isnan(value):
        value = _undefined("cronbach_alpha", "the sum of the items does not vary", stacklevel=4)
    with np.errstate(divide="ignore", invalid="ignore"):
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
    value = float(_alpha_from(coincidence, categories, level))
    if math.isnan(value):
        why = "the pairable values do not vary, so the expected disagreement is 0"
        value = _undefined("krippendorff_alpha", why)
    return Estimate(value, n=int(pairable.sum()))


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
