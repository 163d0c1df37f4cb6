"""Agreement and its verbal labels: percent agreement, the Koo & Li and Landis & Koch bands.

- :func:`percent_agreement`, exact agreement with a Wilson interval; units in
  rows, raters in columns;
- :func:`koo_li_band`, Koo & Li's (2016) label of an ICC, and
  :func:`landis_koch_band`, Landis & Koch's (1977) label of a kappa.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._common import Estimate, _at_least, _check_alpha, _fail, _frame

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
    if not value <= 1 + 1e-9:
        raise _fail(
            f"An ICC is at most 1, so Koo & Li's bands do not name it. Got {value!r} instead."
        )
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
    if not -1 - 1e-9 <= value <= 1 + 1e-9:
        raise _fail(
            f"A kappa lies in [-1, 1], so Landis & Koch's bands do not name it. Got {value!r} instead."
        )
    if value < 0:
        return "poor"
    for upper, label in LANDIS_KOCH[1:]:
        if value <= upper:
            return label
    return "almost perfect"
