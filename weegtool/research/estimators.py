"""scikit-learn estimators over weegtool's engine: score ratings, calibrate weights against an outcome.

Both estimators take ``X`` as a candidates x items matrix of aggregated ratings
(NaN where not known) in the order of ``instrument.item_ids``; a DataFrame whose
columns are the item ids is put in that order by name. Values from an item's
scale minimum to its maximum are allowed, fractions included (the median of
two raters can be 2.5); a value outside raises a
:class:`~weegtool.errors.RatingsError` (a ``ValueError``) naming the row, the
column and the value.

- :class:`InstrumentScorer` turns ratings into domain scores 0-100 (and the
  total) with the engine's own arithmetic: proration within a domain's
  ``max_missing``, NaN where a domain or the total is not assessable. It is the
  instrument as a pipeline step.
- :class:`CalibratedInstrumentClassifier` fits item (or domain) weights against
  a binary outcome with an L2-regularised logistic model on the risk-oriented
  item values ``r = rating * slope + offset`` (see :mod:`weegtool.engine`),
  optionally with every weight >= 0, and gives them back rescaled for a
  criteria file (``item_weights_``, ``domain_weights_``).

``instrument="auto"`` builds an ad hoc instrument from the training data: every
column an item of one risk domain ``all`` with weight 1, its scale the column's
range in the training data; a candidate is scored on the columns rated
(prorated), NaN only when none is. It serves drafts of a new instrument and
scikit-learn's generic estimator checks, which feed random data of any width.
A learned range is a description of the training data, not a rule: like
``MinMaxScaler``, the auto mode extrapolates values beyond it instead of
refusing them.

Rows in messages are counted from 0, as ``X.iloc`` and numpy count them.
"""

from __future__ import annotations

import difflib
import os
import warnings
from numbers import Real
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_feature_names_in,
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ..engine import Kernel, Weights, score_values
from ..errors import RatingsError
from ..instrument import Instrument, load_instrument
from .weights import solve_logistic

__all__ = ["InstrumentScorer", "CalibratedInstrumentClassifier"]

AUTO = "auto"
AUTO_DOMAIN = "all"
MAX_LISTED = 20  # rows listed in an error before "... and N more"


def _auto_weights(low: np.ndarray, high: np.ndarray) -> Weights:
    """The ad hoc instrument of ``instrument="auto"``: one risk domain, weight 1 per column, one rating needed."""
    k = len(low)
    span = np.where(high > low, high - low, 1.0)  # a constant column maps to 0, as in MinMaxScaler
    return Weights(
        slope=1.0 / span,
        offset=-low / span,
        item_weight=np.ones(k),
        membership=np.ones((k, 1)),
        domain_of=np.zeros(k, dtype=np.int64),
        domain_share=np.ones(1),
        risk_domain=np.ones(1, dtype=bool),
        max_missing=np.array([k - 1]),
        band_uppers=np.array([100.0]),
    )


# --- the constrained logistic solver ---------------------------------------------

# --- input: item order, scale, the engine's arrays -----------------------------------


def _resolve_instrument(
    instrument: Instrument | str | os.PathLike[str] | None,
) -> Instrument | None:
    """The instrument to use: None for the default Twente one, a criteria file, or None for ``"auto"``."""
    if isinstance(instrument, Instrument):
        return instrument
    if isinstance(instrument, str) and instrument == AUTO:
        return None
    return load_instrument(None if instrument is None else Path(instrument))


