"""Bad ratings and candidates tables, each with its message; and what a good table turns into.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first
candidate row is row 2. The base table is ``make_ratings(example, 3, 3, seed=1)``:
candidates C1..C3, raters R1..R3, so index 4 is candidate C2, rater R2, row 6.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import weegtool
from weegtool import read_ratings
from weegtool.errors import HouseError, RatingsError, WeegtoolError
from weegtool.ratings import Evidence

DIRECTIONS = "long_term, cannot_live_home, temporary_back_home, crisis"
FLAGS = "addiction, needs_secured_setting, suicide_risk"


@pytest.fixture
def example(make_instrument):
    return make_instrument()


@pytest.fixture
def base(example, make_ratings):
    """Nine valid rater rows: C1..C3 x R1..R3."""
    return make_ratings(example, n_candidates=3, n_raters=3, seed=1)


def with_column(frame: pd.DataFrame, name: str, default: Any, **rows: Any) -> pd.DataFrame:
    """``frame`` with column ``name``: ``default`` everywhere, ``rows`` (``r4=value``) at those positions."""
    values = [default] * len(frame)
    for key, value in rows.items():
        values[int(key[1:])] = value
    return frame.assign(**{name: values})


def set_value(
    frame: pd.DataFrame, position: int, column: str, value: Any, dtype: Any = object
) -> pd.DataFrame:
    frame = frame.copy()
    frame[column] = frame[column].astype(dtype)
    frame.loc[position, column] = value
    return frame


def candidates_table(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"candidate_id": ids, "age": [15] * len(ids), "consent": ["ja"] * len(ids)})


def write_csv(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


Case = Callable[
    [pd.DataFrame, Any], tuple[Any, Any]
]  # (base frame, tmp_path) -> (ratings, candidates)


def ratings_only(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Case:
    return lambda frame, _tmp: (change(frame), None)


def with_candidates(ids: list[str]) -> Case:
    return lambda frame, _tmp: (frame, candidates_table(ids))


def csv_with_bad_rating(frame: pd.DataFrame, tmp_path) -> tuple[Any, None]:
    lines = frame.to_csv(index=False).splitlines()
    cells = lines[6].split(",")  # spreadsheet row 7: C2, R3
    assert cells[:2] == ["C2", "R3"]
    cells[2] = "9"
    lines[6] = ",".join(cells)
    return write_csv(tmp_path / "ratings.csv", "\n".join(lines) + "\n"), None


def dutch_csv_with_bad_consent(_frame: pd.DataFrame, tmp_path) -> tuple[Any, None]:
    return write_csv(
        tmp_path / "beoordelingen.csv",
        "candidate_id;rater_id;er_outbursts;er_recovery;pf_network;consent\n"
        "C1;R1;1;2;0;ja\n"
        "C2;R1;1;2;0;misschien\n",
    ), None


RATING = "must be one of 0, 1, 2 or blank when not known"

CASES = [
    pytest.param(
        ratings_only(lambda f: set_value(f, 4, "er_outbursts", 7, dtype="int64")),
        "ratings table",
        [f"row 6, column 'er_outbursts': {RATING}; got 7."],
        id="rating-out-of-scale",
    ),
    pytest.param(
        ratings_only(lambda f: set_value(f, 4, "er_outbursts", "drie")),
        "ratings table",
        [f"row 6, column 'er_outbursts': {RATING}; got 'drie'."],
        id="rating-not-a-number",
    ),
    pytest.param(
        ratings_only(lambda f: set_value(f, 4, "er_recovery", 2.5, dtype=float)),
        "ratings table",
        [f"row 6, column 'er_recovery': {RATING}; got 2.5."],
        id="half-rating-in-rater-row",
    ),
    pytest.param(
        ratings_only(lambda f: set_value(f, 7, "pf_network", "-1")),
        "ratings table",
        [f"row 9, column 'pf_network': {RATING}; got '-1'."],
        id="negative-rating-as-text",
    ),
    pytest.param(
        ratings_only(lambda f: f.rename(columns={"er_recovery": "er_recovry"})),
        "ratings table",
        [
            "column 'er_recovry' is not an item or a known field; did you mean 'er_recovery'?",
            "column 'er_recovery' is missing",
        ],
        id="misspelt-item-column",
    ),
    pytest.param(
        ratings_only(lambda f: f.drop(columns=["pf_network"])),
        "ratings table",
        [
            "column 'pf_network' is missing (an item nobody rated still needs its column, "
            "left blank)."
        ],
        id="missing-item-column",
    ),
    pytest.param(
        ratings_only(lambda f: f.drop(columns=["candidate_id"])),
        "ratings table",
        ["column 'candidate_id' is missing"],
        id="missing-candidate-id-column",
    ),
    pytest.param(
        ratings_only(lambda f: f.drop(columns=["rater_id"])),
        "ratings table",
        ["column 'rater_id' is missing"],
        id="missing-rater-id-column",
    ),
    pytest.param(
        ratings_only(lambda f: set_value(f, 3, "candidate_id", "  ")),
        "ratings table",
        ["row 5, column 'candidate_id': must not be blank."],
        id="blank-candidate-id",
    ),
    pytest.param(
        ratings_only(lambda f: set_value(f, 8, "rater_id", "")),
        "ratings table",
        ["row 10, column 'rater_id': must not be blank."],
        id="blank-rater-id",
    ),
    pytest.param(
        ratings_only(lambda f: set_value(f, 4, "rater_id", "R1")),
        "ratings table",
        ["row 6: rater 'R1' rated candidate 'C2' already in row 5."],
        id="same-rater-twice-for-a-candidate",
    ),
    pytest.param(
        ratings_only(lambda f: with_column(f, "age", 15, r4="vijftien")),
        "ratings table",
        ["row 6, column 'age': must be an age in whole years; got 'vijftien'."],
        id="age-not-a-number",
    ),
    pytest.param(
        ratings_only(lambda f: with_column(f, "consent", "ja", r4="misschien")),
        "ratings table",
        ["row 6, column 'consent': must be yes or no (ja/nee, true/false, 1/0); got 'misschien'."],
        id="consent-not-yes-or-no",
    ),
    pytest.param(
        ratings_only(lambda f: with_column(f, "direction", 1, r4=7)),
        "ratings table",
        [f"row 6, column 'direction': must be 1-4 or one of {DIRECTIONS}; got 7."],
        id="direction-out-of-range",
    ),
    pytest.param(
        ratings_only(
            lambda f: with_column(
                f, "flags", "", r3="suicide_rsk", r4="suicide_rsk", r5="suicide_rsk"
            )
        ),
        "ratings table",
        [
            "row 5, column 'flags': unknown flag 'suicide_rsk' (did you mean 'suicide_risk'?); "
            f"flags are {FLAGS}; got 'suicide_rsk'.",
            "row 7, column 'flags'",
        ],
        id="unknown-flag-with-suggestion",
    ),
    pytest.param(
        ratings_only(lambda f: with_column(f, "date", "2026-11-23", r4="31-02-2026")),
        "ratings table",
        ["row 6, column 'date': must be a date as YYYY-MM-DD or DD-MM-YYYY; got '31-02-2026'."],
        id="date-not-a-date",
    ),
    pytest.param(
        ratings_only(lambda f: with_column(f, "age", 15, r4=16)),
        "ratings table",
        [
            "candidate 'C2': column 'age' must be the same in all its rows; "
            "got row 5: 15, row 6: 16, row 7: 15."
        ],
        id="candidate-field-disagrees",
    ),
    pytest.param(
        ratings_only(lambda f: with_column(f, "er_outbursts.critical", "", r4="ja")),
        "ratings table",
        [
            "row 6, column 'er_outbursts.critical': give the reason the item is critical, "
            "not only that it is; got 'ja'."
        ],
        id="critical-without-reason",
    ),
    pytest.param(
        with_candidates(["C1", "C2", "C3", "C3"]),
        "candidates table",
        [
            "row 5, column 'candidate_id': 'C3' appears more than once; "
            "a candidates table has one row per candidate."
        ],
        id="candidates-duplicate-id",
    ),
    pytest.param(
        with_candidates(["C1", "C2"]),
        "ratings table",
        ["candidate 'C3' has ratings but is not in candidates table."],
        id="candidates-missing-a-rated-candidate",
    ),
    pytest.param(
        with_candidates(["C1", "C2", "C3", "C4"]),
        "ratings table",
        ["candidate 'C4' is in candidates table but has no ratings."],
        id="candidates-with-a-candidate-without-ratings",
    ),
    pytest.param(
        lambda f, _tmp: (with_column(f, "age", 15), candidates_table(["C1", "C2", "C3"])),
        "ratings table",
        [
            "column 'age' is both in the ratings table and in candidates table; "
            "give it in one place."
        ],
        id="field-in-both-tables",
    ),
    pytest.param(
        csv_with_bad_rating,
        "{tmp}/ratings.csv",
        [f"row 7, column 'er_outbursts': {RATING}; got '9'."],
        id="csv-rating-out-of-scale",
    ),
    pytest.param(
        dutch_csv_with_bad_consent,
        "{tmp}/beoordelingen.csv",
        ["row 3, column 'consent': must be yes or no (ja/nee, true/false, 1/0); got 'misschien'."],
        id="semicolon-csv-bad-consent",
    ),
]


@pytest.mark.parametrize("case, source, fragments", CASES)
def test_bad_table_is_reported(case, source, fragments, example, base, tmp_path):
    ratings, candidates = case(base, tmp_path)
    with pytest.raises(RatingsError) as caught:
        read_ratings(ratings, example, candidates)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, WeegtoolError)
    message = str(error)
    assert message.startswith(source.format(tmp=tmp_path) + ": ")
    for fragment in fragments:
        assert fragment in message
        assert any(fragment in problem for problem in error.problems)


def test_base_table_is_valid(example, base):
    """The catalogue's mutations start from a valid table."""
    ratings = read_ratings(base, example)
    assert list(ratings.candidate_ids) == ["C1", "C2", "C3"]


