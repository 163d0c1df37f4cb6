"""A placement's end as the outcome researchers calibrate against (the researcher's export columns)."""

from __future__ import annotations

import datetime as _dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weegtool.outcomes import (
    END_REASON_IDS,
    END_REASONS,
    OUTCOME_COLUMNS,
    Outcome,
    add_months,
    broke_down_within,
    end_reason_title,
    outcome,
)

D = _dt.date
ON = D(2026, 11, 29)


def test_the_end_reasons_are_one_fixed_list_planned_unplanned_and_other():
    assert END_REASON_IDS == (
        "back_home",
        "foster_family",
        "independent_living",
        "breakdown",
        "heavier_care",
        "crisis",
        "other",
    )
    assert [r.id for r in END_REASONS if r.planned] == [
        "back_home",
        "foster_family",
        "independent_living",
    ]
    assert [r.id for r in END_REASONS if r.breakdown] == ["breakdown", "heavier_care", "crisis"]
    assert end_reason_title("heavier_care") == "Naar zwaardere zorg"
    assert end_reason_title("heavier_care", "en") == "To heavier care"


def test_the_outcome_columns_are_the_ones_agreed_with_the_research_notebooks():
    assert tuple(Outcome.__dataclass_fields__) == OUTCOME_COLUMNS
    assert OUTCOME_COLUMNS == (
        "placed",
        "placement_start",
        "placement_end",
        "end_reason",
        "planned_end",
        "days_placed",
        "breakdown",
        "outcome",
        "days_to_breakdown",
    )


@pytest.mark.parametrize(
    "end, reason, expected",
    [
        (None, None, Outcome(True, D(2026, 1, 1), None, None, None, 332, 0, 1, None)),
        (D(2026, 3, 2), "back_home", Outcome(True, D(2026, 1, 1), D(2026, 3, 2), "back_home", True, 60, 0, 1, None)),
        (D(2026, 3, 2), "crisis", Outcome(True, D(2026, 1, 1), D(2026, 3, 2), "crisis", False, 60, 1, 0, 60)),
        (D(2026, 1, 1), "breakdown", Outcome(True, D(2026, 1, 1), D(2026, 1, 1), "breakdown", False, 0, 1, 0, 0)),
        (D(2026, 3, 2), "other", Outcome(True, D(2026, 1, 1), D(2026, 3, 2), "other", False, 60, 0, 1, None)),
    ],
)  # fmt: skip
def test_the_outcome_of_one_placement(end, reason, expected):
    assert outcome(D(2026, 1, 1), end, reason, ON) == expected


def test_a_candidate_never_placed_has_only_placed_false():
    assert outcome(None, None, None, ON) == Outcome(False, *([None] * 8))


@pytest.mark.parametrize(
    "end, reason, said",
    [
        (D(2026, 3, 1), None, "An end needs its reason and a reason its end"),
        (None, "crisis", "An end needs its reason and a reason its end"),
        (D(2026, 3, 1), "ran_away", "'end_reason' must be one of back_home, foster_family"),
        (
            D(2025, 12, 31),
            "crisis",
            "A placement ends on or after its start (2026-01-01); got 2025-12-31.",
        ),
    ],
)
def test_an_impossible_end_is_refused(end, reason, said):
    with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
        outcome(D(2026, 1, 1), end, reason, ON)


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2026, 7, 15), 6, D(2027, 1, 15)),
        (D(2026, 12, 1), 1, D(2027, 1, 1)),
    ],
)
def test_months_are_added_as_a_calendar_does(day, months, expected):
    assert add_months(day, months) == expected


def test_a_breakdown_within_six_months_is_unplanned_and_before_the_same_day_six_months_on():
    start = D(2026, 1, 15)
    assert broke_down_within(start, D(2026, 7, 14), "breakdown")
    assert not broke_down_within(start, D(2026, 7, 15), "breakdown")
    assert not broke_down_within(start, D(2026, 2, 1), "back_home")
    assert not broke_down_within(start, None, None)


@given(
    start=st.dates(D(2020, 1, 1), D(2026, 1, 1)),
    days=st.integers(0, 2000),
    reason=st.sampled_from(END_REASON_IDS),
)
def test_breakdown_and_outcome_are_complements_and_time_to_breakdown_only_for_a_breakdown(
    start, days, reason
):
    result = outcome(start, start + _dt.timedelta(days=days), reason, ON)
    assert result.breakdown + result.outcome == 1
    assert result.days_placed == days
    assert (result.days_to_breakdown is not None) == (result.breakdown == 1)
    assert not (result.planned_end and result.breakdown)
