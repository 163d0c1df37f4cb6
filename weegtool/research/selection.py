"""Selective labels: outcomes exist only for the young people who were placed.

A placement can only break down if it happened, so cut-offs and weights
estimated against outcomes rest on the candidates the committee placed, not on
all referrals (the selective labels problem; Lakkaraju et al. 2017). Two tools:

- :func:`labelled`: what the threshold and weight-fitting functions do with
  their ``placed`` argument: keep the candidates with an outcome, refuse a
  placed candidate without one, and warn (:class:`SelectiveLabelsWarning`)
  when outcomes exist only for the placed;
- :func:`selection_bounds`: a sensitivity analysis. For each cut-off it gives
  sensitivity, specificity and Youden's J on the placed only, and with the
  unknown outcomes of the unplaced filled in four ways: all would have broken
  down, none would, the worst case for the cut-off (every unplaced candidate
  it flags would have done well, every one it passes would have broken down)
  and the best case (the reverse). Sensitivity and specificity are each
  monotone in every filled-in outcome, so the worst and best cases are sharp
  bounds (Manski 1989, worst-case bounds for missing outcomes): whatever the
  unplaced would have done, the cut-off's J on all referrals lies between them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ResearchError, SelectiveLabelsWarning
from ._bootstrap import numbers

__all__ = ["SelectiveLabelsWarning", "labelled", "selection_bounds", "SCENARIOS"]

SCENARIOS = (
    "placed only",
    "unplaced all break down",
    "unplaced none break down",
    "worst case",
    "best case",
)


def labelled(
    outcome: Any, placed: Any, function: str, name: str = "outcome", stacklevel: int = 3
) -> tuple[np.ndarray | None, Any]:
    """The positions to keep (None: all) and ``outcome`` cut to them, warning about selection.

    Parameters
    ----------
    outcome : array-like
        The outcome per candidate, NaN where unknown.
    placed : array-like of bool, or None
        Who was placed. None: every candidate must have an outcome (the
        function's own checks say so), nothing is cut.
    function, name : str
        For the messages.
    stacklevel : int
        Of the warning: 3 points at the caller of the function that calls this.

    Returns
    -------
    (keep, outcome)
        ``keep`` a boolean mask of the candidates with an outcome (placed, or
        unplaced with a known outcome), ``outcome`` at those positions.

    Raises
    ------
    ResearchError
        ``placed`` not boolean or not as long as ``outcome``, or a placed
        candidate without an outcome.

    Warns
    -----
    SelectiveLabelsWarning
        When there are unplaced candidates and none of them has an outcome.
    """
    if placed is None:
        return None, outcome
    problems: list[str] = []
    y = numbers(outcome, name, problems)
    flags = pd.Series(placed)
    if flags.isna().any() or not all(isinstance(v, (bool, np.bool_)) for v in flags):
        problems.append(
            f"placed must hold True or False for every candidate; got {flags.dtype} values."
        )
    elif len(flags) != len(y) and not problems:
        problems.append(
            f"placed and {name} must have the same length; got {len(flags)} and {len(y)}."
        )
    if problems:
        raise ResearchError.collect(function, problems)
    chosen = flags.to_numpy(dtype=bool)
    unknown = np.isnan(y)
    if (chosen & unknown).any():
        raise ResearchError.collect(
            function,
            [
                f"{name} is missing (NaN) for {int((chosen & unknown).sum())} placed candidate(s), "
                f"the first at position {int(np.argmax(chosen & unknown))}; every placed candidate "
                "has an outcome (continued, or ended planned or unplanned)."
            ],
        )
    if (~chosen).any() and unknown[~chosen].all():
        warnings.warn(
            f"{function}: outcomes exist only for the {int(chosen.sum())} of {len(chosen)} "
            "candidates who were placed, so the estimate rests on a selected group and need not "
            "hold for all referrals (selective labels). selection_bounds shows how far the "
            "unknown outcomes of the unplaced could move it.",
            SelectiveLabelsWarning,
            stacklevel=stacklevel,
        )
    keep = ~unknown
    return keep, (
        outcome[keep] if isinstance(outcome, np.ndarray) else pd.Series(outcome)[keep].to_numpy()
    )


def selection_bounds(
    total: Any, outcome: Any, placed: Any, cutoffs: float | Sequence[float]
) -> pd.DataFrame:
    """How the unknown outcomes of the unplaced could move a cut-off's accuracy: worst and best case.

    Parameters
    ----------
    total : array-like of float
        Every referred candidate's total (placed or not), no NaN.
    outcome : array-like of 0/1 with NaN
        1 for the event (breakdown), 0 otherwise; NaN where unknown (not placed).
    placed : array-like of bool
        Who was placed.
    cutoffs : float or sequence of float
        Cut-offs to evaluate; a candidate is flagged when ``total >= cutoff``.

    Returns
    -------
    DataFrame
        One row per cut-off and scenario (``SCENARIOS``): ``cutoff, scenario,
        sensitivity, specificity, youden_j, n, n_events, n_imputed``. "placed
        only" uses the candidates with an outcome; the others fill in the
        ``n_imputed`` unknown outcomes. "worst case" and "best case" bound J
        (and each of sensitivity and specificity) over every possible set of
        outcomes of the unplaced.

    Raises
    ------
    ResearchError
        As :func:`labelled`; a total that is NaN or not a number; an outcome
        other than 0, 1 or NaN.
    """
    problems: list[str] = []
    t = numbers(total, "total", problems)
    y = numbers(outcome, "outcome", problems)
    c = numbers(np.atleast_1d(cutoffs), "cutoffs", problems)
    if len(t) and np.isnan(t).any():
        problems.append(
            f"total has {int(np.isnan(t).sum())} missing value(s); leave out candidates who are not assessable."
        )
    if len(y) and not np.isin(y[~np.isnan(y)], (0, 1)).all():
        problems.append("outcome must be 0, 1 or NaN (unknown).")
    if len(t) != len(y) and not problems:
        problems.append(f"total and outcome must have the same length; got {len(t)} and {len(y)}.")
    if problems:
        raise ResearchError.collect("selection_bounds", problems)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SelectiveLabelsWarning)
        keep, _ = labelled(y, placed, "selection_bounds")
    assert keep is not None
    unknown = ~keep
    rows = []
    for cutoff in c:
        flagged = t >= cutoff
        fills = {
            "placed only": None,
            "unplaced all break down": np.ones(len(t)),
            "unplaced none break down": np.zeros(len(t)),
            "worst case": np.where(flagged, 0.0, 1.0),
            "best case": np.where(flagged, 1.0, 0.0),
        }
        for scenario, fill in fills.items():
            if fill is None:
                use, events = keep, y[keep] == 1
                imputed = 0
            else:
                use, events = np.ones(len(t), bool), np.where(unknown, fill, y) == 1
                imputed = int(unknown.sum())
            f = flagged[use]
            p, n = int(events.sum()), int((~events).sum())
            sensitivity = (f & events).sum() / p if p else np.nan
            specificity = (~f & ~events).sum() / n if n else np.nan
            rows.append(
                (
                    float(cutoff),
                    scenario,
                    sensitivity,
                    specificity,
                    sensitivity + specificity - 1,
                    int(use.sum()),
                    p,
                    imputed,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "cutoff",
            "scenario",
            "sensitivity",
            "specificity",
            "youden_j",
            "n",
            "n_events",
            "n_imputed",
        ],
    )