def test_all_bad_values_are_reported_together(example, base):
    frame = set_value(with_column(base, "consent", "ja", r2="misschien"), 4, "er_outbursts", "drie")
    frame = set_value(frame, 8, "pf_network", "5")
    with pytest.raises(RatingsError) as caught:
        read_ratings(frame, example)
    problems = caught.value.problems
    assert len(problems) == 3, problems
    assert {p.split(",")[0] for p in problems} == {"row 4", "row 6", "row 10"}


def test_missing_id_column_is_not_called_an_item(example, base):
    """The hint about items nobody rated is wrong for candidate_id and rater_id."""
    with pytest.raises(RatingsError) as caught:
        read_ratings(base.drop(columns=["candidate_id"]), example)
    message = str(caught.value)
    assert "column 'candidate_id' is missing" in message
    assert "item" not in message


@pytest.mark.parametrize("what, argument", [("ratings", "ratings"), ("candidates", "candidates")])
def test_file_that_does_not_exist(what, argument, example, base, tmp_path):
    path = tmp_path / "weg.csv"
    kwargs = {"ratings": path} if argument == "ratings" else {"ratings": base, "candidates": path}
    with pytest.raises(RatingsError) as caught:
        read_ratings(instrument=example, **kwargs)
    assert str(caught.value) == f"{path}: no such {what} file."


