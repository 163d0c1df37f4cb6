"""Override analysis: counts by hand, the planted committee bias found, outcomes, refusals."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

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
    result = override_analysis(SMALL, "breakdown", "sex", n_bootstrap=0)
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
    ],
)
def test_refusals(call, message):
    with pytest.raises(ResearchError, match=re.escape(message)):
        call()
