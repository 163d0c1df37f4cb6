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
        ([(FIELDS, [RaterRatings(" ", {})])], "candidate 'C1', rater ' ': the rater id must be text, not blank."),
        ([(CandidateFields("C1", flags=("suicide",)), [RaterRatings("R1", {})])],
         "candidate 'C1': field 'flags': unknown flag 'suicide' (did you mean 'suicide_risk'?); flags are addiction, needs_secured_setting, suicide_risk; got ('suicide',)."),
        ([(FIELDS, [RaterRatings("R1", {})]), (FIELDS, [RaterRatings("R1", {})])],
         "candidate 'C1' is given more than once."),
        # found by trying to break it: each was accepted, crashed or read otherwise than the table
        ([(FIELDS, [RaterRatings("R1", {"er_outbursts": True})])],
         "candidate 'C1', rater 'R1', item 'er_outbursts': must be one of 0, 1, 2 or not known; got True."),
        ([(FIELDS, [RaterRatings("R1", {"er_outbursts": "2"})])],
         "candidate 'C1', rater 'R1', item 'er_outbursts': must be one of 0, 1, 2 or not known; got '2'."),
        ([(FIELDS, [RaterRatings("R1", {})]), (CandidateFields("C2"), [])],
         "candidate 'C2': has no raters; give each candidate at least one rater's ratings."),
        ([], "there are no candidates; there is nothing to score."),
        ([(CandidateFields("C1", age=27.9), [RaterRatings("R1", {})])],
         "candidate 'C1': field 'age': must be an age in whole years; got 27.9."),
        ([(CandidateFields("C1", age=True), [RaterRatings("R1", {})])],
         "candidate 'C1': field 'age': must be an age in whole years; got True."),
        ([(CandidateFields("C1", consent="misschien"), [RaterRatings("R1", {})])],
         "candidate 'C1': field 'consent': must be yes or no (ja/nee, true/false, 1/0); got 'misschien'."),
        ([(CandidateFields("C1", purpose="holiday"), [RaterRatings("R1", {})])],
         "candidate 'C1': field 'purpose': must be admission or review (opname of evaluatie); got 'holiday'."),
        ([(CandidateFields("C1", date="2024-13-01"), [RaterRatings("R1", {})])],
         "candidate 'C1': field 'date': must be a date as YYYY-MM-DD or DD-MM-YYYY; got '2024-13-01'."),
        ([(CandidateFields("C1", conditions={"mandate": True}), [RaterRatings("R1", {})])],
         "candidate 'C1': field 'mandate' is not a precondition field of example-minimal 1.0.0 "
         "(concept, sha256 " + INSTRUMENT.sha256[:12] + ") (those are none)."),
        ([(FIELDS, [RaterRatings("R1", {}, critical={"er_outbursts": "ja"})])],
         "candidate 'C1', rater 'R1', item 'er_outbursts': give the reason the item is critical, not "
         "only that it is; got 'ja'."),
        ([(FIELDS, [RaterRatings("R1", {}, notes={"er_outbursts": 3})])],
         "candidate 'C1', rater 'R1', item 'er_outbursts': a note or reason must be text; got 3."),
    ],
)  # fmt: skip
def test_bad_typed_values_are_refused_with_their_place(committee, message):
    with pytest.raises(RatingsError) as caught:
        Ratings.from_raters(INSTRUMENT, committee)
    assert caught.value.problems == (message,)


def test_typed_values_are_read_in_the_tables_vocabulary():
    # what a caller may pass as it comes from a form or a spreadsheet: read as the table reads it
    given = CandidateFields(" C1 ", age="14,0", consent="nee", flags=("suicide_risk", "addiction",
                            "addiction"), house="  ", date=dt.datetime(2026, 1, 31, 10, 30))  # fmt: skip
    raters = [
        RaterRatings(" R1 ", {"er_outbursts": np.int64(2), "er_recovery": float("nan")},
                     critical={"er_outbursts": "nee"}),
        RaterRatings("R2", {"er_outbursts": 1.0, "er_recovery": pd.NA}, notes={"er_outbursts": None}),
    ]  # fmt: skip
    ratings = Ratings.from_raters(INSTRUMENT, [(given, raters)])
    assert ratings.record("C1") == CandidateFields(
        "C1", age=14, consent=False, flags=("addiction", "suicide_risk"), date=dt.date(2026, 1, 31)
    )
    assert ratings.by_rater("C1", "er_outbursts") == {"R1": 2.0, "R2": 1.0}
    assert ratings.critical == {} and ratings.notes == {}
    advice = weegtool.advise(weegtool.score(INSTRUMENT, ratings), on=ON)[0]
    assert advice.category == "further_assessment"  # consent "nee" is no consent


def test_candidates_keep_their_own_ratings_whatever_the_order():
    high = RaterRatings("R1", {"er_outbursts": 2, "er_recovery": 2, "pf_network": 0})
    low = RaterRatings("R2", {"er_outbursts": 0, "er_recovery": 0, "pf_network": 2})
    ratings = Ratings.from_raters(
        INSTRUMENT, [(CandidateFields("A"), [low]), (CandidateFields("B"), [high])]
    )
    assert list(ratings.candidate_ids) == ["A", "B"]
    assert ratings.by_rater("B", "er_outbursts") == {"R1": 2.0}
    assert list(ratings.values[1]) == [2.0, 2.0, 0.0]