# --- house files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "houses, fragment",
    [
        pytest.param(
            "houses:\n  - id: huis-x\n    capacity: 4\n    residents:\n"
            "      - {id: B-1, age: 16, flags: [suicide_rsk]}\n",
            "line 2: houses[0] (huis-x).residents[0].flags: 'suicide_rsk' is not a flag of the instrument; "
            f"flags are {FLAGS}.",
            id="resident-with-unknown-flag",
        ),
        pytest.param(
            "houses:\n  - id: huis-x\n    capacity: 2\n    residents:\n"
            "      - {id: B-1}\n      - {id: B-2}\n      - {id: B-3}\n",
            "line 2: houses[0] (huis-x): 3 residents exceed its capacity 2.",
            id="residents-over-capacity",
        ),
        pytest.param(
            "houses:\n  - id: huis-x\n    capacity: 4\n    residents:\n"
            "      - {id: B-1, main_problem: coping}\n",
            "line 2: houses[0] (huis-x).residents[0].main_problem must be a domain of the instrument "
            "(emotion_regulation, protective_factors); got 'coping'.",
            id="resident-with-unknown-domain",
        ),
    ],
)
def test_bad_house_file(houses, fragment, example, tmp_path):
    path = tmp_path / "huizen.yaml"
    path.write_text(houses, encoding="utf-8")
    with pytest.raises(HouseError) as caught:
        weegtool.load_houses(path, example)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(f"{path}: 1 problem:")
    assert caught.value.problems == (fragment,)


