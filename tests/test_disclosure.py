"""The one suppression rule (weegtool.disclosure): small counts and their complements hidden."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from weegtool.disclosure import is_small, suppress_counts


def test_a_hand_made_table_hides_the_small_count_and_its_complements():
    # municipality x advice; Hengelo's 2 is small. Row Hengelo then has one hidden
    # cell, so its smallest other count (6) goes too; column "fits" and column
    # "refer" each hold one hidden cell, so their smallest shown counts go as well.
    counts = pd.DataFrame(
        {"fits": [12, 2, 9], "refer": [7, 6, 5]},
        index=["Enschede", "Hengelo", "Almelo"],
    )
    result = suppress_counts(counts)
    assert result.primary.to_numpy().tolist() == [[False, False], [True, False], [False, False]]
    assert result.hidden.to_numpy().tolist() == [[False, False], [True, True], [True, True]]
    assert result.n_hidden == 4 and result.n_complementary == 3
    shown = result.shown()
    assert shown.loc["Enschede", "fits"] == 12 and pd.isna(shown.loc["Hengelo", "fits"])


def test_zero_is_shown_and_threshold_one_hides_nothing():
    counts = pd.DataFrame({"a": [0, 7], "b": [3, 9]})
    assert not suppress_counts(counts, threshold=1).hidden.to_numpy().any()
    result = suppress_counts(counts)
    assert not result.hidden.loc[0, "a"] or result.hidden.loc[0, "b"]
    assert result.hidden.loc[0, "b"]


def test_a_group_of_three_in_a_series_is_hidden_with_a_complement():
    result = suppress_counts(pd.Series({"boys": 3, "girls": 20, "other": 11}))
    assert result.hidden.iloc[:, 0].tolist() == [True, False, True]
    assert is_small(3) and not is_small(0) and not is_small(5)


@pytest.mark.parametrize(
    ("counts", "threshold", "message"),
    [
        (pd.DataFrame({"a": [-1]}), 5, "whole numbers of at least 0"),
        (pd.DataFrame({"a": [1.5]}), 5, "whole numbers of at least 0"),
        (pd.DataFrame({"a": [np.nan]}), 5, "none missing"),
        (pd.DataFrame({"a": [1]}), 0, "must be a whole number of at least 1. Got 0 instead."),
    ],
)
def test_bad_counts_and_thresholds_are_refused(counts, threshold, message):
    with pytest.raises(ValueError, match=message):
        suppress_counts(counts, threshold)


@given(
    arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(0, 30)),
    st.integers(1, 8),
)
def test_no_small_count_shows_and_no_line_keeps_a_single_hidden_cell(values, threshold):
    result = suppress_counts(pd.DataFrame(values), threshold)
    hidden = result.hidden.to_numpy()
    assert not ((values > 0) & (values < threshold) & ~hidden).any()
    for lines, cells in ((hidden, values), (hidden.T, values.T)):
        if lines.shape[1] > 1:
            assert not (lines.sum(axis=1) == 1).any()
            # hidden cells never sum to a small count a shown total would give away
            hidden_sum = np.where(lines, cells, 0).sum(axis=1)
            small_sum = (hidden_sum > 0) & (hidden_sum < threshold)
            shown_total = cells.sum(axis=1) >= threshold
            assert not (small_sum & shown_total).any()
    # nothing is hidden without a small count to protect
    assert hidden.any() == ((values > 0) & (values < threshold)).any()


def test_a_total_that_would_give_a_lone_hidden_cell_away_is_hidden():
    # One column: the row totals are the cells, so a hidden cell's row total is hidden too
    # (found by the safekeeping work: the cohort table per municipality with one decision kind).
    result = suppress_counts(pd.DataFrame({"placed": [3, 12, 9]}, index=["a", "b", "c"]))
    assert result.hidden["placed"].tolist() == [True, False, True]
    assert result.total_hidden(axis=1).tolist() == [True, False, True]
    assert not result.total_hidden(axis=0)["placed"]  # the column total (24) protects nothing alone


def test_cells_named_in_also_are_hidden_as_if_small_and_complemented():
    # a caller also shows the sum b + c = 4 of a row (small): hiding a (20) keeps it from n - a;
    # a's column then holds one hidden cell, so its smallest other count (9) goes too
    counts = pd.DataFrame({"a": [20, 9], "b": [2, 6], "c": [2, 8]})
    also = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    also.loc[0, "a"] = True
    result = suppress_counts(counts, also=also)
    assert result.primary.to_numpy().tolist() == [[True, True, True], [False, False, False]]
    assert result.hidden.loc[:, "a"].tolist() == [True, True]
    with pytest.raises(ValueError, match=r"'also' must have the index and columns of the counts\."):
        suppress_counts(counts, also=also.T)


def test_two_small_counts_in_a_row_are_not_left_to_sum_to_a_small_count():
    # [1, 1, 20] with the row total 22 shown: hiding the two 1s alone would tell the reader
    # that together they are 2 (a found leak: the research round's review of the overview).
    result = suppress_counts(pd.DataFrame([[1, 1, 20], [9, 8, 30]]))
    assert result.hidden.iloc[0].tolist() == [True, True, True]


def test_the_row_totals_are_complemented_as_a_line_whose_sum_is_known():
    # a page saying "30 referrals" above row totals 9, 9, 8 and a hidden 4 gave the 4 away (break-it
    # probe on the research page): the smallest shown total is hidden with it
    counts = pd.DataFrame({"open": [9, 9, 8, 4]}, index=["a", "b", "c", "crisis"])
    result = suppress_counts(counts)
    assert result.total_hidden(axis=1).tolist() == [False, False, True, True]
