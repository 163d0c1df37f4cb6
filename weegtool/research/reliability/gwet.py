"""Chance-robust agreement: Gwet's AC1 and AC2, Brennan-Prediger, and specific agreement.

With most candidates rated alike (a small, homogeneous target group) kappa
collapses although the raters agree: its chance agreement comes from the raters'
own marginals, which are skewed, so it is high (the kappa paradox; Feinstein &
Cicchetti 1990). Gwet's AC1 (unweighted) and AC2 (weighted) take chance
agreement as the probability of agreeing on a hard-to-rate unit (Gwet 2008),
Brennan & Prediger (1981) as ``1/q``; neither collapses under skewed prevalence.

- :func:`gwet_ac` and :func:`brennan_prediger`: any number of raters, missing
  ratings, weights None, ``"linear"``, ``"quadratic"`` or ``"ordinal"``; the
  estimate, its standard error and interval as in Gwet's *Handbook of
  Inter-Rater Reliability* (4th ed., 2014, chapters 2-5) and as irrCAC (R and
  Python) computes them;
- :func:`specific_agreement`: positive and negative (generally per category)
  agreement, ``sum_i n_ik (n_ik - 1) / sum_i n_ik (n_i - 1)`` (Uebersax 1982;
  de Vet et al. 2017), which for two raters and two categories is
  ``2a / (2a + b + c)`` and ``2d / (2d + b + c)`` (Cicchetti & Feinstein 1990).

Input as :func:`krippendorff_alpha`: raters in rows, units (candidates) in
columns, NaN or None where a rater gave no rating.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ._common import Estimate, _check_alpha, _fail, _frame, _shown

ChanceWeights = Literal["linear", "quadratic", "ordinal"] | None
CHANCE_WEIGHTS = (None, "linear", "quadratic", "ordinal")
BOOTSTRAP_DRAWS = 2000


@dataclass(frozen=True)
class AgreementCoefficient(Estimate):
    """A chance-corrected agreement coefficient: ``value``, ``se``, ``ci``, and its two parts.

    ``pa`` is the (weighted) observed agreement over the units with two or more
    ratings, ``pe`` the chance agreement, ``value = (pa - pe) / (1 - pe)``;
    ``n`` the units with at least one rating; ``name`` "AC1", "AC2" or
    "Brennan-Prediger" (with the weights).
    """

    pa: float = math.nan
    pe: float = math.nan
    name: str = ""

    @property
    def ci(self) -> tuple[float, float]:
        """The interval ``(ci_low, ci_high)``."""
        return (self.ci_low, self.ci_high)


def gwet_ac(
    data: pd.DataFrame | np.ndarray | Sequence[Sequence[Any]],
    weights: ChanceWeights = None,
    categories: Sequence[Any] | None = None,
    alpha: float = 0.05,
) -> AgreementCoefficient:
    """Gwet's AC1 (``weights=None``) or AC2 (weighted), with its standard error and interval.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Raters in rows, units in columns (as :func:`krippendorff_alpha`); None
        or NaN where a rater gave no rating. Categories may be any values for
        AC1; weighted AC2 needs numbers (the weights use their distances).
    weights : {None, "linear", "quadratic", "ordinal"}
        Agreement weights over the categories ``c_1 < ... < c_q``: linear
        ``1 - |c_k - c_l| / (c_q - c_1)``, quadratic ``1 - (c_k - c_l)^2 / (c_q - c_1)^2``,
        ordinal ``1 - C(|k - l| + 1, 2) / C(q, 2)`` on ranks (Gwet 2014, 3.4).
    categories : sequence, optional
        Every category of the scale, also those nobody used: ``q`` enters the
        chance agreement, so give the whole scale. By default the categories
        that occur (as irrCAC does).
    alpha : float, default 0.05
        The interval is ``value ± t(1 - alpha/2, n - 1) * se``, its upper end
        capped at 1 (Gwet 2014; irrCAC).

    Returns
    -------
    AgreementCoefficient
        ``value`` with ``pa = mean over units with r_i >= 2 of
        sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` (``r*_ik`` the weighted
        count) and ``pe = sum(W) / (q (q - 1)) * sum_k pi_k (1 - pi_k)``,
        ``pi_k`` the mean over units of ``r_ik / r_i``; ``se`` the linearised
        variance of Gwet (2008) for a sample from an infinite population; ``n``
        the units with at least one rating (units without any are left out).

    Raises
    ------
    ReliabilityError
        Data not 2-D, fewer than 2 units with a rating, no unit with 2 ratings,
        a value outside ``categories``, weights on values that are not numbers.
    """
    counts, grid, n_units = _counts(data, weights, categories, alpha, "gwet_ac")
    q = counts.shape[1]
    ratings = counts.sum(axis=1)
    share = (counts / ratings[:, None]).mean(axis=0)
    scale = grid.sum() / (q * (q - 1)) if q >= 2 else 0.0
    pe = float(scale * (share * (1 - share)).sum())
    pe_unit = scale * (counts @ (1 - share)) / ratings
    name = "AC1" if weights is None else f"AC2, {weights} weights"
    return _coefficient(counts, grid, pe, pe_unit, alpha, name, n_units)


def brennan_prediger(
    data: pd.DataFrame | np.ndarray | Sequence[Sequence[Any]],
    weights: ChanceWeights = None,
    categories: Sequence[Any] | None = None,
    alpha: float = 0.05,
) -> AgreementCoefficient:
    """Brennan & Prediger's (1981) coefficient: chance agreement ``sum(W) / q^2`` (``1/q`` unweighted).

    Parameters and result as :func:`gwet_ac` (Gwet 2014, 2.4 and 5.3; irrCAC's
    ``bp``). The chance agreement rests on ``q`` alone, so give ``categories``
    when a level of the scale went unused. Its variance has no term for the
    chance agreement, which is fixed.
    """
    counts, grid, n_units = _counts(data, weights, categories, alpha, "brennan_prediger")
    q = counts.shape[1]
    pe = float(grid.sum() / q**2)
    name = "Brennan-Prediger" + (f", {weights} weights" if weights else "")
    return _coefficient(counts, grid, pe, None, alpha, name, n_units)


def specific_agreement(
    data: pd.DataFrame | np.ndarray | Sequence[Sequence[Any]],
    categories: Sequence[Any] | None = None,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Specific agreement per category: of the ratings in ``k``, the share another rater matched.

    For two categories these are positive and negative agreement; they show
    what a single kappa hides when one category is rare (Cicchetti & Feinstein
    1990).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Raters in rows, units in columns, None or NaN where not rated.
    categories : sequence, optional
        The categories to report, also unused ones (their row is NaN).
    alpha : float, default 0.05
        A ``1 - alpha`` percentile interval from a bootstrap over units
        (``BOOTSTRAP_DRAWS`` resamples; units are the independent draws, the
        pairs of raters within a unit are not).
    seed : int
        The bootstrap's seed: same data and seed, same interval.

    Returns
    -------
    DataFrame
        One row per category: ``category, value, ci_low, ci_high, ratings``
        (ratings in that category on units with 2 or more ratings), with
        ``value = sum_i n_ik (n_ik - 1) / sum_i n_ik (n_i - 1)`` over the units
        with at least two ratings (Uebersax 1982; de Vet et al. 2017). NaN for
        a category nobody used.
    """
    _check_alpha(alpha, "specific_agreement")
    counts, labels = _category_counts(data, categories, "specific_agreement")
    counts = counts[counts.sum(axis=1) >= 2]
    if not len(counts):
        raise _fail(
            "The 'data' parameter of specific_agreement must have at least one unit (column) rated "
            "by 2 or more raters. Got none instead."
        )
    agree = counts * (counts - 1)
    possible = counts * (counts.sum(axis=1, keepdims=True) - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = agree.sum(axis=0) / possible.sum(axis=0)
        draws = np.random.default_rng(seed).multinomial(
            len(counts), np.full(len(counts), 1 / len(counts)), size=BOOTSTRAP_DRAWS
        )
        boot = (draws @ agree) / (draws @ possible)
    used = possible.sum(axis=0) > 0
    low, high = np.full((2, len(labels)), np.nan)
    if len(counts) >= 2 and used.any():
        low[used], high[used] = np.nanquantile(boot[:, used], [alpha / 2, 1 - alpha / 2], axis=0)
    return pd.DataFrame(
        {
            "category": labels,
            "value": value,
            "ci_low": np.where(used, low, np.nan),
            "ci_high": np.where(used, high, np.nan),
            "ratings": counts.sum(axis=0).astype(int),
        }
    )


# --- shared ------------------------------------------------------------------------------------


def _coefficient(
    counts: np.ndarray,
    grid: np.ndarray,
    pe: float,
    pe_unit: np.ndarray | None,
    alpha: float,
    name: str,
    n_units: int,
) -> AgreementCoefficient:
    """Gwet's (2014) estimate and linearised variance from units x categories counts (f = 0)."""
    n = len(counts)
    ratings = counts.sum(axis=1)
    weighted = counts @ grid.T
    pairs = ratings * (ratings - 1)
    agree = (counts * (weighted - 1)).sum(axis=1)
    paired = ratings >= 2
    pa_unit = np.where(paired, agree / np.where(paired, pairs, 1), 0.0)
    pa = float(pa_unit[paired].mean())
    if pe >= 1 - 1e-12:
        return AgreementCoefficient(math.nan, n=n_units, pa=pa, pe=pe, name=name)
    value = (pa - pe) / (1 - pe)
    unit = (n / paired.sum()) * (pa_unit - pe * paired) / (1 - pe)
    if pe_unit is not None:
        unit = unit - 2 * (1 - value) * (pe_unit - pe) / (1 - pe)
    se = math.sqrt(((unit - value) ** 2).sum() / (n * (n - 1)))
    t = float(stats.t.ppf(1 - alpha / 2, n - 1))
    return AgreementCoefficient(
        value, se, value - t * se, min(1.0, value + t * se), n_units, pa=pa, pe=pe, name=name
    )


def _counts(
    data: Any, weights: Any, categories: Sequence[Any] | None, alpha: float, function: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """units x categories counts (units with a rating only), the weight matrix, and the unit count."""
    _check_alpha(alpha, function)
    if weights not in CHANCE_WEIGHTS:
        raise _fail(
            f"The 'weights' parameter of {function} must be one of {CHANCE_WEIGHTS}. "
            f"Got {weights!r} instead."
        )
    counts, labels = _category_counts(data, categories, function)
    counts = counts[counts.sum(axis=1) >= 1]
    if len(counts) < 2:
        raise _fail(
            f"The 'data' parameter of {function} must have at least 2 units (columns) with a rating. "
            f"Got {len(counts)} instead."
        )
    if not (counts.sum(axis=1) >= 2).any():
        raise _fail(
            f"The 'data' parameter of {function} must have at least one unit (column) rated by 2 or "
            "more raters. Got none instead."
        )
    return counts, _weight_matrix(labels, weights, function), len(counts)


def _category_counts(
    data: Any, categories: Sequence[Any] | None, function: str
) -> tuple[np.ndarray, list[Any]]:
    """units x categories: how many raters put each unit (column of ``data``) in each category."""
    frame = _frame(data, "data", function)
    cells = frame.to_numpy(dtype=object).T  # units x raters
    rated = ~pd.isna(cells)
    seen = pd.unique(cells[rated])
    if categories is None:
        try:
            labels = sorted(seen)
        except TypeError:
            labels = list(seen)
    else:
        labels = list(categories)
        if len(set(labels)) != len(labels):
            raise _fail(
                f"The 'categories' parameter of {function} must not repeat a category. "
                f"Got {labels!r} instead."
            )
    codes = np.full(cells.shape, -1)
    codes[rated] = pd.Index(labels).get_indexer(pd.Index(cells[rated]))
    outside = rated & (codes < 0)
    if outside.any():
        unit, rater = np.argwhere(outside)[0]
        raise _fail(
            f"The 'data' parameter of {function} must only hold categories in 'categories' {labels!r}. "
            f"Got {_shown(cells[unit, rater])} at row {_shown(frame.index[rater])}, column "
            f"{_shown(frame.columns[unit])} instead."
        )
    counts = np.zeros((cells.shape[0], len(labels)))
    units = np.nonzero(rated)[0]
    np.add.at(counts, (units, codes[rated]), 1)
    return counts, labels


def _weight_matrix(labels: list[Any], weights: Any, function: str) -> np.ndarray:
    q = len(labels)
    if weights is None or q < 2:
        return np.eye(q)
    if weights == "ordinal":
        steps = np.abs(np.subtract.outer(np.arange(q), np.arange(q))) + 1
        pairs = steps * (steps - 1) / 2
        return 1 - pairs / pairs.max()
    try:
        values = np.array(labels, dtype=float)
    except (TypeError, ValueError):
        raise _fail(
            f"The 'weights' parameter {weights!r} of {function} needs categories that are numbers. "
            f"Got {labels!r} instead; give weights=None or 'ordinal'."
        ) from None
    distance = np.abs(np.subtract.outer(values, values)) / (values.max() - values.min())
    return 1 - (distance if weights == "linear" else distance**2)