# --- good tables -----------------------------------------------------------------------------


def rows(example, per_rater: dict[tuple[str, str], dict[str, Any]]) -> pd.DataFrame:
    """A table from ``{(candidate, rater): {item: value, ...}}``, other items 1."""
    out = []
    for (cand, rater), values in per_rater.items():
        out.append(
            {"candidate_id": cand, "rater_id": rater, **{i: 1 for i in example.item_ids}, **values}
        )
    return pd.DataFrame(out)


def test_blank_and_nb_count_as_missing(example):
    frame = rows(
        example,
        {
            ("C1", "R1"): {"er_outbursts": ""},
            ("C1", "R2"): {"er_outbursts": "nb"},
            ("C1", "R3"): {"er_outbursts": "2"},
            ("C2", "R1"): {"er_outbursts": "n.b."},
            ("C2", "R2"): {"er_outbursts": None},
            ("C2", "R3"): {"er_outbursts": " "},
        },
    )
    ratings = read_ratings(frame, example)
    j = example.item_ids.index("er_outbursts")
    assert ratings.values[0, j] == 2.0 and ratings.n_raters[0, j] == 1
    assert np.isnan(ratings.values[1, j]) and ratings.n_raters[1, j] == 0
    assert not ratings.disputed[:, j].any()


def test_three_raters_are_combined_by_their_median(example):
    frame = rows(
        example,
        {
            ("C1", "R1"): {"er_outbursts": 0, "er_recovery": 0},
            ("C1", "R2"): {"er_outbursts": 2, "er_recovery": 1},
            ("C1", "R3"): {"er_outbursts": 2, "er_recovery": 2},
        },
    )
    median = read_ratings(frame, example).to_frame()
    assert median.loc["C1", "er_outbursts"] == 2.0 and median.loc["C1", "er_recovery"] == 1.0
    mean = read_ratings(frame, example, aggregation="mean").to_frame()
    assert mean.loc["C1", "er_outbursts"] == pytest.approx(4 / 3)


def test_raters_two_levels_apart_mark_the_item_for_discussion(example):
    frame = rows(
        example,
        {
            ("C1", "R1"): {"er_outbursts": 0, "er_recovery": 1},
            ("C1", "R2"): {"er_outbursts": 2, "er_recovery": 2},
            ("C1", "R3"): {"er_outbursts": 1, "er_recovery": 2},
        },
    )
    ratings = read_ratings(frame, example)
    disputed = dict(zip(ratings.item_ids, ratings.disputed[0]))
    spread = dict(zip(ratings.item_ids, ratings.spread[0]))
    assert (disputed["er_outbursts"], spread["er_outbursts"]) == (True, 2.0)
    assert (disputed["er_recovery"], spread["er_recovery"]) == (False, 1.0)
    assert (disputed["pf_network"], spread["pf_network"]) == (False, 0.0)


def test_notes_and_critical_reasons_are_kept_per_candidate_and_item(example):
    frame = rows(example, {("C1", "R1"): {}, ("C1", "R2"): {}, ("C2", "R1"): {}, ("C2", "R3"): {}})
    frame["er_outbursts.note"] = ["Schopt deuren in.", "", "", "Rustig sinds mei."]
    frame["er_outbursts.critical"] = ["", "", "nee", ""]
    frame["er_recovery.critical"] = ["", "Dagen ontregeld na bezoek thuis.", "", ""]
    frame = frame.iloc[[1, 0, 2, 3]].reset_index(drop=True)
    ratings = read_ratings(frame, example)
    assert ratings.notes == {
        ("C1", "er_outbursts"): (Evidence("R1", "Schopt deuren in."),),
        ("C2", "er_outbursts"): (Evidence("R3", "Rustig sinds mei."),),
    }
    assert ratings.critical == {
        ("C1", "er_recovery"): (Evidence("R2", "Dagen ontregeld na bezoek thuis."),)
    }


def test_notes_of_several_raters_are_ordered_by_rater(example):
    frame = rows(example, {("C1", "R2"): {}, ("C1", "R1"): {}})
    frame["pf_network.note"] = ["Oma komt wekelijks.", "Contact met oma."]
    ratings = read_ratings(frame, example)
    assert ratings.notes[("C1", "pf_network")] == (
        Evidence("R1", "Contact met oma."),
        Evidence("R2", "Oma komt wekelijks."),
    )


