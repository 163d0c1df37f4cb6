"""Selective labels: the placed-only warning, the refusals, and worst/best-case bounds by hand."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import weegtool
from weegtool.errors import ResearchError
from weegtool.research import (
    SelectiveLabelsWarning,
    boundary_roc,
    cost_cutoff,
    cutoff_loss,
    fit_weights,
    risk_features,
    selection_bounds,
    synthetic_cohort,
    youden_cutoff,
)

NAN = np.nan


@pytest.fixture(scope="module")
def pilot(twente):
    """A 1,500-candidate pilot: totals, outcomes for the placed only, and every outcome."""
    hidden = synthetic_cohort(twente, 1500, 3, seed=11)
    full = synthetic_cohort(twente, 1500, 3, seed=11, outcomes="all")
    scores = weegtool.score(twente, hidden.ratings, hidden.candidates)
    ok = scores.assessable
    truth = hidden.truth.set_index("candidate_id").reindex(scores.candidate_ids)
    everyone = full.truth.set_index("candidate_id").reindex(scores.candidate_ids)
    return (
        scores,
        scores.total[ok],
        truth["breakdown"].to_numpy()[ok],
        truth["placed"].to_numpy()[ok],
        everyone["breakdown"].to_numpy()[ok],
    )


def test_cutoffs_on_the_placed_warn_and_use_the_placed_only(pilot):
    _, total, breakdown, placed, _ = pilot
    message = re.escape(
        f"youden_cutoff: outcomes exist only for the {placed.sum()} of {len(placed)} candidates who were placed"
    )
    with pytest.warns(SelectiveLabelsWarning, match=message):
        on_placed = youden_cutoff(total, breakdown, n_bootstrap=0, placed=placed)
    assert on_placed.n == placed.sum()
    assert on_placed.cutoff == youden_cutoff(total[placed], breakdown[placed], n_bootstrap=0).cutoff
    with pytest.warns(SelectiveLabelsWarning, match="cost_cutoff"):
        cost_cutoff(total, breakdown, 2, 1, n_bootstrap=0, placed=placed)
    with pytest.warns(SelectiveLabelsWarning, match="boundary_roc"):
        assert boundary_roc(total, breakdown, placed=placed).n == placed.sum()


def test_no_warning_when_the_unplaced_have_outcomes_too(pilot, recwarn):
    _, total, _, placed, everyone = pilot
    youden_cutoff(total, everyone, n_bootstrap=0, placed=placed)
    assert not [w for w in recwarn if issubclass(w.category, SelectiveLabelsWarning)]


def test_selection_moves_the_cutoff_in_the_synthetic_pilot(pilot):
    _, total, breakdown, placed, everyone = pilot
    with pytest.warns(SelectiveLabelsWarning):
        on_placed = youden_cutoff(total, breakdown, n_bootstrap=0, placed=placed)
    on_all = youden_cutoff(total, everyone, n_bootstrap=0)
    assert on_placed.cutoff < on_all.cutoff  # the heavier candidates, mostly unplaced, are missing


def test_fit_weights_takes_who_was_placed(twente, pilot):
    scores, _, _, _, _ = pilot
    hidden = (
        synthetic_cohort(twente, 1500, 3, seed=11)
        .truth.set_index("candidate_id")
        .reindex(scores.candidate_ids)
    )
    X = risk_features(scores)
    ok = X.notna().all(axis=1).to_numpy()
    X = X[ok]
    breakdown, placed = hidden["breakdown"].to_numpy()[ok], hidden["placed"].to_numpy()[ok]
    with pytest.warns(SelectiveLabelsWarning, match="fit_weights: outcomes exist only for the"):
        fitted = fit_weights(X, breakdown, n_bootstrap=0, placed=placed)
    direct = fit_weights(X[placed], breakdown[placed], n_bootstrap=0)
    assert fitted.to_frame()["coef"].to_numpy() == pytest.approx(
        direct.to_frame()["coef"].to_numpy()
    )


def test_bounds_by_hand():
    total = [10, 20, 30, 40, 50, 60]
    outcome = [0, 0, 1, NAN, NAN, 1]
    placed = [True, True, True, False, False, True]
    table = selection_bounds(total, outcome, placed, 35).set_index("scenario")
    # flagged (>= 35): 40, 50 (unplaced), 60 (event). placed only: events 30, 60 -> sens 1/2; non-events 10, 20 -> spec 1
    assert table.loc["placed only", ["sensitivity", "specificity", "n"]].tolist() == [0.5, 1.0, 4]
    # worst: the flagged unplaced did not break down: events 30, 60 -> sens 1/2; non-events 10, 20, 40, 50 -> spec 2/4
    assert table.loc["worst case", ["sensitivity", "specificity", "youden_j"]].tolist() == [
        0.5,
        0.5,
        0.0,
    ]
    # best: they broke down: events 30, 40, 50, 60 -> sens 3/4; non-events 10, 20 -> spec 1
    assert table.loc["best case", ["sensitivity", "specificity", "youden_j"]].tolist() == [
        0.75,
        1.0,
        0.75,
    ]
    assert (
        table.loc["unplaced all break down", "n_events"] == 4
        and table.loc["unplaced none break down", "n_events"] == 2
    )
    assert (table.loc[table.index != "placed only", "n_imputed"] == 2).all()


@given(
    st.lists(
        st.tuples(st.integers(0, 100), st.sampled_from([0.0, 1.0]), st.booleans()),
        min_size=4,
        max_size=40,
    ),
    st.integers(0, 100),
)
def test_every_filling_in_lies_between_worst_and_best(rows, cutoff):
    total = np.array([r[0] for r in rows], float)
    truth = np.array([r[1] for r in rows])
    placed = np.array([r[2] for r in rows])
    outcome = np.where(placed, truth, NAN)
    table = selection_bounds(total, outcome, placed, cutoff).set_index("scenario")["youden_j"]
    flagged = total >= cutoff
    p, n = truth.sum(), (1 - truth).sum()
    if not p or not n or np.isnan(table["worst case"]) or np.isnan(table["best case"]):
        return
    actual = (flagged & (truth == 1)).sum() / p + (~flagged & (truth == 0)).sum() / n - 1
    assert table["worst case"] - 1e-12 <= actual <= table["best case"] + 1e-12


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: youden_cutoff([1, 2, 3], [0, NAN, 1], placed=[True, True, False]),
            "outcome is missing (NaN) for 1 placed candidate(s), the first at position 1",
        ),
        (
            lambda: youden_cutoff([1, 2, 3], [0, 1, NAN], placed=[1, 1, 0]),
            "placed must hold True or False for every candidate",
        ),
        (
            lambda: youden_cutoff([1, 2, 3], [0, 1, NAN], placed=[True, False]),
            "total and placed must have the same length; got 3 and 2.",
        ),
        (
            lambda: selection_bounds([1, 2, 3], [0, 1, NAN], [True, False], 1),
            "placed and outcome must have the same length; got 2 and 3.",
        ),
        (
            lambda: youden_cutoff([1, 2], [0, 1, NAN], placed=[True, True, False]),
            "total and placed must have the same length; got 2 and 3.",
        ),
        (
            lambda: selection_bounds([1, NAN], [0, 1], [True, True], 1),
            "total has 1 missing value(s)",
        ),
        (
            lambda: selection_bounds([1, 2], [0, 2], [True, True], 1),
            "outcome must be 0, 1 or NaN (unknown).",
        ),
    ],
)
def test_refusals(call, message):
    with pytest.raises(ResearchError, match=re.escape(message)):
        call()


def test_cutoff_loss_by_hand():
    total = [10, 20, 30, 40, 50, 60, 70, 80]
    breakdown = [0, 0, 0, 1, 0, 1, 1, 1]
    # J at 35: sens 4/4, spec 3/4 -> 0.75; at 55: sens 3/4, spec 4/4 -> 0.75; at 65: 2/4 + 1 - 1 = 0.5
    same = cutoff_loss(total, breakdown, 35, 55, n_bootstrap=200)
    assert (same["at_current"], same["at_proposed"], same["loss"]) == (0.75, 0.75, 0.0)
    worse = cutoff_loss(total, breakdown, 65, 35, n_bootstrap=200)
    assert worse["criterion"] == "J" and worse["loss"] == pytest.approx(0.25)
    assert worse["loss_low"] <= worse["loss"] <= worse["loss_high"]
    # expected cost (fn 1, fp 3) per candidate: at 35 one FP -> 3/8; at 65 two FN -> 2/8
    cost = cutoff_loss(total, breakdown, 35, 65, cost_fn=1, cost_fp=3, n_bootstrap=0)
    assert cost["criterion"] == "expected_cost"
    assert (cost["at_current"], cost["at_proposed"], cost["loss"]) == pytest.approx(
        (3 / 8, 2 / 8, 1 / 8)
    )
    assert np.isnan(cost["loss_low"])  # no resamples, no interval


def test_cutoff_loss_refusals():
    with pytest.raises(
        ResearchError, match=re.escape("cost_fn and cost_fp must be given together")
    ):
        cutoff_loss([1, 2, 3], [0, 1, 1], 2, 3, cost_fn=1)
    with pytest.raises(
        ResearchError,
        match=re.escape(
            "The 'current' parameter of cutoff_loss must be a finite number. Got nan instead."
        ),
    ):
        cutoff_loss([1, 2, 3], [0, 1, 1], NAN, 3)
