"""G and D studies: Brennan's (2001) synthetic data sets, the ICC identities, missing cells, refusals."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from weegtool.research import d_study, g_study, raters_needed
from weegtool.research.reliability import ReliabilityError, ReliabilityWarning, icc

# Brennan, R. L. (2001). Generalizability Theory. Springer. Synthetic Data Set No. 1 (p x i,
# 10 persons x 12 items, chapter 2) and No. 3 (p x i x o, 10 persons x 4 items x 2 occasions,
# chapter 4), transcribed as in GeneralizIT's tests (tests/fixtures/design1_fixtures.py and
# design3_fixtures.py). Here the second facet of No. 1 plays the raters, and the occasions of
# No. 3 play the raters (both random facets crossed with persons).
BRENNAN_1 = [
    [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0],
    [1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
]
BRENNAN_3 = {  # occasion (rater) -> item -> the 10 persons' scores
    1: [
        [2, 4, 5, 5, 4, 4, 2, 3, 0, 6],
        [6, 5, 5, 9, 3, 4, 6, 4, 5, 8],
        [7, 6, 4, 8, 5, 4, 6, 4, 4, 7],
        [5, 7, 6, 6, 6, 7, 5, 5, 5, 6],
    ],
    2: [
        [2, 6, 5, 5, 4, 6, 2, 6, 5, 6],
        [5, 7, 4, 7, 5, 4, 7, 6, 5, 8],
        [5, 5, 5, 7, 6, 7, 7, 6, 5, 8],
        [5, 7, 5, 6, 4, 8, 5, 4, 3, 6],
    ],
}
ITEMS = ["i1", "i2", "i3", "i4"]
# Shrout & Fleiss (1979), table 2: 6 targets x 4 judges; ICC(3,4) = .91, ICC(2,4) = .62
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def brennan_3_long():
    rows = [
        {
            "candidate_id": f"P{p}",
            "rater_id": f"O{o}",
            **{ITEMS[i]: BRENNAN_3[o][i][p] for i in range(4)},
        }
        for p in range(10)
        for o in (1, 2)
    ]
    return pd.DataFrame(rows)


def test_brennan_synthetic_data_set_1():
    g = g_study(BRENNAN_1)
    variance = g.components.set_index("source")["variance"]
    assert list(variance.round(4)) == [0.0574, 0.0754, 0.1269]  # p, i (as raters), pi,e
    d = d_study(g).iloc[0]
    assert (round(d["relative"], 3), round(d["absolute"], 3)) == (0.844, 0.773)


def test_brennan_synthetic_data_set_3():
    g = g_study(brennan_3_long(), items=ITEMS)
    assert g.design == "p x r x i" and (g.n_candidates, g.n_raters, g.n_items) == (10, 2, 4)
    table = g.components.set_index("source")
    published = {
        "p": 0.5528,
        "r": 0.0074,
        "i": 0.4417,
        "pr": 0.1009,
        "pi": 0.5750,
        "ri": 0.1565,
        "pri,e": 0.9352,
    }
    assert table["variance"].round(4).to_dict() == published
    assert table["ss"].round(2).to_dict() == {
        "p": 62.20,
        "r": 3.20,
        "i": 37.45,
        "pr": 12.05,
        "pi": 56.30,
        "ri": 7.50,
        "pri,e": 25.25,
    }
    assert list(table["df"]) == [9, 1, 3, 9, 27, 3, 27]
    d = d_study(g).iloc[0]  # the G study's own sizes: 2 occasions, 4 items
    assert (round(d["relative"], 2), round(d["absolute"], 2)) == (0.64, 0.55)
    assert table["share"].sum() == pytest.approx(1.0)


def test_p_x_r_coefficients_are_the_average_measure_iccs():
    g = g_study(SHROUT_FLEISS)
    iccs = icc(SHROUT_FLEISS).set_index("type")["icc"]
    d = d_study(g).iloc[0]
    assert d["relative"] == pytest.approx(iccs["ICC3k"])  # ICC(C,k)
    assert d["absolute"] == pytest.approx(iccs["ICC2k"])  # ICC(A,k)
    one = d_study(g, raters=1).iloc[0]
    assert one["relative"] == pytest.approx(iccs["ICC3"]) and one["absolute"] == pytest.approx(
        iccs["ICC2"]
    )
    assert (round(d["relative"], 2), round(d["absolute"], 2)) == (0.91, 0.62)


@st.composite
def candidate_plus_rater_plus_noise(draw):
    n, k = draw(st.integers(3, 12)), draw(st.integers(2, 6))
    unit = st.floats(-1, 1, allow_subnormal=False)
    candidate = draw(arrays(float, n, elements=unit)) * 4
    rater = draw(arrays(float, k, elements=unit))
    noise = draw(arrays(float, (n, k), elements=unit))
    return candidate[:, None] + rater[None, :] + noise


@given(candidate_plus_rater_plus_noise())
def test_icc_identities_hold_on_any_table_with_nonnegative_components(table):
    g = g_study(table)
    assume((g.components["variance"] > 1e-9).all())
    iccs = icc(table).set_index("type")["icc"]
    for raters, suffix in ((table.shape[1], "k"), (1, "")):
        d = d_study(g, raters=raters).iloc[0]
        assert d["relative"] == pytest.approx(iccs["ICC3" + suffix])
        assert d["absolute"] == pytest.approx(iccs["ICC2" + suffix])


@given(arrays(float, st.tuples(st.integers(3, 10), st.integers(2, 5)), elements=st.integers(0, 4)))
def test_more_raters_never_lower_a_coefficient(table):
    g = g_study(table)
    d = d_study(g, raters=range(1, 8)).dropna()
    assert (d["relative"].diff().dropna() >= -1e-12).all()
    assert (d["absolute"].diff().dropna() >= -1e-12).all()
    assert (d["absolute"] <= d["relative"] + 1e-12).all()


def test_raters_needed_is_the_first_d_study_row_that_reaches_it():
    g = g_study(SHROUT_FLEISS)
    # absolute: Phi(n) = 2.5556 / (2.5556 + (5.2444 + 1.0194) / n) >= 0.8 first at n = 10
    assert raters_needed(g, 0.8) == 10
    assert (
        d_study(g, raters=9).iloc[0]["absolute"] < 0.8 <= d_study(g, raters=10).iloc[0]["absolute"]
    )
    assert raters_needed(g, 0.8, "relative") == 2
    assert raters_needed(g, 0.99, max_raters=20) is None
    g3 = g_study(brennan_3_long(), items=ITEMS)
    assert raters_needed(g3, 0.7, "relative", items=8) == 2


def test_missing_cells_drop_the_candidate_with_a_warning():
    table = brennan_3_long()
    table.loc[3, "i2"] = np.nan  # P1, rater O2
    table = table.drop(index=[4])  # P2 not rated by O1
    with pytest.warns(
        ReliabilityWarning, match=re.escape("g_study: 2 of 10 candidates have a missing cell")
    ):
        g = g_study(table, items=ITEMS)
    assert (g.n_candidates, g.n_dropped) == (8, 2)
    complete = brennan_3_long()
    complete = complete[~complete["candidate_id"].isin(["P1", "P2"])]
    expected = g_study(complete, items=ITEMS).components
    pd.testing.assert_frame_equal(g.components, expected)


def test_negative_estimates_are_zero_in_the_d_study():
    table = [[1, 2], [2, 1], [1, 2], [2, 1]]  # raters disagree more than candidates differ
    g = g_study(table)
    assert g.components.set_index("source").loc["p", "variance"] < 0
    assert g.variance("p") == 0.0
    assert d_study(g).iloc[0]["relative"] == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: g_study([[1, 2, 3]]),
            "The 'data' parameter of g_study must have at least 2 candidates without a missing rating. Got 1 instead.",
        ),
        (
            lambda: g_study([[1], [2]]),
            "The 'data' parameter of g_study must have at least 2 raters (columns). Got 1 instead.",
        ),
        (
            lambda: g_study(np.ones((3, 3)), items=ITEMS),
            "The 'data' parameter of g_study must be a DataFrame (the long ratings table) when 'items' is given. Got ndarray instead.",
        ),
        (
            lambda: g_study(brennan_3_long(), items=["i1", "x9"]),
            "The long ratings table passed to g_study has no column 'x9'",
        ),
        (
            lambda: g_study(brennan_3_long(), items=["i1"]),
            "The 'items' parameter of g_study must have at least 2 items. Got 1 instead.",
        ),
        (
            lambda: g_study(pd.concat([brennan_3_long()] * 2), items=ITEMS),
            "The long ratings table passed to g_study must have one row per candidate and rater. Got 40 rows for repeated pairs, the first candidate 'P0' with rater 'O1', instead.",
        ),
        (
            lambda: d_study(g_study(SHROUT_FLEISS), raters=0),
            "The 'raters' parameter of d_study must be whole numbers >= 1. Got 0 instead.",
        ),
        (
            lambda: d_study(g_study(SHROUT_FLEISS), items=3),
            "The 'items' parameter of d_study applies to a p x r x i G study only. Got items=3 for a p x r G study instead.",
        ),
        (
            lambda: raters_needed(g_study(SHROUT_FLEISS), 1.2),
            "The 'at_least' parameter of raters_needed must be a number in (0, 1). Got 1.2 instead.",
        ),
        (
            lambda: raters_needed(g_study(SHROUT_FLEISS), 0.8, "both"),
            "The 'coefficient' parameter of raters_needed must be one of ('relative', 'absolute'). Got 'both' instead.",
        ),
        (
            lambda: g_study(SHROUT_FLEISS).variance("x"),
            "The 'source' parameter of GStudy.variance must be one of ['p', 'r', 'pr,e']. Got 'x' instead.",
        ),
    ],
)
def test_refusals_say_what_and_where(call, message):
    with pytest.raises(ReliabilityError, match=re.escape(message)):
        call()
