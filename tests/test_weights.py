"""Weights: AHP against published examples, fitted weights against scikit-learn and a synthetic cohort."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

import weegtool
from weegtool.engine import score_ratings
from weegtool.errors import WeegtoolError
from weegtool.research import synthetic_cohort
from weegtool.research._bootstrap import ResearchError
from weegtool.research.weights import (
    ComparisonMatrixError,
    FittedWeights,
    InconsistentJudgementsWarning,
    _fallback_fit,
    _loss_and_gradient,
    _Metric,
    _refit,
    ahp_weights,
    combine_judgements,
    fit_weights,
    instrument_weights,
    risk_features,
)

from .factories import ratings_frame

SAATY_SCALE = [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]


def reciprocal(upper: dict[tuple[int, int], float], n: int) -> np.ndarray:
    a = np.ones((n, n))
    for (i, j), value in upper.items():
        a[i, j], a[j, i] = value, 1 / value
    return a


def consistent(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w[:, None] / w[None, :]


# --- AHP: published examples ------------------------------------------------------------------


def test_saaty_2008_drink_consumption():
    # Saaty, 'Decision making with the analytic hierarchy process', Int. J. Services Sciences 1(1),
    # 2008, pp. 83-98, the table "Which drink is consumed more in the US?": the derived scale and its
    # consistency ratio (also reproduced in AHPy's tests: PhilipGriffith/AHPy).
    drinks = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
    matrix = [
        [1, 9, 5, 2, 1, 1, 1 / 2],
        [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
        [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
        [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [1, 9, 4, 2, 1, 2, 1 / 2],
        [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [2, 9, 9, 3, 2, 3, 1],
    ]
    result = ahp_weights(matrix, labels=drinks)
    assert result.weights.round(3).to_dict() == {
        "coffee": 0.177,
        "wine": 0.019,
        "tea": 0.042,
        "beer": 0.116,
        "sodas": 0.190,
        "milk": 0.129,
        "water": 0.327,
    }
    assert round(result.cr, 3) == 0.022
    assert result.ri == 1.32 and result.consistent


def test_wikipedia_leader_example_criteria():
    # https://en.wikipedia.org/wiki/Analytic_hierarchy_process_–_leader_example: experience, education,
    # charisma, age weighted .547, .127, .270, .056. The page works with rounded intermediate
    # numbers, so its third decimal may differ by one from the exact eigenvector.
    matrix = reciprocal({(0, 1): 4, (0, 2): 3, (0, 3): 7, (1, 2): 1 / 3, (1, 3): 3, (2, 3): 5}, 4)
    result = ahp_weights(matrix, labels=["experience", "education", "charisma", "age"])
    assert result.weights.to_numpy() == pytest.approx([0.547, 0.127, 0.270, 0.056], abs=0.0011)
    assert result.consistent


def test_consistent_matrix_gives_its_weights_exactly():
    result = ahp_weights(consistent([0.5, 0.3, 0.2]), labels=["a", "b", "c"])
    assert result.weights.to_numpy() == pytest.approx([0.5, 0.3, 0.2], abs=1e-12)
    assert result.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert result.ci == pytest.approx(0.0, abs=1e-12) and result.cr == pytest.approx(0.0, abs=1e-12)
    assert result.ri == 0.58 and result.consistent


def test_two_criteria_are_always_consistent():
    result = ahp_weights([[1, 3], [1 / 3, 1]])
    assert result.weights.to_dict() == pytest.approx({"c0": 0.75, "c1": 0.25})
    assert (result.ri, result.cr, result.consistent) == (0.0, 0.0, True)


def test_dataframe_labels_are_used():
    frame = pd.DataFrame(consistent([2, 1]), index=["risk", "support"], columns=["risk", "support"])
    assert list(ahp_weights(frame).weights.index) == ["risk", "support"]


def test_inconsistent_judgements_warn_and_name_the_worst_one():
    matrix = consistent([8, 4, 2, 1])
    matrix[0, 3], matrix[3, 0] = 1 / 8, 8  # one judgement turned around
    with pytest.warns(InconsistentJudgementsWarning) as caught:
        result = ahp_weights(matrix, labels=["a", "b", "c", "d"])
    assert str(caught[0].message) == (
        "The judgements are inconsistent: consistency ratio 1.013 > 0.10 (Saaty's limit). The judgement furthest "
        "from the weights is [a, d] = 1/8, where the weights imply 0.66; revisit it with the committee."
    )
    assert not result.consistent and result.cr == pytest.approx(1.0128, abs=1e-4)


def test_rounded_reciprocals_are_accepted_within_the_tolerance():
    typed = [[1, 3, 5], [0.33, 1, 2], [0.2, 0.5, 1]]
    exact = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]
    assert ahp_weights(typed).weights.to_numpy() == pytest.approx(
        ahp_weights(exact).weights.to_numpy(), abs=2e-3
    )
    result = ahp_weights(typed)
    assert np.allclose(result.matrix.to_numpy() * result.matrix.to_numpy().T, 1.0)


@pytest.mark.parametrize(
    "matrix, labels, message",
    [
        (
            [[1, 2, 3], [0.5, 1, 4]],
            None,
            "comparison matrix: 1 problem:\n  - the matrix must be square (n x n); got shape (2, 3).",
        ),
        (
            [[1, 2, 3], [0.5, 2, -1], [0.2, 4, 1]],
            ["a", "b", "c"],
            "comparison matrix: 3 problems:\n"
            "  - entry [b, c] must be a positive number; got -1.\n"
            "  - entry [b, b] on the diagonal must be 1 (a criterion compared with itself); got 2.\n"
            "  - entries [a, c] and [c, a] must be reciprocal (a_ji = 1/a_ij); got 3 and 0.2, where 1/3 = 0.333.",
        ),
        (
            [[1, 2], [0.5, 1]],
            ["a"],
            "comparison matrix: 1 problem:\n  - labels must name each of the 2 criteria; got 1 labels.",
        ),
        (
            [[1, 2], [0.5, 1]],
            ["a", "a"],
            "comparison matrix: 1 problem:\n  - labels must be unique; got ['a'] more than once.",
        ),
        (
            np.ones((16, 16)),
            None,
            "comparison matrix: 1 problem:\n  - Saaty's random index is tabulated for at most 15 criteria; got 16. "
            "Group the criteria into a hierarchy of smaller matrices.",
        ),
        (
            [["1", "x"], ["y", "1"]],
            None,
            "comparison matrix: 1 problem:\n  - the matrix must hold numbers only.",
        ),
    ],
)
def test_bad_matrices_are_refused_with_every_problem(matrix, labels, message):
    with pytest.raises(ComparisonMatrixError) as caught:
        ahp_weights(matrix, labels=labels)
    assert str(caught.value) == message
    assert isinstance(caught.value, WeegtoolError) and isinstance(caught.value, ValueError)


def test_combined_experts_keep_reciprocity_and_average_consistent_weights_geometrically():
    # Aczél & Saaty (1983): the geometric mean of reciprocal matrices is reciprocal; for consistent
    # matrices w1_i/w1_j and w2_i/w2_j it is consistent with the weights sqrt(w1 * w2), normalised.
    w1, w2 = np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.5, 0.3])
    result = combine_judgements([consistent(w1), consistent(w2)], labels=["a", "b", "c"])
    expected = np.sqrt(w1 * w2) / np.sqrt(w1 * w2).sum()
    assert result.weights.to_numpy() == pytest.approx(expected, abs=1e-12)
    assert result.cr == pytest.approx(0.0, abs=1e-12)
    m = result.matrix.to_numpy()
    assert np.allclose(m * m.T, 1.0)


def test_combining_matrices_of_different_experts_reports_every_problem():
    with pytest.raises(ComparisonMatrixError) as caught:
        combine_judgements([consistent([1, 2]), consistent([1, 2, 3]), [[1, -2], [-0.5, 1]]])
    assert str(caught.value) == (
        "comparison matrices: 3 problems:\n"
        "  - matrices[2]: entry [c0, c1] must be a positive number; got -2.\n"
        "  - matrices[2]: entry [c1, c0] must be a positive number; got -0.5.\n"
        "  - every matrix must have the same shape; got (2, 2), (3, 3)."
    )


def test_combining_refuses_matrices_over_other_criteria():
    first = pd.DataFrame(consistent([1, 2]), index=["a", "b"], columns=["a", "b"])
    second = pd.DataFrame(consistent([1, 2]), index=["a", "c"], columns=["a", "c"])
    with pytest.raises(
        ComparisonMatrixError, match=r"same criteria in the same order; got \['a', 'b'\] and"
    ):
        combine_judgements([first, second])


@st.composite
def judgement_matrices(draw):
    n = draw(st.integers(2, 8))
    upper = {(i, j): draw(st.sampled_from(SAATY_SCALE)) for i in range(n) for j in range(i + 1, n)}
    return reciprocal(upper, n), draw(st.permutations(range(n)))


@settings(max_examples=40)
@given(judgement_matrices())
def test_ahp_weights_sum_to_one_and_follow_a_relabelling(case):
    matrix, order = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgementsWarning)
        result = ahp_weights(matrix)
        permuted = ahp_weights(matrix[np.ix_(order, order)])
    assert result.weights.sum() == pytest.approx(1.0)
    assert (result.weights > 0).all()
    assert permuted.weights.to_numpy() == pytest.approx(
        result.weights.to_numpy()[order], rel=1e-9, abs=1e-12
    )
    assert (
        result.lambda_max >= len(matrix) - 1e-9
    )  # Saaty: lambda_max >= n for positive reciprocal matrices


# --- fitted weights ---------------------------------------------------------------------------


def logistic_data(coef, n=400, seed=0, intercept=-1.0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, len(coef)))
    y = (rng.random(n) < 1 / (1 + np.exp(-(intercept + x @ np.asarray(coef))))).astype(int)
    return pd.DataFrame(x, columns=[f"f{k}" for k in range(len(coef))]), y


def tight_fit(x, y, counts, nonnegative, C=1.0):
    """An independent solution of the same objective: L-BFGS-B with very tight tolerances."""
    x1 = np.column_stack([x, np.ones(len(x))])
    bounds = [(0, None)] * x.shape[1] + [(None, None)] if nonnegative else None
    result = minimize(
        _loss_and_gradient,
        np.zeros(x1.shape[1]),
        args=(x1, y.astype(float), counts, C),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 100_000, "ftol": 1e-16, "gtol": 1e-12, "maxcor": 30},
    )
    return result.x


def test_nonnegative_fit_is_scikit_learns_fit_when_no_bound_binds():
    # Same objective as LogisticRegression(C): C * sum(log-loss) + ||w||^2 / 2, intercept not penalised.
    x, y = logistic_data([2.0, 1.0, 3.0])
    for C in (0.05, 1.0):
        fitted = fit_weights(x, y, C=C, n_bootstrap=0)
        reference = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(
            x, y
        )
        assert fitted.coef.to_numpy() == pytest.approx(reference.coef_[0], abs=1e-6)
        assert fitted.intercept == pytest.approx(reference.intercept_[0], abs=1e-6)


def test_nonnegative_fit_holds_a_harmful_weight_at_zero_and_is_optimal():
    x, y = logistic_data([2.0, -3.0, 1.0], n=600, seed=3)
    free = fit_weights(x, y, nonnegative=False, n_bootstrap=0)
    bounded = fit_weights(x, y, n_bootstrap=0)
    assert free.coef["f1"] < 0 and bounded.coef["f1"] == 0.0
    theta = np.r_[bounded.coef.to_numpy(), bounded.intercept]
    assert theta == pytest.approx(tight_fit(x.to_numpy(), y, np.ones(len(y)), True), abs=1e-5)


@pytest.mark.parametrize("nonnegative", [True, False])
def test_bootstrap_refits_reach_each_resamples_own_optimum(nonnegative):
    x, y = logistic_data([1.5, -0.5, 0.0, 2.0], n=200, seed=7)
    fitted = fit_weights(x, y, nonnegative=nonnegative, n_bootstrap=0)
    theta = np.r_[fitted.coef.to_numpy(), fitted.intercept]
    x1 = np.column_stack([x.to_numpy(), np.ones(len(y))])
    counts = (
        np.random.default_rng(1)
        .multinomial(len(y), np.full(len(y), 1 / len(y)), size=2)
        .T.astype(float)
    )
    with threadpool_limits(1, user_api="blas"):
        fast = _refit(
            x1,
            y.astype(float),
            counts,
            theta,
            _Metric.at(theta, x1, np.ones(len(y)), 1.0),
            1.0,
            nonnegative,
        )
    for b in range(counts.shape[1]):
        assert fast[b] == pytest.approx(
            tight_fit(x.to_numpy(), y, counts[:, b], nonnegative), abs=1e-5
        )


def test_a_resample_that_does_not_converge_falls_back_to_lbfgsb():
    x, y = logistic_data([1.0, 2.0], n=200, seed=2)
    x1 = np.column_stack([x.to_numpy(), np.ones(len(y))])
    counts = np.ones((len(y), 1))
    theta = np.zeros(3)
    with threadpool_limits(1, user_api="blas"):
        result = _refit(
            x1,
            y.astype(float),
            counts,
            theta,
            _Metric.at(theta, x1, counts[:, 0], 1.0),
            1.0,
            True,
            max_steps=1,
        )
        direct = _fallback_fit(x1, y.astype(float), counts[:, 0], 1.0, True, theta)
    assert result[0] == pytest.approx(direct, abs=1e-9)


def test_bootstrap_is_seeded_and_reported_per_feature():
    x, y = logistic_data([1.0, 0.0, 2.0], n=300, seed=4)
    first = fit_weights(x, y, n_bootstrap=40, random_state=11)
    again = fit_weights(x, y, n_bootstrap=40, random_state=11)
    other = fit_weights(x, y, n_bootstrap=40, random_state=12)
    pd.testing.assert_frame_equal(first.bootstrap, again.bootstrap)
    assert not first.bootstrap.equals(other.bootstrap)
    frame = first.to_frame()
    assert list(frame.index) == ["f0", "f1", "f2", "intercept"]
    assert list(frame.columns) == ["coef", "low", "high", "zero_share"]
    assert (frame["low"] <= frame["high"]).all() and frame["zero_share"].between(0, 1).all()
    assert frame.loc["f1", "zero_share"] > frame.loc["f2", "zero_share"]
    assert first.n_bootstrap == 40 and first.n == 300 and first.n_events == int(y.sum())


def test_no_bootstrap_gives_no_interval():
    x, y = logistic_data([1.0], n=50)
    frame = fit_weights(x, y, n_bootstrap=0).to_frame()
    assert frame[["low", "high", "zero_share"]].isna().all().all()


@settings(max_examples=20)
@given(st.integers(0, 10_000), st.integers(8, 60), st.integers(1, 4))
def test_nonnegative_weights_are_never_negative(seed, n, k):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, k))
    y = np.r_[0, 1, rng.integers(0, 2, n - 2)]
    fitted = fit_weights(x, y, n_bootstrap=5, random_state=seed)
    assert (fitted.coef >= 0).all()
    assert (fitted.bootstrap.drop(columns="intercept").to_numpy() >= 0).all()


@pytest.mark.parametrize(
    "X, y, kwargs, problems",
    [
        (
            [[0.1, np.nan], [0.2, 0.3], [np.nan, 0.1]],
            [0, 1, 0],
            {},
            [
                "X has missing values in 2 of 3 rows; leave those candidates out (e.g. the ones not assessable) "
                "or impute the values first."
            ],
        ),
        ([[0.1], [0.2], [0.3]], [0, 1, 2], {}, ["y must be binary (0/1 or False/True); got 2."]),
        (
            [[0.1], [0.2], [0.3]],
            [1, 1, 1],
            {},
            ["y must hold both classes (0 and 1); got only 1 in all 3 candidates."],
        ),
        (
            [[0.1], [0.2], [0.3]],
            [0, 1],
            {},
            ["X and y must have the same number of rows; got 3 and 2."],
        ),
        (
            [0.1, 0.2],
            [0, 1],
            {},
            [
                "X must be a 2-D table (one row per candidate, one column per feature); "
                "got 1 dimension."
            ],
        ),
        (
            [[0.1], [0.2]],
            [0, 1],
            {"C": 0, "n_bootstrap": -1, "nonnegative": "yes"},
            [
                "The 'nonnegative' parameter of fit_weights must be a bool. Got 'yes' instead.",
                "The 'C' parameter of fit_weights must be a float > 0. Got 0 instead.",
                "The 'n_bootstrap' parameter of fit_weights must be an int >= 0. Got -1 instead.",
            ],
        ),
    ],
)
def test_bad_fit_input_is_refused_with_every_problem(X, y, kwargs, problems):
    with pytest.raises(ResearchError) as caught:
        fit_weights(X, y, **kwargs)
    assert caught.value.problems == tuple(problems)
    assert str(caught.value).startswith(f"fit_weights: {len(problems)} problem")


def test_feature_names_must_be_unique_and_leave_room_for_the_intercept():
    frame = pd.DataFrame([[0.1, 0.2, 0.3], [0.2, 0.1, 0.0]], columns=["a", "a", "intercept"])
    with pytest.raises(ResearchError) as caught:
        fit_weights(frame, [0, 1])
    assert caught.value.problems == (
        "X must name each feature once, and none 'intercept' (fitted separately); "
        "got 'a', 'intercept'.",
    )


def test_text_features_are_refused():
    with pytest.raises(ResearchError) as caught:
        fit_weights(pd.DataFrame({"a": [0.1, 0.2], "b": ["x", "y"]}), [0, 1])
    assert caught.value.problems == ("X must hold numbers only; column 'b' does not.",)


# --- the synthetic cohort ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort_features():
    instrument = weegtool.load_instrument()
    cohort = synthetic_cohort(instrument, n_candidates=2500, seed=3, outcomes="all")
    scores = weegtool.score(instrument, cohort.ratings, cohort.candidates)
    features = risk_features(scores)
    rated = features.notna().all(axis=1).to_numpy()
    breakdown = (
        1 - cohort.truth["outcome"].to_numpy()
    )  # synthetic outcome is 1 when the placement continued
    return instrument, scores, features[rated], breakdown[rated]


def test_fitted_weights_find_that_missing_protection_predicts_breakdown(cohort_features):
    # In the synthetic cohort the placement continues less often at high severity and more often
    # with protective factors. Oriented toward risk (weak protection = high), protective items must
    # then raise the odds of breakdown: a sign the unconstrained fit has to find, not one imposed.
    instrument, _, features, breakdown = cohort_features
    fitted = fit_weights(features, breakdown, nonnegative=False, n_bootstrap=200, random_state=0)
    protective = [item.id for item in instrument.items if item.direction == "protective"]
    assert (fitted.coef[protective] > 0).all()
    assert np.percentile(fitted.bootstrap[protective].sum(axis=1), 2.5) > 0
    others = [i for i in instrument.item_ids if i not in protective]
    assert (
        fitted.coef[protective].mean() > fitted.coef[others].mean()
    )  # they also carry their own effect


def test_fitted_weights_become_instrument_weights_that_rank_as_the_fit(
    cohort_features, make_instrument
):
    instrument, scores, features, breakdown = cohort_features
    fitted = fit_weights(features, breakdown, n_bootstrap=0)
    proposed = instrument_weights(fitted, instrument, decimals=6)
    assert max(proposed.items.values()) == 10.0 and min(proposed.items.values()) >= 0
    data = instrument.spec.model_dump(mode="json", by_alias=True)
    for item in data["items"]:
        item["weight"] = proposed.items[item["id"]]
    for domain in data["domains"]:
        domain["weight"] = proposed.domains[domain["id"]]
    calibrated = make_instrument(data)  # validated like any criteria file
    rescored = score_ratings(calibrated, scores.ratings)
    rated = features.index
    total = pd.Series(rescored.total, index=rescored.candidate_ids)[rated]
    weights = np.array([proposed.items[i] for i in instrument.item_ids])
    assert total.to_numpy() == pytest.approx(
        100 * features.to_numpy() @ weights / weights.sum(), abs=1e-6
    )
    linear = features.to_numpy() @ fitted.coef.to_numpy()
    assert np.corrcoef(total.to_numpy(), linear)[0, 1] == pytest.approx(1.0, abs=1e-9)


def make_fitted(coef: dict[str, float]) -> FittedWeights:
    return FittedWeights(
        coef=pd.Series(coef, dtype=float),
        intercept=0.0,
        bootstrap=pd.DataFrame(),
        nonnegative=True,
        C=1.0,
        level=0.95,
        n=10,
        n_events=5,
    )


def test_instrument_weights_rescale_round_and_keep_a_zero_domain_showable(make_instrument):
    instrument = (
        make_instrument()
    )  # example: er_outbursts, er_recovery (emotion_regulation); pf_network
    proposed = instrument_weights(
        make_fitted({"er_outbursts": 0.8, "er_recovery": 0.28, "pf_network": 0.0}), instrument
    )
    assert proposed.items == {"er_outbursts": 10.0, "er_recovery": 3.5, "pf_network": 1.0}
    assert proposed.domains == {"emotion_regulation": 13.5, "protective_factors": 0.0}
    assert list(proposed.to_frame().index) == [
        ("item", "er_outbursts"),
        ("item", "er_recovery"),
        ("item", "pf_network"),
        ("domain", "emotion_regulation"),
        ("domain", "protective_factors"),
    ]


def test_instrument_weights_from_domain_features(make_instrument):
    instrument = make_instrument()
    proposed = instrument_weights(
        make_fitted({"emotion_regulation": 1.2, "protective_factors": 0.4}), instrument
    )
    assert proposed.domains == {"emotion_regulation": 10.0, "protective_factors": 3.3}
    assert proposed.items == {item.id: item.weight for item in instrument.items}


@pytest.mark.parametrize(
    "coef, message",
    [
        (
            {"er_outbursts": 0.5, "er_recovery": -0.2, "pf_network": 0.1},
            "Instrument weights must be >= 0; the fit gave negative coefficients for er_recovery. "
            "Refit with nonnegative=True.",
        ),
        (
            {"er_outbursts": 0.0, "er_recovery": 0.0, "pf_network": 0.0},
            "Every fitted coefficient is 0, so there is nothing to weight; check the outcome, "
            "or lower the penalty (a larger C).",
        ),
        (
            {"er_outbursts": 0.5, "x1": 0.2},
            "The fitted features must be the item ids or the domain ids of example-minimal (as risk_features gives "
            "them); got 2 features, unknown: x1.",
        ),
    ],
)
def test_instrument_weights_refuse_what_a_criteria_file_cannot_hold(make_instrument, coef, message):
    with pytest.raises(ResearchError) as caught:
        instrument_weights(make_fitted(coef), make_instrument())
    assert str(caught.value) == message


def test_risk_features_orient_every_rating_toward_risk(make_instrument):
    instrument = make_instrument()
    table = pd.DataFrame(
        [
            {
                "candidate_id": "C1",
                "rater_id": "R1",
                "er_outbursts": 2,
                "er_recovery": 1,
                "pf_network": 2,
            }
        ]
    )
    scores = weegtool.score(instrument, table)
    items = risk_features(scores)
    assert items.loc["C1"].to_dict() == {"er_outbursts": 1.0, "er_recovery": 0.5, "pf_network": 0.0}
    domains = risk_features(scores, level="domains")
    assert domains.loc["C1"].to_dict() == pytest.approx(
        {"emotion_regulation": 0.75, "protective_factors": 0.0}
    )
    with pytest.raises(ResearchError, match=r"must be 'items' or 'domains'\. Got 'both' instead\."):
        risk_features(scores, level="both")


def test_risk_features_leave_unrated_items_missing(make_instrument):
    instrument = make_instrument()
    scores = weegtool.score(
        instrument, ratings_frame(instrument, n_candidates=40, n_raters=1, seed=2, missing=0.3)
    )
    items = risk_features(scores)
    assert items.isna().to_numpy().tolist() == np.isnan(scores.ratings.values).tolist()
    assert ((items >= 0) & (items <= 1) | items.isna()).all().all()


def test_pairwise_matrix_from_one_answer_per_pair():
    from weegtool.research import pairwise_matrix

    m = pairwise_matrix({("a", "b"): 3, ("c", "a"): 1 / 2, ("b", "c"): 1 / 4})
    assert list(m.index) == ["a", "b", "c"]
    expected = np.array([[1, 3, 2], [1 / 3, 1, 1 / 4], [1 / 2, 4, 1]])
    np.testing.assert_allclose(m.to_numpy(), expected)
    assert ahp_weights(m).weights.index.tolist() == ["a", "b", "c"]


def test_pairwise_matrix_names_every_problem():
    from weegtool.research import pairwise_matrix

    with pytest.raises(ComparisonMatrixError) as caught:
        pairwise_matrix(
            {("a", "b"): 3, ("b", "a"): 2, ("a", "a"): 1, ("a", "x"): -1}, labels=["a", "b", "c"]
        )
    assert caught.value.problems == (
        "('b', 'a') is given twice (also as ('a', 'b')).",
        "('a', 'a') compares a criterion with itself.",
        "('a', 'x') names 'x', not one of ['a', 'b', 'c'].",
        "('a', 'c') has no judgement; every pair needs one.",
        "('b', 'c') has no judgement; every pair needs one.",
    )