def _in_item_order(X: Any, instrument: Instrument | None) -> Any:
    """A DataFrame with the item ids as columns, reordered to ``instrument.item_ids``; anything else as it is."""
    columns = getattr(X, "columns", None)
    if instrument is None or columns is None or not all(isinstance(c, str) for c in columns):
        return X
    items, columns = instrument.item_ids, list(columns)
    known, given = set(items), set(columns)
    problems = []
    for column in columns:
        if column not in known:
            hint = difflib.get_close_matches(column, items, n=1, cutoff=0.75)
            problems.append(
                f"column {column!r} is not an item of {instrument.id} {instrument.version}"
                + (f"; did you mean {hint[0]!r}?" if hint else ".")
            )
    problems += [
        f"column {item!r} is missing (an item nobody rated still needs its column, NaN)."
        for item in items
        if item not in given
    ]
    problems += [
        f"column {c!r} appears more than once."
        for c in sorted({c for c in columns if columns.count(c) > 1})
    ]
    if problems:
        raise _refused(problems)
    return X if columns == list(items) else X[list(items)]


def _check_width(X: np.ndarray, instrument: Instrument) -> None:
    k = len(instrument.item_ids)
    if X.shape[1] != k:
        raise RatingsError(
            f"X has {X.shape[1]} columns, but instrument {instrument.id} {instrument.version} has "
            f"{k} items; give one column per item in the order of instrument.item_ids, "
            "or a DataFrame with the item ids as column names."
        )


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _check_on_scale(
    X: np.ndarray, low: np.ndarray, high: np.ndarray, names: tuple[str, ...]
) -> None:
    """Every known value within its item's scale; one problem per column, with its first bad row."""
    with np.errstate(invalid="ignore"):
        bad = (low > X) | (high < X)
    if not bad.any():
        return
    problems = []
    for j in np.flatnonzero(bad.any(axis=0)):
        rows = np.flatnonzero(bad[:, j])
        more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
        problems.append(
            f"row {rows[0]}, column {names[j]!r}: must be from {_shown(low[j])} to {_shown(high[j])} "
            f"or NaN when not known; got {_shown(X[rows[0], j])}{more}."
        )
    raise _refused(problems)


def _refused(problems: list[str]) -> RatingsError:
    """One error for every problem found in X, listing the first ``MAX_LISTED``."""
    count = len(problems)
    listed = problems[:MAX_LISTED] + (
        [f"... and {count - MAX_LISTED} more"] if count > MAX_LISTED else []
    )
    head = f"X: {count} problem{'s' if count != 1 else ''}:"
    return RatingsError("\n".join([head, *(f"  - {p}" for p in listed)]), problems)


