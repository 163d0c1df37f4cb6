"""Cut-offs on the total, checked against outcomes.

A cut-off ``c`` flags a candidate when ``total >= c``: a total on a boundary
belongs to the band that starts there, as in the instrument. ``outcome`` is 1
for the event the total should predict (say, the placement broke down) and 0
otherwise; a higher total means heavier need, so it should flag more events.

- :func:`boundary_roc`: the ROC and precision-recall curves of the total, and
  sensitivity, specificity, PPV and NPV at each boundary between the
  instrument's bands;
- :func:`youden_cutoff`: the cut-off with the largest Youden's J
  (sensitivity + specificity - 1);
- :func:`cost_cutoff`: the cut-off with the smallest expected cost of its
  misclassifications;
- :func:`cutoff_loss`: what keeping a current cut-off costs against a proposed
  one (J or expected cost), with a paired bootstrap interval, so that "keep"
  rests on a stated margin rather than on an interval that happens to hold
  the current value.

Cut-offs considered are the distinct totals observed; among equally good ones
the highest is taken (the one that flags fewest candidates). Both cut-offs
carry percentile bootstrap intervals from resampling candidates within each
outcome class (:mod:`weegtool.research._bootstrap`). One sort, then per
resample a histogram over the distinct totals and a cumulative sum: 1,000
resamples of 10,000 candidates take well under a second.

When costs are equal, the expected cost is ``cost * (FN + FP) / n``; with
prevalence exactly 0.5 (``P == N``) that is ``cost / 2 * (1 - J)``, so the
two cut-offs coincide. In general they coincide when
``cost_fn / cost_fp == N / P``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from ..instrument import Instrument, load_instrument
from ._bootstrap import (
    ResearchError,
    binary_outcome,
    check_parameters,
    chunk_sizes,
    counts_of,
    numbers,
    percentile_interval,
    stratified_draws,
)
from .selection import labelled

__all__ = [
    "BoundaryROC",
    "Cutoff",
    "ResearchError",
    "band_boundaries",
    "boundary_roc",
    "cost_cutoff",
    "cutoff_loss",
    "youden_cutoff",
]


# --- results ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BoundaryROC:
    """How well the total, and each band boundary on it, predicts the outcome.

    ``boundaries`` has one row per boundary: its ``value``, the counts ``tp``,
    ``fp``, ``fn``, ``tn`` of ``total >= value``, the share ``flagged``,
    ``sensitivity``, ``specificity``, ``ppv`` and ``npv`` (NaN when no
    candidate is flagged, or none is not), and the ROC ``auc`` and
    ``average_precision`` of that yes/no rule. ``roc`` (``fpr``, ``tpr``,
    ``threshold``) and ``pr`` (``precision``, ``recall``, ``threshold``) are
    the curves of the total itself, with its ``auc`` and ``average_precision``.
    """

    boundaries: pd.DataFrame
    roc: pd.DataFrame
    pr: pd.DataFrame
    auc: float
    average_precision: float
    n: int
    n_events: int

    def to_frame(self) -> pd.DataFrame:
        """One row per boundary (see the class docstring)."""
        return self.boundaries.copy()


@dataclass(frozen=True)
class Cutoff:
    """A cut-off on the total (flag when ``total >= cutoff``) with its bootstrap intervals.

    ``criterion`` is ``"J"`` (Youden) or ``"expected_cost"`` (per candidate);
    ``value`` is its value at the cut-off. The intervals are percentile
    bootstrap intervals at ``level`` over ``n_bootstrap`` resamples (NaN when
    ``n_bootstrap`` is 0).
    """

    method: str
    cutoff: float
    criterion: str
    value: float
    sensitivity: float
    specificity: float
    cutoff_ci: tuple[float, float]
    value_ci: tuple[float, float]
    level: float
    n_bootstrap: int
    n: int
    n_events: int
    cost_fn: float | None = None
    cost_fp: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row, indexed by ``method``."""
        row = {
            "cutoff": self.cutoff,
            "cutoff_low": self.cutoff_ci[0],
            "cutoff_high": self.cutoff_ci[1],
            "criterion": self.criterion,
            "value": self.value,
            "value_low": self.value_ci[0],
            "value_high": self.value_ci[1],
            "sensitivity": self.sensitivity,
            "specificity": self.specificity,
            "level": self.level,
            "n_bootstrap": self.n_bootstrap,
            "n": self.n,
            "n_events": self.n_events,
            "cost_fn": self.cost_fn,
            "cost_fp": self.cost_fp,
        }
        return pd.DataFrame([row], index=pd.Index([self.method], name="method"))


