"""Reliability coefficients: published worked examples, exact error messages, invariants under Hypothesis."""

from __future__ import annotations

import random
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.proportion import proportion_confint

import weegtool
from weegtool.errors import ResearchError, UndefinedWarning
from weegtool.research import synthetic_cohort
from weegtool.research.reliability import (
    ReliabilityError,
    ReliabilityWarning,
    cohen_kappa,
    cronbach_alpha,
    domain_alphas,
    fleiss_kappa,
    g_study,
    gwet_ac,
    icc,
    koo_li_band,
    krippendorff_alpha,
    landis_koch_band,
    light_kappa,
    percent_agreement,
    raters_needed,
    reliability_report,
)

from .conftest import example_data
from .factories import ratings_frame

NAN = np.nan

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12 units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]

# Wikipedia, "Krippendorff's alpha", the computational example: 3 coders x 15 units.
KRIPPENDORFF_WIKIPEDIA = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories.
FLEISS_WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists, 5 diagnoses (as R's irr::diagnoses
# and statsmodels' tests hold it, one row per patient, the raters' diagnoses 1-5).
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4],
    [2, 2, 2, 5, 5, 5],
    [2, 3, 3, 3, 3, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3],
    [3, 3, 3, 3, 5, 5],
    [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4],
    [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3],
    [1, 4, 4, 4, 4, 4],
    [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5],
    [1, 1, 1, 1, 1, 2],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 4, 4, 4, 4, 4],
    [2, 2, 4, 5, 5, 5],
    [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4],
    [1, 1, 1, 1, 5, 5],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3],
    [5, 5, 5, 5, 5, 5],
]


