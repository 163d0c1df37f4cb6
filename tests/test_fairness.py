"""Advice and error rates by group: published interval examples, hand counts, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import weegtool
from weegtool.research.fairness import group_rates
from weegtool.research.synthetic import synthetic_cohort


def labelled(counts: dict[str, dict[str, int]]) -> tuple[list[str], list[str]]:
    """Labels and groups from ``{group: {category: count}}``."""
    labels, groups = [], []
    for group, by_category in counts.items():
        for category, count in by_category.items():
            labels += [category] * count
            groups += [group] * count
    return labels, groups


def test_wilson_interval_of_a_published_example():
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion",
    # Stat Med 17:857-872, Table I: 81/263, Wilson score interval 0.2553 to 0.3662.
    labels, groups = labelled({"A": {"refer": 81, "fits": 182}})
    row = group_rates(labels, groups).rates.loc[("A", "refer")]
    assert (row["rate"], row["lower"], row["upper"]) == pytest.approx(
        (81 / 263, 0.2553, 0.3662), abs=5e-5
    )


def test_newcombe_difference_of_a_published_example():
    # Newcombe (1998), "Interval estimation for the difference between independent proportions",
    # Stat Med 17:873-890, Table II example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    labels, groups = labelled({"A": {"fits": 56, "refer": 14}, "B": {"fits": 48, "refer": 32}})
    row = group_rates(labels, groups, reference="B").rates.loc[("A", "fits")]
    assert row["difference"] == pytest.approx(0.2)
    assert (row["difference_lower"], row["difference_upper"]) == pytest.approx(
        (0.0524, 0.3339), abs=5e-5
    )


def test_counts_rates_and_the_reference_group():
    labels, groups = labelled({"F": {"fits": 6, "refer": 4}, "M": {"fits": 9, "refer": 3}})
    result = group_rates(labels, groups)
    assert result.reference == "M"  # the largest group
    rates = result.rates
    assert rates.loc[("F", "fits"), ["n", "count"]].tolist() == [10, 6]
    assert rates.loc[("F", "fits"), "difference"] == pytest.approx(0.6 - 0.75)
    assert rates.loc[("M", "refer"), "difference"] == 0 and np.isnan(
        rates.loc[("M", "refer"), "difference_lower"]
    )
    assert list(result.rate("fits").index) == ["F", "M"]


def test_a_category_absent_from_a_group_has_rate_zero():
    labels, groups = labelled({"F": {"fits": 10}, "M": {"fits": 8, "refer": 2}})
    row = group_rates(labels, groups).rates.loc[("F", "refer")]
    assert (row["count"], row["rate"], row["lower"]) == (0, 0.0, 0.0) and row["upper"] > 0


def test_error_rates_by_hand():
    # F: 10 with a negative outcome (4 advised: FPR 0.4), 10 positive (3 not advised: FNR 0.3).
    predicted = ["fits"] * 4 + ["refer"] * 6 + ["fits"] * 7 + ["lighter_care"] * 3
    outcome = [0] * 10 + [1] * 10
    labels = predicted + ["fits"] * 2 + ["refer"] * 8 + ["fits"] * 10
    groups = ["F"] * 20 + ["M"] * 20
    result = group_rates(
        labels, groups, outcome + [0] * 10 + [1] * 10, positive=["fits"], reference="M", min_size=5
    )
    errors = result.errors
    assert errors.loc[("F", "false_positive_rate"), ["n", "count", "rate"]].tolist() == [10, 4, 0.4]
    assert errors.loc[("F", "false_negative_rate"), ["n", "count", "rate"]].tolist() == [10, 3, 0.3]
    assert errors.loc[("F", "false_positive_rate"), "difference"] == pytest.approx(0.4 - 0.2)
    assert errors.loc[("M", "false_negative_rate"), "rate"] == 0
    assert result.positive == ("fits",)


def test_a_series_indexed_by_candidate_is_matched_by_id(twente):
    cohort = synthetic_cohort(twente, 60, 1, seed=8)
    scores = weegtool.score(twente, cohort.ratings, cohort.candidates)
    by_position = group_rates(scores, cohort.truth["sex"], min_size=5)
    shuffled = cohort.truth.set_index("candidate_id")["sex"].sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(
        group_rates(scores, shuffled, min_size=5).rates, by_position.rates
    )


def test_advices_and_scores_give_categories_and_bands(twente, make_ratings):
    frame = make_ratings(twente, n_candidates=12, n_raters=1, seed=2, missing=0.15)
    scores = weegtool.score(twente, frame)
    groups = ["a", "b"] * 6
    bands = group_rates(scores, groups, min_size=6).rates
    assert "not_assessable" in bands.index.get_level_values("category")
    advice = group_rates(weegtool.advise(scores), groups, min_size=6).rates
    assert set(advice.index.get_level_values("category")) <= {
        c.id for c in twente.spec.advice.categories
    }
    assert advice["count"].sum() == bands["count"].sum() == 12


def test_a_measurement_bias_shows_as_a_difference(twente):
    cohort = synthetic_cohort(twente, 600, 1, seed=9, rater_sex_bias=1.0)
    scores = weegtool.score(twente, cohort.ratings, cohort.candidates)
    row = group_rates(scores, cohort.truth["sex"], reference="M").rates.loc[("F", "heavier")]
    assert row["difference_lower"] > 0


def bad(message: str):
    return pytest.raises(
        ValueError,
        match="^"
        + message.replace("(", r"\(")
        .replace(")", r"\)")
        .replace("[", r"\[")
        .replace("]", r"\]")
        .replace(".", r"\.")
        + "$",
    )


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (
            (["fits"] * 12, ["F"] * 11),
            {},
            "advice_or_bands has 12 candidates but groups has 11; give one value per candidate.",
        ),
        (
            (["fits"] * 12, ["F"] * 10 + ["M"] * 2),
            {},
            "groups too small: 'M' has 2; each group needs at least "
            "min_size=10 candidates. Merge small groups or lower min_size.",
        ),
        (
            (["fits"] * 12, ["F"] * 3 + ["M"] * 2 + ["X"] * 7),
            {"min_size": 4},
            "groups too small: 'F' has 3, 'M' has 2; each group needs at least min_size=4 candidates. "
            "Merge small groups or lower min_size.",
        ),
        (
            (["fits"] * 12, ["F"] * 11 + [None]),
            {},
            "groups has 1 missing values (candidates 11); drop those "
            "candidates or give them a group of their own, such as 'unknown'.",
        ),
        (
            (["fits"] * 11 + [None], ["F"] * 12),
            {},
            "advice_or_bands has 1 missing values (positions 11); "
            "give every candidate a category or band.",
        ),
        (
            (["fits"] * 12, ["F"] * 12),
            {"reference": "M"},
            "The 'reference' parameter of group_rates must be one of the groups ['F']. Got 'M' instead.",
        ),
        (
            (["fits"] * 12, ["F"] * 12, [1] * 12),
            {},
            "The 'positive' parameter of group_rates is required with outcome: the categories counted as a "
            "positive prediction, e.g. ('fits', 'fits_with_conditions').",
        ),
        (
            (["fits"] * 12, ["F"] * 12, [1] * 12),
            {"positive": "passend"},
            "The 'positive' parameter of group_rates must name at least one category that occurs ['fits']. "
            "Got 'passend' instead.",
        ),
        (
            (["fits"] * 12, ["F"] * 12),
            {"positive": "fits"},
            "The 'positive' parameter of group_rates is used only with outcome; got no outcome.",
        ),
        (
            (["fits"] * 12, ["F"] * 12, [1] * 11 + [2]),
            {"positive": "fits"},
            "outcome must be 0/1 or True/False; got 2 for candidate 11.",
        ),
        (
            (["fits"] * 12, ["F"] * 12, [1] * 10 + [None, None]),
            {"positive": "fits"},
            "outcome has 2 missing values (candidates 10, 11); drop those candidates first.",
        ),
        (
            (["fits"] * 12, ["F"] * 12, [1] * 13),
            {"positive": "fits"},
            "advice_or_bands has 12 candidates but outcome has 13; give one value per candidate.",
        ),
    ],
)
def test_bad_inputs(args, kwargs, message):
    with bad(message):
        group_rates(*args, **kwargs)


def test_a_series_by_id_must_cover_every_candidate():
    labels = pd.Series(["fits"] * 12, index=[f"K{n}" for n in range(12)])
    groups = pd.Series(["F"] * 10, index=[f"K{n}" for n in range(10)])
    with bad("groups has no entry for 2 of the 12 candidates: K10, K11."):
        group_rates(labels, groups)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["F", "M", "X"]),
            st.sampled_from(["fits", "refer", "lighter_care"]),
            st.booleans(),
        ),
        min_size=3,
        max_size=60,
    )
)
def test_rates_add_up_and_intervals_hold_the_rate(rows):
    groups, labels, outcome = zip(*rows)
    result = group_rates(list(labels), list(groups), list(outcome), positive=labels[0], min_size=1)
    rates = result.rates
    assert rates.groupby(level="group")["rate"].sum().to_numpy() == pytest.approx(1.0)
    assert (rates["lower"] <= rates["rate"] + 1e-12).all() and (
        rates["rate"] <= rates["upper"] + 1e-12
    ).all()
    assert (rates.xs(result.reference, level="group")["difference"] == 0).all()
    errors = result.errors.dropna(subset=["rate"])
    assert (errors["count"] <= errors["n"]).all()
    negatives = sum(1 for g, _, o in rows if not o)
    assert result.errors.xs("false_positive_rate", level="measure")["n"].sum() == negatives


def test_suppressed_hides_a_small_count_its_complement_and_differences_that_would_give_it_away():
    # group b: 3 of 12 'fits' (small), 9 'not'; group a (reference, largest): 10 and 10
    labels, groups = labelled({"a": {"fits": 10, "not": 10}, "b": {"fits": 3, "not": 9}})
    rates = group_rates(labels, groups, min_size=10)
    safe = rates.suppressed(threshold=5)
    assert safe.loc[("b", "fits"), "suppressed"] and np.isnan(safe.loc[("b", "fits"), "rate"])
    # 'b' has n = 12 shown: its 'not' count of 9 would give the 3 away, so it goes too; in the
    # 'fits' column the reference's 10 goes as well, or the column total would
    assert safe["suppressed"].sum() == 4
    assert np.isnan(safe.loc[("a", "fits"), "difference"]) and np.isnan(
        safe.loc[("b", "not"), "count"]
    )
    assert (safe["n"] == rates.rates["n"]).all()
    assert not rates.suppressed(threshold=1)["suppressed"].any()
