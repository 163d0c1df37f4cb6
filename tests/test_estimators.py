"""The scikit-learn estimators: conformance, the engine's numbers, calibration, and their messages."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import yaml
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import weegtool
from weegtool.errors import CriteriaError, RatingsError
from weegtool.instrument import parse_instrument
from weegtool.research import synthetic_cohort
from weegtool.research.estimators import CalibratedInstrumentClassifier, InstrumentScorer
from weegtool.research.weights import solve_logistic

from .conftest import EXAMPLE, TWENTE


def cohort_ratings(instrument, n_candidates=400, n_raters=1, seed=0, missing_rate=0.0):
    """Aggregated ratings (candidate x item, NaN = not known) and the outcome (1 = placement continued)."""
    cohort = synthetic_cohort(
        instrument,
        n_candidates=n_candidates,
        n_raters=n_raters,
        seed=seed,
        missing_rate=missing_rate,
        outcomes="all",
    )
    X = weegtool.read_ratings(cohort.ratings, instrument).to_frame()
    y = cohort.truth.set_index("candidate_id").loc[X.index, "outcome"].to_numpy()
    return X, y


@pytest.fixture(scope="module")
def cohort(twente):
    return cohort_ratings(twente)


# --- scikit-learn conformance -------------------------------------------------------------


# The checks feed random data of any width, so they run on instrument="auto" (an ad hoc
# instrument learned from the training data); no check is expected to fail.
@parametrize_with_checks(
    [
        InstrumentScorer("auto", output="domains+total"),
        CalibratedInstrumentClassifier("auto"),
        CalibratedInstrumentClassifier(
            "auto", nonnegative=False
        ),  # the one whose training accuracy is checked
        CalibratedInstrumentClassifier(
            "auto", level="domains"
        ),  # accepts NaN: prorated domain scores
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --- InstrumentScorer: the engine's numbers -------------------------------------------------


def test_scorer_reproduces_the_worked_example_from_the_readme():
    # README "How a score is computed": er_outbursts 2, er_recovery 1, pf_network 0 on the 0-2 scale.
    scorer = InstrumentScorer(EXAMPLE, output="domains+total")
    np.testing.assert_allclose(scorer.fit_transform([[2, 1, 0]]), [[75.0, 0.0, 250 / 3]])
    assert list(scorer.get_feature_names_out()) == [
        "domain.emotion_regulation",
        "domain.protective_factors",
        "total",
    ]


@pytest.mark.parametrize("n_raters", [1, 2])  # two raters: medians such as 2.5
def test_scorer_equals_weegtool_score_with_proration_and_not_assessable(twente, n_raters):
    cohort = synthetic_cohort(
        twente, n_candidates=300, n_raters=n_raters, seed=3, missing_rate=0.12
    )
    scores = weegtool.score(twente, cohort.ratings)
    X = scores.ratings.to_frame()
    assert (
        scores.prorated.any()
        and not scores.assessable.all()
        and np.isnan(scores.domain_scores).any()
    )
    assert n_raters == 1 or (X.to_numpy() % 1 == 0.5).any()

    out = InstrumentScorer(output="domains+total").fit_transform(X)

    np.testing.assert_array_equal(out[:, :-1], scores.domain_scores)
    np.testing.assert_array_equal(out[:, -1], scores.total)


def test_scorer_puts_dataframe_columns_in_item_order_and_keeps_the_index(twente, cohort):
    X, _ = cohort
    shuffled = X[list(reversed(X.columns))]
    scorer = InstrumentScorer(twente, output="domains+total").set_output(transform="pandas")

    out = scorer.fit(shuffled).transform(
        X.iloc[:50][list(np.random.default_rng(1).permutation(X.columns))]
    )

    assert list(scorer.feature_names_in_) == list(twente.item_ids)
    assert list(out.columns) == [f"domain.{d}" for d in twente.domain_ids] + ["total"]
    assert out.index.equals(X.index[:50])
    np.testing.assert_array_equal(
        out.to_numpy(), InstrumentScorer(output="domains+total").fit_transform(X.to_numpy())[:50]
    )


def test_fitted_scorer_survives_pickle(twente, cohort):
    X, _ = cohort
    scorer = InstrumentScorer(twente).fit(X)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(scorer)).transform(X), scorer.transform(X)
    )


def test_auto_scorer_is_the_mean_of_min_max_scaled_columns():
    X = np.array([[0.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
    out = (
        InstrumentScorer("auto", output="domains+total")
        .fit(X)
        .transform([[1.0, np.nan], [8.0, 30.0]])
    )
    np.testing.assert_allclose(
        out, [[25.0, 25.0], [150.0, 150.0]]
    )  # prorated; extrapolated beyond the range


# --- CalibratedInstrumentClassifier ---------------------------------------------------------


def test_nonnegative_weights_are_nonnegative_and_satisfy_the_optimality_conditions(cohort):
    X, y = cohort
    model = CalibratedInstrumentClassifier(adverse_class=0, C=0.05).fit(X, y)
    coef = model.coef_[0]
    assert (coef >= 0).all() and (coef > 0).any()
    # KKT: zero gradient where a weight is free, a gradient >= 0 where it sits on the bound.
    Z, adverse = model.weights_.toward_risk(X.to_numpy()), (y == 0).astype(float)
    residual = (1 / (1 + np.exp(-(Z @ coef + model.intercept_[0]))) - adverse) / len(y)
    gradient = Z.T @ residual + coef / (model.C * len(y))
    assert np.abs(gradient[coef > 0]).max() < 1e-6
    assert gradient[coef == 0].min() > -1e-6


def test_unconstrained_fit_equals_logistic_regression_on_the_risk_values(cohort):
    X, y = cohort
    model = CalibratedInstrumentClassifier(nonnegative=False, C=0.5).fit(X, y)
    Z = model.weights_.toward_risk(X.to_numpy())
    reference = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000).fit(Z, y)

    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-5)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(Z), atol=1e-6)


def test_adverse_class_orients_the_model(cohort):
    X, y = cohort
    on_breakdown = CalibratedInstrumentClassifier().fit(X, 1 - y)
    on_continued = CalibratedInstrumentClassifier(adverse_class=0).fit(X, y)

    assert on_continued.adverse_class_ == 0 and on_breakdown.adverse_class_ == 1
    np.testing.assert_allclose(on_continued.coef_, on_breakdown.coef_, atol=1e-7)
    np.testing.assert_allclose(
        on_continued.decision_function(X), -on_breakdown.decision_function(X), atol=1e-6
    )
    np.testing.assert_array_equal(on_continued.predict(X), 1 - on_breakdown.predict(X))


def test_item_weights_written_into_a_criteria_file_reproduce_the_fitted_log_odds(twente, cohort):
    X, y = cohort
    model = CalibratedInstrumentClassifier(adverse_class=0).fit(X, y)
    data = yaml.safe_load(TWENTE.read_text(encoding="utf-8"))
    for item in data["items"]:
        item["weight"] = float(model.item_weights_[item["id"]])
    for domain in data["domains"]:
        domain["weight"] = float(model.domain_weights_[domain["id"]])
    calibrated = parse_instrument(
        yaml.safe_dump(data, allow_unicode=True), source="calibrated.yaml"
    )

    total = InstrumentScorer(calibrated, output="domains+total").fit_transform(X)[:, -1]

    adverse_log_odds = -model.decision_function(X)
    np.testing.assert_allclose(
        total, 100 * (adverse_log_odds - model.intercept_[0]) / model.coef_.sum(), atol=1e-6
    )
    assert model.item_weights_.mean() == pytest.approx(1.0)
    assert list(model.item_weights_.index) == list(twente.item_ids)


def test_domain_level_fits_one_weight_per_domain_on_prorated_domain_scores(twente, cohort):
    X, y = cohort
    X = X.copy()
    X.iloc[::7, 0] = np.nan  # one of emotion regulation's items: prorated
    X.iloc[::11, 24] = np.nan  # one of the protective factors
    model = CalibratedInstrumentClassifier(level="domains", adverse_class=0).fit(X, y)

    scores = InstrumentScorer(twente).fit_transform(X)
    risk = np.where([d.kind == "risk" for d in twente.domains], scores, 100 - scores) / 100
    assert model.coef_.shape == (1, len(twente.domain_ids)) and (model.coef_ >= 0).all()
    np.testing.assert_allclose(
        -model.decision_function(X), risk @ model.coef_[0] + model.intercept_[0]
    )
    assert model.item_weights_.to_dict() == {item.id: item.weight for item in twente.items}
    assert list(model.domain_weights_.index) == list(twente.domain_ids)


def test_warm_start_reaches_the_same_solution():
    rng = np.random.default_rng(0)
    Z = rng.random((200, 6))
    y = (rng.random(200) < 1 / (1 + np.exp(-(Z @ [2, 1, 0, 0, -1, 1] - 1.5)))).astype(float)
    cold = solve_logistic(Z, y, 1.0, True)
    warm = solve_logistic(Z, y, 1.0, True, start=(np.full(6, -1.0), 3.0))
    np.testing.assert_allclose(warm[0], cold[0], atol=1e-6)
    assert warm[1] == pytest.approx(cold[1], abs=1e-6)


# --- pipelines, cross-validation, grid search ------------------------------------------------


def test_imputer_and_classifier_in_a_cross_validated_pipeline(twente):
    X, y = cohort_ratings(twente, missing_rate=0.05, seed=1)
    assert X.isna().any().any()
    pipeline = make_pipeline(
        SimpleImputer(strategy="median"), CalibratedInstrumentClassifier(adverse_class=0)
    )
    auc = cross_val_score(pipeline, X, y, cv=5, scoring="roc_auc")
    assert auc.mean() > 0.7


def test_scorer_feeds_a_logistic_regression(cohort):
    X, y = cohort
    auc = cross_val_score(
        make_pipeline(InstrumentScorer(output="domains+total"), LogisticRegression()),
        X,
        y,
        cv=5,
        scoring="roc_auc",
    )
    assert auc.mean() > 0.7


def test_grid_search_over_C(twente, cohort):
    X, y = cohort
    search = GridSearchCV(
        CalibratedInstrumentClassifier(twente, adverse_class=0),
        {"C": [0.001, 0.1, 10.0]},
        cv=3,
        scoring="neg_log_loss",
    ).fit(X, y)
    assert search.best_params_["C"] in (0.1, 10.0)  # 0.001 shrinks every weight to about nothing
    assert list(search.best_estimator_.item_weights_.index) == list(twente.item_ids)


# --- messages ----------------------------------------------------------------------------------


def off_scale(value, row=5, column=2):
    X = np.full((8, 25), 2.0)
    X[row, column] = value
    return X


@pytest.mark.parametrize(
    "X, message",
    [
        (
            off_scale(7),
            "X: 1 problem:\n  - row 5, column 'er_recovery': must be from 0 to 4 or NaN when not known; "
            "got 7.",
        ),
        (
            off_scale(-0.5, row=0, column=0),
            "X: 1 problem:\n  - row 0, column 'er_intensity': must be from 0 to 4 or "
            "NaN when not known; got -0.5.",
        ),
        (
            np.where(np.arange(25) == 24, 4.5, np.full((3, 25), 2.0)),
            "X: 1 problem:\n  - row 0, column 'pf_mandate': must be from 0 to 4 or NaN when not known; got 4.5 "
            "(and 2 more rows).",
        ),
        (
            np.full((2, 3), 1.0),
            "X has 3 columns, but instrument twente-specialistisch-wonen 0.1.0 has 25 items; give "
            "one column per item in the order of instrument.item_ids, or a DataFrame with the item ids "
            "as column names.",
        ),
    ],
)
def test_bad_ratings_are_refused_with_row_column_and_value(twente, X, message):
    assert twente.item_ids[2] == "er_recovery" and twente.item_ids[24] == "pf_mandate"
    with pytest.raises(RatingsError) as caught:
        InstrumentScorer(twente).fit(X)
    assert str(caught.value) == message


def test_fractions_within_the_scale_are_ratings(twente):
    out = InstrumentScorer(twente, output="domains+total").fit_transform(np.full((1, 25), 2.5))
    np.testing.assert_allclose(out, [[62.5, 62.5, 62.5, 62.5, 62.5, 0.8 * 62.5 + 0.2 * 37.5]])


def test_off_scale_values_are_refused_after_fit_too(twente, cohort):
    X, _ = cohort
    scorer = InstrumentScorer(twente).fit(X.to_numpy())
    with pytest.raises(
        RatingsError, match=r"row 5, column 'er_recovery': must be from 0 to 4 .*got 7\.$"
    ):
        scorer.transform(off_scale(7))


def test_dataframe_columns_are_matched_by_name(twente, cohort):
    X, _ = cohort
    frame = X.rename(columns={"er_recovery": "er_recovry"}).drop(columns="pf_mandate")
    with pytest.raises(RatingsError) as caught:
        InstrumentScorer(twente).fit(frame)
    assert str(caught.value) == (
        "X: 3 problems:\n"
        "  - column 'er_recovry' is not an item of twente-specialistisch-wonen 0.1.0; did you mean 'er_recovery'?\n"
        "  - column 'er_recovery' is missing (an item nobody rated still needs its column, NaN).\n"
        "  - column 'pf_mandate' is missing (an item nobody rated still needs its column, NaN)."
    )


@pytest.mark.parametrize(
    "estimator, messages",
    [
        (
            InstrumentScorer(output="total"),
            [
                f"The 'output' parameter of InstrumentScorer must be a str among {{{options}}}. Got 'total' instead."
                for options in ("'domains', 'domains+total'", "'domains+total', 'domains'")
            ],
        ),
        (
            CalibratedInstrumentClassifier(C=0),
            [
                "The 'C' parameter of CalibratedInstrumentClassifier must be a float in the range (0.0, inf). "
                "Got 0 instead."
            ],
        ),
        (
            CalibratedInstrumentClassifier(nonnegative="yes"),
            [
                "The 'nonnegative' parameter of CalibratedInstrumentClassifier must be an instance of 'bool' or an "
                "instance of 'numpy.bool'. Got 'yes' instead."
            ],
        ),
        (
            CalibratedInstrumentClassifier(adverse_class=2),
            [
                "The 'adverse_class' parameter of CalibratedInstrumentClassifier must be one of the classes in y [0, 1]. "
                "Got 2 instead."
            ],
        ),
    ],
)
def test_bad_parameters_follow_the_sklearn_template(cohort, estimator, messages):
    X, y = cohort
    with pytest.raises(ValueError) as caught:
        estimator.fit(X.iloc[:20], y[:20])
    assert str(caught.value) in messages


@pytest.mark.parametrize(
    "y, message",
    [
        (
            np.arange(20) % 3,
            "Only binary classification is supported. The type of the target is multiclass.",
        ),
        (
            np.ones(20, dtype=int),
            "CalibratedInstrumentClassifier needs two classes in y (with a positive "
            "sample_weight); got 1 class: 1.",
        ),
    ],
)
def test_the_outcome_must_be_binary(cohort, y, message):
    X, _ = cohort
    with pytest.raises(ValueError) as caught:
        CalibratedInstrumentClassifier().fit(X.iloc[:20], y)
    assert str(caught.value) == message


def test_missing_ratings_need_an_imputer_at_item_level_and_an_assessable_domain_at_domain_level(
    twente, cohort
):
    X, y = cohort
    X = X.iloc[:20].copy()
    X.iloc[2, :2] = np.nan  # two of emotion regulation's items; it allows one
    with pytest.raises(ValueError, match="Input X contains NaN"):
        CalibratedInstrumentClassifier().fit(X, y[:20])
    with pytest.raises(RatingsError) as caught:
        CalibratedInstrumentClassifier(level="domains").fit(X, y[:20])
    assert str(caught.value) == (
        "X: 1 problem:\n  - row 2, domain 'emotion_regulation': not assessable "
        "(2 of its items missing, at most 1 may be)."
    )


def test_an_unknown_criteria_file_is_a_criteria_error(tmp_path):
    with pytest.raises(CriteriaError, match="no such criteria file"):
        InstrumentScorer(tmp_path / "missing.yaml").fit(np.zeros((1, 25)))


def test_a_long_list_of_problems_is_cut_but_counted(cohort):
    X, y = cohort
    X = X.iloc[:40].copy()
    X.iloc[:25, 5:7] = np.nan  # two of coping's items in 25 rows
    with pytest.raises(RatingsError) as caught:
        CalibratedInstrumentClassifier(level="domains").fit(X, y[:40])
    lines = str(caught.value).splitlines()
    assert lines[0] == "X: 25 problems:" and len(caught.value.problems) == 25
    assert lines[1:] == [
        f"  - row {i}, domain 'coping': not assessable (2 of its items missing, at most 1 may be)."
        for i in range(20)
    ] + ["  - ... and 5 more"]
