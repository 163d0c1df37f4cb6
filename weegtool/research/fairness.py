"""Advice rates and error rates by group (sex, age band, ...), with intervals.

:func:`group_rates` answers two questions for each group of candidates:

- **Advice rates.** The share of the group given each advice category (or
  band), with a Wilson score interval, and its difference to a reference
  group with Newcombe's hybrid score interval for a difference of two
  independent proportions (Newcombe 1998, method 10; statsmodels'
  ``confint_proportions_2indep(method="newcomb")``).
- **Error rates**, when outcomes are given. A *positive prediction* is an
  advice in ``positive`` (for example ``("fits", "fits_with_conditions")``); a
  *positive outcome* is ``outcome == 1`` (for example: the placement
  continued). The false positive rate is the share of positive predictions
  among candidates with a negative outcome, the false negative rate the share
  of negative predictions among those with a positive outcome; each with its
  Wilson interval and difference to the reference group.

A caution for real data: outcomes are known only for candidates who were
placed, so error rates estimated from them describe the placed, not everyone
referred (selective labels).

Differences are ``group - reference``. The reference group is the largest
unless named. Intervals are ``1 - alpha`` two-sided and not adjusted for the
number of groups and categories compared. Of groups of equal size, the first in sorted
order is the default reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from ..advice import Advices
from ..disclosure import DEFAULT_THRESHOLD, suppress_counts
from ..engine import Scores
from ..errors import ResearchError

__all__ = ["GroupRates", "group_rates", "NOT_ASSESSABLE"]

NOT_ASSESSABLE = "not_assessable"  # the band label of a candidate without a total
ERROR_RATES = ("false_positive_rate", "false_negative_rate")


@dataclass(frozen=True)
class GroupRates:
    """The result of :func:`group_rates`.

    Attributes
    ----------
    rates : DataFrame
        Index ``(group, category)``; columns ``n`` (candidates in the group),
        ``count`` (of them given the category), ``rate``, ``lower``, ``upper``
        (Wilson), ``difference`` (rate minus the reference group's),
        ``difference_lower``, ``difference_upper`` (Newcombe; NaN for the
        reference group itself).
    errors : DataFrame or None
        Index ``(group, measure)`` with measure ``false_positive_rate`` or
        ``false_negative_rate``, the same columns; ``n`` is the number of
        candidates with a negative (respectively positive) outcome. None
        without outcomes.
    reference : str
        The reference group.
    positive : tuple of str or None
        The categories counted as a positive prediction.
    alpha : float
        1 minus the coverage of the intervals.
    """

    rates: pd.DataFrame
    errors: pd.DataFrame | None
    reference: str
    positive: tuple[str, ...] | None
    alpha: float

    def rate(self, category: str) -> pd.DataFrame:
        """The rows of one category, one per group."""
        rows = self.rates[self.rates.index.get_level_values("category") == category]
        return rows.droplevel("category")

    def suppressed(self, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
        """``rates`` as it may be shown or exported: small counts suppressed (:mod:`weegtool.disclosure`).

        Where a group's count of a category is below ``threshold`` (or is hidden to complement such a
        count), its ``count``, ``rate``, interval and difference are NaN; where the reference group's
        count is hidden, every group's difference in that category is NaN too (it would give the
        reference's rate away). A boolean column ``suppressed`` marks the hidden counts; ``n`` stays.
        """
        counts = self.rates["count"].unstack("category", fill_value=0)
        table = suppress_counts(counts, threshold).hidden
        hidden = table.stack().reindex(self.rates.index).to_numpy(dtype=bool)
        out = self.rates.copy()
        out.loc[hidden, ["count", "rate", "lower", "upper"]] = np.nan
        hidden_there = table.columns[table.loc[self.reference].to_numpy(dtype=bool)]
        gone = hidden | out.index.get_level_values("category").isin(hidden_there)
        out.loc[gone, ["difference", "difference_lower", "difference_upper"]] = np.nan
        out["suppressed"] = hidden
        return out


def group_rates(
    advice_or_bands: Advices | Scores | pd.Series | Sequence[Any] | np.ndarray,
    groups: pd.Series | Sequence[Any] | np.ndarray,
    outcome: pd.Series | Sequence[Any] | np.ndarray | None = None,
    *,
    positive: Iterable[str] | str | None = None,
    reference: str | None = None,
    min_size: int = 10,
    alpha: float = 0.05,
) -> GroupRates:
    """Advice (or band) rates per group and, with outcomes, error rates per group.

    Parameters
    ----------
    advice_or_bands : Advices, Scores, Series or array-like of str
        One category per candidate: :func:`weegtool.advise`'s advices (their
        ``category``), scores (their band; ``"not_assessable"`` without a
        total) or any labels.
    groups : Series or array-like
        One group per candidate. A Series indexed by candidate id is matched to
        the candidate ids of ``advice_or_bands``; otherwise by position.
    outcome : Series or array-like of 0/1 or bool, optional
        1 (True) for a positive outcome, such as a placement that continued.
    positive : str or iterable of str
        The categories counted as a positive prediction; required with ``outcome``.
    reference : str, optional
        The group differences are taken to; the largest group by default.
    min_size : int
        Smallest group size allowed: rates of tiny groups mislead.
    alpha : float
        The intervals cover ``1 - alpha``.

    Returns
    -------
    GroupRates

    Raises
    ------
    ValueError
        For misaligned inputs, missing values, groups smaller than ``min_size``,
        an unknown reference or positive category, or outcomes that are not 0/1.
    """
    labels = _labels(advice_or_bands)
    group = _aligned(groups, labels, "groups")
    _check_no_missing(group, "groups")
    _check_sizes(group, min_size)
    reference = _reference(group, reference)
    rates = _rates_frame(labels, group, reference, alpha)
    if outcome is None:
        if positive is not None:
            raise ResearchError(
                "The 'positive' parameter of group_rates is used only with outcome; got no outcome."
            )
        return GroupRates(rates, None, reference, None, alpha)
    chosen = _positive(positive, labels)
    truth = _outcome(_aligned(outcome, labels, "outcome"))
    errors = _errors_frame(labels.isin(chosen).to_numpy(), truth, group, reference, alpha)
    return GroupRates(rates, errors, reference, chosen, alpha)


# --- inputs ---------------------------------------------------------------------------------


def _labels(values: Any) -> pd.Series:
    """One category per candidate, indexed by candidate id where known."""
    if isinstance(values, Advices):
        if not len(values):
            raise ResearchError(
                "advice_or_bands is empty; group_rates needs at least one candidate."
            )
        return pd.Series(
            [a.category for a in values],
            index=pd.Index([a.candidate_id for a in values]),
            dtype=object,
            name="category",
        )
    if isinstance(values, Scores):
        bands = [b or NOT_ASSESSABLE for b in values.band_ids()]
        return pd.Series(bands, index=pd.Index(values.candidate_ids), dtype=object, name="category")
    series = (
        values.copy()
        if isinstance(values, pd.Series)
        else pd.Series(np.asarray(values, dtype=object))
    )
    if series.empty:
        raise ResearchError("advice_or_bands is empty; group_rates needs at least one candidate.")
    missing = np.flatnonzero(series.isna().to_numpy())
    if len(missing):
        raise ResearchError(
            f"advice_or_bands has {len(missing)} missing values (positions {_some(missing)}); "
            f"give every candidate a category or band."
        )
    return series.astype(object).rename("category")


def _aligned(values: Any, labels: pd.Series, name: str) -> pd.Series:
    """``values`` in the order of ``labels``: by candidate id when both carry ids, else by position."""
    if _has_ids(values) and _has_ids(labels):
        absent = labels.index.difference(values.index)
        if len(absent):
            raise ResearchError(
                f"{name} has no entry for {len(absent)} of the {len(labels)} candidates: "
                f"{_some(absent)}."
            )
        if values.index.has_duplicates:
            raise ResearchError(
                f"{name} gives some candidate ids more than once: "
                f"{_some(values.index[values.index.duplicated()].unique())}."
            )
        return values.reindex(labels.index)
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    if array.ndim != 1 or len(array) != len(labels):
        raise ResearchError(
            f"advice_or_bands has {len(labels)} candidates but {name} has "
            f"{len(array) if array.ndim == 1 else array.shape}; give one value per candidate."
        )
    return pd.Series(array, index=labels.index, dtype=object)


def _has_ids(values: Any) -> bool:
    return isinstance(values, pd.Series) and not isinstance(values.index, pd.RangeIndex)


def _check_no_missing(values: pd.Series, name: str) -> None:
    missing = np.flatnonzero(values.isna().to_numpy())
    if len(missing):
        raise ResearchError(
            f"{name} has {len(missing)} missing values (candidates {_some(values.index[missing])}); "
            f"drop those candidates or give them a group of their own, such as 'unknown'."
        )


def _check_sizes(group: pd.Series, min_size: int) -> None:
    sizes = group.value_counts(sort=False)
    small = sizes[sizes < min_size]
    if len(small):
        listed = ", ".join(
            f"{g!r} has {n}" for g, n in sorted(small.items(), key=lambda p: str(p[0]))
        )
        raise ResearchError(
            f"groups too small: {listed}; each group needs at least min_size={min_size} candidates. "
            f"Merge small groups or lower min_size."
        )


def _reference(group: pd.Series, reference: Any) -> Any:
    sizes = group.value_counts(sort=False)
    if reference is None:
        return max(sorted(sizes.index, key=str), key=lambda g: sizes[g])
    if reference not in sizes.index:
        raise ResearchError(
            f"The 'reference' parameter of group_rates must be one of the groups "
            f"{sorted(sizes.index, key=str)}. Got {reference!r} instead."
        )
    return reference


def _positive(positive: Iterable[str] | str | None, labels: pd.Series) -> tuple[str, ...]:
    if positive is None:
        raise ResearchError(
            "The 'positive' parameter of group_rates is required with outcome: the categories "
            "counted as a positive prediction, e.g. ('fits', 'fits_with_conditions')."
        )
    chosen = (positive,) if isinstance(positive, str) else tuple(positive)
    known = set(labels)
    unknown = [c for c in chosen if c not in known]
    if not chosen or len(unknown) == len(chosen):
        raise ResearchError(
            f"The 'positive' parameter of group_rates must name at least one category that occurs "
            f"{sorted(known, key=str)}. Got {positive!r} instead."
        )
    return chosen


def _outcome(values: pd.Series) -> np.ndarray:
    missing = np.flatnonzero(values.isna().to_numpy())
    if len(missing):
        raise ResearchError(
            f"outcome has {len(missing)} missing values (candidates {_some(values.index[missing])}); "
            f"drop those candidates first."
        )
    bad = [(i, v) for i, v in zip(values.index, values) if v not in (0, 1)]  # True == 1, False == 0
    if bad:
        raise ResearchError(
            f"outcome must be 0/1 or True/False; got {bad[0][1]!r} for candidate {bad[0][0]!r}"
            + (f" and {len(bad) - 1} more." if len(bad) > 1 else ".")
        )
    return values.astype(int).to_numpy() == 1


def _some(values: Iterable[Any], limit: int = 5) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


# --- rates ----------------------------------------------------------------------------------


def _codes(values: pd.Series) -> tuple[list[Any], np.ndarray]:
    """The distinct values in sorted order and each entry's position among them."""
    names = sorted(values.unique(), key=str)
    return names, pd.Index(names, dtype=object).get_indexer(values.to_numpy())