# --- band boundaries ------------------------------------------------------------


def band_boundaries(instrument: Instrument | None = None) -> dict[str, float]:
    """The boundaries between an instrument's bands on the total, named ``"lower/upper"`` band.

    Parameters
    ----------
    instrument : Instrument, optional
        The default Twente instrument when None.

    Returns
    -------
    dict
        For example ``{"lighter/target": 20.0, "target/elevated": 55.0, ...}``.
    """
    bands = (instrument or load_instrument()).spec.advice.bands
    return {f"{low.id}/{high.id}": float(low.upper) for low, high in itertools.pairwise(bands)}


def boundary_roc(
    total: Any,
    outcome: Any,
    boundaries: Instrument | Mapping[str, float] | Sequence[float] | None = None,
    placed: Any = None,
) -> BoundaryROC:
    """ROC and precision-recall of the total, and the operating point at each band boundary.

    Parameters
    ----------
    total : array-like of float
        Each candidate's total (0-100); no NaN (leave out candidates that are not assessable).
    outcome : array-like of 0/1 or bool
        1 for the event the total should predict, aligned with ``total`` by position.
    boundaries : Instrument, mapping, sequence of float or None
        The cut-offs to evaluate: an instrument's band boundaries (the default
        Twente instrument when None), a mapping of name to value, or values.
    placed : array-like of bool, optional
        Who was placed; ``outcome`` may then be NaN for the others, who are
        left out (see :func:`weegtool.research.selection.labelled`, which warns
        when outcomes exist only for the placed).

    Returns
    -------
    BoundaryROC
        ``.to_frame()`` gives one row per boundary.
    """
    total, outcome = _placed_only(total, outcome, placed, "boundary_roc")
    t, y = _checked(total, outcome, "boundary_roc")
    named = _named_boundaries(boundaries)
    fpr, tpr, roc_thresholds = roc_curve(y, t)
    precision, recall, pr_thresholds = precision_recall_curve(y, t)
    return BoundaryROC(
        boundaries=pd.DataFrame(
            [_operating_point(t, y, value) for value in named.values()],
            index=pd.Index(list(named), name="boundary"),
        ),
        roc=pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": roc_thresholds}),
        pr=pd.DataFrame(
            {
                "precision": precision,
                "recall": recall,
                "threshold": np.append(pr_thresholds, np.nan),
            }
        ),
        auc=float(roc_auc_score(y, t)),
        average_precision=float(average_precision_score(y, t)),
        n=len(y),
        n_events=int(y.sum()),
    )


def _named_boundaries(
    boundaries: Instrument | Mapping[str, float] | Sequence[float] | None,
) -> dict[str, float]:
    if boundaries is None or isinstance(boundaries, Instrument):
        return band_boundaries(boundaries)
    if isinstance(boundaries, Mapping):
        named = {str(k): v for k, v in boundaries.items()}
    else:
        named = {f"{v:g}" if isinstance(v, (int, float)) else str(v): v for v in boundaries}
    bad = [
        f"{k} = {v!r}"
        for k, v in named.items()
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v)
    ]
    if bad:
        raise ResearchError(f"boundaries must be finite numbers; got {', '.join(bad)}.")
    return {k: float(v) for k, v in named.items()}


def _operating_point(total: np.ndarray, outcome: np.ndarray, value: float) -> dict[str, float]:
    flagged = total >= value
    tp, fp = int(np.sum(flagged & (outcome == 1))), int(np.sum(flagged & (outcome == 0)))
    fn, tn = int(np.sum(~flagged & (outcome == 1))), int(np.sum(~flagged & (outcome == 0)))
    return {
        "value": value,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "flagged": flagged.mean(),
        "sensitivity": tp / (tp + fn),
        "specificity": tn / (tn + fp),
        "ppv": tp / (tp + fp) if tp + fp else np.nan,
        "npv": tn / (tn + fn) if tn + fn else np.nan,
        "auc": float(roc_auc_score(outcome, flagged)),
        "average_precision": float(average_precision_score(outcome, flagged)),
    }


