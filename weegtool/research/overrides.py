"""Overrides: how often, which way and why the committee departs from the advice, and whether it helps.

"Apply or explain" lets the committee deviate from the instrument's advice,
citing the items it rests on. Research on structured instruments found that
such overrides can lower predictive validity and bring back the biases the
instrument was meant to keep out (e.g. Guay & Parent 2018; Cohen et al. 2016 on
risk-assessment overrides). :func:`override_analysis` measures them:

- **by advice**: per advice category, the share the committee did not follow,
  and how many went heavier or lighter, with Wilson intervals;
- **items**: which items the deviations cite, and how often;
- **by group** (sex, age band, municipality...): the rate of deviations, of
  heavier and of lighter ones per group, each with its Wilson interval and its
  difference to a reference group with Newcombe's interval (the same
  arithmetic as :func:`group_rates`);
- **with outcomes**: the breakdown rate of candidates whose decision followed
  the advice against those whose did not; and, where both vary among the
  candidates with outcomes, the discrimination (ROC AUC) of the advice's care
  level and of the decision's for the breakdown, with a paired bootstrap
  interval of their difference.

Direction: each category has a level of care (``CARE_LEVELS``: lighter care
-1, the suitable and waiting-list categories 0, referral to heavier care +1;
further assessment has none). A deviation is *heavier* when the decision's
level is above the advice's, *lighter* when below, and has no direction when
either has no level.

Small groups. A count of 1 or 2 in a table per group or municipality can identify
a young person, so ``by_advice`` and ``by_group`` go through the project's one
suppression rule (:func:`weegtool.disclosure.suppress_counts`, threshold 5 by
default): per advice category or group, the candidates fall into four cells
(followed, heavier, lighter, a deviation without direction) whose total ``n`` is
shown; a hidden cell hides the count that reveals it (a hidden "followed" hides
``deviations``), with its rate, interval and differences, and a group whose
``n`` is itself too small is hidden whole and named in ``small_groups``.
``threshold=1`` shows every count (synthetic data only).

Outcomes exist only for the placed (selective labels): among them the
decision hardly varies, so the AUC comparison needs outcomes of the unplaced
too (a synthetic cohort with ``outcomes="all"``), and the comparison of
followed against overridden placements is what real data can give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ..disclosure import DEFAULT_THRESHOLD, suppress_counts
from ..errors import ResearchError
from .fairness import _interval_frame

__all__ = ["CARE_LEVELS", "OverrideAnalysis", "override_analysis"]

CARE_LEVELS: Mapping[str, float] = {
    "lighter_care": -1.0,
    "fits": 0.0,
    "fits_with_conditions": 0.0,
    "fits_not_this_group": 0.0,
    "refer": 1.0,
}
MEASURES = ("deviation", "heavier", "lighter")
COUNTS = ("deviations", "heavier", "lighter")  # the counts of by_advice


@dataclass(frozen=True)
class OverrideAnalysis:
    """The result of :func:`override_analysis`.

    Attributes
    ----------
    by_advice : DataFrame
        Index ``advice``; ``n, deviations, rate, lower, upper`` (Wilson),
        ``heavier, lighter`` (counts); ``suppressed`` (bool) where a count of
        the row is hidden (NaN, with its rate and interval) by the suppression
        rule (see the module docstring). Counts are nullable integers (``<NA>``
        where hidden).
    items : DataFrame
        Index ``item``; ``cited`` (deviations citing it) and ``share`` of all
        deviations; most cited first.
    by_group : DataFrame or None
        Index ``(group, measure)`` with measure ``deviation``, ``heavier`` or
        ``lighter``; columns as :attr:`GroupRates.rates`: ``n, count, rate,
        lower, upper, difference, difference_lower, difference_upper`` and
        ``suppressed``: True where the count is hidden (``<NA>``, with its rate,
        interval and difference; a difference is also NaN where the reference
        group's count of that measure is hidden).
    small_groups : tuple of str
        The groups whose size ``n`` is below the threshold: every number of
        theirs is hidden (``n`` too), so the table names them only here. A
        group whose ``n`` would give a small group's away (from the known
        total of all groups) is hidden whole as well, with ``suppressed``
        True, but not named here.
    outcomes : DataFrame or None
        Index ``followed`` (True, False): candidates with an outcome, ``n,
        count`` (breakdowns), ``rate, lower, upper``, and the difference of
        the overridden to the followed with its Newcombe interval.
    discrimination : DataFrame or None
        Index ``advice``, ``decision``, ``decision - advice``: ``auc`` and its
        paired percentile bootstrap interval ``lower, upper``; ``n``.
    reference : Any
        The reference group of ``by_group``.
    n : int
        Decisions analysed.
    threshold : int
        The suppression threshold the tables were made with.
    """

    by_advice: pd.DataFrame
    items: pd.DataFrame
    by_group: pd.DataFrame | None
    outcomes: pd.DataFrame | None
    discrimination: pd.DataFrame | None
    reference: Any
    n: int
    small_groups: tuple[str, ...] = ()
    threshold: int = DEFAULT_THRESHOLD


def override_analysis(
    decisions: pd.DataFrame,
    outcome: Any = None,
    group: Any = None,
    *,
    reference: Any = None,
    levels: Mapping[str, float] = CARE_LEVELS,
    alpha: float = 0.05,
    n_bootstrap: int = 1000,
    random_state: int = 0,
    threshold: int = DEFAULT_THRESHOLD,
) -> OverrideAnalysis:
    """Deviations from the advice: rates by advice and direction, items cited, groups, outcomes.

    Parameters
    ----------
    decisions : DataFrame
        One row per candidate: ``advice`` and ``decision`` (category ids),
        optionally ``items`` (the items a deviation cites, ";"-separated) -
        as :attr:`Cohort.decisions` or the database export gives them.
    outcome : str, Series or array-like, optional
        A column of ``decisions`` or values aligned by position: 1 when the
        placement broke down, 0 when not, NaN when unknown (not placed).
    group : str, Series or array-like, optional
        A column of ``decisions`` or values aligned by position.
    reference : optional
        The group differences are taken to; the largest by default.
    levels : mapping of category to level of care
        See the module docstring.
    alpha : float
        Intervals cover ``1 - alpha``.
    n_bootstrap, random_state : int
        Paired resamples of the candidates with an outcome for the AUC
        difference; the seed.
    threshold : int
        Counts ``0 < n < threshold`` in ``by_advice`` and ``by_group`` are
        hidden, with the cells that would give them away
        (:func:`weegtool.disclosure.suppress_counts`); 1 hides nothing.

    Returns
    -------
    OverrideAnalysis

    Raises
    ------
    ResearchError
        A missing column, an empty table, misaligned ``outcome`` or
        ``group``, an outcome other than 0, 1 or NaN, an unknown reference, a
        threshold that is not a whole number of at least 1.
    """
    problems = [
        f"decisions has no column {c!r}; its columns are {list(map(str, decisions.columns))}."
        for c in ("advice", "decision")
        if c not in decisions.columns
    ]
    if not len(decisions):
        problems.append("decisions has no rows.")
    if not 0 < alpha < 1:
        problems.append(
            f"The 'alpha' parameter of override_analysis must be in (0, 1). Got {alpha!r} instead."
        )
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        problems.append(
            "The 'threshold' parameter of override_analysis must be a whole number of at least 1. "
            f"Got {threshold!r} instead."
        )
    if problems:
        raise ResearchError.collect("override_analysis", problems)
    advice = decisions["advice"].astype(str).to_numpy()
    decision = decisions["decision"].astype(str).to_numpy()
    deviated = advice != decision
    step = np.array([levels.get(d, np.nan) for d in decision]) - np.array(
        [levels.get(a, np.nan) for a in advice]
    )
    heavier, lighter = deviated & (step > 0), deviated & (step < 0)
    by_advice, _ = _suppressed(
        _by_advice(advice, deviated, heavier, lighter, alpha), "advice", threshold
    )
    items = _items(decisions, deviated)
    by_group, chosen = None, None
    small: tuple[str, ...] = ()
    if group is not None:
        labels = _column(decisions, group, "group")
        if labels.isna().any():
            raise ResearchError.collect(
                "override_analysis", [f"group has {int(labels.isna().sum())} missing value(s)."]
            )
        by_group, chosen = _by_group(
            labels.astype(str), deviated, heavier, lighter, reference, alpha
        )
        by_group, small = _suppressed(by_group, "group", threshold, reference=chosen)
    outcomes = discrimination = None
    if outcome is not None:
        y = pd.to_numeric(_column(decisions, outcome, "outcome"), errors="coerce").to_numpy(
            dtype=float
        )
        known = ~np.isnan(y)
        if not np.isin(y[known], (0, 1)).all() or known.sum() < 2:
            raise ResearchError.collect(
                "override_analysis", ["outcome must be 0, 1 or NaN, with at least 2 known."]
            )
        outcomes = _outcomes(y, known, deviated, alpha)
        discrimination = _discrimination(
            y, known, advice, decision, levels, n_bootstrap, random_state, alpha
        )
    return OverrideAnalysis(
        by_advice,
        items,
        by_group,
        outcomes,
        discrimination,
        chosen,
        len(advice),
        small,
        int(threshold),
    )


CELLS = ("followed", "heavier", "lighter", "undirected")
STATISTICS = ["rate", "lower", "upper"]
DIFFERENCES = ["difference", "difference_lower", "difference_upper"]


def _suppressed(
    frame: pd.DataFrame, key: str, threshold: int, reference: Any = None
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``frame`` (by advice, or by group and measure) with the counts the one rule hides set to NaN.

    Each key's candidates fall into the cells :data:`CELLS`, whose row total ``n`` is shown and
    whose column totals can be known; :func:`suppress_counts` says which cells to hide. The
    deviations are a sum of cells, ``n - followed``: a small one hides "followed" too (else ``n``
    would give it away), and it is shown only where "followed" is. Returns the frame with a
    ``suppressed`` column and the keys whose ``n`` is hidden too.
    """
    wide = frame.index.nlevels == 1  # by advice: one row per key, counts in columns
    if wide:
        counts = frame[["deviations", "heavier", "lighter"]].set_axis(
            ["deviation", "heavier", "lighter"], axis=1
        )
        n = frame["n"]
    else:
        counts = frame["count"].unstack("measure")[list(MEASURES)]
        n = frame["n"].xs("deviation", level="measure")
    cells = pd.DataFrame(
        {
            "followed": n - counts["deviation"],
            "heavier": counts["heavier"],
            "lighter": counts["lighter"],
            "undirected": counts["deviation"] - counts["heavier"] - counts["lighter"],
        }
    ).astype(np.int64)
    small_sum = (counts["deviation"] > 0) & (counts["deviation"] < threshold)
    also = pd.DataFrame(False, index=cells.index, columns=cells.columns)
    also["followed"] = small_sum.to_numpy()
    table = suppress_counts(cells, threshold, also=also)
    whole = table.total_hidden(axis=1)
    too_small = whole.index[whole.to_numpy(dtype=bool)]
    hidden = pd.DataFrame(
        {
            "deviation": table.hidden["followed"],
            "heavier": table.hidden["heavier"],
            "lighter": table.hidden["lighter"],
        }
    )
    hidden[whole] = True
    out = frame.astype({c: "Int64" for c in frame.columns if c in ("n", "count", *COUNTS)})
    if wide:
        out.loc[whole, "n"] = pd.NA
        shown = hidden.set_axis(["deviations", "heavier", "lighter"], axis=1)
        out[list(shown.columns)] = out[list(shown.columns)].mask(shown.to_numpy())
        out.loc[hidden["deviation"].to_numpy(), STATISTICS] = np.nan
        out["suppressed"] = hidden.any(axis=1).to_numpy()
    else:
        mask = hidden.stack().reindex(frame.index).to_numpy(dtype=bool)
        out.loc[frame.index.get_level_values(key).isin(too_small), "n"] = pd.NA
        out.loc[mask, "count"] = pd.NA
        out.loc[mask, [*STATISTICS, *DIFFERENCES]] = np.nan
        at_reference = hidden.loc[str(reference)].to_numpy(dtype=bool)
        lost = frame.index.get_level_values("measure").isin(hidden.columns[at_reference])
        out.loc[lost, DIFFERENCES] = np.nan
        out["suppressed"] = mask
    # named: the groups too small themselves; a group hidden only to protect them (its n would give
    # theirs away from the known total) is hidden as well, but is not small
    sizes = cells.sum(axis=1)
    return out, tuple(str(k) for k in too_small if 0 < sizes[k] < threshold)


