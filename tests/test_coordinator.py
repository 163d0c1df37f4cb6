"""The coordinator's overview per municipality and period, on a small hand-made history, every number checked."""

from __future__ import annotations

import datetime as _dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weegtool.coordinator import (
    TWENTE_MUNICIPALITIES,
    DecisionEvent,
    History,
    PlacementEvent,
    ReferralEvent,
    WaitEvent,
    coordinator_overview,
    parse_period,
)

D = _dt.date
ON = D(2026, 4, 15)
Q1 = parse_period("2026-K1")
TITLES = [("fits", "Passend"), ("refer", "Verwijzen")]

# Municipalities A, B, C; None is a referral whose municipality is not known. Outside Q1 2026 where said.
HISTORY = History(
    referrals=[
        *[ReferralEvent("A", D(2026, 1, d)) for d in (1, 2, 3, 31)],
        ReferralEvent("A", D(2025, 12, 31)),  # outside
        *[ReferralEvent("B", D(2026, 3, d)) for d in (1, 2, 31)],
        ReferralEvent("C", D(2026, 2, 14)),
    ],
    decisions=[
        DecisionEvent("A", D(2026, 1, 5), "fits", True),
        DecisionEvent("A", D(2026, 1, 6), "fits", True),
        DecisionEvent("A", D(2026, 1, 7), "refer", False),
        DecisionEvent("A", D(2026, 4, 1), "fits", True),  # outside
        *[DecisionEvent("B", D(2026, 2, d), "fits", True) for d in (1, 2, 3)],
    ],
    placements=[
        PlacementEvent("A", D(2026, 1, 10), D(2026, 3, 20), "back_home"),
        PlacementEvent("A", D(2026, 2, 1), D(2026, 3, 1), "crisis"),  # unplanned within six months
        PlacementEvent("A", D(2026, 3, 31)),
        PlacementEvent("A", D(2025, 6, 1), D(2026, 2, 10), "heavier_care"),  # after 8 months
        PlacementEvent(None, D(2026, 2, 15)),
        PlacementEvent("B", D(2025, 11, 1), D(2026, 1, 15), "breakdown"),  # within six months
    ],
    waits=[
        WaitEvent("A", D(2025, 12, 1), D(2026, 1, 10)),  # 40 days (until placed)
        WaitEvent("A", D(2026, 1, 5)),  # 85 days to the end of Q1
        WaitEvent("A", D(2026, 1, 20), D(2026, 2, 1)),  # 12 days
        WaitEvent("A", D(2026, 4, 2)),  # outside: begins after Q1
        WaitEvent("B", D(2026, 3, 1)),  # 30 days
        WaitEvent("C", D(2025, 10, 1), D(2025, 12, 31)),  # outside: ended before Q1
    ],
)

# label: counts for A, B, C, onbekend, total; with nothing hidden (threshold 1)
RAW = {
    "Aanmeldingen": (4, 3, 1, 0, 8),
    "Passend": (2, 3, 0, 0, 5),
    "Verwijzen": (1, 0, 0, 0, 1),
    "Volgt het advies": (2, 3, 0, 0, 5),
    "Wijkt af van het advies": (1, 0, 0, 0, 1),
    "Geplaatst": (3, 0, 0, 1, 4),
    "Op de wachtlijst": (3, 1, 0, 0, 4),
    "Mediaan dagen op de wachtlijst": (
        40.0,
        30.0,
        None,
        None,
        35.0,
    ),  # A: 12, 40, 85; all: 12, 30, 40, 85
    "Terug naar huis": (1, 0, 0, 0, 1),
    "Naar pleeggezin of gezinshuis": (0, 0, 0, 0, 0),
    "Zelfstandig wonen": (0, 0, 0, 0, 0),
    "Plaatsing afgebroken": (0, 1, 0, 0, 1),
    "Naar zwaardere zorg": (1, 0, 0, 0, 1),
    "Crisis": (1, 0, 0, 0, 1),
    "Anders": (0, 0, 0, 0, 0),
    "Onvoorzien vertrek binnen zes maanden na de start": (1, 1, 0, 0, 2),
}

