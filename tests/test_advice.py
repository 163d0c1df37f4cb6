"""Advice rules: precedence, flags and overrides, ceilings, margins, the counterfactual, composition."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import weegtool
from weegtool import read_ratings
from weegtool.advice import Override, add_months
from weegtool.composition import House, Resident
from weegtool.engine import score_ratings

from .factories import ratings_frame


def candidate(instrument, ratings, **fields):
    row = {
        "candidate_id": "C1",
        "rater_id": "R1",
        **{i: None for i in instrument.item_ids},
        **ratings,
        **fields,
    }
    return pd.DataFrame([row])


def advice_of(instrument, ratings, houses=None, overrides=None, **fields):
    scores = weegtool.score(instrument, candidate(instrument, ratings, **fields))
    return weegtool.advise(scores, houses=houses, overrides=overrides, on=dt.date(2026, 11, 23))[0]


MIDDLE = {
    "er_outbursts": 1,
    "er_recovery": 1,
    "pf_network": 1,
}  # total (2*50 + 50) / 3 = 50: band middle
LOW = {"er_outbursts": 0, "er_recovery": 0, "pf_network": 2}  # total 0: band light


@pytest.fixture
def example(make_instrument):
    return make_instrument()


def test_band_sets_the_advice_with_its_margin(example):
    advice = advice_of(example, MIDDLE, age=15, consent="ja")
    assert (advice.total, advice.band, advice.category) == (50.0, "middle", "fits")
    assert (advice.margin, advice.nearest_band) == (10.0, "high")
    assert advice.reasons[0].kind == "band" and advice.reasons[0].decisive


def test_total_on_a_boundary_belongs_to_the_band_that_starts_there(make_instrument):
    data = make_instrument().spec.model_dump(mode="json", by_alias=True)
    data["advice"]["bands"][1]["to"] = data["advice"]["bands"][2]["from"] = 50
    advice = advice_of(make_instrument(data), MIDDLE, age=15, consent="ja")
    assert (advice.band, advice.category, advice.margin) == ("high", "fits_with_conditions", 0.0)


@pytest.mark.parametrize(
    "fields, category, kind",
    [
        ({"consent": "nee", "age": 15}, "further_assessment", "precondition"),
        ({"consent": "", "age": 15}, "further_assessment", "precondition"),
        ({"consent": "ja", "age": 30}, "refer", "precondition"),
        ({"consent": "ja", "age": 15, "flags": "needs_secured_setting"}, "refer", "hard_flag"),
        ({"consent": "ja", "age": 15, "flags": "addiction"}, "fits_with_conditions", "soft_flag"),
    ],
)
def test_rules_that_outrank_the_band(example, fields, category, kind):
    advice = advice_of(example, MIDDLE, **fields)
    assert advice.category == category
    assert advice.reasons[0].kind == kind and advice.reasons[0].decisive
    assert any(r.kind == "band" and not r.decisive for r in advice.reasons)


def test_unknown_consent_says_it_is_not_recorded(example):
    advice = advice_of(example, MIDDLE, age=15)
    reason = advice.reasons[0]
    assert (reason.rule, reason.values["known"]) == ("consent", False)
    assert advice.preconditions == {"consent": None, "age": True}


def test_soft_flag_without_advice_asks_for_discussion_only(example):
    advice = advice_of(example, MIDDLE, age=15, consent="ja", flags="suicide_risk")
    assert advice.category == "fits"
    assert [(r.kind, r.advice) for r in advice.reasons if r.kind == "soft_flag"] == [
        ("soft_flag", None)
    ]


def test_hard_flag_override_needs_justification_and_two_signatures(example):
    signed = {
        "C1": [
            Override(
                "needs_secured_setting",
                "Aggression only at home; item er_outbursts.",
                ("A. Gedragswetenschapper", "B. Teamleider"),
                ("er_outbursts",),
            )
        ]
    }
    advice = advice_of(
        example, MIDDLE, overrides=signed, age=15, consent="ja", flags="needs_secured_setting"
    )
    assert advice.category == "fits"
    assert advice.flags[0].overridden and "Aggression" in advice.flags[0].justification
    for bad, fragment in [
        (Override("needs_secured_setting", "reason", ("only one",)), "needs two signatures; got 1"),
        (Override("needs_secured_setting", "  ", ("a", "b")), "needs a written justification"),
        (Override("addiction", "reason", ("a", "b")), "only hard flags"),
    ]:
        with pytest.raises(weegtool.DecisionError, match=fragment):
            advice_of(
                example,
                MIDDLE,
                overrides={"C1": [bad]},
                age=15,
                consent="ja",
                flags="needs_secured_setting",
            )


def test_domain_ceiling_triggers_its_advice(example):
    advice = advice_of(
        example, {"er_outbursts": 2, "er_recovery": 2, "pf_network": 2}, age=15, consent="ja"
    )
    assert advice.total == pytest.approx(66.67, abs=0.01) and advice.band == "high"
    assert advice.category == "refer"
    assert advice.reasons[0].kind == "ceiling" and advice.reasons[0].values["score"] == 100.0


def test_not_assessable_gives_further_assessment_and_no_number(example):
    advice = advice_of(example, {"er_outbursts": 1}, age=15, consent="ja")
    assert advice.category == "further_assessment" and advice.total is None and advice.band is None
    assert advice.reasons[0].kind == "missing"
    # without a total no band can move, but er_outbursts 1 -> 2 takes the (prorated) emotion
    # regulation score from 50 to 100, past its ceiling of 90
    assert [(c.item, c.rating_to, c.total_to, c.advice_to) for c in advice.changes] == [
        ("er_outbursts", 2.0, None, "refer")
    ]


def test_critical_items_and_disputes_are_always_listed(example):
    frame = pd.concat(
        [
            candidate(example, MIDDLE, age=15, consent="ja"),
            candidate(example, {**MIDDLE, "er_outbursts": 2}, age=15, consent="ja").assign(
                rater_id="R2"
            ),
            candidate(example, {**MIDDLE, "er_outbursts": 0}, age=15, consent="ja").assign(
                rater_id="R3"
            ),
        ]
    )
    frame["er_outbursts.critical"] = ["", "Slaat bij elke grens", ""]
    advice = weegtool.advise(weegtool.score(example, frame))[0]
    assert [(c.item, c.rater_id, c.reason) for c in advice.critical] == [
        ("er_outbursts", "R2", "Slaat bij elke grens")
    ]
    assert [(d.item, d.spread, dict(d.ratings)) for d in advice.disputed] == [
        ("er_outbursts", 2.0, {"R1": 1.0, "R2": 2.0, "R3": 0.0})
    ]


def test_review_date_is_six_months_on_clipped_to_month_end(example):
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    advice = advice_of(example, MIDDLE, age=15, consent="ja", date="2026-08-31")
    assert (advice.assessed_on, advice.review_date) == (dt.date(2026, 8, 31), dt.date(2027, 2, 28))


# --- composition: suitable vs fits this group now ---------------------------------------


def test_suitable_candidate_with_a_hard_conflict_fits_but_not_this_group(example):
    house = House("huis-a", 4, residents=(Resident("B1", 15, ("suicide_risk",)),))
    advice = advice_of(example, MIDDLE, houses=house, age=15, consent="ja", flags="suicide_risk")
    assert (advice.suitability, advice.category, advice.group_fit) == (
        "fits",
        "fits_not_this_group",
        "conflicts",
    )
    assert advice.conflicts[0].rule == "one_suicide_risk" and advice.conflicts[0].details[
        "residents"
    ] == ["B1"]
    assert advice.reasons[0].kind == "composition" and advice.reasons[0].decisive


def test_unsuitable_candidate_keeps_its_advice_whatever_the_group(example):
    house = House("huis-a", 1, residents=(Resident("B1", 15),))
    advice = advice_of(
        example, MIDDLE, houses=house, age=15, consent="ja", flags="needs_secured_setting"
    )
    assert advice.category == "refer" and advice.group_fit == "conflicts"


def test_first_house_without_conflict_is_chosen(example):
    full = House("vol", 1, residents=(Resident("B1", 15),))
    free = House("vrij", 4)
    advice = advice_of(example, MIDDLE, houses=[full, free], age=15, consent="ja")
    assert (advice.house, advice.category, dict(advice.houses_checked)) == (
        "vrij",
        "fits",
        {"vol": 0, "vrij": 4},
    )


def test_a_named_house_that_is_not_given_is_an_error(example):
    with pytest.raises(weegtool.WeegtoolError, match="house 'elders' is not in the house file"):
        advice_of(example, MIDDLE, houses=[House("vrij", 4)], age=15, consent="ja", house="elders")


# --- the counterfactual ---------------------------------------------------------------------


def test_counterfactual_on_the_example(example):
    advice = advice_of(example, MIDDLE, age=15, consent="ja")
    # er_outbursts or er_recovery 1 -> 2 raise ER to 75 and the total to 66.67 (band high);
    # pf_network 1 -> 0 raises the total to 66.67 too; each is one level.
    assert {(c.item, c.rating_to, c.advice_to) for c in advice.changes} == {
        ("er_outbursts", 2.0, "fits_with_conditions"),
        ("er_recovery", 2.0, "fits_with_conditions"),
        ("pf_network", 0.0, "fits_with_conditions"),
    }
    assert all(c.total_to == pytest.approx(66.67, abs=0.01) for c in advice.changes)


def suitability_after(instrument, ratings, i, j, level):
    values = ratings.values.copy()
    values[i, j] = level
    changed = score_ratings(instrument, dataclasses.replace(ratings, values=values))
    return weegtool.advise(changed, on=dt.date(2026, 11, 23))[i].suitability


@settings(max_examples=15)
@given(seed=st.integers(0, 100_000))
def test_counterfactual_is_right_and_smallest(twente, seed):
    frame = ratings_frame(twente, n_candidates=2, n_raters=1, seed=seed)
    frame["age"], frame["consent"] = 15, "ja"
    ratings = read_ratings(frame, twente)
    advices = weegtool.advise(score_ratings(twente, ratings), on=dt.date(2026, 11, 23))
    for i, advice in enumerate(advices):
        for change in advice.changes:
            j = twente.item_ids.index(change.item)
            assert suitability_after(twente, ratings, i, j, change.rating_to) == change.advice_to
        smallest = min((c.size for c in advice.changes), default=np.inf)
        for j, _item in enumerate(twente.items):
            current = ratings.values[i, j]
            for level in (current - 1, current + 1):
                if abs(level - current) < smallest and 0 <= level <= 4:
                    assert suitability_after(twente, ratings, i, j, level) == advice.suitability
