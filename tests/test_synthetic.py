"""Synthetic cohorts: seeded, shaped like real tables, with a documented generative model."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

import weegtool
from weegtool.research.synthetic import AGE_BANDS, age_bands, synthetic_cohort


def digests(cohort) -> list[str]:
    parts = (
        cohort.ratings,
        cohort.candidates,
        cohort.truth[["candidate_id", "severity", "outcome"]],
    )
    return [hashlib.sha256(p.to_csv(index=False).encode()).hexdigest()[:16] for p in parts]


@pytest.mark.parametrize(
    "seed, expected",
    [
        (0, ["fc799b4358d3bb5e", "66ccb1be1aa7c2ed", "116b90c7ca755881"]),
        (7, ["c5d122cf540778dc", "36112725fff236ad", "1eae8d9941dd50c0"]),
    ],
)
def test_adding_sex_and_age_band_left_the_earlier_columns_unchanged(twente, seed, expected):
    # Digests of the ratings, candidates and truth tables written before `sex` was added
    # (30 candidates, 3 raters): the new column comes from a child generator.
    assert digests(synthetic_cohort(twente, 30, 3, seed=seed, outcomes="all")) == expected


def test_same_seed_same_cohort(twente):
    first, second = synthetic_cohort(twente, 20, 2, seed=5), synthetic_cohort(twente, 20, 2, seed=5)
    for name in ("ratings", "candidates", "truth"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))


def test_different_seed_different_cohort(twente):
    first, second = synthetic_cohort(twente, 20, 2, seed=5), synthetic_cohort(twente, 20, 2, seed=6)
    assert not first.ratings.equals(second.ratings)
    assert not first.truth.equals(second.truth)
    assert not first.truth["sex"].equals(second.truth["sex"])


def test_shapes_and_columns(twente):
    cohort = synthetic_cohort(twente, 12, 3, seed=1)
    assert cohort.ratings.shape == (36, 2 + len(twente.items))
    assert list(cohort.candidates.columns) == [
        "candidate_id",
        "age",
        "consent",
        "direction",
        "flags",
    ]
    assert list(cohort.truth.columns) == [
        "candidate_id",
        "severity",
        "outcome",
        "breakdown",
        "sex",
        "age_band",
        "placed",
        "placement_start",
        "placement_end",
        "end_reason",
        "planned_end",
        "days_placed",
        "days_to_breakdown",
    ]
    placed = cohort.truth["placed"]
    assert (cohort.truth["breakdown"] == 1 - cohort.truth["outcome"])[placed].all()
    assert cohort.truth.loc[~placed, ["outcome", "breakdown"]].isna().all().all()
    assert len(cohort.candidates) == len(cohort.truth) == 12
    assert (cohort.truth["candidate_id"] == cohort.candidates["candidate_id"]).all()
    assert set(cohort.truth["sex"]) <= {"F", "M"} and set(cohort.truth["age_band"]) <= set(
        AGE_BANDS
    )


def test_the_tables_score_as_they_are(twente):
    cohort = synthetic_cohort(twente, 15, 2, seed=2)
    scores = weegtool.score(twente, cohort.ratings, cohort.candidates)
    assert list(scores.candidate_ids) == list(cohort.candidates["candidate_id"])


def test_rates_are_plausible(twente):
    truth = synthetic_cohort(twente, 4000, 1, seed=3, outcomes="all").truth
    assert 0.55 < truth["outcome"].mean() < 0.8  # most placements continue
    assert 0.47 < (truth["sex"] == "F").mean() < 0.53
    assert abs(truth["severity"].mean()) < 0.06


def test_outcome_falls_with_severity(twente):
    truth = synthetic_cohort(twente, 3000, 1, seed=4, outcomes="all").truth
    heavy = truth["severity"] > truth["severity"].median()
    assert truth.loc[heavy, "outcome"].mean() < truth.loc[~heavy, "outcome"].mean() - 0.15


def test_sex_is_independent_of_severity_by_default(twente):
    truth = synthetic_cohort(twente, 4000, 1, seed=5).truth
    by_sex = truth.groupby("sex")["severity"].mean()
    assert abs(by_sex["F"] - by_sex["M"]) < 0.1


def test_rater_sex_bias_makes_girls_look_heavier_only(twente):
    fair = synthetic_cohort(twente, 400, 1, seed=6)
    biased = synthetic_cohort(twente, 400, 1, seed=6, rater_sex_bias=0.8)
    items = list(twente.item_ids)
    risk = np.array([item.direction == "risk" for item in twente.items])
    girls = (fair.truth["sex"] == "F").to_numpy()
    shift = biased.ratings[items].to_numpy(float) - fair.ratings[items].to_numpy(float)
    assert np.nansum(np.abs(shift[~girls])) == 0
    assert np.nanmean(shift[girls][:, risk]) > 0.3 and np.nanmean(shift[girls][:, ~risk]) < -0.3
    # the outcome follows the true severity (who is placed follows the biased ratings' advice)
    latent = ["candidate_id", "severity", "sex", "age_band"]
    pd.testing.assert_frame_equal(fair.truth[latent], biased.truth[latent])
    everyone = [
        synthetic_cohort(twente, 400, 1, seed=6, rater_sex_bias=b, outcomes="all") for b in (0, 0.8)
    ]
    assert (everyone[0].truth["outcome"] == everyone[1].truth["outcome"]).all()


@pytest.mark.parametrize(
    "ages, bands",
    [
        ([7, 11, 12, 17, 18, 28], ["under 12", "under 12", "12-17", "12-17", "18+", "18+"]),
    ],
)
def test_age_bands(ages, bands):
    assert list(age_bands(np.array(ages))) == bands


@pytest.mark.parametrize("n_candidates, n_raters", [(0, 3), (5, 0)])
def test_bad_sizes(twente, n_candidates, n_raters):
    with pytest.raises(ValueError, match=f"must be >= 1; got {n_candidates} and {n_raters}"):
        synthetic_cohort(twente, n_candidates, n_raters)


def test_only_the_placed_have_outcomes_by_default(twente):
    hidden = synthetic_cohort(twente, 1500, 1, seed=11).truth
    full = synthetic_cohort(twente, 1500, 1, seed=11, outcomes="all").truth
    placed = hidden["placed"]
    assert 0.5 < placed.mean() < 0.8 and (placed == full["placed"]).all()
    assert hidden.loc[~placed, ["outcome", "breakdown", "days_placed"]].isna().all().all()
    assert (hidden.loc[~placed, "end_reason"] == "").all() and hidden.loc[
        ~placed, "placement_start"
    ].isna().all()
    pd.testing.assert_series_equal(
        hidden.loc[placed, "breakdown"], full.loc[placed, "breakdown"].astype(float)
    )
    # the placed break down less often than the unplaced would (referrals are the heaviest)
    assert full.loc[placed, "breakdown"].mean() < full.loc[~placed, "breakdown"].mean() - 0.1


def test_placement_columns_follow_the_export(twente):
    truth = synthetic_cohort(twente, 800, 1, seed=12).truth
    placed = truth[truth["placed"]]
    unplanned = placed["end_reason"].isin(["breakdown", "heavier_care", "crisis"])
    assert (unplanned == (placed["breakdown"] == 1)).all()
    assert set(placed["end_reason"]) <= set(synthetic_cohort.__globals__["END_REASONS"])
    days = (placed["placement_end"] - placed["placement_start"]).dt.days
    assert (days == placed["days_placed"]).all()
    assert (placed["days_to_breakdown"].notna() == unplanned).all()
    assert (placed.loc[unplanned, "placement_end"] < placed.loc[unplanned, "planned_end"]).all()
    assert (placed.loc[~unplanned, "placement_end"] == placed.loc[~unplanned, "planned_end"]).all()


def test_the_committee_follows_the_engines_advice_but_as_often_as_asked(twente):
    cohort = synthetic_cohort(twente, 2000, 3, seed=13, deviation_rate=0.0)
    scores = weegtool.score(twente, cohort.ratings, cohort.candidates)
    advice = [a.category for a in weegtool.advise(scores)]
    assert list(cohort.decisions["advice"]) == advice and cohort.decisions["follows_advice"].all()
    assert (
        cohort.decisions["placed"] == cohort.decisions["advice"].isin(twente.spec.advice.suitable)
    ).all()
    assert (cohort.truth["placed"] == cohort.decisions["placed"]).all()
    often = synthetic_cohort(twente, 2000, 3, seed=13, deviation_rate=0.2).decisions
    steps = often["advice"].isin([*twente.spec.advice.suitable, "refer", "lighter_care"])
    assert 0.15 < (~often["follows_advice"])[steps].mean() < 0.25  # half of the steps go nowhere
    deviated = often[~often["follows_advice"]]
    assert (deviated["items"].str.count(";") == 1).all() and set(deviated["direction"]) == {
        "heavier",
        "lighter",
    }


def test_the_planted_committee_bias_refers_girls_only(twente):
    fair = synthetic_cohort(twente, 1000, 2, seed=14)
    biased = synthetic_cohort(twente, 1000, 2, seed=14, committee_sex_bias=0.4)
    changed = fair.decisions["decision"] != biased.decisions["decision"]
    assert changed.any()
    assert (biased.truth.loc[changed, "sex"] == "F").all()
    assert (biased.decisions.loc[changed, "decision"] == "refer").all()
    pd.testing.assert_frame_equal(fair.ratings, biased.ratings)
