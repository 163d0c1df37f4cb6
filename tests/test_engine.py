"""The scoring engine: a worked example by hand, and its invariants under Hypothesis."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import weegtool
from weegtool import read_ratings
from weegtool.engine import score_ratings

from .factories import ratings_frame


def one_rater(instrument, **ratings):
    row = {
        "candidate_id": "C1",
        "rater_id": "R1",
        **{i: None for i in instrument.item_ids},
        **ratings,
    }
    return pd.DataFrame([row])


def test_worked_example_from_the_readme(make_instrument):
    # README "How a score is computed": er_outbursts 2, er_recovery 1, pf_network 0 on the 0-2 scale.
    instrument = make_instrument()
    scores = weegtool.score(
        instrument, one_rater(instrument, er_outbursts=2, er_recovery=1, pf_network=0)
    )
    frame = scores.to_frame(contributions=True).loc["C1"]
    assert frame["domain.emotion_regulation"] == pytest.approx(75.0)
    assert frame["domain.protective_factors"] == pytest.approx(0.0)
    assert frame["total"] == pytest.approx(250 / 3)
    assert frame["band"] == "very_high"
    assert frame["contribution.er_outbursts"] == pytest.approx(100 * 2 / 3 * 1 / 2)
    assert frame["contribution.er_recovery"] == pytest.approx(100 * 2 / 3 * 1 / 2 * 0.5)
    assert frame["contribution.pf_network"] == pytest.approx(100 / 3)


def test_protective_domain_beside_the_total_does_not_count(make_instrument):
    data = make_instrument().spec.model_dump(mode="json", by_alias=True)
    data["settings"]["protective_lowers_total"] = False
    instrument = make_instrument(data)
    scores = weegtool.score(
        instrument, one_rater(instrument, er_outbursts=2, er_recovery=1, pf_network=0)
    )
    assert scores.total[0] == pytest.approx(75.0)
    assert scores.contributions[0, instrument.item_ids.index("pf_network")] == 0.0
    assert scores.domain_scores[0, 1] == pytest.approx(0.0)


def test_missing_item_is_prorated_and_labelled(make_instrument):
    data = make_instrument().spec.model_dump(mode="json", by_alias=True)
    data["settings"]["max_missing_fraction"] = 0.5
    instrument = make_instrument(data)
    scores = weegtool.score(instrument, one_rater(instrument, er_outbursts=2, pf_network=2))
    assert scores.assessable[0] and scores.prorated[0]
    assert scores.domain_scores[0, 0] == pytest.approx(
        100.0
    )  # the one rated item stands for the domain
    assert scores.total[0] == pytest.approx(200 / 3)
    assert np.nansum(scores.contributions[0]) == pytest.approx(scores.total[0])


def test_too_much_missing_gives_no_number(make_instrument):
    instrument = make_instrument()  # max_missing_fraction 0.10 of 3 items: nothing may be missing
    scores = weegtool.score(instrument, one_rater(instrument, er_outbursts=2, pf_network=2))
    assert not scores.assessable[0]
    assert np.isnan(scores.total[0]) and scores.band[0] == -1
    assert scores.to_frame().loc["C1", "band"] is None


def test_domain_over_its_missing_limit_is_not_assessable(twente, make_ratings):
    frame = make_ratings(twente, n_candidates=1, n_raters=1)
    for item in ("er_intensity", "er_frequency"):
        frame[item] = None
    scores = weegtool.score(twente, frame)
    d = twente.domain_ids.index("emotion_regulation")
    assert not scores.domain_assessable[0, d] and np.isnan(scores.domain_scores[0, d])
    assert not scores.assessable[0]


def test_scores_are_deterministic(twente, make_ratings):
    frame = make_ratings(twente, n_candidates=20, seed=3, missing=0.03)
    first, second = weegtool.score(twente, frame), weegtool.score(twente, frame)
    pd.testing.assert_frame_equal(first.to_frame(True), second.to_frame(True))


# --- invariants under Hypothesis -------------------------------------------------------

ratings_matrix = st.integers(1, 6).flatmap(
    lambda n: arrays(
        np.float64, (n, 25), elements=st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0, np.nan])
    )
)


def scored(instrument, values: np.ndarray):
    frame = pd.DataFrame(values, columns=list(instrument.item_ids))
    frame.insert(0, "rater_id", "R1")
    frame.insert(0, "candidate_id", [f"C{i}" for i in range(len(values))])
    return weegtool.score(instrument, frame)


@given(values=ratings_matrix)
def test_scores_stay_within_0_and_100(twente, values):
    scores = scored(twente, values)
    totals = scores.total[scores.assessable]
    assert ((totals >= 0) & (totals <= 100)).all()
    domains = scores.domain_scores[~np.isnan(scores.domain_scores)]
    assert ((domains >= 0) & (domains <= 100)).all()


@given(values=ratings_matrix)
def test_contributions_add_up_to_the_total(twente, values):
    scores = scored(twente, values)
    sums = np.nansum(scores.contributions, axis=1)
    np.testing.assert_allclose(sums[scores.assessable], scores.total[scores.assessable], atol=1e-6)


@given(values=ratings_matrix, item=st.integers(0, 24))
def test_raising_a_risk_item_never_lowers_the_total_and_a_protective_one_never_raises_it(
    twente, values, item
):
    raised = values.copy()
    raised[:, item] = np.minimum(raised[:, item] + 1, 4)  # NaN stays NaN: the same items rated
    before, after = scored(twente, values), scored(twente, raised)
    both = before.assessable & after.assessable
    difference = after.total[both] - before.total[both]
    if twente.items[item].direction == "risk":
        assert (difference >= -1e-9).all()
    else:
        assert (difference <= 1e-9).all()


@given(values=ratings_matrix, data=st.data())
def test_results_do_not_depend_on_candidate_or_column_order(twente, values, data):
    n = len(values)
    order = data.draw(st.permutations(range(n)))
    columns = data.draw(st.permutations(range(25)))
    frame = pd.DataFrame(values, columns=list(twente.item_ids))
    frame.insert(0, "rater_id", "R1")
    frame.insert(0, "candidate_id", [f"C{i}" for i in range(n)])
    shuffled = frame.iloc[list(order)][
        ["candidate_id", "rater_id"] + [twente.item_ids[c] for c in columns]
    ]
    expected = weegtool.score(twente, frame).to_frame(True)
    got = weegtool.score(twente, shuffled).to_frame(True).loc[expected.index]
    pd.testing.assert_frame_equal(got, expected)


@given(seed=st.integers(0, 10_000), how=st.sampled_from(["median", "mean", "min", "max"]))
def test_results_do_not_depend_on_rater_order(twente, seed, how):
    frame = ratings_frame(twente, n_candidates=3, n_raters=4, seed=seed, missing=0.05)
    shuffled = frame.sample(frac=1.0, random_state=seed)
    a = weegtool.score(twente, frame, aggregation=how).to_frame(True)
    b = weegtool.score(twente, shuffled, aggregation=how).to_frame(True).loc[a.index]
    pd.testing.assert_frame_equal(a, b)


def test_ratings_read_for_another_version_are_refused(twente, make_instrument, make_ratings):
    ratings = read_ratings(make_ratings(twente), twente)
    with pytest.raises(weegtool.RatingsError, match="another instrument version"):
        weegtool.score(make_instrument(), ratings)


def test_no_risk_and_full_protection_scores_0_and_the_reverse_100(twente, make_ratings):
    ratings = read_ratings(make_ratings(twente, n_candidates=4), twente)
    protective = np.array([item.direction == "protective" for item in twente.items])
    best = dataclasses.replace(ratings, values=np.tile(np.where(protective, 4.0, 0.0), (4, 1)))
    worst = dataclasses.replace(ratings, values=np.tile(np.where(protective, 0.0, 4.0), (4, 1)))
    assert (score_ratings(twente, best).total == 0).all()
    assert (score_ratings(twente, worst).total == 100).all()


@given(values=ratings_matrix)
def test_a_candidate_scores_the_same_alone_or_beside_one_with_missing_items(twente, values):
    # Complete batches take a fast path; a batch with any missing value takes the general one.
    complete = np.nan_to_num(values, nan=2.0)
    with_gap = np.vstack([complete, np.full((1, 25), np.nan)])
    alone, beside = scored(twente, complete), scored(twente, with_gap)
    n = len(complete)
    np.testing.assert_array_equal(alone.total, beside.total[:n])
    np.testing.assert_array_equal(alone.domain_scores, beside.domain_scores[:n])
    np.testing.assert_allclose(alone.contributions, beside.contributions[:n], rtol=0, atol=1e-12)
