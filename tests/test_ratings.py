"""Ratings from typed values (``Ratings.from_raters``): the same as the table read from a file."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import weegtool
from weegtool.candidate import CandidateFields
from weegtool.errors import RatingsError
from weegtool.ratings import RaterRatings, Ratings

from .conftest import EXAMPLE

INSTRUMENT = weegtool.load_instrument(EXAMPLE)
ITEMS = INSTRUMENT.item_ids
ON = dt.date(2026, 11, 23)


@st.composite
def committees(draw):
    """Typed values for one to four candidates, one to three raters each, with notes and gaps."""
    out = []
    for c in range(draw(st.integers(1, 4))):
        fields = CandidateFields(
            f"C{c + 1}",
            age=draw(st.sampled_from([None, 12, 30])),
            consent=draw(st.sampled_from([None, True, False])),
            flags=tuple(sorted(draw(st.sets(st.sampled_from(["addiction", "suicide_risk"]))))),
        )
        raters = []
        for r in range(draw(st.integers(1, 3))):
            levels = {i: draw(st.sampled_from([0, 1, 2, None])) for i in ITEMS}
            note = draw(st.sampled_from(["", "gezien op school", "  "]))
            raters.append(RaterRatings(f"R{r + 1}", levels, {ITEMS[0]: note}))
        out.append((fields, raters))
    return out


def as_table(committee):
    """The same values as the ratings table a committee would write."""
    rows = []
    for fields, raters in committee:
        for rater in raters:
            rows.append({
                "candidate_id": fields.id, "rater_id": rater.rater_id,
                "age": fields.age, "consent": {True: "ja", False: "nee", None: ""}[fields.consent],
                "flags": ";".join(fields.flags),
                **{i: rater.levels.get(i) for i in ITEMS},
                **{f"{i}.note": t for i, t in rater.notes.items()},
            })  # fmt: skip
    return pd.DataFrame(rows)


@settings(max_examples=40)
@given(committee=committees())
def test_typed_values_give_what_the_table_gives(committee):
    typed = Ratings.from_raters(INSTRUMENT, committee)
    read = weegtool.read_ratings(as_table(committee), INSTRUMENT)
    np.testing.assert_array_equal(typed.values, read.values)
    np.testing.assert_array_equal(typed.spread, read.spread)
    np.testing.assert_array_equal(typed.disputed, read.disputed)
    assert list(typed.candidate_ids) == list(read.candidate_ids)
    assert typed.records == read.records
    assert typed.notes == read.notes
    for cid in typed.candidate_ids:
        assert typed.by_rater(cid, ITEMS[0]) == read.by_rater(cid, ITEMS[0])
    from_typed = weegtool.advise(weegtool.score(INSTRUMENT, typed), on=ON)
    from_table = weegtool.advise(weegtool.score(INSTRUMENT, read), on=ON)
    assert [a.to_dict() for a in from_typed] == [a.to_dict() for a in from_table]


FIELDS = CandidateFields("C1", age=15, consent=True)


@pytest.mark.parametrize(
    "committee, message",
    [
        ([(FIELDS, [RaterRatings("R1", {"er_outburst": 1})])],
         "candidate 'C1', rater 'R1': 'er_outburst' is not an item; did you mean 'er_outbursts'?"),
        ([(FIELDS, [RaterRatings("R1", {"er_outbursts": 3})])],
         "candidate 'C1', rater 'R1', item 'er_outbursts': must be one of 0, 1, 2 or not known; got 3."),
        ([(FIELDS, [RaterRatings("R1", {}), RaterRatings("R1", {})])],
         "candidate 'C1': rater 'R1' is given more than once."),
        ([(FIELDS, [RaterRatings(" ", {})])], "candidate 'C1', rater ' ': the rater id must not be blank."),
        ([(CandidateFields("C1", flags=("suicide",)), [RaterRatings("R1", {})])],
         "candidate 'C1': unknown flag 'suicide'; flags are addiction, needs_secured_setting, suicide_risk."),
        ([(FIELDS, [RaterRatings("R1", {})]), (FIELDS, [RaterRatings("R1", {})])],
         "candidate 'C1': a candidate id must be given, once; got it blank or twice."),
    ],
)  # fmt: skip
def test_bad_typed_values_are_refused_with_their_place(committee, message):
    with pytest.raises(RatingsError) as caught:
        Ratings.from_raters(INSTRUMENT, committee)
    assert caught.value.problems == (message,)