def _column(decisions: pd.DataFrame, values: Any, name: str) -> pd.Series:
    if isinstance(values, str):
        if values not in decisions.columns:
            raise ResearchError.collect(
                "override_analysis",
                [
                    f"decisions has no {name} column {values!r}; its columns are {list(map(str, decisions.columns))}."
                ],
            )
        return decisions[values].reset_index(drop=True)
    series = pd.Series(
        np.asarray(values, dtype=object) if not isinstance(values, pd.Series) else values.to_numpy()
    )
    if len(series) != len(decisions):
        raise ResearchError.collect(
            "override_analysis",
            [
                f"{name} must have one value per decision; got {len(series)} for {len(decisions)} decisions."
            ],
        )
    return series


def _by_advice(
    advice: np.ndarray, deviated: np.ndarray, heavier: np.ndarray, lighter: np.ndarray, alpha: float
) -> pd.DataFrame:
    frame = pd.DataFrame({"advice": advice, "d": deviated, "h": heavier, "l": lighter})
    counts = frame.groupby("advice").agg(
        n=("d", "size"), deviations=("d", "sum"), heavier=("h", "sum"), lighter=("l", "sum")
    )
    rates = _interval_frame(
        pd.MultiIndex.from_arrays([counts.index]),
        counts["n"].to_numpy(),
        counts["deviations"].to_numpy(),
        counts["n"].to_numpy(),
        counts["deviations"].to_numpy(),
        np.ones(len(counts), bool),
        alpha,
    )
    counts[["rate", "lower", "upper"]] = rates[["rate", "lower", "upper"]].to_numpy()
    return counts[["n", "deviations", "rate", "lower", "upper", "heavier", "lighter"]]


