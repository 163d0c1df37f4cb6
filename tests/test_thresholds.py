"""Cut-offs on the total: hand-made examples, scikit-learn as oracle, and the bootstrap against a plain loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score, roc_curve

import weegtool
from weegtool.errors import WeegtoolError
from weegtool.research import synthetic_cohort
from weegtool.research._bootstrap import ResearchError, stratified_draws
from weegtool.research.thresholds import (
    _bootstrap,
    _ladder,
    _Youden,
    band_boundaries,
    boundary_roc,
    cost_cutoff,
    youden_cutoff,
)

# Ten candidates, totals 10..100, five events. "total >= c" for each c, highest first:
#   c    100  90  80  70  60  50  40  30  20  10
#   TP     1   2   2   3   4   4   4   4   5   5
#   FP     0   0   1   1   1   2   3   4   4   5
#   J     .2  .4  .2  .4  .6  .4  .2   0  .2   0     -> best c = 60: sensitivity .8, specificity .8
TOTAL = np.arange(10, 101, 10, dtype=float)
OUTCOME = np.array([0, 1, 0, 0, 0, 1, 1, 0, 1, 1])


def test_youden_on_a_hand_made_example():
    cut = youden_cutoff(TOTAL, OUTCOME, n_bootstrap=0)
    assert (cut.cutoff, cut.value, cut.sensitivity, cut.specificity) == pytest.approx(
        (60, 0.6, 0.8, 0.8)
    )
    assert (cut.method, cut.criterion, cut.n, cut.n_events) == ("youden", "J", 10, 5)
    assert np.isnan(cut.cutoff_ci).all()


def test_cost_cutoff_on_the_same_example():
    # cost_fn 10, cost_fp 1: 10 * FN + FP is 40 30 31 21 11 12 13 14 4 5 down the table: best c = 20.
    cut = cost_cutoff(TOTAL, OUTCOME, cost_fn=10, cost_fp=1, n_bootstrap=0)
    assert (cut.cutoff, cut.value, cut.sensitivity, cut.specificity) == pytest.approx(
        (20, 0.4, 1.0, 0.2)
    )
    assert (cut.method, cut.criterion, cut.cost_fn, cut.cost_fp) == (
        "cost",
        "expected_cost",
        10.0,
        1.0,
    )


def test_equal_costs_at_prevalence_one_half_give_youdens_cut():
    # Equal costs c and P == N: expected cost = c (FN + FP) / n = c/2 (1 - J), so the same cut-off.
    youden = youden_cutoff(TOTAL, OUTCOME, n_bootstrap=0)
    cost = cost_cutoff(TOTAL, OUTCOME, cost_fn=3, cost_fp=3, n_bootstrap=0)
    assert cost.cutoff == youden.cutoff
    assert cost.value == pytest.approx(3 / 2 * (1 - youden.value))


def test_equal_costs_at_another_prevalence_need_not_give_youdens_cut():
    # The claim needs P == N. Totals 10..80, events at 40 and 70 (P = 2, N = 6):
    #   c        80  70  60  50  40  30  20  10
    #   J      -.17 .33 .17   0  .5 .33 .17   0   -> Youden: 40
    #   FN+FP     3   2   3   4   3   4   5   6   -> equal costs: 70
    # J weighs a missed event as 3 needless flags (N / P); equal costs weigh them alike.
    total = np.arange(10, 81, 10, dtype=float)
    outcome = np.array([0, 0, 0, 1, 0, 0, 1, 0])
    youden = youden_cutoff(total, outcome, n_bootstrap=0)
    cost = cost_cutoff(total, outcome, cost_fn=1, cost_fp=1, n_bootstrap=0)
    assert (youden.cutoff, cost.cutoff) == (40.0, 70.0)
    assert cost_cutoff(total, outcome, cost_fn=6, cost_fp=2, n_bootstrap=0).cutoff == youden.cutoff


def test_ties_go_to_the_highest_cut():
    # J = .5 at both 50 and 30: the highest, which flags fewest candidates, is taken.
    cut = youden_cutoff([10, 20, 30, 40, 50, 60, 70, 80], [0, 0, 1, 0, 1, 1, 0, 1], n_bootstrap=0)
    assert (cut.cutoff, cut.value) == (50.0, 0.5)


@st.composite
def scored_outcomes(draw, balanced=False):
    n = draw(st.integers(2, 40))
    total = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))  # few values, so many ties
    if balanced:
        outcome = [0, 1] * (n // 2 + 1)
        outcome = draw(st.permutations(outcome[: 2 * (n // 2)]))
        total = total[: len(outcome)]
    else:
        outcome = [0, 1] + draw(st.lists(st.integers(0, 1), min_size=n - 2, max_size=n - 2))
    return np.array(total, dtype=float) * 5, np.array(outcome)


@settings(max_examples=40)
@given(scored_outcomes())
def test_youden_agrees_with_scikit_learns_roc_curve(case):
    total, outcome = case
    cut = youden_cutoff(total, outcome, n_bootstrap=0)
    fpr, tpr, thresholds = roc_curve(outcome, total, drop_intermediate=False)
    j = (tpr - fpr)[
        1:
    ]  # sklearn's first threshold is +inf: flag nobody, not a cut-off on the totals
    assert cut.value == pytest.approx(j.max())
    assert (tpr - fpr)[list(thresholds).index(cut.cutoff)] == pytest.approx(j.max())


@settings(max_examples=40)
@given(scored_outcomes(balanced=True))
def test_equal_costs_with_balanced_outcomes_give_youdens_cut(case):
    total, outcome = case
    youden = youden_cutoff(total, outcome, n_bootstrap=0)
    assert cost_cutoff(total, outcome, 1, 1, n_bootstrap=0).cutoff == youden.cutoff


@settings(max_examples=40)
@given(scored_outcomes())
def test_costs_in_the_ratio_n_to_p_give_youdens_cut(case):
    total, outcome = case
    p, n = int(outcome.sum()), int(len(outcome) - outcome.sum())
    youden = youden_cutoff(total, outcome, n_bootstrap=0)
    assert cost_cutoff(total, outcome, n, p, n_bootstrap=0).cutoff == youden.cutoff


@settings(max_examples=30)
@given(scored_outcomes(), st.floats(0.1, 10), st.floats(0.1, 10))
def test_cutoffs_and_their_intervals_lie_within_the_totals(case, cost_fn, cost_fp):
    total, outcome = case
    for cut in (
        youden_cutoff(total, outcome, n_bootstrap=30, random_state=1),
        cost_cutoff(total, outcome, cost_fn, cost_fp, n_bootstrap=30, random_state=1),
    ):
        assert total.min() <= cut.cutoff <= total.max()
        assert total.min() <= cut.cutoff_ci[0] <= cut.cutoff_ci[1] <= total.max()
        assert cut.cutoff in total


def test_vectorised_bootstrap_matches_a_plain_loop():
    rng = np.random.default_rng(5)
    total = np.round(rng.normal(50, 15, 120))
    outcome = (rng.random(120) < 1 / (1 + np.exp(-(total - 50) / 10))).astype(int)
    values, rungs = _ladder(total, outcome)
    cutoffs, scores = _bootstrap(values, rungs, _Youden(), 25, random_state=3)
    events, others = total[outcome == 1], total[outcome == 0]
    draws = stratified_draws(np.random.default_rng(3), (len(events), len(others)), 25)
    for b in range(25):
        t = np.r_[events[draws[0][b]], others[draws[1][b]]]
        o = np.r_[np.ones(len(events), int), np.zeros(len(others), int)]
        plain = youden_cutoff(t, o, n_bootstrap=0)
        assert (cutoffs[b], scores[b]) == pytest.approx((plain.cutoff, plain.value))


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(0)
    total = rng.normal(50, 15, 2000)
    outcome = (rng.random(2000) < 1 / (1 + np.exp(-(total - 55) / 5))).astype(int)
    first = youden_cutoff(total, outcome, n_bootstrap=200, random_state=4)
    assert first == youden_cutoff(total, outcome, n_bootstrap=200, random_state=4)
    assert (
        first.cutoff_ci != youden_cutoff(total, outcome, n_bootstrap=200, random_state=5).cutoff_ci
    )
    assert first.cutoff_ci[0] <= first.cutoff <= first.cutoff_ci[1]
    assert first.value_ci[0] <= first.value <= first.value_ci[1]
    assert 45 < first.cutoff < 65
    frame = first.to_frame()
    assert list(frame.index) == ["youden"]
    assert frame.loc["youden", ["cutoff", "cutoff_low", "cutoff_high"]].tolist() == [
        first.cutoff,
        *first.cutoff_ci,
    ]


# --- ROC at the band boundaries -------------------------------------------------------------------


def test_operating_points_at_given_boundaries_by_hand():
    result = boundary_roc(TOTAL, OUTCOME, boundaries={"low/high": 55, "top": 95})
    frame = result.to_frame()
    assert frame.loc["low/high", ["tp", "fp", "fn", "tn"]].tolist() == [4, 1, 1, 4]
    assert frame.loc[
        "low/high", ["sensitivity", "specificity", "ppv", "npv", "flagged"]
    ].tolist() == pytest.approx([0.8, 0.8, 0.8, 0.8, 0.5])
    assert frame.loc["low/high", "auc"] == pytest.approx(
        0.8
    )  # a yes/no rule: (sensitivity + specificity) / 2
    assert frame.loc["top", ["tp", "fp", "ppv", "npv"]].tolist() == pytest.approx(
        [1, 0, 1.0, 5 / 9]
    )
    assert result.auc == pytest.approx(roc_auc_score(OUTCOME, TOTAL))
    assert (result.n, result.n_events) == (10, 5)
    assert list(result.roc.columns) == ["fpr", "tpr", "threshold"]
    assert list(result.pr.columns) == ["precision", "recall", "threshold"]


def test_a_boundary_above_every_total_has_no_ppv():
    frame = boundary_roc(TOTAL, OUTCOME, boundaries=[150.0]).to_frame()
    assert frame.index.tolist() == ["150"] and np.isnan(frame.loc["150", "ppv"])
    assert frame.loc["150", "npv"] == 0.5


def test_default_boundaries_are_the_twente_bands(twente):
    assert band_boundaries() == {
        "lighter/target": 20.0,
        "target/elevated": 55.0,
        "elevated/heavier": 75.0,
    }
    assert band_boundaries(twente) == band_boundaries()
    result = boundary_roc(TOTAL, OUTCOME)
    assert result.to_frame()["value"].to_dict() == band_boundaries()


def test_synthetic_cohort_boundaries(twente):
    cohort = synthetic_cohort(twente, n_candidates=600, seed=2, outcomes="all")
    scores = weegtool.score(twente, cohort.ratings, cohort.candidates)
    breakdown = 1 - cohort.truth["outcome"].to_numpy()
    assessable = scores.assessable
    result = boundary_roc(scores.total[assessable], breakdown[assessable], twente)
    frame = result.to_frame()
    assert result.auc > 0.7  # severity drives both the total and the breakdown
    assert (
        frame["sensitivity"].is_monotonic_decreasing
        and frame["specificity"].is_monotonic_increasing
    )


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "total, outcome, problems",
    [
        ([10, 20, 30], [0, 1, 2], ["outcome must be binary (0/1 or False/True); got 2."]),
        (
            [10, 20, 30],
            ["yes", "no", "no"],
            ["outcome must be binary (0/1 or False/True); got 'no', 'yes'."],
        ),
        (
            [10, 20, 30],
            [1, 1, 1],
            ["outcome must hold both classes (0 and 1); got only 1 in all 3 candidates."],
        ),
        ([10, 20, 30], [0, 1], ["total and outcome must have the same length; got 3 and 2."]),
        (  # None once made an empty outcome that passed, and a NaN cut-off with RuntimeWarnings
            [10, 20, 30],
            None,
            ["outcome must be one-dimensional, a value per candidate; got NoneType."],
        ),
        (
            [10, np.nan, np.nan, 40],
            [0, 1, 0, 1],
            [
                "total has 2 missing values (NaN) of 4: candidates who are not assessable have no total. Leave them out "
                "first, e.g. total[scores.assessable] and outcome[scores.assessable]."
            ],
        ),
        (
            [10, 20, 30],
            pd.Series([0, None, 1], dtype="Int64"),
            [
                "outcome has 1 missing value of 3; record the outcome of every candidate or leave those candidates out; "
                "when only the placed have outcomes, say who was placed (placed=...)."
            ],
        ),
        (
            [10, np.nan],
            [1, 1, 1],
            [
                "outcome must hold both classes (0 and 1); got only 1 in all 3 candidates.",
                "total and outcome must have the same length; got 2 and 3.",
                "total has 1 missing value (NaN) of 2: candidates who are not assessable have no total. Leave them out "
                "first, e.g. total[scores.assessable] and outcome[scores.assessable].",
            ],
        ),
    ],
)
def test_bad_data_is_refused_with_every_problem(total, outcome, problems):
    with pytest.raises(ResearchError) as caught:
        youden_cutoff(total, outcome)
    assert caught.value.problems == tuple(problems)
    assert str(caught.value) == "\n".join(
        [
            f"youden_cutoff: {len(problems)} problem{'s' if len(problems) > 1 else ''}:",
            *(f"  - {p}" for p in problems),
        ]
    )
    assert isinstance(caught.value, WeegtoolError) and isinstance(caught.value, ValueError)


def test_bad_parameters_are_refused_in_scikit_learns_words():
    with pytest.raises(ResearchError) as caught:
        cost_cutoff(TOTAL, OUTCOME, cost_fn=0, cost_fp=-1, n_bootstrap=-5, level=1.5)
    assert caught.value.problems == (
        "The 'n_bootstrap' parameter of cost_cutoff must be an int >= 0. Got -5 instead.",
        "The 'level' parameter of cost_cutoff must be a float in (0, 1). Got 1.5 instead.",
        "The 'cost_fn' parameter of cost_cutoff must be a float > 0. Got 0 instead.",
        "The 'cost_fp' parameter of cost_cutoff must be a float > 0. Got -1 instead.",
    )


def test_boundaries_must_be_numbers():
    with pytest.raises(
        ResearchError, match=r"boundaries must be finite numbers; got a = 'x', b = inf\."
    ):
        boundary_roc(TOTAL, OUTCOME, boundaries={"a": "x", "b": float("inf")})
