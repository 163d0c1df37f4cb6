"""read_export: the web app's researcher export read into the shape of a synthetic cohort."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

import weegtool
from weegtool.errors import ResearchError
from weegtool.outcomes import OUTCOME_COLUMNS
from weegtool.research import EXPORT_ENV, export_folder, read_export, synthetic_cohort

from .conftest import TWENTE
from .demo_export import demo_export_fixture  # noqa: F401  (the fixture demo_export)


def test_the_demo_export_reads_as_a_cohort_shaped_like_the_synthetic_one(demo_export):
    cohort = read_export(demo_export)
    synthetic = synthetic_cohort(weegtool.load_instrument(TWENTE), 20, 3, seed=1)
    assert list(cohort.truth.columns) == ["candidate_id", *OUTCOME_COLUMNS]
    assert set(OUTCOME_COLUMNS) <= set(synthetic.truth.columns)
    for column in ("placed", "placement_start", "breakdown", "days_placed"):
        assert cohort.truth[column].dtype == synthetic.truth[column].dtype, column
    truth = cohort.truth.set_index("candidate_id")
    # the demo's history (weegtool.store.demo.HISTORY): nine placements, three ended unplanned
    assert len(truth) == 30 and int(truth["placed"].sum()) == 9
    assert truth["breakdown"].sum() == 3 and truth.loc[~truth["placed"], "breakdown"].isna().all()
    assert sorted(truth["end_reason"].replace("", np.nan).dropna()) == sorted(
        ["back_home", "foster_family", "other", "breakdown", "heavier_care", "crisis",
         "independent_living"]
    )  # fmt: skip
    assert (truth["breakdown"] + truth["outcome"]).dropna().eq(1).all()
    # the keyed pseudonyms join: every rated candidate has its outcome row and its decision
    rated = set(cohort.ratings["candidate_id"])
    assert len(rated) == 24 and rated <= set(truth.index)
    assert set(cohort.decisions["candidate_id"]) <= rated
    assert cohort.decisions["candidate_id"].is_unique
    placed = cohort.decisions.set_index("candidate_id")["placed"]
    assert placed.sum() == 9 and placed.equals(truth.loc[placed.index, "placed"].rename("placed"))
    scores = weegtool.score(weegtool.load_instrument(TWENTE), cohort.ratings, cohort.candidates)
    assert scores.assessable.all() and len(scores.candidate_ids) == 24


def test_the_folder_may_hold_the_routes_names_too(demo_export, tmp_path):
    for download, route in (
        ("beoordelingen-gepseudonimiseerd.csv", "ratings.csv"),
        ("besluiten-gepseudonimiseerd.csv", "decisions.csv"),
        ("uitkomsten-gepseudonimiseerd.csv", "outcomes.csv"),
    ):
        shutil.copy(demo_export / download, tmp_path / route)
    assert read_export(tmp_path).truth.equals(read_export(demo_export).truth)


def test_the_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(EXPORT_ENV, raising=False)
    assert export_folder() is None
    monkeypatch.setenv(EXPORT_ENV, "  ")
    assert export_folder() is None
    monkeypatch.setenv(EXPORT_ENV, str(tmp_path))
    assert export_folder() == tmp_path


def _copy(demo_export, tmp_path):
    for path in demo_export.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / "uitkomsten-gepseudonimiseerd.csv"


def _edit(path, change):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame).to_csv(path, index=False)


def test_a_missing_folder_or_file_is_refused(demo_export, tmp_path):
    with pytest.raises(ResearchError, match=f"read_export: {tmp_path / 'nee'} is not a folder."):
        read_export(tmp_path / "nee")
    outcomes = _copy(demo_export, tmp_path)
    outcomes.unlink()
    with pytest.raises(ResearchError) as caught:
        read_export(tmp_path)
    assert str(caught.value) == (
        f"read_export: the folder {tmp_path} has no uitkomsten-gepseudonimiseerd.csv or "
        "outcomes.csv; download the three CSV files of the Onderzoek page into one folder."
    )


def test_a_missing_column_is_named(demo_export, tmp_path):
    outcomes = _copy(demo_export, tmp_path)
    _edit(outcomes, lambda f: f.drop(columns=["breakdown", "end_reason"]))
    with pytest.raises(ResearchError) as caught:
        read_export(tmp_path)
    assert str(caught.value) == (
        "read_export: uitkomsten-gepseudonimiseerd.csv lacks the column(s) end_reason, breakdown."
    )


@pytest.mark.parametrize(
    "column, value, message",
    [
        (
            "placed",
            "ja",
            "read_export: uitkomsten-gepseudonimiseerd.csv, column placed: True or False "
            "expected; got 'ja'.",
        ),
        ("days_placed", "veel", "read_export: uitkomsten-gepseudonimiseerd.csv: Unable to parse"),
        (
            "placement_start",
            "gisteren",
            'read_export: uitkomsten-gepseudonimiseerd.csv: time data "gisteren" doesn\'t match',
        ),
    ],
)
def test_a_cell_that_cannot_be_read_is_refused(demo_export, tmp_path, column, value, message):
    outcomes = _copy(demo_export, tmp_path)
    _edit(outcomes, lambda f: f.assign(**{column: value}))
    with pytest.raises(ResearchError) as caught:
        read_export(tmp_path)
    assert str(caught.value).startswith(message)


def test_an_outcome_of_the_unplaced_is_refused(demo_export, tmp_path):
    outcomes = _copy(demo_export, tmp_path)

    _edit(outcomes, lambda f: f.assign(placed="False"))
    with pytest.raises(ResearchError) as caught:
        read_export(tmp_path)
    assert str(caught.value) == (
        "read_export: uitkomsten-gepseudonimiseerd.csv has an outcome for a candidate who was "
        "not placed."
    )


def test_ratings_of_a_candidate_without_an_outcome_row_are_refused(demo_export, tmp_path):
    outcomes = _copy(demo_export, tmp_path)
    first = pd.read_csv(outcomes, dtype=str)["candidate_id"].iloc[0]
    _edit(outcomes, lambda f: f.drop(index=0))
    with pytest.raises(ResearchError) as caught:
        read_export(tmp_path)
    assert str(caught.value) == (
        f"read_export: 1 rated candidate(s) have no row in uitkomsten-gepseudonimiseerd.csv "
        f"(first: {first}); were the files exported together, with the same pseudonym key?"
    )