# --- optimal cut-offs -------------------------------------------------------------


class _Youden:
    """Youden's J = sensitivity + specificity - 1 = TP/P - FP/N."""

    name, criterion = "youden", "J"
    cost_fn = cost_fp = None

    @staticmethod
    def merit(tp: np.ndarray, fp: np.ndarray, p: int, n: int) -> np.ndarray:
        """``J * P * N``: exact on integer counts, so equal J ties exactly."""
        return tp * n - fp * p

    @staticmethod
    def value(tp: np.ndarray, fp: np.ndarray, p: int, n: int) -> np.ndarray:
        return tp / p - fp / n


@dataclass(frozen=True)
class _Cost:
    """Expected cost per candidate: (cost_fn * FN + cost_fp * FP) / (P + N)."""

    cost_fn: float
    cost_fp: float
    name = "cost"
    criterion = "expected_cost"

    def merit(self, tp: np.ndarray, fp: np.ndarray, p: int, n: int) -> np.ndarray:
        return -(self.cost_fn * (p - tp) + self.cost_fp * fp)

    def value(self, tp: np.ndarray, fp: np.ndarray, p: int, n: int) -> np.ndarray:
        return (self.cost_fn * (p - tp) + self.cost_fp * fp) / (p + n)


def youden_cutoff(
    total: Any,
    outcome: Any,
    n_bootstrap: int = 1000,
    level: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    placed: Any = None,
) -> Cutoff:
    """The cut-off with the largest Youden's J, with bootstrap intervals.

    Parameters
    ----------
    total : array-like of float
        Each candidate's total; no NaN.
    outcome : array-like of 0/1 or bool
        1 for the event the total should predict, aligned with ``total`` by position.
    n_bootstrap : int, default 1000
        Resamples (within each outcome class) for the intervals; 0 for none.
    level : float, default 0.95
        Coverage of the percentile intervals.
    random_state : int, Generator or None, default 0
        Seed of the resampling: the same seed gives the same intervals.
    placed : array-like of bool, optional
        Who was placed; ``outcome`` may then be NaN for the others, who are
        left out, with a :class:`SelectiveLabelsWarning` when only the placed
        have outcomes. :func:`selection_bounds` gives worst and best cases.

    Returns
    -------
    Cutoff
        Flag a candidate when ``total >= cutoff``.
    """
    total, outcome = _placed_only(total, outcome, placed, "youden_cutoff")
    t, y = _checked(total, outcome, "youden_cutoff", n_bootstrap, level)
    return _cutoff(t, y, _Youden(), n_bootstrap, level, random_state)


def cost_cutoff(
    total: Any,
    outcome: Any,
    cost_fn: float,
    cost_fp: float,
    n_bootstrap: int = 1000,
    level: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    placed: Any = None,
) -> Cutoff:
    """The cut-off with the smallest expected cost per candidate, with bootstrap intervals.

    The expected cost of flagging ``total >= c`` is
    ``(cost_fn * FN + cost_fp * FP) / n``: ``cost_fn`` for every event the
    cut-off misses, ``cost_fp`` for every candidate it flags needlessly. Only
    the ratio of the costs moves the cut-off.

    Parameters
    ----------
    total, outcome, n_bootstrap, level, random_state, placed
        As in :func:`youden_cutoff`.
    cost_fn : float
        Cost of a missed event (false negative), > 0.
    cost_fp : float
        Cost of a needless flag (false positive), > 0.

    Returns
    -------
    Cutoff
        ``value`` is the expected cost per candidate at the cut-off.
    """
    extra = [
        f"The '{name}' parameter of cost_cutoff must be a float > 0. Got {cost!r} instead."
        for name, cost in (("cost_fn", cost_fn), ("cost_fp", cost_fp))
        if isinstance(cost, bool) or not isinstance(cost, (int, float)) or not 0 < cost < np.inf
    ]
    total, outcome = _placed_only(total, outcome, placed, "cost_cutoff")
    t, y = _checked(total, outcome, "cost_cutoff", n_bootstrap, level, extra)
    return _cutoff(t, y, _Cost(float(cost_fn), float(cost_fp)), n_bootstrap, level, random_state)