def test_candidate_fields_equal_across_rows_are_accepted(example, base):
    frame = base.assign(
        age=[15, 15, 15, 16, 16, 16, 20, 20, 20],
        consent=["ja", "ja", "ja", "nee", "nee", "nee", "", "", ""],
        direction=["1", "1", "1", "crisis", "crisis", "crisis", "2", "2", "2"],
        flags=[
            "",
            "",
            "",
            "suicide_risk; addiction",
            "addiction,suicide_risk",
            "suicide_risk;addiction",
            "",
            "",
            "",
        ],
    )
    info = read_ratings(frame, example).candidates
    assert list(info.index) == ["C1", "C2", "C3"]
    assert list(info["age"]) == [15, 16, 20]
    assert list(info["consent"]) == [True, False, None]
    assert list(info["direction"]) == ["long_term", "crisis", "cannot_live_home"]
    assert info.loc["C2", "flags"] == ("addiction", "suicide_risk")


def test_semicolon_separated_dutch_csv_reads_fine(example, tmp_path):
    path = tmp_path / "beoordelingen.csv"
    path.write_text(
        "\ufeffcandidate_id;rater_id;er_outbursts;er_recovery;pf_network;age;consent\n"
        "C1;R1;2;1;0;15;ja\n"
        "C1;R2;2,0;nb;1;15;ja\n"
        "C2;R1;0;0;2;17;nee\n",
        encoding="utf-8",
    )
    ratings = read_ratings(path, example)
    frame = ratings.to_frame()
    assert list(frame.index) == ["C1", "C2"]
    assert frame.loc["C1"].tolist() == [2.0, 1.0, 0.5]
    assert frame.loc["C2"].tolist() == [0.0, 0.0, 2.0]
    assert ratings.candidates.loc["C2", "consent"] is False
    assert ratings.candidates.loc["C1", "age"] == 15


def test_xlsx_reads_the_same_as_csv(example, base, tmp_path):
    frame = base.assign(
        age=[15] * 3 + [16] * 3 + [17] * 3,
        consent=["ja"] * 9,
        flags=[""] * 3 + ["addiction"] * 3 + [""] * 3,
    )
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    frame.to_csv(csv_path, index=False)
    frame.to_excel(xlsx_path, index=False, engine="openpyxl")
    from_csv, from_xlsx = read_ratings(csv_path, example), read_ratings(xlsx_path, example)
    assert list(from_xlsx.candidate_ids) == list(from_csv.candidate_ids) == ["C1", "C2", "C3"]
    np.testing.assert_array_equal(from_xlsx.values, from_csv.values)
    np.testing.assert_array_equal(from_xlsx.disputed, from_csv.disputed)
    pd.testing.assert_frame_equal(from_xlsx.candidates, from_csv.candidates)


def test_bad_value_in_xlsx_gives_the_spreadsheet_row(example, base, tmp_path):
    frame = set_value(base, 4, "er_recovery", "veel")
    path = tmp_path / "r.xlsx"
    frame.to_excel(path, index=False, engine="openpyxl")
    with pytest.raises(RatingsError) as caught:
        read_ratings(path, example)
    assert caught.value.problems == (f"row 6, column 'er_recovery': {RATING}; got 'veel'.",)


def test_a_huge_bad_table_lists_200_problems_and_counts_them_all(example, make_ratings):
    frame = make_ratings(example, n_candidates=150, n_raters=1, seed=3)
    items = list(example.item_ids)[:2]
    frame[items] = 9  # two bad values per row: 300 problems
    with pytest.raises(RatingsError) as caught:
        weegtool.read_ratings(frame, example)
    assert str(caught.value).splitlines()[0].endswith(": 300 problems:")
    assert (
        len(caught.value.problems) == 201
        and caught.value.problems[-1] == "... and 100 more problems"
    )


def test_a_table_with_only_its_header_is_refused(example, make_ratings):
    frame = make_ratings(example, n_candidates=1, n_raters=1, seed=3).iloc[:0]
    with pytest.raises(
        RatingsError, match=r"has column names but no rows; there is nothing to score\."
    ):
        weegtool.read_ratings(frame, example)