def table_to_pairs(table):
    """A two-rater contingency table back to the two raters' ratings."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReliabilityWarning)
        return function(*args, **kwargs)


# --- ICC -------------------------------------------------------------------------------------


def test_shrout_fleiss_table_2():
    # The values Shrout & Fleiss (1979) publish for their Table 2 data, to two decimals.
    table = icc(SHROUT_FLEISS).set_index("type")
    published = {
        "ICC1": 0.17,
        "ICC2": 0.29,
        "ICC3": 0.71,
        "ICC1k": 0.44,
        "ICC2k": 0.62,
        "ICC3k": 0.91,
    }
    assert table["icc"].round(2).to_dict() == published


def test_shrout_fleiss_tests_and_intervals_as_psych_prints_them():
    # R psych::ICC on the same data, as printed in D. Wollschlaeger's "R examples repository"
    # (dwoll/RExRepos, interRaterICC.md): F, df, p and the 95% bounds.
    table = icc(SHROUT_FLEISS).set_index("type")
    psych = {  # type: (F, df1, df2, p, lower, upper)
        "ICC1": (1.8, 5, 18, 0.16477, -0.133, 0.72),
        "ICC2": (11.0, 5, 15, 0.00013, 0.019, 0.76),
        "ICC3": (11.0, 5, 15, 0.00013, 0.342, 0.95),
        "ICC1k": (1.8, 5, 18, 0.16477, -0.884, 0.91),
        "ICC2k": (11.0, 5, 15, 0.00013, 0.071, 0.93),
        "ICC3k": (11.0, 5, 15, 0.00013, 0.676, 0.99),
    }
    for form, (f, df1, df2, p, low, high) in psych.items():
        row = table.loc[form]
        assert round(row["F"], 1) == f
        assert (row["df1"], row["df2"]) == (df1, df2)
        assert round(row["pval"], 5) == p
        assert round(row["ci_low"], 3) == low
        assert round(row["ci_high"], 2) == high


def test_long_table_gives_the_same_as_wide():
    wide = pd.DataFrame(SHROUT_FLEISS, index=[f"T{i}" for i in range(6)], columns=list("ABCD"))
    long = (
        wide.rename_axis("target")
        .reset_index()
        .melt(id_vars="target", var_name="judge", value_name="score")
    )
    long = long.sample(frac=1.0, random_state=3)  # row order does not matter
    pd.testing.assert_frame_equal(
        icc(long, targets="target", raters="judge", ratings="score"), icc(wide)
    )


def test_targets_with_a_missing_rating_are_left_out_with_a_warning():
    data = np.array(SHROUT_FLEISS + [[3, NAN, 4, 5]], dtype=float)
    with pytest.warns(
        ReliabilityWarning,
        match=re.escape(
            "icc: 1 of 7 targets have a missing rating and are left out (listwise deletion); 6 remain."
        ),
    ):
        table = icc(data)
    pd.testing.assert_frame_equal(table, icc(SHROUT_FLEISS))
    assert table.attrs == {"n_targets": 6, "n_raters": 4, "n_dropped": 1}


def test_identical_raters_agree_perfectly():
    table = icc([[1, 1, 1], [4, 4, 4], [2, 2, 2], [7, 7, 7]])
    assert (table["icc"] == 1.0).all()
    assert (table["ci_low"] == 1.0).all() and (table["ci_high"] == 1.0).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"data": [[1, 2], [3, "x"], [5, 6]]},
            "The 'data' parameter of icc must hold finite numbers (NaN where missing). Got 'x' at row 1, column 1 instead.",
        ),
        (
            {"data": pd.DataFrame({"A": [1, 2], "B": ["3", "drie"]}, index=["T1", "T2"])},
            "The 'data' parameter of icc must hold finite numbers (NaN where missing). "
            "Got 'drie' at row 'T2', column 'B' instead.",
        ),
        (
            {"data": [[1, np.inf], [2, 3]]},
            "The 'data' parameter of icc must hold finite numbers (NaN where missing). Got inf at row 0, column 1 instead.",
        ),
        (
            {"data": [[1], [2], [3]]},
            "The 'data' parameter of icc must have at least 2 raters (columns). Got 1 instead.",
        ),
        (
            {"data": [[1, 2]]},
            "The 'data' parameter of icc must have at least 2 targets without a missing rating. Got 1 instead.",
        ),
        (
            {"data": [[1, 2], [3, NAN], [NAN, 4]]},
            "The 'data' parameter of icc must have at least 2 targets without a missing rating. "
            "Got 1 instead (2 of 3 targets left out for a missing rating).",
        ),
        (
            {"data": [1, 2, 3]},
            "The 'data' parameter of icc must be a 2-D table. Got an array with 1 dimension instead.",
        ),
        (
            {"data": SHROUT_FLEISS, "alpha": 5},
            "The 'alpha' parameter of icc must be a number in (0, 1). Got 5 instead.",
        ),
        (
            {
                "data": pd.DataFrame({"t": [1, 1, 2], "r": ["a", "b", "a"], "y": [1, 2, 3]}),
                "targets": "t",
                "raters": "r",
                "ratings": "y",
            },
            "The long table passed to icc must be balanced: one rating of every target by every rater "
            "(NaN where a rating is missing). Found 1 problem: target 2 has no rating by rater 'b'.",
        ),
        (
            {
                "data": pd.DataFrame(
                    {"t": [1, 1, 1, 2, 2], "r": ["a", "b", "a", "a", "b"], "y": [1, 2, 3, 4, 5]}
                ),
                "targets": "t",
                "raters": "r",
                "ratings": "y",
            },
            "The long table passed to icc must be balanced: one rating of every target by every rater "
            "(NaN where a rating is missing). Found 1 problem: target 1 has 2 ratings by rater 'a'.",
        ),
        (
            {"data": pd.DataFrame({"t": [1], "r": ["a"], "y": [1]}), "targets": "t", "raters": "r"},
            "The 'ratings' parameter of icc must be a column name when 'targets', 'raters' and 'ratings' describe a "
            "long table. Got None instead.",
        ),
        (
            {
                "data": pd.DataFrame({"t": [1], "r": ["a"], "y": [1]}),
                "targets": "t",
                "raters": "rater",
                "ratings": "y",
            },
            "The long table passed to icc has no column raters='rater'; its columns are ['t', 'r', 'y'].",
        ),
    ],
)
def test_icc_refuses_bad_data(kwargs, message):
    with pytest.raises(ReliabilityError, match=re.escape(message)) as caught:
        quiet(icc, **kwargs)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, weegtool.WeegtoolError)


def test_every_bad_cell_is_listed():
    with pytest.raises(
        ReliabilityError, match=re.escape("Got 'a' at row 0, column 1 (and 1 more) instead.")
    ) as e:
        icc([[1, "a"], [2, 3], ["b", 4]])
    assert e.value.problems == (
        "icc: data: 'a' at row 0, column 1",
        "icc: data: 'b' at row 2, column 0",
    )


ratings_tables = arrays(
    np.int64, st.tuples(st.integers(3, 12), st.integers(2, 5)), elements=st.integers(0, 4)
)


@given(ratings_tables, st.randoms(use_true_random=False))
@example(np.array([[2, 0, 0], [4, 0, 0], [0, 4, 0]]), random.Random(0)).via("found by Hypothesis")
def test_icc_does_not_depend_on_the_order_of_targets_or_raters(table, random):
    targets, raters = list(range(table.shape[0])), list(range(table.shape[1]))
    random.shuffle(targets)
    random.shuffle(raters)
    before, after = icc(table), icc(table[targets][:, raters])
    numbers = ["icc", "F", "pval"]
    np.testing.assert_allclose(
        after[numbers].to_numpy(float), before[numbers].to_numpy(float), rtol=1e-9, atol=1e-9
    )
    # The intervals that are functions of F alone; ICC2's Satterthwaite interval amplifies rounding on
    # degenerate tables (its denominator can pass through zero), so it is left out here.
    by_f = [0, 2, 3, 5]
    np.testing.assert_allclose(
        after.loc[by_f, ["ci_low", "ci_high"]].to_numpy(float),
        before.loc[by_f, ["ci_low", "ci_high"]].to_numpy(float),
        rtol=1e-9,
        atol=1e-9,
    )


@given(ratings_tables)
def test_cronbach_alpha_is_icc_3k(table):
    # McGraw & Wong (1996): alpha equals ICC(C,k), Shrout & Fleiss' ICC(3,k); Feldt's interval equals its interval.
    with np.errstate(all="ignore"):
        expected = icc(table).set_index("type").loc["ICC3k"]
        result = cronbach_alpha(table)
    np.testing.assert_allclose(
        [result.alpha, result.ci_low, result.ci_high],
        expected[["icc", "ci_low", "ci_high"]].to_numpy(float),
        rtol=1e-9,
        atol=1e-9,
    )


# --- Cronbach's alpha ------------------------------------------------------------------------


def test_cronbach_alpha_by_hand():
    # Items i1 = i2 = [1, 2, 3, 4] (variance 5/3), i3 = [2, 2, 4, 4] (variance 4/3); the sum
    # [4, 6, 10, 12] has variance 40/3: alpha = 3/2 * (1 - (14/3) / (40/3)) = 0.975.
    # Without i3, i1 + i2 has variance 20/3: alpha = 2 * (1 - (10/3) / (20/3)) = 1.
    # Without i1 (or i2), i2 + i3 = [3, 4, 7, 8] has variance 17/3: alpha = 2 * (1 - 3 / (17/3)) = 16/17.
    items = pd.DataFrame({"i1": [1, 2, 3, 4], "i2": [1, 2, 3, 4], "i3": [2, 2, 4, 4]})
    result = cronbach_alpha(items)
    assert result.alpha == pytest.approx(0.975)
    assert result.if_deleted.to_dict() == pytest.approx({"i1": 16 / 17, "i2": 16 / 17, "i3": 1.0})
    assert (result.n, result.n_dropped) == (4, 0)


def test_cronbach_alpha_of_shrout_fleiss_judges():
    # Alpha over the 4 judges is ICC(3,4) = .91 (Shrout & Fleiss 1979), with psych's interval .676-.99.
    result = cronbach_alpha(SHROUT_FLEISS)
    assert (round(result.alpha, 2), round(result.ci_low, 3), round(result.ci_high, 2)) == (
        0.91,
        0.676,
        0.99,
    )


def test_cronbach_alpha_deletes_listwise_with_a_warning():
    items = pd.DataFrame({"i1": [1, 2, 3, 4, 5], "i2": [1, 2, 3, 4, NAN], "i3": [2, 2, 4, 4, 1]})
    with pytest.warns(
        ReliabilityWarning,
        match=re.escape(
            "cronbach_alpha: 1 of 5 cases have a missing item and are left out (listwise deletion); 4 remain."
        ),
    ):
        result = cronbach_alpha(items)
    assert (result.alpha, result.n, result.n_dropped) == (pytest.approx(0.975), 4, 1)


def test_two_items_have_no_alpha_if_deleted():
    assert cronbach_alpha([[1, 2], [2, 2], [3, 4]]).if_deleted.isna().all()


@pytest.mark.parametrize(
    "items, kwargs, message",
    [
        (
            [[1], [2]],
            {},
            "The 'items' parameter of cronbach_alpha must have at least 2 items (columns). Got 1 instead.",
        ),
        (
            [[1, 2], [NAN, 3]],
            {},
            "The 'items' parameter of cronbach_alpha must have at least 2 cases without a missing item. "
            "Got 1 instead (1 of 2 cases left out for a missing item).",
        ),
        (
            [[1, 2], [2, 3]],
            {"ci": 95},
            "The 'ci' parameter of cronbach_alpha must be a number in (0, 1). Got 95 instead.",
        ),
    ],
)
def test_cronbach_alpha_refuses_bad_data(items, kwargs, message):
    with pytest.raises(ReliabilityError, match=re.escape(message)):
        quiet(cronbach_alpha, items, **kwargs)


def test_twente_domains_need_no_reversal(twente):
    # Every item of the default instrument points the way of its domain's kind.
    assert all(item.direction == twente.domain(item.domain).kind for item in twente.items)
    cohort = synthetic_cohort(twente, n_candidates=40, n_raters=2, seed=5)
    alphas = domain_alphas(twente, weegtool.read_ratings(cohort.ratings, twente, cohort.candidates))
    assert list(alphas["domain"]) == list(twente.domain_ids)
    assert (alphas["reversed"] == ()).all()
    assert (alphas["alpha"] > 0.5).all()  # the synthetic items of a domain share a latent trait
    assert (alphas["items"] == 5).all()


def test_an_item_against_its_domain_is_reversed(make_instrument):
    data = example_data()
    data["items"][1]["direction"] = (
        "protective"  # er_recovery now points against emotion_regulation
    )
    instrument = make_instrument(data)
    outbursts = [0, 1, 2, 2, 0, 1]
    table = pd.DataFrame(
        {
            "candidate_id": [f"C{i}" for i in range(6)],
            "rater_id": "R1",
            "er_outbursts": outbursts,
            "er_recovery": [2 - x for x in outbursts],
            "pf_network": [0, 1, 2, 1, 0, 2],
        }
    )
    alphas = domain_alphas(instrument, weegtool.read_ratings(table, instrument)).set_index("domain")
    assert alphas.loc["emotion_regulation", "reversed"] == ("er_recovery",)
    assert alphas.loc["emotion_regulation", "alpha"] == pytest.approx(
        1.0
    )  # reversed, the two items are equal
    assert np.isnan(alphas.loc["protective_factors", "alpha"])  # one item: no alpha


def test_domain_alphas_want_ratings_of_the_same_instrument(make_instrument, twente):
    instrument = make_instrument()
    ratings = weegtool.read_ratings(
        ratings_frame(instrument, n_candidates=2, n_raters=1), instrument
    )
    with pytest.raises(
        ReliabilityError,
        match=re.escape(
            f"The 'ratings' parameter of domain_alphas must be read for {twente.label}. Got ratings read for "
            f"instrument sha256 {instrument.sha256[:12]} instead."
        ),
    ):
        domain_alphas(twente, ratings)


# --- Cohen's kappa ---------------------------------------------------------------------------


def test_cohen_kappa_wikipedia_example():
    # Wikipedia, "Cohen's kappa": 50 grant proposals, both yes 20, A yes B no 5, A no B yes 10,
    # both no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    result = cohen_kappa(a, b)
    assert (result.value, result.n) == (pytest.approx(0.4), 50)


def test_cohen_kappa_and_its_standard_error_as_sas_reports_them():
    # SAS PROC FREQ (AGREE) on the 3x3 table [[0, 4, 1], [0, 8, 0], [0, 1, 5]], as quoted in
    # statsmodels' tests (test_inter_rater.py): simple kappa 0.4842, ASE 0.1380, 95% 0.2137-0.7547;
    # weighted kappa (Cicchetti-Allison, i.e. linear weights) 0.4701, ASE 0.1457, 95% 0.1845-0.7558.
    a, b = table_to_pairs([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    for weights, expected in (
        (None, (0.4842, 0.1380, 0.2137, 0.7547)),
        ("linear", (0.4701, 0.1457, 0.1845, 0.7558)),
    ):
        result = cohen_kappa(a, b, weights=weights)
        assert (
            tuple(round(x, 4) for x in (result.value, result.se, result.ci_low, result.ci_high))
            == expected
        )


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_equals_sklearn(weights):
    rng = np.random.default_rng(7)
    a = rng.integers(0, 5, 80)
    b = np.clip(a + rng.integers(-1, 2, 80), 0, 4)
    assert cohen_kappa(a, b, weights=weights).value == pytest.approx(
        cohen_kappa_score(a, b, weights=weights)
    )


def test_weighted_kappa_counts_unused_levels_when_labels_are_given():
    # Weights use positions in `labels`: without level 1 in the data, 0 and 2 are neighbours unless labels say not.
    a, b = [0, 2, 3, 0, 3, 2], [2, 2, 3, 0, 2, 0]
    full = cohen_kappa(a, b, weights="quadratic", labels=[0, 1, 2, 3]).value
    assert full == pytest.approx(cohen_kappa_score(a, b, weights="quadratic", labels=[0, 1, 2, 3]))
    assert full != pytest.approx(cohen_kappa(a, b, weights="quadratic").value)


def test_cohen_kappa_uses_cases_both_raters_rated():
    result = cohen_kappa([1, 2, None, 2, 1, 3], [1, 2, 3, NAN, 1, 3])
    assert (result.value, result.n) == (
        pytest.approx(cohen_kappa_score([1, 2, 1, 3], [1, 2, 1, 3])),
        4,
    )


def test_cohen_kappa_is_undefined_when_everyone_uses_one_category():
    with pytest.warns(UndefinedWarning, match=r"kappa is undefined \(NaN\): every rating falls"):
        assert np.isnan(cohen_kappa([1, 1, 1], [1, 1, 1]).value)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (
            ([1, 2, 3], [1, 2]),
            {},
            "The 'b' parameter of cohen_kappa must have as many cases as 'a' (3). Got 2 instead.",
        ),
        (
            ([1, 2], [1, 2]),
            {"weights": "cubic"},
            "The 'weights' parameter of cohen_kappa must be one of (None, 'linear', 'quadratic'). Got 'cubic' instead.",
        ),
        (
            ([1, 2, 5], [1, 2, 2]),
            {"labels": [1, 2, 3]},
            "The 'a' parameter of cohen_kappa must only hold categories in 'labels' [1, 2, 3]. Got 5 instead.",
        ),
        (
            ([1, 2], [1, 2]),
            {"labels": [1, 2, 1]},
            "The 'labels' parameter of cohen_kappa must not repeat a category. Got [1, 2, 1] instead.",
        ),
        (
            ([1, None], [1, 2]),
            {},
            "The 'a' parameter of cohen_kappa must have at least 2 cases rated by both raters. Got 1 instead.",
        ),
    ],
)
def test_cohen_kappa_refuses_bad_data(args, kwargs, message):
    with pytest.raises(ReliabilityError, match=re.escape(message)):
        cohen_kappa(*args, **kwargs)


@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=2, max_size=40),
    st.sampled_from([None, "linear", "quadratic"]),
)
def test_cohen_kappa_is_symmetric(pairs, weights):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    forward = cohen_kappa(a, b, weights=weights, labels=range(5))
    backward = cohen_kappa(b, a, weights=weights, labels=range(5))
    np.testing.assert_allclose(
        [forward.value, forward.se], [backward.value, backward.se], rtol=1e-9, atol=1e-12
    )


# --- Fleiss' kappa ---------------------------------------------------------------------------


def test_fleiss_kappa_wikipedia_example():
    # Wikipedia, "Fleiss' kappa", worked example: kappa = 0.210.
    result = fleiss_kappa(FLEISS_WIKIPEDIA)
    assert (round(result.value, 3), result.n) == (0.210, 10)


def test_fleiss_kappa_fleiss_1971():
    # Fleiss (1971): kappa = .430 for the 30 patients (R irr::kappam.fleiss(diagnoses): 0.4302445).
    counts, _ = aggregate_raters(np.array(FLEISS_1971))
    assert fleiss_kappa(counts).value == pytest.approx(0.4302445, abs=1e-7)


@pytest.mark.parametrize(
    "counts, message",
    [
        (
            [[1, 1], [2, 1]],
            "The 'counts' parameter of fleiss_kappa must have the same number of raters for every subject. "
            "Got 2 ratings in row 0 and 3 in row 1 instead.",
        ),
        (
            [[1, 1.5], [2, 0]],
            "The 'counts' parameter of fleiss_kappa must hold counts (whole numbers >= 0). "
            "Got 1.5 at row 0, column 1 instead.",
        ),
        (
            [[3, -1], [2, 0]],
            "The 'counts' parameter of fleiss_kappa must hold counts (whole numbers >= 0). "
            "Got -1.0 at row 0, column 1 instead.",
        ),
        (
            [[2, 0]],
            "The 'counts' parameter of fleiss_kappa must have at least 2 subjects (rows). Got 1 instead.",
        ),
        (
            [[1, 0], [0, 1]],
            "The 'counts' parameter of fleiss_kappa must have at least 2 ratings per subject. "
            "Got 1 instead.",
        ),
        (
            [["two", 0], [1, 1]],
            "The 'counts' parameter of fleiss_kappa must hold finite numbers (NaN where missing). "
            "Got 'two' at row 0, column 0 instead.",
        ),
    ],
)
def test_fleiss_kappa_refuses_bad_counts(counts, message):
    with pytest.raises(ReliabilityError, match=re.escape(message)):
        fleiss_kappa(counts)


# --- Krippendorff's alpha ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "level, published",
    [
        # Krippendorff (2011): nominal .743 (section C), ordinal .815 (D), interval .849 (E), ratio .797 (F);
        # the ordinal and ratio values are also those of the `krippendorff` package's tests.
        ("nominal", 0.743),
        ("ordinal", 0.815),
        ("interval", 0.849),
        ("ratio", 0.797),
    ],
)
def test_krippendorff_2011(level, published):
    result = krippendorff_alpha(KRIPPENDORFF_2011, level=level)
    assert (round(result.value, 3), result.n) == (
        published,
        11,
    )  # the 12th unit has one value: not pairable


@pytest.mark.parametrize("level, published", [("nominal", 0.691358), ("interval", 0.810845)])
def test_krippendorff_wikipedia(level, published):
    # Wikipedia, "Krippendorff's alpha", computational example; 0.691358 and 0.810845 as in the
    # `krippendorff` package's tests.
    assert round(krippendorff_alpha(KRIPPENDORFF_WIKIPEDIA, level=level).value, 6) == published


@given(
    arrays(np.float64, st.integers(2, 15), elements=st.integers(0, 6).map(float)).filter(
        lambda v: len(np.unique(v)) > 1
    ),
    st.integers(2, 5),
    st.sampled_from(["nominal", "ordinal", "interval", "ratio"]),
)
def test_identical_raters_give_alpha_one(units, raters, level):
    assert krippendorff_alpha(np.tile(units, (raters, 1)), level=level).value == pytest.approx(1.0)


def test_krippendorff_alpha_is_undefined_without_variation():
    with pytest.warns(UndefinedWarning, match="the pairable values do not vary"):
        assert np.isnan(krippendorff_alpha([[2, 2, 2], [2, 2, NAN]]).value)


# --- degenerate data (issue 11): undefined says so, a finite limit is computed -----------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fleiss_kappa([[7, 0], [7, 0]]).value,
         "fleiss_kappa is undefined (NaN): every rating falls in one category"),
        (lambda: cohen_kappa([0, 0], [0, 0]).value,
         "kappa is undefined (NaN): every rating falls in one category"),
        (lambda: krippendorff_alpha([[3, 3, 3], [3, 3, 3]]).value,
         "krippendorff_alpha is undefined (NaN): the pairable values do not vary"),
        (lambda: cronbach_alpha([[1, 1], [1, 1], [1, 1]]).alpha,
         "cronbach_alpha is undefined (NaN): the sum of the items does not vary"),
        (lambda: icc([[1, 1], [1, 1], [1, 1]])["icc"].iloc[1],
         "icc ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k is undefined (NaN): the ratings do not vary"),
    ],
)  # fmt: skip
def test_a_coefficient_undefined_on_the_data_is_nan_with_a_warning_saying_why(call, message):
    with pytest.warns(UndefinedWarning) as caught:
        assert np.isnan(call())
    assert any(str(w.message).startswith(message) for w in caught)


def test_icc_of_raters_differing_by_a_constant_has_finite_limits():
    # the residual mean square is 0; psych::ICC (R) gives these limits for this example
    table = icc([[2, 4], [4, 6], [6, 8]]).set_index("type")
    assert table.loc["ICC2", "icc"] == pytest.approx(2 / 3)
    assert table.loc["ICC2", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.00250, 0.98718], abs=5e-6
    )
    assert table.loc["ICC2k", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.00498, 0.99355], abs=5e-6
    )


@pytest.mark.parametrize(
    "label, value, message",
    [
        (koo_li_band, 6.4, "An ICC is at most 1, so Koo & Li's bands do not name it. Got 6.4 instead."),
        (landis_koch_band, 1.5,
         "A kappa lies in [-1, 1], so Landis & Koch's bands do not name it. Got 1.5 instead."),
        (landis_koch_band, -1.2,
         "A kappa lies in [-1, 1], so Landis & Koch's bands do not name it. Got -1.2 instead."),
    ],
)  # fmt: skip
def test_a_label_refuses_a_value_outside_the_coefficients_range(label, value, message):
    with pytest.raises(ResearchError) as caught:
        label(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "data, level, message",
    [
        (
            [[1, 2], [1, 2]],
            "circular",
            "The 'level' parameter of krippendorff_alpha must be one of ('nominal', 'ordinal', 'interval', 'ratio'). "
            "Got 'circular' instead.",
        ),
        (
            [[1, NAN], [NAN, 2]],
            "nominal",
            "The 'data' parameter of krippendorff_alpha must have at least one unit (column) with values from 2 or more "
            "raters. Got none instead.",
        ),
        (
            [[1, "a"], [1, 2]],
            "nominal",
            "The 'data' parameter of krippendorff_alpha must hold finite numbers (NaN where missing). "
            "Got 'a' at row 0, column 1 instead.",
        ),
    ],
)
def test_krippendorff_alpha_refuses_bad_data(data, level, message):
    with pytest.raises(ReliabilityError, match=re.escape(message)):
        krippendorff_alpha(data, level=level)


# --- exact agreement and the labels ---------------------------------------------------------------


def test_percent_agreement_counts_units_with_two_ratings():
    data = pd.DataFrame(
        {
            "A": ["fits", "refer", None, "fits", "fits"],
            "B": ["fits", "fits", "fits", "fits", None],
            "C": ["fits", "refer", None, None, None],
        }
    )
    result = percent_agreement(
        data
    )  # units 0 and 3 agree, unit 1 does not; units 2 and 4 have one rating
    low, high = proportion_confint(2, 3, alpha=0.05, method="wilson")
    assert (result.value, result.n) == (pytest.approx(2 / 3), 3)
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize(
    "data, message",
    [
        (
            [[1], [2]],
            "The 'data' parameter of percent_agreement must have at least 2 raters (columns). Got 1 instead.",
        ),
        (
            [[1, None], [None, 2]],
            "The 'data' parameter of percent_agreement must have at least one unit (row) rated by "
            "2 or more raters. Got none instead.",
        ),
    ],
)
def test_percent_agreement_refuses_bad_data(data, message):
    with pytest.raises(ReliabilityError, match=re.escape(message)):
        percent_agreement(data)


@pytest.mark.parametrize(
    "value, label",
    [
        (-0.1, "poor"),
        (0.49, "poor"),
        (0.5, "moderate"),
        (0.74, "moderate"),
        (0.75, "good"),
        (0.9, "good"),
        (0.91, "excellent"),
        (NAN, "undefined"),
    ],
)
def test_koo_li_bands(value, label):
    assert koo_li_band(value) == label


@pytest.mark.parametrize(
    "value, label",
    [
        (-0.01, "poor"),
        (0.0, "slight"),
        (0.20, "slight"),
        (0.21, "fair"),
        (0.40, "fair"),
        (0.41, "moderate"),
        (0.60, "moderate"),
        (0.61, "substantial"),
        (0.80, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
        (NAN, "undefined"),
    ],
)
def test_landis_koch_bands(value, label):
    assert landis_koch_band(value) == label


# --- the report --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort(twente):
    return synthetic_cohort(twente, n_candidates=24, n_raters=3, seed=11)


@pytest.fixture(scope="module")
def report(twente, cohort):
    return reliability_report(twente, cohort.ratings, candidates=cohort.candidates)


def test_report_has_a_row_per_measure(twente, report):
    assert list(report.columns) == ["what", "measure", "value", "ci_low", "ci_high", "label", "n"]
    expected = (
        ["total", "total"]
        + [f"domain.{d}" for d in twente.domain_ids]
        + ["band"] * 3
        + ["advice"] * 3
        + [f"item.{i}" for i in twente.item_ids for _ in range(2)]
    )
    assert list(report["what"]) == expected
    assert report.attrs["raters"] == ("B1", "B2", "B3")
    icc_rows = report[report["measure"] == "ICC(2,1)"]
    assert len(icc_rows) == 1 + len(twente.domain_ids)
    assert (
        (icc_rows["ci_low"] <= icc_rows["value"]) & (icc_rows["value"] <= icc_rows["ci_high"])
    ).all()
    assert list(icc_rows["label"]) == [koo_li_band(v) for v in icc_rows["value"]]
    items = report[report["what"].str.startswith("item.") & report["measure"].str.contains("kappa")]
    assert (items["measure"] == "mean pairwise kappa, quadratic weights (3 raters)").all()
    # Light's kappa with its bootstrap interval over the candidates (light_kappa)
    assert ((items["ci_low"] <= items["value"]) & (items["value"] <= items["ci_high"])).all()
    assert list(items["label"]) == [landis_koch_band(v) for v in items["value"]]
    assert (
        report.set_index(["what", "measure"]).loc[("advice", "mean pairwise kappa (3 raters)"), "n"]
        == 24
    )


def test_report_icc_is_the_icc_of_each_raters_own_totals(twente, cohort, report):
    totals = []
    for rater in ("B1", "B2", "B3"):
        own = cohort.ratings[cohort.ratings["rater_id"] == rater]
        totals.append(weegtool.score(twente, own, cohort.candidates).to_frame()["total"])
    table = quiet(icc, pd.concat(totals, axis=1)).set_index("type").loc["ICC2"]
    row = report.set_index(["what", "measure"]).loc[("total", "ICC(2,1)")]
    assert (row["value"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (table["icc"], table["ci_low"], table["ci_high"])
    )
    assert row["n"] == pd.concat(totals, axis=1).dropna().shape[0]


def test_report_item_kappa_is_the_mean_of_the_pairs(cohort, report):
    wide = cohort.ratings.pivot(
        index="candidate_id", columns="rater_id", values="er_intensity"
    ).astype(float)
    pairs = [("B1", "B2"), ("B1", "B3"), ("B2", "B3")]
    kappas = []
    for a, b in pairs:
        both = wide[[a, b]].dropna()
        kappas.append(
            cohen_kappa_score(both[a], both[b], weights="quadratic", labels=[0, 1, 2, 3, 4])
        )
    rows = report.set_index(["what", "measure"])
    key = ("item.er_intensity", "mean pairwise kappa, quadratic weights (3 raters)")
    assert rows.loc[key, "value"] == pytest.approx(np.mean(kappas))
    light = light_kappa(wide.T, "quadratic", [0, 1, 2, 3, 4])
    assert (rows.loc[key, "ci_low"], rows.loc[key, "ci_high"]) == (light.ci_low, light.ci_high)
    ac2 = gwet_ac(wide.T, "quadratic", categories=[0, 1, 2, 3, 4])
    key = ("item.er_intensity", "AC2, quadratic weights")
    assert (rows.loc[key, "value"], rows.loc[key, "ci_low"]) == pytest.approx(
        (ac2.value, ac2.ci_low)
    )


def test_report_with_two_raters_gives_cohens_kappa_with_its_interval(twente, cohort):
    two = cohort.ratings[cohort.ratings["rater_id"] != "B3"]
    report = reliability_report(twente, two, candidates=cohort.candidates)
    items = report[report["what"].str.startswith("item.") & report["measure"].str.contains("kappa")]
    assert (items["measure"] == "kappa, quadratic weights").all()
    assert ((items["ci_low"] < items["value"]) & (items["value"] < items["ci_high"])).all()
    advice = report[report["what"] == "advice"].set_index("measure")
    assert set(advice.index) == {"kappa", "AC1", "exact agreement"}


def test_report_says_when_kappa_and_ac_disagree_for_skewed_prevalence(twente):
    homogeneous = synthetic_cohort(
        twente, n_candidates=200, n_raters=4, seed=2, severity_mean=-1.0, severity_sd=0.35
    )
    report = reliability_report(twente, homogeneous.ratings, candidates=homogeneous.candidates)
    band = report[report["what"] == "band"].set_index("measure")["value"]
    kappa, ac2 = (
        band["mean pairwise kappa, quadratic weights (4 raters)"],
        band["AC2, quadratic weights"],
    )
    assert ac2 - kappa > 0.3
    (note,) = [n for n in report.attrs["notes"] if n.startswith("band:")]
    assert note.startswith(
        f"band: kappa {kappa:.2f} but AC2, quadratic weights {ac2:.2f}, with 79% of"
    )
    assert "kappa paradox" in note
    # a heterogeneous cohort of the same size: kappa and AC agree, nothing to say
    varied = synthetic_cohort(twente, n_candidates=200, n_raters=4, seed=2)
    assert (
        reliability_report(twente, varied.ratings, candidates=varied.candidates).attrs["notes"]
        == []
    )


def test_report_d_study_row_is_raters_needed_on_the_totals(twente, cohort, report):
    totals = []
    for rater in ("B1", "B2", "B3"):
        own = cohort.ratings[cohort.ratings["rater_id"] == rater]
        totals.append(weegtool.score(twente, own, cohort.candidates).to_frame()["total"])
    wide = pd.concat(totals, axis=1).dropna().to_numpy()
    row = report.set_index(["what", "measure"]).loc[("total", "D study: raters for Phi >= 0.80")]
    assert row["value"] == raters_needed(g_study(wide), 0.8) and row["n"] == len(wide)


def test_report_needs_two_raters(twente, cohort):
    one = cohort.ratings[cohort.ratings["rater_id"] == "B1"]
    with pytest.raises(
        ReliabilityError,
        match=re.escape(
            "The 'ratings_table' parameter of reliability_report must have at least 2 raters. Got 1 instead."
        ),
    ):
        reliability_report(twente, one, candidates=cohort.candidates)


def test_report_passes_on_ratings_errors(twente, cohort):
    bad = cohort.ratings.astype({"er_intensity": object})
    bad.loc[0, "er_intensity"] = 9
    with pytest.raises(weegtool.RatingsError, match="column 'er_intensity'"):
        reliability_report(twente, bad, candidates=cohort.candidates)


def test_icc_of_data_without_any_variance_is_undefined_with_its_interval():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = icc(np.ones((4, 3)))
    assert table[["icc", "ci_low", "ci_high"]].isna().all().all()