class _RatingsInput:
    """Input handling the two estimators share: instrument, item order, scale, the engine's arrays.

    Learned attributes: ``instrument_`` (None with ``instrument="auto"``),
    ``weights_`` (:class:`weegtool.engine.Weights`), ``scale_min_`` and
    ``scale_max_`` per column, ``max_missing_fraction_``, ``item_ids_``,
    ``domain_ids_``, and scikit-learn's ``n_features_in_`` / ``feature_names_in_``.
    """

    instrument: Instrument | str | os.PathLike[str] | None
    instrument_: Instrument | None
    weights_: Weights
    scale_min_: np.ndarray
    scale_max_: np.ndarray
    max_missing_fraction_: float
    item_ids_: tuple[str, ...]
    domain_ids_: tuple[str, ...]

    def _fit_ratings(
        self, X: Any, y: Any = "no_validation", sample_weight: Any = None, *, allow_nan: bool
    ) -> tuple[Any, np.ndarray]:
        """``validate_data`` in item order, then learn the scale from the rows with a positive weight.

        Returns what ``validate_data`` returns and the checked sample weights (ones when None).
        """
        instrument = _resolve_instrument(self.instrument)
        out = validate_data(
            self,
            _in_item_order(X, instrument),
            y,
            dtype=np.float64,
            ensure_all_finite="allow-nan" if allow_nan else True,
        )
        values = out[0] if isinstance(out, tuple) else out
        weights = _check_sample_weight(
            sample_weight, values, dtype=np.float64, ensure_non_negative=True
        )
        # Zero-weight rows are not training data, also not for a learned ("auto") scale.
        learned = self._learned_scale(
            values if sample_weight is None else values[weights > 0], instrument
        )
        if instrument is not None:
            _check_on_scale(
                values, learned["scale_min_"], learned["scale_max_"], learned["item_ids_"]
            )
        for name, value in learned.items():  # only once X is known to be good
            setattr(self, name, value)
        return out, weights

    def _ratings(self, X: Any, *, allow_nan: bool) -> np.ndarray:
        """New ratings checked like the training ones: item order, width, names, scale."""
        check_is_fitted(self)
        values = validate_data(
            self,
            _in_item_order(X, self.instrument_),
            reset=False,
            dtype=np.float64,
            ensure_all_finite="allow-nan" if allow_nan else True,
        )
        if self.instrument_ is not None:
            _check_on_scale(values, self.scale_min_, self.scale_max_, self.item_ids_)
        return values

    def _learned_scale(self, X: np.ndarray, instrument: Instrument | None) -> dict[str, Any]:
        """The attributes fit sets: the instrument's scales and arrays, or (``"auto"``) the training ranges."""
        if instrument is None:
            with warnings.catch_warnings():
                warnings.simplefilter(
                    "ignore", RuntimeWarning
                )  # an all-NaN column, refused just below
                low, high = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
            empty = np.flatnonzero(np.isnan(low))
            if empty.size:
                raise ValueError(
                    f"Column {empty[0]} of X has no values; instrument='auto' learns each column's "
                    "scale from its values in the training data."
                )
            weights, fraction = _auto_weights(low, high), (X.shape[1] - 1) / X.shape[1]
            names = getattr(self, "feature_names_in_", None)
            item_ids = (
                tuple(names) if names is not None else tuple(f"x{j}" for j in range(X.shape[1]))
            )
            domain_ids: tuple[str, ...] = (AUTO_DOMAIN,)
        else:
            _check_width(X, instrument)
            scales = [instrument.scale_of(item) for item in instrument.items]
            low = np.array([s.min for s in scales], dtype=float)
            high = np.array([s.max for s in scales], dtype=float)
            weights, fraction = Weights.of(instrument), instrument.settings.max_missing_fraction
            item_ids, domain_ids = instrument.item_ids, instrument.domain_ids
        return {
            "instrument_": instrument,
            "scale_min_": low,
            "scale_max_": high,
            "weights_": weights,
            "max_missing_fraction_": fraction,
            "item_ids_": item_ids,
            "domain_ids_": domain_ids,
        }

    def _scored(self, X: np.ndarray) -> Kernel:
        return score_values(X, self.weights_, self.max_missing_fraction_)


_INSTRUMENT_CONSTRAINT = [None, Instrument, str, os.PathLike]


# --- the scorer ------------------------------------------------------------------


