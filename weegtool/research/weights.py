"""Weights for an instrument: from expert judgement (AHP) or fitted to outcomes.

- :func:`ahp_weights`: Saaty's analytic hierarchy process. A committee
  compares criteria in pairs on Saaty's 1-9 scale; the weights are the
  principal eigenvector of the comparison matrix, with the consistency ratio
  of the judgements.
- :func:`combine_judgements`: several experts' matrices combined by the
  element-wise geometric mean (Aczél & Saaty 1983), then :func:`ahp_weights`.
- :func:`fit_weights`: weights fitted to an outcome by L2-regularised
  logistic regression, optionally constrained to be non-negative, with
  bootstrap percentile intervals.
- :func:`risk_features` gives the features to fit on (ratings oriented toward
  risk, or risk-oriented domain scores), and :func:`instrument_weights` turns
  fitted coefficients into item and domain weights for a new criteria file.

Nothing here writes a criteria file: calibration writes a new file, which is
validated like any other.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.linalg import cho_factor, cho_solve, cholesky
from scipy.optimize import minimize, nnls
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from ..engine import Scores, Weights
from ..errors import ComparisonMatrixError, InconsistentJudgementsWarning, ResearchError
from ..instrument import Instrument
from ._bootstrap import (
    binary_outcome,
    check_parameters,
    chunk_sizes,
    counts_of,
    percentile_interval,
    stratified_draws,
)
from .selection import labelled

__all__ = [
    "AHPWeights",
    "ComparisonMatrixError",
    "FittedWeights",
    "InconsistentJudgementsWarning",
    "InstrumentWeights",
    "RANDOM_INDEX",
    "ResearchError",
    "ahp_weights",
    "pairwise_matrix",
    "combine_judgements",
    "fit_weights",
    "instrument_weights",
    "risk_features",
]

# Saaty's random index: the mean consistency index of random reciprocal matrices of order n
# (Saaty, The Analytic Hierarchy Process, 1980). The dip at n = 12 is in the published table.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
CR_LIMIT = 0.10
MAX_LISTED = 10


# --- AHP ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AHPWeights:
    """Weights from pairwise comparisons, with the consistency of the judgements.

    ``weights`` sum to 1; ``lambda_max`` is the principal eigenvalue, ``ci``
    the consistency index ``(lambda_max - n) / (n - 1)``, ``ri`` Saaty's
    random index for ``n``, ``cr = ci / ri`` the consistency ratio (0 for
    ``n <= 2``, which are always consistent) and ``consistent`` whether
    ``cr <= 0.10``. ``matrix`` is the matrix the weights came from (for
    several experts, their geometric mean).
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    matrix: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: its weight."""
        return self.weights.to_frame("weight")


def pairwise_matrix(
    judgements: Mapping[tuple[str, str], float], labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """The full reciprocal comparison matrix from one answer per pair, as an expert gives them.

    Parameters
    ----------
    judgements : mapping of (a, b) to a number
        ``{("coping", "impulse_control"): 3, ...}``: ``a`` is that many times as
        important as ``b`` (Saaty's 1-9 scale; 1/3 when ``b`` is three times as
        important). Each unordered pair once.
    labels : sequence of str, optional
        The criteria in the order wanted; by default in order of first mention.

    Returns
    -------
    DataFrame
        Square, ones on the diagonal, ``m[b][a] = 1 / m[a][b]``: the input of
        :func:`ahp_weights` and :func:`combine_judgements`.

    Raises
    ------
    ComparisonMatrixError
        With every pair that is missing, given twice, compares a criterion with
        itself, names an unknown criterion or is not a positive number.
    """
    names = (
        list(labels)
        if labels is not None
        else list(dict.fromkeys(x for pair in judgements for x in pair))
    )
    index = {name: n for n, name in enumerate(names)}
    m = np.eye(len(names))
    seen: dict[frozenset[str], tuple[str, str]] = {}
    problems = []
    for (a, b), value in judgements.items():
        unknown = [x for x in (a, b) if x not in index]
        if unknown:
            problems.append(
                f"({a!r}, {b!r}) names {', '.join(map(repr, unknown))}, not one of {names}."
            )
        elif a == b:
            problems.append(f"({a!r}, {b!r}) compares a criterion with itself.")
        elif frozenset((a, b)) in seen:
            problems.append(f"({a!r}, {b!r}) is given twice (also as {seen[frozenset((a, b))]!r}).")
        elif (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not np.isfinite(value)
            or value <= 0
        ):
            problems.append(f"({a!r}, {b!r}) must be a positive number; got {value!r}.")
        else:
            m[index[a], index[b]], m[index[b], index[a]] = value, 1.0 / value
        seen.setdefault(frozenset((a, b)), (a, b))
    missing = [
        (a, b) for i, a in enumerate(names) for b in names[i + 1 :] if frozenset((a, b)) not in seen
    ]
    problems += [f"({a!r}, {b!r}) has no judgement; every pair needs one." for a, b in missing]
    if problems:
        raise ComparisonMatrixError.collect("pairwise judgements", problems)
    return pd.DataFrame(m, index=names, columns=names)


def ahp_weights(
    matrix: Any, labels: Sequence[str] | None = None, tolerance: float = 0.05
) -> AHPWeights:
    """Weights from a pairwise comparison matrix (Saaty's eigenvector method).

    Parameters
    ----------
    matrix : array-like or DataFrame, shape (n, n)
        ``matrix[i][j]`` says how many times more important criterion ``i`` is
        than ``j`` (Saaty's 1-9 scale and reciprocals). Positive, ones on the
        diagonal, ``matrix[j][i] == 1 / matrix[i][j]``.
    labels : sequence of str, optional
        The criteria; by default a DataFrame's index, else ``c0, c1, ...``.
    tolerance : float, default 0.05
        How far ``matrix[i][j] * matrix[j][i]`` may be from 1, for entries
        typed as rounded decimals (0.13 for 1/8 is 4% off). Such pairs are made
        exactly reciprocal by their geometric mean before the eigenvector is
        taken; a judgement entered the same way round on both sides (3 and 3)
        is far outside.

    Returns
    -------
    AHPWeights

    Raises
    ------
    ComparisonMatrixError
        With every problem of the matrix.

    Warns
    -----
    InconsistentJudgementsWarning
        When the consistency ratio is above 0.10, naming the judgement that
        departs most from the weights.
    """
    a, names, problems = _comparison_matrix(matrix, labels, tolerance)
    if problems:
        raise ComparisonMatrixError.collect("comparison matrix", problems)
    return _ahp(a, names)


def combine_judgements(
    matrices: Sequence[Any], labels: Sequence[str] | None = None, tolerance: float = 0.05
) -> AHPWeights:
    """Several experts' comparison matrices combined by the element-wise geometric mean, then AHP weights.

    The geometric mean is the one way of averaging that keeps the combined
    matrix reciprocal (Aczél & Saaty 1983); it weighs every expert equally.

    Parameters
    ----------
    matrices : sequence of array-like or DataFrame, each (n, n)
        One matrix per expert, the criteria in the same order.
    labels, tolerance
        As in :func:`ahp_weights`.

    Returns
    -------
    AHPWeights
        For the combined matrix (``.matrix``).
    """
    if (isinstance(matrices, np.ndarray) and matrices.ndim == 2) or not len(matrices):
        raise ComparisonMatrixError(
            "matrices must be a non-empty list of comparison matrices, one per expert."
        )
    checked = [
        _comparison_matrix(m, labels, tolerance, f"matrices[{k}]: ") for k, m in enumerate(matrices)
    ]
    problems = [p for _, _, found in checked for p in found]
    shapes = {a.shape for a, _, found in checked if not found}
    if len(shapes) > 1:
        problems.append(
            f"every matrix must have the same shape; got {', '.join(map(str, sorted(shapes)))}."
        )
    names = [n for _, n, found in checked if not found]
    if not problems and any(n != names[0] for n in names):
        problems.append(
            "every matrix must compare the same criteria in the same order; "
            f"got {names[0]} and {next(n for n in names if n != names[0])}."
        )
    if problems:
        raise ComparisonMatrixError.collect("comparison matrices", problems)
    combined = np.exp(np.mean([np.log(a) for a, _, _ in checked], axis=0))
    return _ahp(combined, names[0])


def _ahp(a: np.ndarray, names: list[str]) -> AHPWeights:
    n = len(a)
    weights, lambda_max = _principal_eigenvector(a)
    ci = (
        max((lambda_max - n) / (n - 1), 0.0) if n > 2 else 0.0
    )  # lambda_max >= n for reciprocal matrices
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri else 0.0
    if cr > CR_LIMIT:
        warnings.warn(
            _inconsistency_message(a, weights, names, cr),
            InconsistentJudgementsWarning,
            stacklevel=3,
        )
    return AHPWeights(
        pd.Series(weights, index=pd.Index(names, name="criterion"), name="weight"),
        lambda_max,
        ci,
        ri,
        cr,
        cr <= CR_LIMIT,
        pd.DataFrame(a, index=names, columns=names),
    )


def _principal_eigenvector(a: np.ndarray) -> tuple[np.ndarray, float]:
    """The Perron eigenvector of a positive matrix, normalised to sum 1, and its eigenvalue."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)
    return vector / vector.sum(), float(values[k].real)


def _inconsistency_message(a: np.ndarray, weights: np.ndarray, names: list[str], cr: float) -> str:
    implied = weights[:, None] / weights[None, :]
    upper = np.triu(np.abs(np.log(a / implied)), 1)  # a pair and its reciprocal depart equally
    i, j = np.unravel_index(np.argmax(upper), a.shape)
    return (
        f"The judgements are inconsistent: consistency ratio {cr:.3f} > {CR_LIMIT:.2f} (Saaty's limit). "
        f"The judgement furthest from the weights is [{names[i]}, {names[j]}] = {_ratio(a[i, j])}, "
        f"where the weights imply {implied[i, j]:.3g}; revisit it with the committee."
    )


def _ratio(value: float) -> str:
    """A judgement as it was probably given: '5' or '1/3'."""
    if value < 1 and abs(1 / value - round(1 / value)) < 1e-6:
        return f"1/{round(1 / value)}"
    return f"{value:g}"


def _comparison_matrix(
    matrix: Any, labels: Sequence[str] | None, tolerance: float, where: str = ""
) -> tuple[np.ndarray, list[str], list[str]]:
    """The matrix as floats (pairs made exactly reciprocal), its labels, and every problem found."""
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        return np.empty((0, 0)), [], [f"{where}the matrix must hold numbers only."]
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.size == 0:
        return a, [], [f"{where}the matrix must be square (n x n); got shape {a.shape}."]
    names, problems = _labels(matrix, labels, len(a), where)
    problems += _entry_problems(a, names or [str(k) for k in range(len(a))], tolerance, where)
    if not problems:
        a = np.sqrt(a / a.T)
    return a, names, problems


def _labels(
    matrix: Any, labels: Sequence[str] | None, n: int, where: str
) -> tuple[list[str], list[str]]:
    if labels is None and isinstance(matrix, pd.DataFrame):
        if list(matrix.index) != list(matrix.columns):
            return [], [
                f"{where}the rows and columns must name the same criteria in the same order; "
                f"got rows {list(matrix.index)} and columns {list(matrix.columns)}."
            ]
        labels = [str(x) for x in matrix.index]
    names = [str(x) for x in labels] if labels is not None else [f"c{k}" for k in range(n)]
    problems = []
    if len(names) != n:
        problems.append(
            f"{where}labels must name each of the {n} criteria; got {len(names)} labels."
        )
    elif len(set(names)) != n:
        problems.append(
            f"{where}labels must be unique; got {sorted({x for x in names if names.count(x) > 1})} "
            "more than once."
        )
    if n > max(RANDOM_INDEX):
        problems.append(
            f"{where}Saaty's random index is tabulated for at most {max(RANDOM_INDEX)} criteria; "
            f"got {n}. Group the criteria into a hierarchy of smaller matrices."
        )
    return (names if not problems else []), problems


def _entry_problems(a: np.ndarray, names: list[str], tolerance: float, where: str) -> list[str]:
    positive = np.isfinite(a) & (a > 0)
    found = [
        f"entry [{names[i]}, {names[j]}] must be a positive number; got {a[i, j]:g}."
        for i, j in zip(*np.nonzero(~positive))
    ]
    found += [
        f"entry [{names[i]}, {names[i]}] on the diagonal must be 1 (a criterion compared with itself); "
        f"got {a[i, i]:g}."
        for i in range(len(a))
        if positive[i, i] and not np.isclose(a[i, i], 1.0)
    ]
    with np.errstate(invalid="ignore", over="ignore"):
        off = positive & positive.T & (np.abs(a * a.T - 1) > tolerance)
    found += [
        f"entries [{names[i]}, {names[j]}] and [{names[j]}, {names[i]}] must be reciprocal "
        f"(a_ji = 1/a_ij); got {a[i, j]:g} and {a[j, i]:g}, where 1/{a[i, j]:g} = {1 / a[i, j]:.3g}."
        for i, j in zip(*np.nonzero(np.triu(off, 1)))
    ]
    if len(found) > MAX_LISTED:
        found = found[:MAX_LISTED] + [f"... and {len(found) - MAX_LISTED} more problems"]
    return [f"{where}{p}" for p in found]


# --- weights fitted to outcomes ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FittedWeights:
    """Logistic regression coefficients fitted to an outcome, with bootstrap resamples.

    ``coef`` holds one coefficient per feature (the log-odds per unit of the
    feature), ``intercept`` the intercept; ``bootstrap`` one row per resample
    with the refitted coefficients and intercept (column ``"intercept"``), to
    compute intervals of any function of them.
    """

    coef: pd.Series
    intercept: float
    bootstrap: pd.DataFrame
    nonnegative: bool
    C: float
    level: float
    n: int
    n_events: int

    @property
    def n_bootstrap(self) -> int:
        return len(self.bootstrap)

    def interval(self, level: float | None = None) -> pd.DataFrame:
        """Percentile bootstrap interval (``low``, ``high``) of each coefficient and the intercept."""
        low, high = percentile_interval(
            self.bootstrap.to_numpy(), self.level if level is None else level
        )
        return pd.DataFrame({"low": low, "high": high}, index=self.bootstrap.columns)

    def to_frame(self) -> pd.DataFrame:
        """One row per feature and one for the intercept: ``coef``, ``low``, ``high``, ``zero_share``.

        ``zero_share`` is the share of resamples in which the coefficient was
        exactly 0 (the non-negativity bound held it there).
        """
        estimate = pd.concat([self.coef, pd.Series({"intercept": self.intercept})]).rename("coef")
        frame = pd.concat([estimate, self.interval()], axis=1)
        frame["zero_share"] = (self.bootstrap == 0).mean() if self.n_bootstrap else np.nan
        frame.index.name = "feature"
        return frame


def fit_weights(
    X: Any,
    y: Any,
    *,
    nonnegative: bool = True,
    C: float = 1.0,
    n_bootstrap: int = 1000,
    level: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    placed: Any = None,
) -> FittedWeights:
    """Weights fitted to a binary outcome by L2-regularised logistic regression.

    The objective is scikit-learn's: ``C * sum(log-loss) + ||w||^2 / 2``, the
    intercept not penalised. With ``nonnegative=True`` every coefficient is
    constrained to be >= 0, so that no rating can lower the risk it is meant
    to raise. scikit-learn's ``LogisticRegression`` has no sign constraints,
    so the constrained fit minimises the same objective with
    ``scipy.optimize.minimize(method="L-BFGS-B")`` and bounds, then takes
    projected Newton steps until the optimality conditions hold: rating items
    are strongly correlated, and L-BFGS-B's own stopping rule can stop short
    of the optimum by as much as a bootstrap standard error. Unconstrained,
    the fit is ``LogisticRegression(solver="newton-cholesky")``.

    The intervals come from refitting on ``n_bootstrap`` resamples of the
    candidates, drawn within each outcome class. Each refit starts from the
    full-data solution and takes Newton steps with the full-data Hessian
    (projected onto the bounds), vectorised over resamples; a resample that
    has not converged after 100 steps is refitted with L-BFGS-B.

    Parameters
    ----------
    X : DataFrame or array-like, shape (n, k)
        One row per candidate; features on a common scale (the penalty depends
        on it), for example :func:`risk_features`. No missing values.
    y : array-like of 0/1 or bool, length n
        The outcome, 1 for the event (say, the placement broke down), aligned
        with the rows of ``X`` by position.
    nonnegative : bool, default True
        Constrain every coefficient to be >= 0.
    C : float, default 1.0
        Inverse strength of the penalty, as in scikit-learn.
    n_bootstrap : int, default 1000
        Resamples for the intervals; 0 for none.
    level : float, default 0.95
        Coverage of the percentile intervals.
    random_state : int, Generator or None, default 0
        Seed of the resampling.
    placed : array-like of bool, optional
        Who was placed; ``y`` may then be NaN for the others, whose rows are
        left out, with a :class:`SelectiveLabelsWarning` when only the placed
        have outcomes: the weights then describe the placed, not all referrals.

    Returns
    -------
    FittedWeights
        ``.to_frame()``: coefficient, interval and zero share per feature.
    """
    keep, y = labelled(y, placed, "fit_weights", "y")
    if keep is not None:
        if len(X) != len(keep):
            raise ResearchError.collect(
                "fit_weights",
                [f"X and placed must have the same number of rows; got {len(X)} and {len(keep)}."],
            )
        X = X[keep] if isinstance(X, pd.DataFrame) else np.asarray(X)[keep]
    features, x, outcome = _fit_inputs(X, y, nonnegative, C, n_bootstrap, level)
    x1 = np.column_stack([x, np.ones(len(x))])
    # One BLAS thread: on these small products, threads cost more in hand-offs than they gain
    # (L-BFGS-B ran ten times slower with two threads on a 2-core machine).
    with threadpool_limits(1, user_api="blas"):
        theta = _fit(x1, outcome, C, nonnegative)
        resamples = _bootstrap_fits(x1, outcome, theta, C, nonnegative, n_bootstrap, random_state)
    return FittedWeights(
        coef=pd.Series(theta[:-1], index=pd.Index(features, name="feature"), name="coef"),
        intercept=float(theta[-1]),
        bootstrap=pd.DataFrame(resamples, columns=[*features, "intercept"]),
        nonnegative=nonnegative,
        C=float(C),
        level=float(level),
        n=len(outcome),
        n_events=int(outcome.sum()),
    )


def _fit_inputs(
    X: Any, y: Any, nonnegative: Any, C: Any, n_bootstrap: Any, level: Any
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Feature names, X as floats and y as 0/1, or one :class:`ResearchError` with every problem."""
    problems: list[str] = []
    features, x = _feature_matrix(X, problems)
    outcome = binary_outcome(y, problems, "y")
    if x.size and np.ndim(y) == 1 and len(x) != len(y):
        problems.append(f"X and y must have the same number of rows; got {len(x)} and {len(y)}.")
    if not isinstance(nonnegative, (bool, np.bool_)):
        problems.append(
            f"The 'nonnegative' parameter of fit_weights must be a bool. Got {nonnegative!r} instead."
        )
    if isinstance(C, bool) or not isinstance(C, (int, float)) or not 0 < C < np.inf:
        problems.append(f"The 'C' parameter of fit_weights must be a float > 0. Got {C!r} instead.")
    check_parameters("fit_weights", n_bootstrap, level, problems)
    if problems:
        raise ResearchError.collect("fit_weights", problems)
    return features, x, outcome.astype(float)


def _feature_matrix(X: Any, problems: list[str]) -> tuple[list[str], np.ndarray]:
    """Feature names and X as a C-contiguous float array (empty when it has problems)."""
    if not isinstance(X, pd.DataFrame):
        if np.ndim(X) != 2:
            problems.append(
                "X must be a 2-D table (one row per candidate, one column per feature); "
                f"got {np.ndim(X)} dimension{'s' if np.ndim(X) != 1 else ''}."
            )
            return [], np.empty((0, 0))
        X = pd.DataFrame(np.asarray(X)).rename(columns=lambda c: f"x{c}")
    features = [str(c) for c in X.columns]
    clashes = sorted({f for f in features if features.count(f) > 1 or f == "intercept"})
    if not features:
        problems.append("X must have at least one feature column; got none.")
    if clashes:
        problems.append(
            f"X must name each feature once, and none 'intercept' (fitted separately); "
            f"got {', '.join(map(repr, clashes))}."
        )
    return features, _numeric_features(X, features, problems)


def _numeric_features(frame: pd.DataFrame, features: list[str], problems: list[str]) -> np.ndarray:
    bad = [
        f
        for f, dtype in zip(features, frame.dtypes)
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]
    if bad:
        problems.append(
            f"X must hold numbers only; column{'s' if len(bad) > 1 else ''} "
            f"{', '.join(map(repr, bad))} {'do' if len(bad) > 1 else 'does'} not."
        )
        return np.empty((0, 0))
    x = frame.to_numpy(dtype=float, na_value=np.nan)
    rows = int(np.isnan(x).any(axis=1).sum())
    if rows:
        problems.append(
            f"X has missing values in {rows} of {len(x)} rows; leave those candidates out "
            "(e.g. the ones not assessable) or impute the values first."
        )
    return np.ascontiguousarray(x)


# The objective, per candidate: F(theta) = (sum_i s_i * logloss_i + ||w||^2 / (2 C)) / n, where s_i
# counts how often candidate i is in the sample and n = sum(s). It has scikit-learn's minimiser,
# on a scale where L-BFGS-B's tolerances mean something.


def _penalty(k1: int) -> np.ndarray:
    return np.r_[np.ones(k1 - 1), 0.0]


def _loss_and_gradient(
    theta: np.ndarray, x1: np.ndarray, y: np.ndarray, s: np.ndarray, C: float
) -> tuple[float, np.ndarray]:
    z = x1 @ theta
    n, pen = s.sum(), _penalty(len(theta))
    loss = s @ (np.logaddexp(0.0, z) - y * z) + (pen * theta) @ theta / (2 * C)
    gradient = x1.T @ (s * (expit(z) - y)) + pen * theta / C
    return float(loss / n), gradient / n


@dataclass(frozen=True, eq=False)
class _Metric:
    """The Hessian M of the objective at a point, factored for Newton steps and for projections in its metric.

    Projecting onto ``{weights >= 0}`` in the metric of M: the intercept is
    free, so it is minimised out first, leaving the Schur complement ``schur``
    of M on the weights; the nearest weights then solve a small non-negative
    least-squares problem in ``schur``.
    """

    factor: tuple[np.ndarray, bool]
    schur: np.ndarray
    schur_root: np.ndarray  # upper R with R'R = schur
    cross: np.ndarray  # M[weights, intercept]
    corner: float  # M[intercept, intercept]

    @classmethod
    def at(cls, theta: np.ndarray, x1: np.ndarray, s: np.ndarray, C: float) -> _Metric:
        p = expit(x1 @ theta)
        m = (x1.T * (s * p * (1 - p))) @ x1 + np.diag(_penalty(len(theta))) / C
        m /= s.sum()
        schur = m[:-1, :-1] - np.outer(m[:-1, -1], m[:-1, -1]) / m[-1, -1]
        return cls(cho_factor(m), schur, cholesky(schur), m[:-1, -1].copy(), float(m[-1, -1]))

    def newton_targets(self, theta: np.ndarray, gradient: np.ndarray) -> np.ndarray:
        """``theta - M^-1 gradient``, column by column."""
        return theta - cho_solve(self.factor, gradient)

    def project(self, targets: np.ndarray, zeros: np.ndarray) -> np.ndarray:
        """The point of ``{weights >= 0}`` nearest to each target column, in the metric of M.

        ``zeros`` (weights x columns) guesses which weights end at 0, for
        example the previous step's; it is tried first (for all columns at
        once), the columns where it is wrong are solved by NNLS, and it is
        updated in place.
        """
        out = targets.copy()
        negative = (targets[:-1] < 0).any(axis=0)
        zeros[:, ~negative] = False  # a target that is already feasible is its own nearest point
        cols = np.flatnonzero(negative)
        if cols.size:
            wanted = targets[:-1, cols]
            weights = self._with_zeros(wanted, zeros[:, cols])
            for j in np.flatnonzero(np.isnan(weights[0])):
                weights[:, j] = nnls(self.schur_root, self.schur_root @ wanted[:, j])[0]
            zeros[:, cols] = weights == 0
            out[:-1, cols] = weights
            out[-1, cols] = targets[-1, cols] - self.cross @ (weights - wanted) / self.corner
        return out

    def _with_zeros(self, targets: np.ndarray, zeros: np.ndarray) -> np.ndarray:
        """Per column, the nearest weights with exactly ``zeros`` at 0; NaN where that guess is not optimal.

        With the zero set fixed, the free weights solve ``schur_FF w_F =
        (schur @ target)_F``; the guess is optimal when those are positive
        and the gradient ``schur @ (w - target)`` is >= 0 on the zero set.
        """
        free = ~zeros
        k = len(targets)
        systems = np.where(free.T[:, :, None] & free.T[:, None, :], self.schur, 0.0) + zeros.T[
            :, :, None
        ] * np.eye(k)
        rhs = np.where(free, self.schur @ targets, 0.0)
        weights = np.linalg.solve(systems, rhs.T[:, :, None])[:, :, 0].T
        weights[zeros] = 0.0
        optimal = np.where(free, weights > 0, self.schur @ (weights - targets) >= 0).all(axis=0)
        weights[:, ~optimal] = np.nan
        return weights


def solve_logistic(
    Z: np.ndarray,
    y: np.ndarray,
    C: float,
    nonnegative: bool,
    sample_weight: np.ndarray | None = None,
    start: tuple[np.ndarray, float] | None = None,
) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression of ``y`` (0/1) on ``Z``; every coefficient >= 0 when ``nonnegative``.

    scikit-learn's objective (``C * sum(sw * logloss) + ||coef||^2 / 2``, intercept
    free and not penalised), minimised with L-BFGS-B and finished with projected
    Newton steps; ``start`` is a ``(coef, intercept)`` to start from. The one
    solver behind :func:`fit_weights` and the research classifier. Returns
    ``(coef, intercept)``; warns with a ``ConvergenceWarning`` when the optimum
    was not reached.
    """
    x1 = np.column_stack([Z, np.ones(len(Z))])
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    theta = (
        np.zeros(x1.shape[1])
        if start is None
        else np.r_[np.asarray(start[0], dtype=float), float(start[1])]
    )
    if nonnegative:
        theta[:-1] = np.maximum(theta[:-1], 0.0)
    theta = _fallback_fit(x1, y, s, C, nonnegative, theta)
    gradient = _loss_and_gradient(theta, x1, y, s, C)[1]
    if nonnegative:
        gradient[:-1] = np.where((theta[:-1] <= 0.0) & (gradient[:-1] > 0.0), 0.0, gradient[:-1])
    if np.abs(gradient).max() > 1e-6:
        warnings.warn(
            "The logistic fit did not reach its optimum (largest projected gradient "
            f"{np.abs(gradient).max():.1e}); weights may be inaccurate.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return theta[:-1], float(theta[-1])


def _fit(x1: np.ndarray, y: np.ndarray, C: float, nonnegative: bool) -> np.ndarray:
    """The full-data solution: scikit-learn unconstrained; L-BFGS-B with bounds plus Newton polish constrained."""
    if not nonnegative:
        model = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-10, max_iter=1000)
        model.fit(x1[:, :-1], y)
        return np.r_[model.coef_[0], model.intercept_[0]]
    return _constrained_fit(x1, y, np.ones(len(y)), C, np.zeros(x1.shape[1]))


def _constrained_fit(
    x1: np.ndarray, y: np.ndarray, s: np.ndarray, C: float, start: np.ndarray
) -> np.ndarray:
    bounds = [(0.0, None)] * (x1.shape[1] - 1) + [(None, None)]
    result = minimize(
        _loss_and_gradient, start, args=(x1, y, s, C), jac=True, method="L-BFGS-B", bounds=bounds
    )
    return _polish(result.x, x1, y, s, C)


def _polish(
    theta: np.ndarray,
    x1: np.ndarray,
    y: np.ndarray,
    s: np.ndarray,
    C: float,
    max_steps: int = 50,
    tol: float = 1e-10,
) -> np.ndarray:
    """Projected Newton steps (exact Hessian, backtracking) from a nearly optimal ``theta`` to the optimum."""
    loss, gradient = _loss_and_gradient(theta, x1, y, s, C)
    zeros = (theta[:-1] == 0)[:, None]
    for _ in range(max_steps):
        metric = _Metric.at(theta, x1, s, C)
        step = (
            metric.project(metric.newton_targets(theta[:, None], gradient[:, None]), zeros)[:, 0]
            - theta
        )
        t = 1.0
        while (new := _loss_and_gradient(theta + t * step, x1, y, s, C))[0] > loss and t > 1e-6:
            t /= 2
        theta, (loss, gradient) = theta + t * step, new
        if np.abs(t * step).max() < tol:
            break
    return theta


def _bootstrap_fits(
    x1: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    C: float,
    nonnegative: bool,
    n_bootstrap: int,
    random_state: int | np.random.Generator | None,
) -> np.ndarray:
    """The coefficients refitted on each stratified resample: (n_bootstrap, k + 1)."""
    rng = np.random.default_rng(random_state)
    classes = [np.flatnonzero(y == 1), np.flatnonzero(y == 0)]
    metric = _Metric.at(theta, x1, np.ones(len(y)), C)
    fits = [np.empty((0, len(theta)))]
    for chunk in chunk_sizes(n_bootstrap, len(y)):
        counts = np.zeros((len(y), chunk))
        for members, draws in zip(classes, stratified_draws(rng, [len(c) for c in classes], chunk)):
            counts[members] = counts_of(draws, len(members)).T
        fits.append(_refit(x1, y, counts, theta, metric, C, nonnegative))
    return np.concatenate(fits)


def _refit(
    x1: np.ndarray,
    y: np.ndarray,
    counts: np.ndarray,
    theta: np.ndarray,
    metric: _Metric,
    C: float,
    nonnegative: bool,
    max_steps: int = 100,
    tol: float = 1e-6,
) -> np.ndarray:
    """Fixed-metric projected Newton for the resamples in the columns of ``counts`` at once.

    A fixed point of the step satisfies the optimality conditions, so a
    resample that converges has reached its own optimum; one that does not
    within ``max_steps`` is refitted by :func:`_fallback_fit`.
    """
    thetas = np.repeat(theta[:, None], counts.shape[1], axis=1)
    zeros = np.repeat((theta[:-1] == 0)[:, None], counts.shape[1], axis=1)
    pen = _penalty(len(theta))[:, None] / C
    open_ = np.arange(counts.shape[1])
    for _ in range(max_steps):
        current = thetas[:, open_]
        residual = counts[:, open_] * (expit(x1 @ current) - y[:, None])
        targets = metric.newton_targets(current, (x1.T @ residual + pen * current) / len(y))
        new = metric.project(targets, zeros[:, open_]) if nonnegative else targets
        if nonnegative:
            zeros[:, open_] = new[:-1] == 0
        moved = np.abs(new - current).max(axis=0)
        thetas[:, open_] = new
        open_ = open_[~(moved <= tol)]  # NaN (a diverging step) stays open
        if not open_.size:
            break
    for col in open_:
        thetas[:, col] = _fallback_fit(x1, y, counts[:, col], C, nonnegative, theta)
    return thetas.T


def _fallback_fit(
    x1: np.ndarray, y: np.ndarray, s: np.ndarray, C: float, nonnegative: bool, start: np.ndarray
) -> np.ndarray:
    if nonnegative:
        return _constrained_fit(x1, y, s, C, start)
    return minimize(
        _loss_and_gradient,
        start,
        args=(x1, y, s, C),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 10_000, "ftol": 1e-15, "gtol": 1e-11},
    ).x


# --- features and instrument weights --------------------------------------------------


def risk_features(scores: Scores, level: str = "items") -> pd.DataFrame:
    """Per candidate, the features to fit weights on, oriented toward risk and in [0, 1].

    Parameters
    ----------
    scores : Scores
        Scored candidates (:func:`weegtool.score`).
    level : {"items", "domains"}, default "items"
        ``"items"``: each aggregated rating as ``r`` of the engine (0 = the
        least risk the scale allows, 1 = the most; protective items reversed),
        NaN where not rated. ``"domains"``: each risk-oriented domain score
        divided by 100 (protective domains as ``1 - score / 100``).

    Returns
    -------
    DataFrame
        Indexed by candidate id; columns item ids or domain ids.
    """
    instrument = scores.instrument
    w = Weights.of(instrument)
    index = pd.Index(scores.candidate_ids, name="candidate_id")
    if level == "items":
        return pd.DataFrame(
            w.toward_risk(scores.ratings.values), index=index, columns=list(instrument.item_ids)
        )
    if level == "domains":
        risk = scores.domain_risk / 100.0
        return pd.DataFrame(risk, index=index, columns=list(instrument.domain_ids))
    raise ResearchError(
        f"The 'level' parameter of risk_features must be 'items' or 'domains'. Got {level!r} instead."
    )


@dataclass(frozen=True)
class InstrumentWeights:
    """Item and domain weights for a criteria file, derived from fitted coefficients."""

    items: Mapping[str, float]
    domains: Mapping[str, float]

    def to_frame(self) -> pd.DataFrame:
        """One row per item: ``kind`` 'item', then one per domain: ``kind`` 'domain'; with ``weight``."""
        rows = [("item", k, v) for k, v in self.items.items()] + [
            ("domain", k, v) for k, v in self.domains.items()
        ]
        return pd.DataFrame(rows, columns=["kind", "id", "weight"]).set_index(["kind", "id"])


def instrument_weights(
    fitted: FittedWeights, instrument: Instrument, top: float = 10.0, decimals: int = 1
) -> InstrumentWeights:
    """Fitted coefficients as an instrument's item and domain weights, for a new criteria file.

    Fitted on item features (:func:`risk_features` with ``level="items"``),
    item weights are the coefficients rescaled so the largest is ``top`` and
    rounded to ``decimals``, and each domain's weight is the sum of its item
    weights. The total then is ``100 * sum(w * r) / sum(w)``: a weighted mean
    of the risk-oriented ratings, ranking candidates exactly as the fitted
    linear predictor does (up to the rounding). A domain whose items all get
    weight 0 keeps its current item weights, so its score can still be shown,
    and gets domain weight 0. Protective domains count in the total only when
    ``settings.protective_lowers_total``.

    Fitted on domain features (``level="domains"``), the domain weights are
    the rescaled coefficients and the item weights stay as they are.

    Parameters
    ----------
    fitted : FittedWeights
        From :func:`fit_weights`, with coefficients >= 0.
    instrument : Instrument
        The instrument whose items or domains the features are.
    top : float, default 10.0
        The largest weight after rescaling.
    decimals : int, default 1
        Rounding of the weights; coefficients below half a unit of it become 0.

    Returns
    -------
    InstrumentWeights
        ``items`` (item id to weight) and ``domains`` (domain id to weight),
        in the instrument's order.
    """
    coef = fitted.coef
    _check_coefficients(coef, instrument)
    current_items = {item.id: float(item.weight) for item in instrument.items}
    if set(coef.index) == set(instrument.domain_ids):
        return InstrumentWeights(
            current_items, _rescaled(coef[list(instrument.domain_ids)], top, decimals)
        )
    items = _rescaled(coef[list(instrument.item_ids)], top, decimals)
    domains: dict[str, float] = {}
    for domain in instrument.domain_ids:
        members = [item.id for item in instrument.items if item.domain == domain]
        domains[domain] = round(sum(items[m] for m in members), decimals)
        if domains[domain] == 0:
            items.update({m: current_items[m] for m in members})
    return InstrumentWeights(items, domains)


def _check_coefficients(coef: pd.Series, instrument: Instrument) -> None:
    features = set(coef.index)
    if features not in (set(instrument.item_ids), set(instrument.domain_ids)):
        unknown = sorted(features - set(instrument.item_ids) - set(instrument.domain_ids))
        raise ResearchError(
            f"The fitted features must be the item ids or the domain ids of {instrument.id} "
            f"(as risk_features gives them); got {len(features)} features"
            + (f", unknown: {', '.join(unknown[:MAX_LISTED])}." if unknown else ".")
        )
    negative = coef[coef < 0]
    if len(negative):
        raise ResearchError(
            "Instrument weights must be >= 0; the fit gave negative coefficients for "
            f"{', '.join(negative.index[:MAX_LISTED])}. Refit with nonnegative=True."
        )
    if not (coef > 0).any():
        raise ResearchError(
            "Every fitted coefficient is 0, so there is nothing to weight; "
            "check the outcome, or lower the penalty (a larger C)."
        )


def _rescaled(coef: pd.Series, top: float, decimals: int) -> dict[str, float]:
    scaled = coef / coef.max() * top
    return {
        str(k): round(float(v), decimals) + 0.0 for k, v in scaled.items()
    }  # + 0.0: no -0.0 in a file
