"""Gwet's AC1/AC2, Brennan-Prediger and specific agreement: irrCAC's own examples, invariants, refusals.

The reference values are irrCAC 0.4.4's (Python port of Gwet's R package, K. Gwet,
*Handbook of Inter-Rater Reliability*, 4th ed., 2014), computed with ``digits=12``
by ``CAC(data, weights=w).gwet()`` and ``.bp()`` on its own example data sets
(``irrCAC.datasets``, copied below with their units in columns). irrCAC itself
cannot be installed beside weegtool (it pins pandas < 3), so its numbers are
stored here; the doctest of ``irrCAC.raw`` prints the first row rounded to five
digits: AC1 0.77544, se 0.14295, interval (0.46081, 1), pa 0.81818, pe 0.19032.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from weegtool.research import brennan_prediger, gwet_ac, specific_agreement
from weegtool.research.reliability import ReliabilityError, cohen_kappa

N = None
DATASETS = {  # raters in rows, units in columns (irrCAC.datasets, transposed)
    "raw_4raters": [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, N],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ],
    "raw_5observers": [
        [1, 1, 2, N, 0, 0, 1, 1, 2, 2, N, 0, 1, 3, 1],
        [1, 1, 3, 0, 0, 0, 0, N, 2, 1, 1, 0, 2, 3, 1],
        [2, 0, 3, 0, 0, 0, 2, 2, 2, 1, 0, 0, 2, 2, 1],
        [N, 1, 3, N, N, N, N, 0, N, 1, 0, 0, 2, 2, N],
        [2, N, N, 0, 0, 0, 1, N, 2, N, N, N, N, 3, 1],
    ],
    "raw_g1g2": [
        list("abccbadab") + [N, N, N, "b", "b"],
        list("abccbbdabe") + [N, N, "b", "a"],
        [N] + list("cccbcdbbeaccc"),
        list("abccbddabea") + [N, "b", "b"],
    ],
    "raw_gender": [
        ["a", "a", "a", "a", "a", "b", "b", "b", "c", "a", "a", "a", "a", "a", "b"],
        ["a", "a", "a", "a", "b", "a", "b", "c", "c", "a", "a", "a", "a", "b", "a"],
        ["a", "b", "b", "c", "a", "a", "b", "b", "c", "a", "b", "b", "c", "a", "a"],
        ["c", "c", "c", "c", "a", "a", "b", "b", "c", "c", "c", "c", "c", "a", "a"],
    ],
    "raw_ben_gerry": [
        list("aabbdcccedda"),
        list("babbbccce") + [N, "d", "d"],
    ],
}

# (data set, weights, AC (value, se, ci_low, ci_high, pa, pe), Brennan-Prediger (the same))
IRRCAC = [
    (
        "raw_4raters",
        None,
        (0.775444068127, 0.142949950641, 0.460813348132, 1, 0.818181818182, 0.190321180556),
        (0.772727272727, 0.144716619899, 0.454208139911, 1, 0.818181818182, 0.2),
    ),
    (
        "raw_4raters",
        "linear",
        (0.858739136433, 0.117329021881, 0.600499700425, 1, 0.939393939394, 0.570963541667),
        (0.848484848485, 0.123356124494, 0.576979849068, 1, 0.939393939394, 0.6),
    ),
    (
        "raw_4raters",
        "quadratic",
        (0.914000723552, 0.103962244645, 0.685181365879, 1, 0.975378787879, 0.713704427083),
        (0.901515151515, 0.110894374974, 0.657438277861, 1, 0.975378787879, 0.75),
    ),
    (
        "raw_4raters",
        "ordinal",
        (0.898939769908, 0.106903523815, 0.663646700429, 1, 0.968181818182, 0.68515625),
        (0.886363636364, 0.113905903978, 0.635658432063, 1, 0.968181818182, 0.72),
    ),
    (
        "raw_5observers",
        None,
        (
            0.496622054873,
            0.121973368005,
            0.235015198894,
            0.758228910851,
            0.615555555556,
            0.236270781893,
        ),
        (0.487407407407, 0.120891586234, 0.228120742571, 0.746694072243, 0.615555555556, 0.25),
    ),
    (
        "raw_5observers",
        "linear",
        (
            0.689639422886,
            0.0876907591,
            0.501561450115,
            0.877717395656,
            0.860740740741,
            0.551298491084,
        ),
        (
            0.665777777778,
            0.085676558423,
            0.482019835806,
            0.849535719749,
            0.860740740741,
            0.583333333333,
        ),
    ),
    (
        "raw_5observers",
        "quadratic",
        (
            0.830433572655,
            0.058246405165,
            0.705507458239,
            0.95535968707,
            0.946172839506,
            0.68256003658,
        ),
        (
            0.806222222222,
            0.058595435352,
            0.680547512507,
            0.931896931938,
            0.946172839506,
            0.722222222222,
        ),
    ),
    (
        "raw_5observers",
        "ordinal",
        (
            0.785341793553,
            0.068187570829,
            0.639093999358,
            0.931589587749,
            0.924814814815,
            0.649744650206,
        ),
        (0.759407407407, 0.067213092796, 0.615249660724, 0.90356515409, 0.924814814815, 0.6875),
    ),
    (
        "raw_g1g2",
        None,
        (
            0.684603818748,
            0.133533173469,
            0.396122936187,
            0.973084701309,
            0.74358974359,
            0.187021683673,
        ),
        (0.679487179487, 0.136237526149, 0.385163898162, 0.973810460812, 0.74358974359, 0.2),
    ),
    (
        "raw_g1g2",
        "ordinal",
        (0.87835653188, 0.090147230497, 0.683605280648, 1, 0.960256410256, 0.673278061224),
        (0.858058608059, 0.097383091066, 0.64767523045, 1, 0.960256410256, 0.72),
    ),
    (
        "raw_gender",
        None,
        (0.208080808081, 0.090696815943, 0.013555484609, 0.402606131552, 0.455555555556, 0.3125),
        (
            0.183333333333,
            0.101964824311,
            -0.035359464485,
            0.402026131152,
            0.455555555556,
            0.333333333333,
        ),
    ),
    (
        "raw_gender",
        "ordinal",
        (
            0.159322033898,
            0.136909035361,
            -0.1343186426,
            0.452962710396,
            0.655555555556,
            0.590277777778,
        ),
        (0.07, 0.161156534374, -0.275646389596, 0.415646389596, 0.655555555556, 0.62962962963),
    ),
    (
        "raw_ben_gerry",
        None,
        (0.66144200627, 0.18396215153, 0.256544040734, 1, 0.727272727273, 0.194444444444),
        (0.659090909091, 0.185271948676, 0.251310099475, 1, 0.727272727273, 0.2),
    ),
    (
        "raw_ben_gerry",
        "ordinal",
        (0.69696969697, 0.202527485223, 0.251209707485, 1, 0.909090909091, 0.7),
        (0.675324675325, 0.214973316328, 0.202171596273, 1, 0.909090909091, 0.72),
    ),
]


def frame(name):
    return pd.DataFrame(DATASETS[name])


@pytest.mark.parametrize(("name", "weights", "ac", "bp"), IRRCAC, ids=lambda v: str(v))
def test_gwet_ac_and_brennan_prediger_match_irrcac_on_its_examples(name, weights, ac, bp):
    for function, expected in ((gwet_ac, ac), (brennan_prediger, bp)):
        got = function(frame(name), weights)
        assert (got.value, got.se, *got.ci, got.pa, got.pe) == pytest.approx(expected, abs=1e-9)


def test_the_handbook_example_as_irrcac_prints_it():
    ac1 = gwet_ac(frame("raw_4raters"))
    assert ac1.name == "AC1" and ac1.n == 12
    assert (round(ac1.value, 5), round(ac1.se, 5), round(ac1.ci[0], 5)) == (
        0.77544,
        0.14295,
        0.46081,
    )
    assert gwet_ac(frame("raw_4raters"), "quadratic").name == "AC2, quadratic weights"


def test_the_kappa_paradox_ac1_stays_high_where_kappa_collapses():
    # Feinstein & Cicchetti (1990), table with a = 40, b = 9, c = 6, d = 45 against
    # a = 80, b = 10, c = 5, d = 5: agreement 0.85 in both, kappa 0.70 and 0.32.
    def pairs(a, b, c, d):
        return [[1] * a + [1] * b + [0] * c + [0] * d, [1] * a + [0] * b + [1] * c + [0] * d]

    balanced, skewed = pairs(40, 9, 6, 45), pairs(80, 10, 5, 5)
    kappas = [cohen_kappa(*p).value for p in (balanced, skewed)]
    ac1s = [gwet_ac(p).value for p in (balanced, skewed)]
    assert kappas == pytest.approx([0.70, 0.32], abs=5e-3)  # as published, two digits
    assert kappas[1] < 0.4 < 0.8 < ac1s[1]  # kappa collapses, AC1 does not
    assert gwet_ac(skewed).pa == pytest.approx(0.85)
    # two raters: Gwet's pe = 2 pi (1 - pi), pi the mean of the raters' shares of category 1
    pi = (0.90 + 0.85) / 2
    assert gwet_ac(skewed).pe == pytest.approx(2 * pi * (1 - pi))
    assert brennan_prediger(skewed).value == pytest.approx((0.85 - 0.5) / 0.5)


def test_specific_agreement_of_two_raters_is_positive_and_negative_agreement():
    a, b, c, d = 80, 10, 5, 5  # Cicchetti & Feinstein (1990): PA = 2a/(2a+b+c), NA = 2d/(2d+b+c)
    data = [[1] * a + [1] * b + [0] * c + [0] * d, [1] * a + [0] * b + [1] * c + [0] * d]
    table = specific_agreement(data).set_index("category")
    assert table.loc[1, "value"] == pytest.approx(2 * a / (2 * a + b + c))
    assert table.loc[0, "value"] == pytest.approx(2 * d / (2 * d + b + c))
    assert (table["ci_low"] <= table["value"]).all() and (table["value"] <= table["ci_high"]).all()
    assert list(table["ratings"]) == [2 * d + b + c, 2 * a + b + c]


def test_specific_agreement_of_many_raters_with_missing_ratings_by_hand():
    data = [[1, 1, 0, 0], [1, 0, 0, N], [1, N, 0, 1]]
    # unit counts (n_0, n_1): (0, 3), (1, 1), (3, 0), (1, 1)
    # k=1: agree 3*2 + 0 + 0 + 0 = 6, possible 3*2 + 1*1 + 0 + 1*1 = 8
    # k=0: agree 0 + 0 + 3*2 + 0 = 6, possible 0 + 1 + 3*2 + 1 = 8
    table = specific_agreement(data, categories=[0, 1, 2]).set_index("category")
    assert table.loc[1, "value"] == pytest.approx(6 / 8)
    assert table.loc[0, "value"] == pytest.approx(6 / 8)
    assert np.isnan(table.loc[2, "value"]) and table.loc[2, "ratings"] == 0


def test_specific_agreement_bootstrap_is_seeded():
    data = frame("raw_4raters")
    assert specific_agreement(data, seed=3).equals(specific_agreement(data, seed=3))


def test_an_unused_category_changes_the_chance_agreement_only_when_given():
    data = frame("raw_4raters")
    assert gwet_ac(data).value == pytest.approx(gwet_ac(data, categories=[1, 2, 3, 4, 5]).value)
    six = gwet_ac(data, categories=[1, 2, 3, 4, 5, 6])
    assert six.pe != pytest.approx(gwet_ac(data).pe)
    assert brennan_prediger(data, categories=[1, 2, 3, 4, 5, 6]).pe == pytest.approx(1 / 6)


ratings = st.lists(
    st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=4, max_size=4),
    min_size=2,
    max_size=5,
)


@given(ratings, st.sampled_from([None, "linear", "quadratic", "ordinal"]), st.randoms())
def test_ac_does_not_depend_on_the_order_of_raters_or_units(data, weights, random):
    table = pd.DataFrame(data, dtype=float)
    counted = table.notna().sum(axis=0)
    if (counted >= 1).sum() < 2 or not (counted >= 2).any():
        return
    raters, units = list(table.index), list(table.columns)
    random.shuffle(raters)
    random.shuffle(units)
    shuffled = table.loc[raters, units]
    for function in (gwet_ac, brennan_prediger):
        a, b = function(table, weights, [0, 1, 2, 3]), function(shuffled, weights, [0, 1, 2, 3])
        assert (a.value, a.se) == pytest.approx((b.value, b.se), nan_ok=True)
        assert a.value <= 1 + 1e-12


@given(st.lists(st.integers(0, 4), min_size=2, max_size=30), st.integers(2, 5))
def test_identical_raters_agree_perfectly(units, raters):
    data = [units] * raters
    for weights in (None, "quadratic"):
        assert gwet_ac(data, weights, categories=range(5)).value == pytest.approx(1.0)
        assert brennan_prediger(data, weights, categories=range(5)).value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: gwet_ac([[1, 2], [1, 2]], weights="cubic"),
            "The 'weights' parameter of gwet_ac must be one of (None, 'linear', 'quadratic', 'ordinal'). Got 'cubic' instead.",
        ),
        (
            lambda: gwet_ac([1, 2, 3]),
            "The 'data' parameter of gwet_ac must be a 2-D table. Got an array with 1 dimension instead.",
        ),
        (
            lambda: brennan_prediger([[1, N], [N, 2]]),
            "The 'data' parameter of brennan_prediger must have at least one unit (column) rated by 2 or more raters. Got none instead.",
        ),
        (
            lambda: gwet_ac([[1], [1]]),
            "The 'data' parameter of gwet_ac must have at least 2 units (columns) with a rating. Got 1 instead.",
        ),
        (
            lambda: gwet_ac([[1, 7], [1, 2]], categories=[1, 2, 3]),
            "The 'data' parameter of gwet_ac must only hold categories in 'categories' [1, 2, 3]. Got 7 at row 0, column 1 instead.",
        ),
        (
            lambda: gwet_ac([["a", "b"], ["a", "a"]], weights="linear"),
            "The 'weights' parameter 'linear' of gwet_ac needs categories that are numbers. Got ['a', 'b'] instead; give weights=None or 'ordinal'.",
        ),
        (
            lambda: gwet_ac([[1, 2], [1, 2]], categories=[1, 1, 2]),
            "The 'categories' parameter of gwet_ac must not repeat a category. Got [1, 1, 2] instead.",
        ),
        (
            lambda: specific_agreement([[1, N], [N, 2]]),
            "The 'data' parameter of specific_agreement must have at least one unit (column) rated by 2 or more raters. Got none instead.",
        ),
        (
            lambda: gwet_ac([[1, 2], [1, 2]], alpha=2),
            "The 'alpha' parameter of gwet_ac must be a number in (0, 1). Got 2 instead.",
        ),
    ],
)
def test_refusals_say_what_and_where(call, message):
    with pytest.raises(ReliabilityError, match=re.escape(message)):
        call()


def test_one_category_throughout_is_undefined_for_brennan_prediger_only_if_q_is_one():
    data = [[1, 1, 1], [1, 1, 1]]
    assert np.isnan(brennan_prediger(data).value)  # q = 1: chance agreement 1
    assert brennan_prediger(data, categories=[0, 1]).value == pytest.approx(1.0)
    assert gwet_ac(data, categories=[0, 1]).value == pytest.approx(1.0)