def _items(decisions: pd.DataFrame, deviated: np.ndarray) -> pd.DataFrame:
    if "items" not in decisions.columns or not deviated.any():
        return pd.DataFrame({"cited": [], "share": []}, index=pd.Index([], name="item"))
    cited = (
        decisions.loc[deviated, "items"].fillna("").astype(str).str.split(";").explode().str.strip()
    )
    counts = cited[cited != ""].value_counts()
    frame = pd.DataFrame({"cited": counts, "share": counts / int(deviated.sum())})
    frame.index.name = "item"
    return frame


def _by_group(
    labels: pd.Series,
    deviated: np.ndarray,
    heavier: np.ndarray,
    lighter: np.ndarray,
    reference: Any,
    alpha: float,
) -> tuple[pd.DataFrame, Any]:
    sizes = labels.value_counts()
    groups = sorted(sizes.index, key=str)
    if reference is None:
        reference = max(groups, key=lambda g: (sizes[g], -groups.index(g)))
    elif str(reference) not in groups:
        raise ResearchError.collect(
            "override_analysis",
            [f"reference {reference!r} is not a group; the groups are {groups}."],
        )
    reference = str(reference)
    g = pd.Index(groups).get_indexer(labels.to_numpy())
    n = np.bincount(g, minlength=len(groups))
    count = np.column_stack(
        [np.bincount(g, m.astype(float), len(groups)) for m in (deviated, heavier, lighter)]
    ).astype(np.int64)
    r = groups.index(reference)
    index = pd.MultiIndex.from_product([groups, list(MEASURES)], names=["group", "measure"])
    frame = _interval_frame(
        index,
        n.repeat(len(MEASURES)),
        count.ravel(),
        np.full(count.size, n[r]),
        np.tile(count[r], len(groups)),
        np.arange(len(groups)).repeat(len(MEASURES)) == r,
        alpha,
    )
    return frame, reference