class InstrumentScorer(_RatingsInput, TransformerMixin, BaseEstimator):
    """An instrument as a transformer: aggregated ratings in, domain scores (and total) out.

    The numbers are the engine's (:func:`weegtool.score`): each domain is the
    weighted mean of its items' ratings on 0-100 in its own orientation,
    prorated over the items rated when at most ``max_missing`` are missing and
    NaN when more are; the total is NaN when the candidate is not assessable.

    Parameters
    ----------
    instrument : Instrument, str, path-like or None, default=None
        The instrument: a loaded :class:`~weegtool.instrument.Instrument`, a
        criteria file, None for the default Twente instrument, or ``"auto"`` for
        an ad hoc instrument learned from the training data (see the module
        docstring).
    output : {"domains", "domains+total"}, default="domains"
        The columns of the result: one per domain, in the order of
        ``instrument.domain_ids``, and with ``"domains+total"`` the total last.

    Attributes
    ----------
    instrument_ : Instrument or None
        The instrument used; None with ``instrument="auto"``.
    weights_ : weegtool.engine.Weights
        The instrument's numbers as arrays (learned scale with ``"auto"``).
    scale_min_, scale_max_ : ndarray of shape (n_features_in_,)
        The scale of each column; ratings outside it are refused (``"auto"``: the
        training range, extrapolated beyond).
    max_missing_fraction_ : float
        The share of items that may be missing for the total to be computed.
    item_ids_ : tuple of str
        The item of each column.
    domain_ids_ : tuple of str
        The domains, in the order of the output columns.
    n_features_in_ : int
        Number of columns seen in fit (the number of items).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in fit, when X was a DataFrame with string column names
        (in instrument order).

    See Also
    --------
    weegtool.score : The validated public call for rating tables with raters.
    CalibratedInstrumentClassifier : Weights fitted against an outcome.

    Examples
    --------
    >>> from weegtool.research.estimators import InstrumentScorer
    >>> scorer = InstrumentScorer("criteria/example-minimal.yaml", output="domains+total")
    >>> scorer.fit_transform([[2, 1, 0]]).round(2)  # doctest: +SKIP
    array([[75.  ,  0.  , 83.33]])
    """

    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "instrument": _INSTRUMENT_CONSTRAINT,
        "output": [StrOptions({"domains", "domains+total"})],
    }

    def __init__(
        self, instrument: Instrument | str | os.PathLike[str] | None = None, output: str = "domains"
    ) -> None:
        self.instrument = instrument
        self.output = output

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> InstrumentScorer:
        """Resolve the instrument and check ``X`` against it (``"auto"``: learn each column's range).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_candidates, n_items)
            Aggregated ratings, NaN where not known.
        y : None
            Ignored.

        Returns
        -------
        self : InstrumentScorer
        """
        self._fit_ratings(X, allow_nan=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Domain scores 0-100 (and the total) per candidate, NaN where not assessable.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_candidates, n_items)
            Aggregated ratings, NaN where not known.

        Returns
        -------
        scores : ndarray of shape (n_candidates, n_domains) or (n_candidates, n_domains + 1)
        """
        scored = self._scored(self._ratings(X, allow_nan=True))
        if self.output == "domains":
            return scored.domain_scores
        return np.column_stack([scored.domain_scores, scored.total])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``domain.<id>`` per domain (and ``total``), as in :meth:`weegtool.engine.Scores.to_frame`.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the names seen in fit; the output names do not depend on them.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        names = [f"domain.{d}" for d in self.domain_ids_] + (
            ["total"] if self.output == "domains+total" else []
        )
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


# --- the calibrating classifier ----------------------------------------------------


class CalibratedInstrumentClassifier(_RatingsInput, ClassifierMixin, BaseEstimator):
    """Item (or domain) weights fitted against a binary outcome, with a logistic model on the ratings.

    The model is ``log-odds(adverse outcome) = intercept_ + r @ coef_.T`` on the
    risk-oriented item values ``r = rating * slope + offset`` in [0, 1] (or,
    with ``level="domains"``, on the risk-oriented domain scores / 100, prorated
    as the engine does), with an L2 penalty as in scikit-learn's
    ``LogisticRegression`` and, with ``nonnegative=True``, every weight >= 0 so
    that more risk never lowers the predicted risk. The fitted weights, rescaled
    for a criteria file, are in ``item_weights_`` and ``domain_weights_``.

    Parameters
    ----------
    instrument : Instrument, str, path-like or None, default=None
        The instrument: a loaded :class:`~weegtool.instrument.Instrument`, a
        criteria file, None for the default Twente instrument, or ``"auto"`` for
        an ad hoc instrument learned from the training data.
    level : {"items", "domains"}, default="items"
        Fit one weight per item (no missing ratings allowed: put an imputer in
        front), or one per domain on the domain scores (missing ratings
        prorated; a domain that is not assessable is refused).
    C : float, default=1.0
        Inverse strength of the L2 penalty, as in ``LogisticRegression``.
    nonnegative : bool, default=True
        Constrain every weight to be >= 0, as a criteria file requires.
    adverse_class : label or None, default=None
        The label of ``y`` for the adverse outcome (e.g. the placement broke
        down), which higher risk predicts. None: ``classes_[1]``, the larger
        label. For an outcome coded 1 = placement continued, pass 0.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The labels of ``y``.
    adverse_class_ : label
        The label that ``coef_`` and ``intercept_`` predict.
    coef_ : ndarray of shape (1, n_items) or (1, n_domains)
        Weights of ``r`` (or the domain scores / 100) in the log-odds of ``adverse_class_``.
    intercept_ : ndarray of shape (1,)
        Intercept of those log-odds.
    item_weights_ : pandas.Series
        Item id -> weight for a criteria file: the item coefficients divided by
        their mean absolute value (``level="domains"``: the instrument's own item
        weights). Negative values (``nonnegative=False``) cannot be written into
        a criteria file.
    domain_weights_ : pandas.Series
        Domain id -> weight for a criteria file: with ``level="items"`` the sum
        of its items' weights (rescaled), so that the instrument's total is an
        increasing affine function of the fitted log-odds when every domain
        counts in the total (``protective_lowers_total: true``).
    instrument_, weights_, scale_min_, scale_max_, max_missing_fraction_, item_ids_, domain_ids_
        As in :class:`InstrumentScorer`.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in fit, when X was a DataFrame with string column names.

    See Also
    --------
    InstrumentScorer : The instrument's own scores as a transformer.
    sklearn.linear_model.LogisticRegression : The same objective without the sign constraint.

    Examples
    --------
    >>> import weegtool
    >>> from weegtool.research import synthetic_cohort
    >>> from weegtool.research.estimators import CalibratedInstrumentClassifier
    >>> instrument = weegtool.load_instrument()
    >>> cohort = synthetic_cohort(instrument, 200, 1, missing_rate=0.0, outcomes="all")
    >>> X = cohort.ratings.set_index("candidate_id")[list(instrument.item_ids)]
    >>> model = CalibratedInstrumentClassifier(adverse_class=0).fit(X, cohort.truth["outcome"])
    >>> bool((model.coef_ >= 0).all())
    True
    """

    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "instrument": _INSTRUMENT_CONSTRAINT,
        "level": [StrOptions({"items", "domains"})],
        "C": [Interval(Real, 0, None, closed="neither")],
        "nonnegative": ["boolean"],
        "adverse_class": "no_validation",  # any label; checked against y in fit
    }

    def __init__(
        self,
        instrument: Instrument | str | os.PathLike[str] | None = None,
        level: str = "items",
        C: float = 1.0,
        nonnegative: bool = True,
        adverse_class: Any = None,
    ) -> None:
        self.instrument = instrument
        self.level = level
        self.C = C
        self.nonnegative = nonnegative
        self.adverse_class = adverse_class

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> CalibratedInstrumentClassifier:
        """Fit the weights.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_candidates, n_items)
            Aggregated ratings (NaN allowed only with ``level="domains"``).
        y : array-like of shape (n_candidates,)
            The binary outcome.
        sample_weight : array-like of shape (n_candidates,), default=None
            Non-negative weights per candidate (e.g. bootstrap counts).

        Returns
        -------
        self : CalibratedInstrumentClassifier
        """
        (X, y), sample_weight = self._fit_ratings(
            X, y, sample_weight, allow_nan=self.level == "domains"
        )
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {y_type}."
            )
        classes, weighted = np.unique(y), np.unique(y[sample_weight > 0])
        adverse = self._adverse_label(classes)
        if len(weighted) < 2:
            raise ValueError(
                f"{type(self).__name__} needs two classes in y (with a positive sample_weight); "
                f"got 1 class: {_label(weighted[0])!r}."
            )
        coef, intercept = solve_logistic(
            self._features(X), (y == adverse).astype(float), self.C, self.nonnegative, sample_weight
        )
        self.classes_, self.adverse_class_ = classes, adverse
        self.coef_, self.intercept_ = coef[np.newaxis, :], np.array([intercept])
        self.item_weights_, self.domain_weights_ = self._criteria_weights(coef)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of ``classes_[1]`` (scikit-learn's convention: positive means ``classes_[1]``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_candidates, n_items)

        Returns
        -------
        decision : ndarray of shape (n_candidates,)
            ``intercept_ + r @ coef_.T``, negated when ``adverse_class_`` is ``classes_[0]``.
        """
        X = self._ratings(X, allow_nan=self.level == "domains")
        adverse = self._features(X) @ self.coef_[0] + self.intercept_[0]
        return adverse if self.adverse_class_ == self.classes_[1] else -adverse

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_candidates, n_items)

        Returns
        -------
        proba : ndarray of shape (n_candidates, 2)
        """
        decision = self.decision_function(X)
        return np.column_stack([expit(-decision), expit(decision)])

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of :meth:`predict_proba`, computed stably.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_candidates, n_items)

        Returns
        -------
        log_proba : ndarray of shape (n_candidates, 2)
        """
        decision = self.decision_function(X)
        return np.column_stack([log_expit(-decision), log_expit(decision)])

    def predict(self, X: Any) -> np.ndarray:
        """The more likely class.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_candidates, n_items)

        Returns
        -------
        labels : ndarray of shape (n_candidates,)
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    def _adverse_label(self, classes: np.ndarray) -> Any:
        if self.adverse_class is None:
            return classes[-1]
        matches = np.flatnonzero(classes == self.adverse_class)
        if not matches.size:
            raise ValueError(
                f"The 'adverse_class' parameter of {type(self).__name__} must be one of the classes "
                f"in y {classes.tolist()}. Got {_label(self.adverse_class)!r} instead."
            )
        return classes[matches[0]]

    def _features(self, X: np.ndarray) -> np.ndarray:
        """``r`` per item, or the risk-oriented domain scores / 100 (refusing domains not assessable)."""
        if self.level == "items":
            return np.asarray(self.weights_.toward_risk(X))
        scored = self._scored(X)
        risk = scored.domain_risk
        unscored = np.isnan(risk)
        if unscored.any():
            raise _refused(
                [
                    f"row {i}, domain {self.domain_ids_[d]!r}: not assessable ({scored.domain_missing[i, d]} "
                    f"of its items missing, at most {self.weights_.max_missing[d]} may be)."
                    for i, d in zip(*np.nonzero(unscored))
                ]
            )
        return risk / 100.0

    def _criteria_weights(self, coef: np.ndarray) -> tuple[pd.Series, pd.Series]:
        """Coefficients rescaled to mean absolute weight 1, as item and domain weights of a criteria file."""
        items, domains = (
            pd.Index(self.item_ids_, name="item_id"),
            pd.Index(self.domain_ids_, name="domain_id"),
        )
        if self.level == "domains":
            return (
                pd.Series(self.weights_.item_weight, index=items, name="weight"),
                pd.Series(_rescaled(coef), index=domains, name="weight"),
            )
        item_weights = _rescaled(coef)
        return (
            pd.Series(item_weights, index=items, name="weight"),
            pd.Series(
                _rescaled(item_weights @ self.weights_.membership), index=domains, name="weight"
            ),
        )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.level == "domains"
        tags.classifier_tags.multi_class = False
        # Sign-constrained weights cannot separate classes that lie the other way round, and domain
        # weights see only a few domain means: neither promises a good fit to arbitrary data.
        tags.classifier_tags.poor_score = bool(self.nonnegative) or self.level == "domains"
        return tags


def _rescaled(values: np.ndarray) -> np.ndarray:
    scale = np.abs(values).mean()
    return values / scale if scale > 0 else np.zeros_like(values)


def _label(value: Any) -> Any:
    """A numpy scalar as the plain Python value, for messages."""
    return value.item() if isinstance(value, np.generic) else value