def _rates_frame(labels: pd.Series, group: pd.Series, reference: Any, alpha: float) -> pd.DataFrame:
    groups, g = _codes(group)
    categories, c = _codes(labels)
    counts = np.zeros((len(groups), len(categories)), dtype=np.int64)
    np.add.at(counts, (g, c), 1)
    r = groups.index(reference)
    index = pd.MultiIndex.from_product([groups, categories], names=["group", "category"])
    return _interval_frame(
        index,
        counts.sum(axis=1).repeat(len(categories)),
        counts.ravel(),
        np.full(counts.size, counts[r].sum()),
        np.tile(counts[r], len(groups)),
        np.arange(len(groups)).repeat(len(categories)) == r,
        alpha,
    )


def _errors_frame(
    predicted: np.ndarray, truth: np.ndarray, group: pd.Series, reference: Any, alpha: float
) -> pd.DataFrame:
    """False positive and false negative rates per group: ``(n, count)`` per group and measure."""
    groups, g = _codes(group)
    size = len(groups)
    n = np.column_stack([np.bincount(g, ~truth, size), np.bincount(g, truth, size)]).astype(
        np.int64
    )
    count = np.column_stack(
        [np.bincount(g, predicted & ~truth, size), np.bincount(g, ~predicted & truth, size)]
    ).astype(np.int64)
    r = groups.index(reference)
    index = pd.MultiIndex.from_product([groups, list(ERROR_RATES)], names=["group", "measure"])
    return _interval_frame(
        index,
        n.ravel(),
        count.ravel(),
        np.tile(n[r], size),
        np.tile(count[r], size),
        np.arange(size).repeat(len(ERROR_RATES)) == r,
        alpha,
    )