# Threshold 3: '*' hidden. Primary: 1 and 2; complementary: the smallest other count in a row (a zero when the row
# has no other non-zero count), so no row or column keeps a single hidden cell; totals of 1 or 2 hidden.
SUPPRESSED = {
    "Aanmeldingen": (4, "*", "*", 0, 8),  # C=1 primary, B=3 complementary
    "Passend": ("*", "*", 0, 0, "*"),  # A=2 primary, B=3 complementary; total: see below
    "Verwijzen": ("*", "*", 0, 0, "*"),  # A=1 primary, B=0 complementary; total 1 hidden
    # The totals of a block are a line whose sum is known (the decisions: 6), so the hidden total 1 of
    # 'Verwijzen' and 'Wijkt af' takes the 5 beside it along (6 - 5 would give the 1 away).
    "Volgt het advies": ("*", "*", 0, 0, "*"),
    "Wijkt af van het advies": ("*", "*", 0, 0, "*"),
    "Geplaatst": ("*", 0, 0, "*", 4),  # onbekend=1 primary, A=3 complementary
    "Op de wachtlijst": ("*", "*", 0, 0, 4),  # B=1 primary, A=3 complementary
    "Mediaan dagen op de wachtlijst": (
        40.0,
        "*",
        None,
        None,
        35.0,
    ),  # B's median of one wait hidden
    "Terug naar huis": ("*", "*", 0, 0, "*"),
    "Naar pleeggezin of gezinshuis": (0, 0, 0, 0, 0),
    "Zelfstandig wonen": (0, 0, 0, 0, 0),
    "Plaatsing afgebroken": ("*", "*", 0, 0, "*"),
    "Naar zwaardere zorg": ("*", "*", 0, 0, "*"),
    "Crisis": ("*", "*", 0, 0, "*"),
    "Anders": (0, 0, 0, 0, 0),
    "Onvoorzien vertrek binnen zes maanden na de start": ("*", "*", 0, 0, "*"),
}


def _table(threshold: int) -> dict[str, tuple[object, ...]]:
    result = coordinator_overview(HISTORY, Q1, ("A", "B", "C"), TITLES, threshold, on=ON)
    assert result.municipalities == ("A", "B", "C", "onbekend")
    return {
        line.label: tuple(
            "*" if hidden else value
            for value, hidden in zip((*line.cells, line.total), (*line.hidden, line.total_hidden))
        )
        for line in result.lines
    }


def test_every_number_of_a_hand_made_quarter_with_nothing_hidden():
    assert _table(1) == RAW


def test_every_number_of_the_same_quarter_with_small_counts_hidden():
    assert _table(3) == SUPPRESSED
    result = coordinator_overview(HISTORY, Q1, ("A", "B", "C"), TITLES, 3, on=ON)
    assert result.n_hidden == 24  # 2 + 4 + 4 + 2 + 2 + 8 + 2 (the median is not a count)


def test_at_the_default_threshold_five_only_the_total_of_the_referrals_shows():
    table = _table(5)
    shown = {
        (label, n): value
        for label, row in table.items()
        for n, value in enumerate(row)
        if value not in ("*", 0, None)
    }
    # A's 4 referrals are below 5 too, C's 1 and B's 3 with them; the totals of five (Passend, Volgt
    # het advies) go with the hidden 1 beside them in their block
    assert shown == {("Aanmeldingen", 4): 8}


def test_a_year_holds_its_quarters_and_a_wait_still_going_on_counts_to_the_day_of_the_overview():
    year = coordinator_overview(HISTORY, parse_period("2026"), ("A", "B", "C"), TITLES, 1, on=ON)
    assert year.value("Aanmeldingen") == 8
    assert year.value("Passend", "A") == 3  # the decision of 1 April too
    # A's waits in 2026 to 15 April: 40 (to the placement), 100 (5 Jan to 15 Apr), 12, 13 (2 Apr to 15 Apr)
    assert year.value("Mediaan dagen op de wachtlijst", "A") == (13 + 40) / 2


def test_events_of_a_municipality_not_on_the_list_count_as_unknown_and_the_twente_list_is_the_default():
    history = History(referrals=[ReferralEvent("Amsterdam", D(2026, 1, 1))])
    result = coordinator_overview(history, Q1, threshold=1, on=ON)
    assert result.municipalities == (*TWENTE_MUNICIPALITIES, "onbekend")
    assert len(TWENTE_MUNICIPALITIES) == 14
    assert result.value("Aanmeldingen", "onbekend") == 1
    assert coordinator_overview(History(), Q1, on=ON).municipalities == TWENTE_MUNICIPALITIES


@pytest.mark.parametrize(
    "text, key, first, last, title",
    [
        ("2026-07", "2026-07", D(2026, 7, 1), D(2026, 7, 31), "juli 2026"),
        ("2024-2", "2024-02", D(2024, 2, 1), D(2024, 2, 29), "februari 2024"),
        ("2026-K3", "2026-K3", D(2026, 7, 1), D(2026, 9, 30), "3e kwartaal 2026"),
        ("2026-q4", "2026-K4", D(2026, 10, 1), D(2026, 12, 31), "4e kwartaal 2026"),
        (" 2026 ", "2026", D(2026, 1, 1), D(2026, 12, 31), "2026"),
    ],
)
def test_a_period_is_a_month_a_quarter_or_a_year(text, key, first, last, title):
    period = parse_period(text)
    assert (period.key, period.first, period.last, period.title) == (key, first, last, title)


