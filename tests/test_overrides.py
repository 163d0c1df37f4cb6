"""Override analysis: counts by hand, the planted committee bias found, outcomes, refusals."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from weegtool.disclosure import DEFAULT_THRESHOLD
from weegtool.errors import ResearchError
from weegtool.research import override_analysis, synthetic_cohort

NAN = np.nan

SMALL = pd.DataFrame(
    {
        "advice": [
            "fits",
            "fits",
            "fits",
            "refer",
            "refer",
            "lighter_care",
            "further_assessment",
            "fits",
        ],
        "decision": ["fits", "refer", "lighter_care", "refer", "fits", "fits", "fits", "fits"],
        "items": [
            "",
            "er_intensity;cp_avoidance",
            "pf_network",
            "",
            "pf_network;pf_leisure",
            "er_intensity",
            "",
            "",
        ],
        "sex": ["F", "F", "M", "M", "F", "M", "F", "M"],
        "breakdown": [0, NAN, NAN, NAN, 1, 1, 0, 0],
    }
)


def test_counts_by_hand():
    result = override_analysis(SMALL, "breakdown", "sex", n_bootstrap=0, threshold=1)
    by_advice = result.by_advice
    assert by_advice.loc["fits", ["n", "deviations", "heavier", "lighter"]].tolist() == [4, 2, 1, 1]
    assert by_advice.loc["refer", ["n", "deviations", "heavier", "lighter"]].tolist() == [
        2,
        1,
        0,
        1,
    ]
    assert by_advice.loc["lighter_care", ["heavier", "lighter"]].tolist() == [1, 0]
    # further assessment has no level of care: a deviation without a direction
    assert by_advice.loc["further_assessment", ["deviations", "heavier", "lighter"]].tolist() == [
        1,
        0,
        0,
    ]
    assert (
        by_advice.loc["fits", "rate"] == 0.5
        and by_advice.loc["fits", "lower"] < 0.5 < by_advice.loc["fits", "upper"]
    )
    assert result.items["cited"].to_dict() == {
        "pf_network": 2,
        "er_intensity": 2,
        "cp_avoidance": 1,
        "pf_leisure": 1,
    }
    assert result.items.loc["pf_network", "share"] == pytest.approx(2 / 5)
    groups = result.by_group["count"]
    assert (
        groups[("F", "deviation")] == 3
        and groups[("F", "heavier")] == 1
        and groups[("M", "lighter")] == 1
    )
    assert result.reference == "F"  # equal sizes: the first in sorted order
    # outcomes: followed with an outcome: fits->fits (0), fits->fits (0); overridden: refer->fits (1),
    # lighter->fits (1), further->fits (0)
    assert result.outcomes.loc[True, ["n", "count"]].tolist() == [2, 0]
    assert result.outcomes.loc[False, ["n", "count"]].tolist() == [3, 2]


def _decided(rows):
    """Decisions of advice 'fits': per group, how many followed, went heavier and went lighter."""
    records = [
        {"advice": "fits", "decision": decision, "group": group}
        for group, followed, heavier, lighter in rows
        for decision, times in (("fits", followed), ("refer", heavier), ("lighter_care", lighter))
        for _ in range(times)
    ]
    return pd.DataFrame(records)


def test_small_counts_by_group_are_hidden_by_the_one_rule():
    # cells (followed, heavier, lighter): A 8, 3, 1; B 15, 5, 0; C 2, 1, 0. Primary: A's 3 and 1, C's
    # 2 and 1. Complementary (weegtool.disclosure): the followed column keeps only C's hidden, so
    # A's 8 goes; the lighter column only A's, so B's 0; B's row then only that one, so B's 5.
    # C's n = 3 is below 5 itself: C is hidden whole and named. The groups' sizes are a line whose sum
    # (35 decisions) is known, so A's 12 goes with C's 3 (35 - 20 - 12 would give it away): A is
    # hidden whole too, but not named as small.
    result = override_analysis(
        _decided([("A", 8, 3, 1), ("B", 15, 5, 0), ("C", 2, 1, 0)]), group="group"
    )
    table = result.by_group
    assert result.small_groups == ("C",) and result.threshold == DEFAULT_THRESHOLD
    sizes = table["n"].xs("deviation", level="measure")
    assert sizes["B"] == 20 and pd.isna(sizes["A"]) and pd.isna(sizes["C"])
    shown = table["count"].dropna().to_dict()
    assert shown == {("B", "deviation"): 5}
    assert table["suppressed"].sum() == 8
    assert (
        table.loc[table["suppressed"], ["rate", "lower", "upper", "difference"]].isna().all().all()
    )
    # the reference (B, the largest) has its heavier and lighter counts hidden: no differences there
    assert result.reference == "B"
    assert table.xs("heavier", level="measure")["difference"].isna().all()
    # by advice: one category 'fits', n 35, cells followed 25, heavier 9, lighter 1, undirected 0:
    # the 1 is hidden, and to complement it in its row the smallest positive shown cell, the 9;
    # the deviations (10 = 35 - 25) stay shown
    by_advice = result.by_advice
    assert by_advice.loc["fits", "n"] == 35
    assert by_advice.loc["fits", ["deviations", "heavier", "lighter"]].isna().tolist() == [
        False,
        True,
        True,
    ]
    assert bool(by_advice.loc["fits", "suppressed"])


@given(
    st.lists(
        st.tuples(
            st.sampled_from("PQRST"),
            st.sampled_from(["fits", "refer", "lighter_care", "further_assessment"]),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_no_count_below_the_threshold_is_ever_shown(rows):
    decisions = pd.DataFrame([{"advice": "fits", "decision": d, "group": g} for g, d in rows])
    result = override_analysis(decisions, group="group")
    for table, columns in (
        (result.by_group, ["n", "count"]),
        (result.by_advice, ["n", "deviations", "heavier", "lighter"]),
    ):
        values = table[columns].to_numpy(dtype=float, na_value=np.nan).ravel()
        values = values[~np.isnan(values)]
        assert not ((values > 0) & (values < DEFAULT_THRESHOLD)).any()
    sizes = decisions["group"].value_counts()
    assert set(result.small_groups) == set(sizes[sizes < DEFAULT_THRESHOLD].index)


@pytest.fixture(scope="module")
def committee(twente):
    biased = synthetic_cohort(twente, 1200, 3, seed=21, committee_sex_bias=0.3)
    fair = synthetic_cohort(twente, 1200, 3, seed=21)
    return biased, fair


def test_the_planted_bias_is_found(committee):
    biased, fair = committee
    found = override_analysis(biased.decisions, group=biased.truth["sex"], reference="M").by_group
    heavier = found.loc[("F", "heavier")]
    assert heavier["difference_lower"] > 0.05  # girls are overridden to heavier care more often
    lighter = found.loc[("F", "lighter")]
    assert lighter["difference_lower"] < 0 < lighter["difference_upper"]  # and not lighter
    none = override_analysis(fair.decisions, group=fair.truth["sex"], reference="M").by_group
    assert (
        none.loc[("F", "heavier"), "difference_lower"]
        < 0
        < none.loc[("F", "heavier"), "difference_upper"]
    )


def test_with_every_outcome_the_biased_decisions_discriminate_worse(twente):
    # the pilot of notebook 05: 1,500 candidates, seed 11
    everyone = synthetic_cohort(twente, 1500, 3, seed=11, committee_sex_bias=0.3, outcomes="all")
    result = override_analysis(everyone.decisions, everyone.truth["breakdown"], n_bootstrap=300)
    difference = result.discrimination.loc["decision - advice"]
    assert difference["upper"] < 0
    assert difference["auc"] == pytest.approx(
        result.discrimination.loc["decision", "auc"] - result.discrimination.loc["advice", "auc"]
    )


def test_with_outcomes_for_the_placed_only_there_is_no_auc(committee):
    biased, _ = committee
    result = override_analysis(biased.decisions, biased.truth["breakdown"], n_bootstrap=50)
    assert result.discrimination["auc"].isna().all()  # every placed decision has the same level
    assert result.outcomes["n"].sum() == biased.truth["placed"].sum()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: override_analysis(SMALL.drop(columns="advice")),
            "decisions has no column 'advice'",
        ),
        (lambda: override_analysis(SMALL.iloc[:0]), "decisions has no rows."),
        (
            lambda: override_analysis(SMALL, group="municipality"),
            "decisions has no group column 'municipality'",
        ),
        (
            lambda: override_analysis(SMALL, group=["F"]),
            "group must have one value per decision; got 1 for 8 decisions.",
        ),
        (
            lambda: override_analysis(SMALL, outcome=[2] * 8),
            "outcome must be 0, 1 or NaN, with at least 2 known.",
        ),
        (
            lambda: override_analysis(SMALL, group="sex", reference="X"),
            "reference 'X' is not a group; the groups are ['F', 'M'].",
        ),
        (
            lambda: override_analysis(SMALL, alpha=0),
            "The 'alpha' parameter of override_analysis must be in (0, 1). Got 0 instead.",
        ),
        (
            lambda: override_analysis(SMALL, threshold=0),
            "The 'threshold' parameter of override_analysis must be a whole number of at least 1. "
            "Got 0 instead.",
        ),
    ],
)
def test_refusals(call, message):
    with pytest.raises(ResearchError, match=re.escape(message)):
        call()
