"""Comparing instrument versions: no change without a difference, the predicted changes with one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import weegtool
from weegtool.instrument import Instrument, InstrumentSpec
from weegtool.research.synthetic import synthetic_cohort
from weegtool.research.versions import compare_versions, instrument_changes


def changed(
    instrument: Instrument, version: str = "2.0.0", items=None, uppers=None, drop=(), rename=None
) -> Instrument:
    """A new version of ``instrument``: item weights, band uppers, items dropped or renamed."""
    data = instrument.spec.model_dump(mode="json", by_alias=True)
    data["version"] = version
    data["items"] = [item for item in data["items"] if item["id"] not in drop]
    for item in data["items"]:
        item["weight"] = (items or {}).get(item["id"], item["weight"])
        item["id"] = (rename or {}).get(item["id"], item["id"])
    bands = data["advice"]["bands"]
    for n, upper in enumerate(uppers or ()):
        bands[n]["to"] = upper
        if n + 1 < len(bands):
            bands[n + 1]["from"] = upper
    return Instrument(InstrumentSpec.model_validate(data))


def table(instrument: Instrument, rows: dict[str, tuple[int, ...]]) -> pd.DataFrame:
    """One rater per candidate, consent given, age 15: only the ratings decide."""
    return pd.DataFrame(
        [
            {
                "candidate_id": c,
                "rater_id": "R1",
                "age": 15,
                "consent": "ja",
                **dict(zip(instrument.item_ids, values)),
            }
            for c, values in rows.items()
        ]
    )


# er_outbursts, er_recovery, pf_network on the 0-2 scale of the example instrument
EXAMPLE_ROWS = {"A": (2, 0, 2), "B": (2, 0, 1), "C": (0, 2, 1), "D": (0, 2, 2), "E": (1, 1, 1)}


def test_identical_versions_change_nothing(make_instrument):
    instrument = make_instrument()
    result = compare_versions(instrument, instrument, table(instrument, EXAMPLE_ROWS))
    assert result.n_changed == 0 and result.changes.empty
    assert (
        np.trace(result.crosstab.to_numpy())
        == len(EXAMPLE_ROWS)
        == result.crosstab.to_numpy().sum()
    )
    assert result.instrument_changes.empty
    assert (result.contributions.to_numpy() == 0).all()


def test_one_item_weight_changes_exactly_the_predicted_candidates(make_instrument):
    # er_outbursts weight 1 -> 3. Emotion regulation (weight 2 of 3) goes from the mean of the
    # two items to (3 x outbursts + recovery) / 4; so B's total rises from 50 to 66.67 (band
    # middle -> high) and D's falls from 33.33 to 16.67 (middle -> light). A, C and E stay in
    # the middle band; E's total stays 50 while its contributions shift between the two items.
    old = make_instrument()
    new = changed(old, items={"er_outbursts": 3})
    result = compare_versions(old, new, table(old, EXAMPLE_ROWS))
    changes = result.changes
    assert list(changes.index) == ["B", "D"]
    assert changes.loc["B", ["old_category", "new_category", "old_band", "new_band"]].tolist() == [
        "fits",
        "fits_with_conditions",
        "middle",
        "high",
    ]
    assert changes.loc["B", ["old_total", "new_total"]].tolist() == pytest.approx(
        [50.0, 66.67], abs=0.01
    )
    assert (
        changes.loc["B", "old_reasons"] == "band:middle"
        and changes.loc["B", "new_reasons"] == "band:high"
    )
    assert changes.loc["B", "top_items"] == "er_outbursts +16.67"
    assert (
        changes.loc["D", "new_category"] == "lighter_care"
        and changes.loc["D", "top_items"] == "er_recovery -16.67"
    )
    assert result.contributions.loc["E"].round(2).tolist() == [8.33, -8.33, 0.0]
    assert result.crosstab.loc[
        "fits", ["fits", "fits_with_conditions", "lighter_care"]
    ].tolist() == [3, 1, 1]
    assert result.instrument_changes.to_dict("records") == [
        {"part": "item", "id": "er_outbursts", "field": "weight", "old": 1.0, "new": 3.0}
    ]


def test_explanations_are_sentences_in_the_language_asked(make_instrument):
    old = make_instrument()
    new = changed(old, items={"er_outbursts": 3})
    english = compare_versions(old, new, table(old, EXAMPLE_ROWS), lang="en").changes
    dutch = compare_versions(old, new, table(old, EXAMPLE_ROWS)).changes
    assert english.loc["B", "new_explanation"].startswith(
        "Total score 66.7 lies in band 'high' (60-80)"
    )
    assert dutch.loc["B", "new_explanation"] != english.loc["B", "new_explanation"]


def test_a_moved_cut_off_changes_only_band_decided_candidates_near_it(twente):
    cohort = synthetic_cohort(twente, 30, 1, seed=12)
    new = changed(twente, version="0.2.0", uppers=(20, 60))
    result = compare_versions(twente, new, cohort.ratings, cohort.candidates)
    old_advice = weegtool.advise(weegtool.score(twente, cohort.ratings, cohort.candidates))
    expected = [
        a.candidate_id
        for a in old_advice
        if a.category == "fits_with_conditions"
        and 55 <= a.total < 60
        and [(r.kind, r.rule) for r in a.reasons if r.decisive] == [("band", "elevated")]
    ]
    assert expected and list(result.changes.index) == expected
    assert (result.changes["new_category"] == "fits").all()
    assert set(result.instrument_changes["id"]) == {"target", "elevated"}


def test_versions_must_share_their_items(make_instrument):
    old = make_instrument()
    new = changed(old, rename={"er_recovery": "er_recovery_time"})
    with pytest.raises(ValueError) as caught:
        compare_versions(old, new, table(old, EXAMPLE_ROWS))
    assert str(caught.value) == (
        "The two instruments must have the same items to be compared; missing from "
        "example-minimal 2.0.0: er_recovery; missing from example-minimal 1.0.0: "
        "er_recovery_time."
    )


def test_ratings_already_read_are_refused(make_instrument):
    instrument = make_instrument()
    scores = weegtool.score(instrument, table(instrument, EXAMPLE_ROWS))
    with pytest.raises(ValueError, match="needs the ratings table itself"):
        compare_versions(instrument, instrument, scores.ratings)


def test_instrument_changes_name_bands_ceilings_and_domains(make_instrument):
    old = make_instrument()
    data = old.spec.model_dump(mode="json", by_alias=True)
    data["domains"][1]["weight"] = 2
    data["advice"]["ceilings"][0]["at"] = 85
    new = Instrument(InstrumentSpec.model_validate(data))
    rows = instrument_changes(old, new)
    assert rows.to_dict("records") == [
        {"part": "domain", "id": "protective_factors", "field": "weight", "old": 1.0, "new": 2.0},
        {"part": "ceiling", "id": "emotion_regulation", "field": "at", "old": 90.0, "new": 85.0},
    ]