def test_the_same_overview_in_english_has_the_same_numbers_under_english_labels():
    """Issue 13: the labels are catalogue keys (Dutch wording unchanged), end reasons by their title."""
    dutch = coordinator_overview(HISTORY, Q1, ("A", "B", "C"), TITLES, 3, on=ON)
    english = coordinator_overview(HISTORY, Q1, ("A", "B", "C"), TITLES, 3, on=ON, lang="en")
    assert [(line.cells, line.hidden, line.total) for line in dutch.lines] == [
        (line.cells, line.hidden, line.total) for line in english.lines
    ]
    assert [b for b, _ in english.blocks()][:2] == ["Referrals", "Advice"]
    labels = {line.label for line in english.lines}
    assert {"On the waiting list", "Median days on the waiting list", "Back home"} <= labels
    assert not labels & {"Op de wachtlijst", "Terug naar huis", "Geplaatst"}
    with pytest.raises(ValueError, match="'lang'"):
        coordinator_overview(HISTORY, Q1, lang="de")


@pytest.mark.parametrize(
    "key, nl, en",
    [
        ("2026-07", "juli 2026", "July 2026"),
        ("2026-K3", "3e kwartaal 2026", "Q3 2026"),
        ("2026", "2026", "2026"),
    ],
)
def test_a_period_in_words_in_each_language(key, nl, en):
    period = parse_period(key)
    assert (period.titled("nl"), period.titled("en"), period.title) == (nl, en, nl)


@pytest.mark.parametrize(
    "text", ["", "2026-13", "2026-K5", "2026-00", "juli", "2026-07-01", "<b>", "２０２６"]
)
def test_another_period_is_refused_in_dutch_with_what_was_given(text):
    with pytest.raises(ValueError) as caught:
        parse_period(text)
    assert str(caught.value) == (
        "'period': kies een maand (2026-07), kwartaal (2026-K3) of jaar (2026); "
        f"gegeven: {text.strip()!r}."
    )


@pytest.mark.parametrize("text", ["0000", "9999", "9999-12", "9999-K4", "1899-01"])
def test_a_period_outside_the_years_of_any_date_is_refused(text):
    # 9999-12 and 9999-K4 gave HTTP 500 (the month after December 9999 does not exist); found by the
    # break-it probe
    with pytest.raises(ValueError) as caught:
        parse_period(text)
    assert str(caught.value) == f"'period': een jaar van 1900 tot en met 2200; gegeven: {text!r}."


day = st.dates(D(2025, 10, 1), D(2026, 6, 30))
place = st.sampled_from(["A", "B", "C", None])


@given(
    referrals=st.lists(st.builds(ReferralEvent, place, day), max_size=40),
    decisions=st.lists(
        st.builds(DecisionEvent, place, day, st.sampled_from(["fits", "refer"]), st.booleans()),
        max_size=30,
    ),
    threshold=st.integers(1, 6),
)
def test_no_shown_count_is_small_and_no_row_or_column_of_a_block_keeps_one_hidden_cell(
    referrals, decisions, threshold
):
    result = coordinator_overview(
        History(referrals, decisions), Q1, ("A", "B", "C"), TITLES, threshold, on=ON
    )
    for block, lines in result.blocks():
        counts = [line for line in lines if line.kind == "count"]
        for line in counts:
            shown = [v for v, h in zip(line.cells, line.hidden) if not h]
            assert all(v == 0 or v >= threshold for v in shown)
            assert line.total_hidden or line.total == 0 or line.total >= threshold
            assert sum(line.hidden) != 1 or len(line.cells) == 1
        for column in range(len(result.municipalities)):
            hidden = [line.hidden[column] for line in counts]
            assert sum(hidden) != 1 or len(hidden) == 1, (block, column)


def test_a_period_is_refused_in_the_language_asked_for():
    with pytest.raises(ValueError) as caught:
        parse_period("juli", "en")
    assert str(caught.value) == (
        "'period': choose a month (2026-07), quarter (2026-K3) or year (2026); given: 'juli'."
    )
    with pytest.raises(ValueError) as caught:
        parse_period("9999-12", "en")
    assert str(caught.value) == "'period': a year from 1900 to 2200; given: '9999-12'."
