"""After the decision, in the store (SQLite and PostgreSQL): placements, departures, the waiting list, outcomes."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict

import pytest
from sqlalchemy import select

from weegtool import load_houses, load_instrument
from weegtool.coordinator import DecisionEvent, PlacementEvent, WaitEvent
from weegtool.errors import InputError
from weegtool.outcomes import OUTCOME_COLUMNS, Outcome
from weegtool.pseudonym import pseudonym
from weegtool.store import (
    DecisionInput,
    add_to_waiting_list,
    coordinator_history,
    core_houses,
    delete_house,
    end_placement,
    finalise,
    get_candidate,
    house_fits,
    house_residents,
    outcome_rows,
    outcome_table,
    place,
    register_referral,
    remove_from_waiting_list,
    save_house,
    save_ratings,
    submit_ratings,
    transaction,
    update_referral,
    waiting_list,
)
from weegtool.store.models import AuditEntry, Placement

from .conftest import TWENTE
from .store_factories import committee_ratings, make_user

D = _dt.date
ON = D(2026, 6, 30)
DECIDED = D(2026, 6, 1)
HOUSES = TWENTE.parent.parent / "examples" / "houses.yaml"
ARGUED = {"justification": "Besproken in de commissie.", "items": ("er_self_harm",)}


@pytest.fixture
def pilot(sessions):
    """Users, the example houses (huis-a holds B-101 with suicide risk, huis-b has one free place), and rated
    referrals: C1 and C3 without flags, C2 and C6 with suicide risk (C6 rated as C1 was)."""
    with transaction(sessions) as session:
        users = {
            "coordinator": make_user(session, "coordinator", "coordinator"),
            "R1": make_user(session, "R1", "rater", scientist=True),
            "R2": make_user(session, "R2"),
            "chair": make_user(session, "chair", "chair"),
        }
        instrument = load_instrument(TWENTE)
        from weegtool.store import add_instrument

        add_instrument(session, TWENTE.read_text(encoding="utf-8"), in_force=True)
        for house in load_houses(HOUSES, instrument):
            save_house(session, house, by=users["coordinator"])
        for pseudonym, ratings_of, flags, municipality in (
            ("C1", "C1", [], "Enschede"),
            ("C2", "C2", ["suicide_risk"], "Hengelo"),
            ("C3", "C3", [], None),
            ("C6", "C1", ["suicide_risk"], "Enschede"),
        ):
            candidate = register_referral(
                session,
                pseudonym,
                by=users["coordinator"],
                age=16,
                consent=True,
                flags=flags,
                municipality=municipality,
                referrer_type="municipal_team",
            )
            for rater, ratings in committee_ratings(ratings_of).items():
                save_ratings(
                    session, candidate, users[rater if rater != "R3" else "chair"], ratings
                )
                submit_ratings(session, candidate, users[rater if rater != "R3" else "chair"])
    return users


def decide(sessions, users, pseudonym, category, day=DECIDED):
    with transaction(sessions) as session:
        finalise(
            session,
            get_candidate(session, pseudonym),
            DecisionInput(category, **ARGUED, decided_on=day),
            [users["R1"], users["R2"]],
            by=users["chair"],
            houses=core_houses(session),
        )


def residents(sessions):
    with transaction(sessions) as session:
        return {h.id: [r.id for r in h.residents] for h in core_houses(session)}


def test_a_placed_resident_joins_the_house_for_every_composition_check_until_they_leave(
    sessions, pilot
):
    decide(sessions, pilot, "C2", "fits")
    with transaction(sessions) as session:
        placement = place(
            session,
            get_candidate(session, "C2"),
            "huis-b",
            D(2026, 6, 2),
            by=pilot["coordinator"],
            on=ON,
        )
        placement_id = placement.id
    assert residents(sessions) == {
        "huis-a": ["B-101", "B-102"],
        "huis-b": ["B-201", "B-202", "B-203", "C2"],
    }
    with transaction(sessions) as session:
        (placed,) = [
            r for h in core_houses(session) if h.id == "huis-b" for r in h.residents if r.id == "C2"
        ]
        assert (placed.age, placed.flags) == (16, ("suicide_risk",))
        assert placed.main_problem in {
            "emotion_regulation",
            "coping",
            "impulse_control",
            "social_resilience",
        }
        shown = house_residents(session)["huis-b"]
        assert [(r.pseudonym, r.by_hand, r.since) for r in shown][-2:] == [
            ("B-203", True, None),
            ("C2", False, D(2026, 6, 2)),
        ]
    decide(sessions, pilot, "C6", "fits")
    with pytest.raises(InputError) as refused, transaction(sessions) as session:
        place(
            session,
            get_candidate(session, "C6"),
            "huis-b",
            D(2026, 6, 3),
            by=pilot["coordinator"],
            on=ON,
        )
    assert [p.split(":")[0] for p in refused.value.problems] == ["'house'"] * 3
    said = " ".join(refused.value.problems)
    assert "not now: Group composition in huis-b: the rule “" in said
    assert "suicide risk" in said and "capacity" in said.lower()
    with (
        pytest.raises(InputError, match="placed residents \\(C2\\); record their departure first"),
        transaction(sessions) as session,
    ):
        delete_house(session, "huis-b", by=pilot["coordinator"])

    with transaction(sessions) as session:
        end_placement(
            session, session.get(Placement, placement_id), D(2026, 6, 20), "breakdown",
            by=pilot["coordinator"], on=ON,
        )  # fmt: skip
    assert residents(sessions)["huis-b"] == ["B-201", "B-202", "B-203"]
    with transaction(sessions) as session:
        place(
            session,
            get_candidate(session, "C6"),
            "huis-b",
            D(2026, 6, 21),
            by=pilot["coordinator"],
            on=ON,
        )
    assert residents(sessions)["huis-b"] == ["B-201", "B-202", "B-203", "C6"]
    actions = [a for (a,) in _audit(sessions)]
    assert actions.count("placement.start") == 2 and actions.count("placement.end") == 1


def _audit(sessions):
    with transaction(sessions) as session:
        return list(session.execute(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_placement_is_refused_with_every_problem_at_once(sessions, pilot):
    with pytest.raises(InputError) as undecided, transaction(sessions) as session:
        place(session, get_candidate(session, "C1"), "huis-a", ON, by=pilot["coordinator"], on=ON)
    assert undecided.value.problems == (
        "'C1' has no decision yet; a placement or the waiting list follows a decision.",
    )
    decide(sessions, pilot, "C1", "refer")
    with pytest.raises(InputError) as refused, transaction(sessions) as session:
        place(
            session,
            get_candidate(session, "C1"),
            "huis-x",
            D(2026, 5, 1),
            by=pilot["coordinator"],
            on=D(2026, 4, 1),
        )
    assert refused.value.problems == (
        "the decision on 'C1' (Not suitable: refer) is not one to place; a correction of the decision comes first.",
        "'started_on' must be on or after the decision (1 June 2026); got 1 May 2026.",
        "'started_on' must not lie in the future; got 1 May 2026.",
        "'house': no house 'huis-x'.",
    )


def test_an_end_is_refused_with_every_problem_and_a_placement_ends_once(sessions, pilot):
    decide(sessions, pilot, "C1", "fits")
    with transaction(sessions) as session:
        placement = place(
            session,
            get_candidate(session, "C1"),
            "huis-a",
            D(2026, 6, 10),
            by=pilot["coordinator"],
            on=ON,
        )
        with pytest.raises(InputError) as refused:
            end_placement(
                session,
                placement,
                D(2026, 6, 9),
                "ran_away",
                by=pilot["coordinator"],
                on=D(2026, 6, 5),
            )
        assert refused.value.problems == (
            "'end_reason' must be one of the end reasons; got 'ran_away'.",
            "'ended_on' must be on or after the start (10 June 2026); got 9 June 2026.",
            "'ended_on' must not lie in the future; got 9 June 2026.",
        )
        end_placement(
            session, placement, D(2026, 6, 10), "back_home", by=pilot["coordinator"], on=ON
        )
        with pytest.raises(InputError, match="this placement ended on 10 June 2026 already"):
            end_placement(
                session, placement, D(2026, 6, 11), "crisis", by=pilot["coordinator"], on=ON
            )
        c1 = get_candidate(session, "C1")
        with pytest.raises(
            InputError, match="'C1' led to a placement already; a new placement needs"
        ):
            place(session, c1, "huis-a", D(2026, 6, 12), by=pilot["coordinator"], on=ON)
    decide_again(sessions, pilot, "C1")
    with transaction(sessions) as session:
        c1 = get_candidate(session, "C1")
        place(session, c1, "huis-a", D(2026, 6, 12), by=pilot["coordinator"], on=ON)
        with pytest.raises(
            InputError, match="'C1' lives in a house since 12 June 2026; record the end"
        ):
            place(session, c1, "huis-b", ON, by=pilot["coordinator"], on=ON)


def decide_again(sessions, users, pseudonym):
    from weegtool.store import correct

    with transaction(sessions) as session:
        correct(
            session,
            get_candidate(session, pseudonym),
            DecisionInput("fits", **ARGUED, decided_on=D(2026, 6, 11)),
            [users["R1"], users["R2"]],
            reason="Na terugkeer opnieuw besloten.",
            by=users["chair"],
        )


def test_the_waiting_list_reruns_the_composition_check_when_a_resident_leaves(sessions, pilot):
    decide(sessions, pilot, "C2", "fits")
    with transaction(sessions) as session:
        living = place(
            session,
            get_candidate(session, "C2"),
            "huis-b",
            D(2026, 6, 2),
            by=pilot["coordinator"],
            on=ON,
        ).id
    decide(sessions, pilot, "C6", "fits_not_this_group", D(2026, 6, 5))
    with transaction(sessions) as session:
        (row,) = waiting_list(session)
        assert (row.pseudonym, row.since, row.until, row.by_decision, row.days(ON)) == (
            "C6", D(2026, 6, 5), None, True, 25,
        )  # fmt: skip
        fits = {f.house: f for f in house_fits(session, "en")["C6"]}
        assert not fits["huis-a"].fits and not fits["huis-b"].fits
        assert "suicide risk" in fits["huis-a"].conflicts[0][1]
        end_placement(
            session,
            session.get(Placement, living),
            D(2026, 6, 20),
            "breakdown",
            by=pilot["coordinator"],
            on=ON,
        )
    with transaction(sessions) as session:
        fits = {f.house: f for f in house_fits(session, "en")["C6"]}
        assert fits["huis-b"].fits and not fits["huis-a"].fits
        with pytest.raises(InputError, match="'C6' is on the waiting list already"):
            add_to_waiting_list(session, get_candidate(session, "C6"), ON, by=pilot["chair"], on=ON)
        with pytest.raises(InputError) as early:
            remove_from_waiting_list(
                session, get_candidate(session, "C6"), D(2026, 6, 4), by=pilot["chair"], on=ON
            )
        assert early.value.problems == (
            "'until' must be on or after the day the wait began (5 June 2026); got 4 June 2026.",
        )
        remove_from_waiting_list(
            session, get_candidate(session, "C6"), D(2026, 6, 25), by=pilot["chair"], on=ON
        )
    with transaction(sessions) as session:
        assert waiting_list(session) == []
        (past,) = waiting_list(session, current=False)
        assert (past.since, past.until, past.by_decision) == (D(2026, 6, 5), D(2026, 6, 25), False)
        add_to_waiting_list(
            session, get_candidate(session, "C6"), D(2026, 6, 28), by=pilot["chair"], on=ON
        )
        place(
            session,
            get_candidate(session, "C6"),
            "huis-b",
            D(2026, 6, 29),
            by=pilot["coordinator"],
            on=ON,
        )
    with transaction(sessions) as session:
        stays = [(w.since, w.until) for w in waiting_list(session, current=False)]
        assert stays == [(D(2026, 6, 5), D(2026, 6, 25)), (D(2026, 6, 28), D(2026, 6, 29))]
        history = coordinator_history(session)
        assert sorted(history.waits, key=lambda w: w.since) == [
            WaitEvent("Enschede", D(2026, 6, 5), D(2026, 6, 25)),
            WaitEvent("Enschede", D(2026, 6, 28), D(2026, 6, 29)),
        ]
        assert sorted(history.placements, key=lambda p: p.start) == [
            PlacementEvent("Hengelo", D(2026, 6, 2), D(2026, 6, 20), "breakdown"),
            PlacementEvent("Enschede", D(2026, 6, 29)),
        ]
        assert [(d.municipality, d.decided_on, d.follows_advice) for d in history.decisions] == [
            ("Hengelo", DECIDED, history.decisions[0].follows_advice),
            ("Enschede", D(2026, 6, 5), history.decisions[1].follows_advice),
        ]
        assert all(isinstance(d, DecisionEvent) for d in history.decisions)
        assert sorted((r.municipality or "") for r in history.referrals) == [
            "",
            "Enschede",
            "Enschede",
            "Hengelo",
        ]
        rows = dict(outcome_rows(session, ON))
        table = outcome_table(session, ON, b"k" * 32)
    assert list(table.columns) == ["candidate_id", *OUTCOME_COLUMNS]
    assert list(table["candidate_id"]) == [
        pseudonym(c, b"k" * 32) for c in ("C1", "C2", "C3", "C6")
    ]
    assert table.iloc[1].to_dict() == {
        "candidate_id": pseudonym("C2", b"k" * 32),
        **asdict(rows["C2"]),
    }
    assert table.iloc[0]["days_placed"] is None  # plain values, no NaN
    assert rows["C1"] == Outcome(False, *([None] * 8))
    assert rows["C2"] == Outcome(
        True, D(2026, 6, 2), D(2026, 6, 20), "breakdown", False, 18, 1, 0, 18
    )
    assert rows["C6"] == Outcome(True, D(2026, 6, 29), None, None, None, 1, 0, 1, None)


def test_a_referrals_municipality_and_referrer_type_come_from_their_lists(sessions, pilot):
    with pytest.raises(InputError) as refused, transaction(sessions) as session:
        register_referral(
            session, "K9", by=pilot["coordinator"], municipality="Amsterdam", referrer_type="school"
        )
    assert refused.value.problems == (
        "'municipality' must be one of the configured municipalities; got 'Amsterdam'.",
        "'referrer_type' must be one of the referrer types; got 'school'.",
    )
    with transaction(sessions) as session:
        candidate = register_referral(
            session,
            "K9",
            by=pilot["coordinator"],
            municipality="Amsterdam",
            municipalities=("Amsterdam",),
        )
        update_referral(
            session,
            candidate,
            1,
            by=pilot["coordinator"],
            referrer_type="medical",
            municipalities=("Amsterdam",),
        )
        assert (candidate.municipality, candidate.referrer_type) == ("Amsterdam", "medical")


def correct_to(sessions, users, pseudonym, category, day):
    from weegtool.store import correct

    with transaction(sessions) as session:
        correct(
            session,
            get_candidate(session, pseudonym),
            DecisionInput(category, **ARGUED, decided_on=day),
            [users["R1"], users["R2"]],
            reason="Gecorrigeerd.",
            by=users["chair"],
        )


def test_a_waiting_stay_keeps_its_start_across_corrections_and_ends_when_the_category_changes(
    sessions, pilot
):
    decide(sessions, pilot, "C6", "fits_not_this_group", D(2026, 6, 5))
    correct_to(sessions, pilot, "C6", "fits_not_this_group", D(2026, 6, 15))  # same category
    with transaction(sessions) as session:
        (row,) = waiting_list(session)
        assert (row.since, row.until, row.by_decision, row.days(ON)) == (
            D(2026, 6, 5), None, True, 25,
        )  # fmt: skip
    correct_to(sessions, pilot, "C6", "fits", D(2026, 6, 20))  # away from the waiting list
    with transaction(sessions) as session:
        assert waiting_list(session) == []
        (past,) = waiting_list(session, current=False)
        assert (past.since, past.until, past.days(ON)) == (D(2026, 6, 5), D(2026, 6, 20), 15)
    correct_to(sessions, pilot, "C6", "fits_not_this_group", D(2026, 6, 25))  # and back: a new stay
    with transaction(sessions) as session:
        stays = [(w.since, w.until) for w in waiting_list(session, current=False)]
        assert stays == [(D(2026, 6, 5), D(2026, 6, 20)), (D(2026, 6, 25), None)]
        remove_from_waiting_list(
            session, get_candidate(session, "C6"), D(2026, 6, 27), by=pilot["chair"], on=ON
        )
    with transaction(sessions) as session:
        assert waiting_list(session) == []


def test_the_waiting_list_refuses_who_cannot_wait_and_never_holds_two_open_stays(sessions, pilot):
    decide(sessions, pilot, "C1", "refer")
    decide(sessions, pilot, "C2", "fits")
    decide(sessions, pilot, "C3", "fits")
    with transaction(sessions) as session:
        place(
            session,
            get_candidate(session, "C2"),
            "huis-b",
            D(2026, 6, 2),
            by=pilot["coordinator"],
            on=ON,
        )
        living = place(
            session,
            get_candidate(session, "C3"),
            "huis-a",
            D(2026, 6, 2),
            by=pilot["coordinator"],
            on=ON,
        )
        end_placement(session, living, D(2026, 6, 10), "breakdown", by=pilot["coordinator"], on=ON)
    refusals = {
        "C1": "the decision on 'C1' (Not suitable: refer) is not one to place, so not one to wait for a place either",
        "C2": "'C2' lives in a house since 2 June 2026",
        "C3": "'C3' was placed on the newest decision already; the waiting list needs a new decision",
    }
    for who, message in refusals.items():
        for _ in range(2):  # asked again: the same answer, nothing stored
            with (
                transaction(sessions) as session,
                pytest.raises(InputError, match=re.escape(message)),
            ):
                add_to_waiting_list(
                    session,
                    get_candidate(session, who),
                    D(2026, 6, 20),
                    by=pilot["chair"],
                    on=ON,
                )
    with transaction(sessions) as session:
        assert waiting_list(session, current=False) == []
    # waiting, placed (which ends the stay), left, and decided again: one new stay, the old one dated
    correct_to(sessions, pilot, "C3", "fits", D(2026, 6, 21))
    with transaction(sessions) as session:
        add_to_waiting_list(
            session, get_candidate(session, "C3"), D(2026, 6, 21), by=pilot["chair"], on=ON
        )
    with transaction(sessions) as session:
        again = place(
            session,
            get_candidate(session, "C3"),
            "huis-a",
            D(2026, 6, 22),
            by=pilot["coordinator"],
            on=ON,
        )
        end_placement(session, again, D(2026, 6, 23), "breakdown", by=pilot["coordinator"], on=ON)
    correct_to(sessions, pilot, "C3", "fits", D(2026, 6, 24))
    with transaction(sessions) as session:
        add_to_waiting_list(
            session, get_candidate(session, "C3"), D(2026, 6, 25), by=pilot["chair"], on=ON
        )
        with pytest.raises(InputError, match="'C3' is on the waiting list already"):
            add_to_waiting_list(
                session, get_candidate(session, "C3"), D(2026, 6, 26), by=pilot["chair"], on=ON
            )
    with transaction(sessions) as session:
        from weegtool.store.models import WaitingEntry

        stored = [
            (e.since, e.until)
            for e in session.scalars(select(WaitingEntry).order_by(WaitingEntry.id))
        ]
        assert stored == [(D(2026, 6, 21), D(2026, 6, 22)), (D(2026, 6, 25), None)]
        assert [(w.pseudonym, w.since) for w in waiting_list(session)] == [("C3", D(2026, 6, 25))]