def cutoff_loss(
    total: Any,
    outcome: Any,
    current: float,
    proposed: float,
    cost_fn: float | None = None,
    cost_fp: float | None = None,
    n_bootstrap: int = 1000,
    level: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    placed: Any = None,
) -> dict[str, Any]:
    """The loss of keeping ``current`` instead of ``proposed``, with a paired bootstrap interval.

    Both cut-offs are evaluated on the same resamples (candidates drawn within
    each outcome class), so the interval is that of the difference itself,
    much narrower than the two cut-offs' own intervals suggest.

    Parameters
    ----------
    total, outcome, n_bootstrap, level, random_state, placed
        As in :func:`youden_cutoff`.
    current, proposed : float
        The two cut-offs (flag ``total >= cutoff``).
    cost_fn, cost_fp : float, optional
        Give both to compare expected costs (as :func:`cost_cutoff`); neither
        to compare Youden's J.

    Returns
    -------
    dict
        ``criterion`` ("J" or "expected_cost"), ``at_current``, ``at_proposed``,
        ``loss`` (what keeping ``current`` loses: ``J(proposed) - J(current)``,
        or ``cost(current) - cost(proposed)``; negative when keeping is
        better), ``loss_low``, ``loss_high`` (percentile interval), ``n``.
        Compare ``loss_high`` with a margin fixed in advance: below it, keeping
        is non-inferior.
    """
    extra = []
    if (cost_fn is None) != (cost_fp is None):
        extra.append(
            "cost_fn and cost_fp must be given together (expected cost) or not at all (J)."
        )
    for name, value in (("current", current), ("proposed", proposed)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float, np.number))
            or not np.isfinite(value)
        ):
            extra.append(
                f"The '{name}' parameter of cutoff_loss must be a finite number. Got {value!r} instead."
            )
    total, outcome = _placed_only(total, outcome, placed, "cutoff_loss")
    t, y = _checked(total, outcome, "cutoff_loss", n_bootstrap, level, extra)
    rule: _Youden | _Cost = (
        _Cost(float(cost_fn), float(cost_fp))
        if cost_fn is not None and cost_fp is not None
        else _Youden()
    )
    sign = 1.0 if cost_fn is None else -1.0  # J: higher is better; cost: lower is better
    events, others = t[y == 1], t[y == 0]
    p, n = len(events), len(others)

    def values(ev: np.ndarray, ot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = []
        for c in (current, proposed):
            tp, fp = (ev >= c).sum(axis=-1), (ot >= c).sum(axis=-1)
            out.append(rule.value(tp, fp, p, n))
        return out[0], out[1]

    now, then = values(events, others)
    rng = np.random.default_rng(random_state)
    losses = []
    for chunk in chunk_sizes(n_bootstrap, p + n):
        ev_draw, ot_draw = stratified_draws(rng, (p, n), chunk)
        a, b = values(events[ev_draw], others[ot_draw])
        losses.append(sign * (b - a))
    low, high = percentile_interval(
        np.concatenate(losses)[:, None] if losses else np.empty((0, 1)), level
    )
    return {
        "criterion": rule.criterion,
        "at_current": float(now),
        "at_proposed": float(then),
        "loss": float(sign * (then - now)),
        "loss_low": float(low[0]),
        "loss_high": float(high[0]),
        "n": p + n,
    }


def _cutoff(
    total: np.ndarray,
    outcome: np.ndarray,
    rule: _Youden | _Cost,
    n_bootstrap: int,
    level: float,
    random_state: int | np.random.Generator | None,
) -> Cutoff:
    values, rungs = _ladder(total, outcome)
    p, n = len(rungs[0]), len(rungs[1])
    tp, fp = (_at_or_above(r[None, :], len(values)) for r in rungs)
    best = int(np.argmax(rule.merit(tp, fp, p, n)[0]))
    cutoffs, scores = _bootstrap(values, rungs, rule, n_bootstrap, random_state)
    low, high = percentile_interval(np.column_stack([cutoffs, scores]), level)
    return Cutoff(
        method=rule.name,
        cutoff=float(values[best]),
        criterion=rule.criterion,
        value=float(rule.value(tp[0, best], fp[0, best], p, n)),
        sensitivity=float(tp[0, best] / p),
        specificity=float(1 - fp[0, best] / n),
        cutoff_ci=(float(low[0]), float(high[0])),
        value_ci=(float(low[1]), float(high[1])),
        level=level,
        n_bootstrap=n_bootstrap,
        n=p + n,
        n_events=p,
        cost_fn=rule.cost_fn,
        cost_fp=rule.cost_fp,
    )


def _ladder(
    total: np.ndarray, outcome: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The distinct totals, highest first, and each candidate's rung on them, for events and non-events."""
    values, inverse = np.unique(total, return_inverse=True)
    rung = len(values) - 1 - inverse
    return values[::-1].copy(), (rung[outcome == 1], rung[outcome == 0])


def _at_or_above(rungs: np.ndarray, n_rungs: int) -> np.ndarray:
    """Per resample (row), how many drawn candidates have a total at or above each rung: (rows, n_rungs)."""
    return counts_of(rungs, n_rungs).cumsum(axis=1)


def _bootstrap(
    values: np.ndarray,
    rungs: tuple[np.ndarray, np.ndarray],
    rule: _Youden | _Cost,
    n_bootstrap: int,
    random_state: int | np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The best cut-off and its criterion in each stratified resample."""
    rng = np.random.default_rng(random_state)
    p, n = len(rungs[0]), len(rungs[1])
    cutoffs, scores = [], []
    for chunk in chunk_sizes(n_bootstrap, p + n):
        draws = stratified_draws(rng, (p, n), chunk)
        tp, fp = (_at_or_above(r[d], len(values)) for r, d in zip(rungs, draws))
        best = np.argmax(rule.merit(tp, fp, p, n), axis=1)
        rows = np.arange(chunk)
        cutoffs.append(values[best])
        scores.append(rule.value(tp[rows, best], fp[rows, best], p, n))
    if not cutoffs:
        return np.empty(0), np.empty(0)
    return np.concatenate(cutoffs), np.concatenate(scores)


# --- input checks -------------------------------------------------------------------


def _placed_only(total: Any, outcome: Any, placed: Any, function: str) -> tuple[Any, Any]:
    """``total`` and ``outcome`` cut to the candidates with an outcome when ``placed`` is given."""
    if placed is None:
        return total, outcome
    values = (
        total.to_numpy(dtype=float)
        if isinstance(total, pd.Series)
        else np.asarray(total, dtype=float)
    )
    if len(values) != len(placed):
        raise ResearchError.collect(
            function,
            [f"total and placed must have the same length; got {len(values)} and {len(placed)}."],
        )
    keep, kept = labelled(outcome, placed, function, stacklevel=4)
    assert keep is not None
    return values[keep], kept


def _checked(
    total: Any,
    outcome: Any,
    function: str,
    n_bootstrap: int = 0,
    level: float = 0.95,
    extra: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """``total`` and ``outcome`` as arrays, or one :class:`ResearchError` with every problem."""
    problems: list[str] = []
    t = numbers(total, "total", problems)
    y = binary_outcome(outcome, problems)
    if np.ndim(total) == 1 and np.ndim(outcome) == 1 and len(total) != len(outcome):
        problems.append(
            f"total and outcome must have the same length; got {len(total)} and {len(outcome)}."
        )
    missing = int(np.isnan(t).sum())
    if missing:
        problems.append(
            f"total has {missing} missing value{'s' if missing != 1 else ''} (NaN) of {len(t)}: "
            "candidates who are not assessable have no total. Leave them out first, "
            "e.g. total[scores.assessable] and outcome[scores.assessable]."
        )
    check_parameters(function, n_bootstrap, level, problems)
    problems.extend(extra)
    if problems:
        raise ResearchError.collect(f"{function}", problems)
    return t, y