def _outcomes(y: np.ndarray, known: np.ndarray, deviated: np.ndarray, alpha: float) -> pd.DataFrame:
    followed = ~deviated[known]
    events = y[known] == 1
    n = np.array([followed.sum(), (~followed).sum()])
    count = np.array([(events & followed).sum(), (events & ~followed).sum()])
    frame = _interval_frame(
        pd.MultiIndex.from_arrays([[True, False]], names=["followed"]),
        n,
        count,
        np.full(2, n[0]),
        np.full(2, count[0]),
        np.array([True, False]),
        alpha,
    )
    frame.index = frame.index.get_level_values(0)
    return frame


def _discrimination(
    y: np.ndarray,
    known: np.ndarray,
    advice: np.ndarray,
    decision: np.ndarray,
    levels: Mapping[str, float],
    n_bootstrap: int,
    random_state: int,
    alpha: float,
) -> pd.DataFrame:
    a = np.array([levels.get(c, np.nan) for c in advice])
    d = np.array([levels.get(c, np.nan) for c in decision])
    use = known & ~np.isnan(a) & ~np.isnan(d)
    yy, aa, dd = y[use], a[use], d[use]
    rows = pd.DataFrame(
        np.nan,
        index=["advice", "decision", "decision - advice"],
        columns=["auc", "lower", "upper", "n"],
    )
    rows["n"] = int(use.sum())
    if len(np.unique(yy)) < 2 or len(np.unique(aa)) < 2 or len(np.unique(dd)) < 2:
        return rows  # one of them does not vary among the candidates with an outcome: no AUC
    point = [roc_auc_score(yy, aa), roc_auc_score(yy, dd)]
    rng = np.random.default_rng(random_state)
    events, others = np.flatnonzero(yy == 1), np.flatnonzero(yy == 0)
    draws = []
    for _ in range(n_bootstrap):
        pick = np.concatenate([rng.choice(events, len(events)), rng.choice(others, len(others))])
        first, second = roc_auc_score(yy[pick], aa[pick]), roc_auc_score(yy[pick], dd[pick])
        draws.append((first, second, second - first))
    rows["auc"] = [point[0], point[1], point[1] - point[0]]
    if draws:
        low, high = np.percentile(np.array(draws), [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
        rows["lower"], rows["upper"] = low, high
    return rows