def _interval_frame(
    index: pd.MultiIndex,
    n: np.ndarray,
    count: np.ndarray,
    ref_n: np.ndarray,
    ref_count: np.ndarray,
    is_reference: np.ndarray,
    alpha: float,
) -> pd.DataFrame:
    """Rate, Wilson interval, difference to the reference and its Newcombe interval, one row per entry."""
    rate, lower, upper, difference, diff_lower, diff_upper = (
        np.full(len(n), np.nan) for _ in range(6)
    )
    known = n > 0
    rate[known] = count[known] / n[known]
    lower[known], upper[known] = proportion_confint(
        count[known], n[known], alpha=alpha, method="wilson"
    )
    both = known & (ref_n > 0)
    difference[both] = rate[both] - ref_count[both] / ref_n[both]
    compared = both & ~is_reference
    if compared.any():
        diff_lower[compared], diff_upper[compared] = confint_proportions_2indep(
            count[compared],
            n[compared],
            ref_count[compared],
            ref_n[compared],
            method="newcomb",
            compare="diff",
            alpha=alpha,
        )
    return pd.DataFrame(
        {
            "n": n,
            "count": count,
            "rate": rate,
            "lower": lower,
            "upper": upper,
            "difference": difference,
            "difference_lower": diff_lower,
            "difference_upper": diff_upper,
        },
        index=index,
    )
