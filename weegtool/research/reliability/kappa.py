"""Kappa: Cohen's kappa (unweighted, linear or quadratic weights) and Fleiss' kappa.

- :func:`cohen_kappa` of two raters, with the large-sample standard error of
  Fleiss, Cohen & Everitt (1969); cases both raters rated;
- :func:`fleiss_kappa` for many raters (Fleiss 1971, through statsmodels),
  from a subjects x categories table of counts;
- :func:`light_kappa` for many raters: the mean of Cohen's kappa over every
  pair of raters (Light 1971), with a percentile bootstrap interval over the
  units (candidates), since the pairs share their units and no closed-form
  standard error of the mean is in common use.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ._common import (
    Estimate,
    _at_least,
    _check_alpha,
    _fail,
    _frame,
    _numeric,
    _shown,
    _undefined,
)

WEIGHTS = (None, "linear", "quadratic")

Weights = Literal["linear", "quadratic"] | None


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


def light_kappa(
    data: pd.DataFrame | np.ndarray | Sequence[Sequence[Any]],
    weights: Weights = None,
    labels: Sequence[Any] | None = None,
    alpha: float = 0.05,
    n_bootstrap: int = 1000,
    random_state: int = 0,
) -> Estimate:
    """Light's kappa: the mean of Cohen's kappa over every pair of raters, with a bootstrap interval.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Raters in rows, units (candidates) in columns, as :func:`krippendorff_alpha` and
        :func:`gwet_ac` take them; None or NaN where a rater gave no rating. Each pair of raters
        counts the units both rated.
    weights, labels
        As :func:`cohen_kappa`; ``labels`` by default the sorted categories that occur anywhere in
        ``data``, the same for every pair and every resample.
    alpha : float, default 0.05
        The interval covers ``1 - alpha``.
    n_bootstrap : int, default 1000
        Resamples of the units (with replacement, all raters' ratings of a unit together, so the
        dependence between pairs that share units is kept); 0 gives no interval.
    random_state : int
        The seed of the resamples: same seed, same interval.

    Returns
    -------
    Estimate
        ``value``: the mean over the pairs whose kappa is defined (a pair with fewer than 2 units
        in common, or whose chance agreement is 1, is left out; NaN when none is defined). With
        2 raters it is Cohen's kappa. ``se``: the standard deviation of the resampled means;
        ``ci_low, ci_high``: their ``alpha/2`` and ``1 - alpha/2`` percentiles (resamples in which
        no pair is defined are left out). ``n``: the units rated by at least 2 raters.

    Raises
    ------
    ReliabilityError
        Data not 2-D, fewer than 2 raters or 2 units rated by 2 raters, a rating outside
        ``labels``, or a bad ``weights``, ``alpha`` or ``n_bootstrap``.

    Sources: Light, R. J. (1971). Measures of response agreement for qualitative data: some
    generalizations and alternatives. *Psychological Bulletin*, 76(5), 365-377; Conger, A. J.
    (1980), *Psychological Bulletin*, 88(2), 322-328 (the mean of pairwise kappas); the bootstrap
    over subjects as for other multi-rater coefficients (Gwet 2014, ch. 5). R's
    ``irr::kappam.light`` gives the same value (its interval is a z test, not given here).
    """
    _check_alpha(alpha, "light_kappa")
    if weights not in WEIGHTS:
        raise _fail(
            f"The 'weights' parameter of light_kappa must be one of {WEIGHTS}. Got {weights!r} instead."
        )
    if (
        isinstance(n_bootstrap, bool)
        or not isinstance(n_bootstrap, (int, np.integer))
        or n_bootstrap < 0
    ):
        raise _fail(
            f"The 'n_bootstrap' parameter of light_kappa must be an int >= 0. Got {n_bootstrap!r} instead."
        )
    frame = _frame(data, "data", "light_kappa")
    _at_least(frame.shape[0], 2, "raters (rows)", "data", "light_kappa")
    matrix = frame.to_numpy(dtype=object)
    rated = ~pd.isna(matrix)
    n_units = int((rated.sum(axis=0) >= 2).sum())
    _at_least(n_units, 2, "units (columns) rated by at least 2 raters", "data", "light_kappa")
    present = matrix[rated]
    labels = _labels(present, present[:0], labels)
    index = pd.Index(labels)
    codes = np.full(matrix.shape, -1)
    codes[rated] = index.get_indexer(pd.Index(present))
    if (codes[rated] < 0).any():
        bad = present[np.argmax(codes[rated] < 0)]
        raise _fail(
            f"The 'data' parameter of light_kappa must only hold categories in 'labels' {labels!r}. "
            f"Got {_shown(bad)} instead."
        )
    r = len(labels)
    agree = _agreement_weights(r, weights)
    # per pair, one row per unit both rated: the cell of the pair's contingency table it falls in
    cells = [
        (np.flatnonzero(both), codes[i, both] * r + codes[j, both])
        for i, j in itertools.combinations(range(matrix.shape[0]), 2)
        for both in [rated[i] & rated[j]]
    ]
    weights_all = np.ones((1, matrix.shape[1]))
    value = float(_mean_pair_kappa(weights_all, cells, r, agree)[0])
    if math.isnan(value):
        why = "no pair of raters has a defined kappa (2 units in common, chance agreement below 1)"
        return Estimate(_undefined("Light's kappa", why, stacklevel=3), n=n_units)
    if n_bootstrap == 0:
        return Estimate(value, n=n_units)
    rng = np.random.default_rng(random_state)
    draws = []
    for size in _chunks(n_bootstrap, matrix.shape[1]):
        width = matrix.shape[1]
        picks = rng.integers(0, width, size=(size, width))
        flat = (np.arange(size)[:, None] * width + picks).ravel()
        counts = np.bincount(flat, minlength=size * width).reshape(size, width)
        draws.append(_mean_pair_kappa(counts.astype(float), cells, r, agree))
    resampled = np.concatenate(draws)
    resampled = resampled[~np.isnan(resampled)]
    if len(resampled) < 2:
        return Estimate(value, n=n_units)
    low, high = np.percentile(resampled, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return Estimate(value, float(np.std(resampled, ddof=1)), float(low), float(high), n_units)


def _chunks(total: int, width: int, cells: int = 2_000_000) -> list[int]:
    size = max(1, cells // max(width, 1))
    return [min(size, total - start) for start in range(0, total, size)]


def _mean_pair_kappa(
    unit_weights: np.ndarray, cells: list[tuple[np.ndarray, np.ndarray]], r: int, agree: np.ndarray
) -> np.ndarray:
    """The mean pairwise kappa for each row of ``unit_weights`` (how often each unit is drawn)."""
    kappas = []
    for units, cell in cells:
        onehot = np.zeros((unit_weights.shape[1], r * r))
        onehot[units, cell] = 1.0
        tables = (unit_weights @ onehot).reshape(-1, r, r)
        kappas.append(_kappa_values(tables, agree))
    stacked = np.column_stack(kappas)
    defined = ~np.isnan(stacked)
    total = np.where(defined, stacked, 0.0).sum(axis=1)
    count = defined.sum(axis=1)
    return np.divide(total, count, out=np.full(len(total), np.nan), where=count > 0)


def _kappa_values(tables: np.ndarray, agree: np.ndarray) -> np.ndarray:
    """Weighted kappa of each table in a stack; NaN where chance agreement is 1 or fewer than 2 cases."""
    n = tables.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = tables / n[:, None, None]
        rows, cols = p.sum(axis=2), p.sum(axis=1)
        observed = (agree * p).sum(axis=(1, 2))
        chance = np.einsum("bi,ij,bj->b", rows, agree, cols)
        kappa = (observed - chance) / (1 - chance)
    return np.where((n >= 2) & (chance < 1 - 1e-12), kappa, np.nan)


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
        why = "every rating falls in one category, so agreement by chance is 1 and kappa is 0/0"
        return Estimate(_undefined("kappa", why, stacklevel=4), n=int(n))
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
    if math.isnan(value):
        why = "every rating falls in one category, so agreement by chance is 1 and kappa is 0/0"
        value = _undefined("fleiss_kappa", why)
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
