"""Reviews of placed residents in the store (SQLite and PostgreSQL): blind again, decided, the placement's end."""

from __future__ import annotations

import datetime as _dt

import pytest
from sqlalchemy import func, select

from weegtool import formatting
from weegtool.errors import InputError, NotAllowedError, ReadOnlyError
from weegtool.store import (
    DecisionInput,
    core_houses,
    get_candidate,
    place,
    save_ratings,
    submit_ratings,
    transaction,
)
from weegtool.store.models import AuditEntry, PastRating, Placement, Rating, RatingSubmission
from weegtool.store.placements import carried_out
from weegtool.store.ratings import own_ratings
from weegtool.store.reviews import (
    current_review,
    decide_review,
    reviews_due,
    start_review,
    timeline,
)

from .store_factories import committee_ratings
from .test_store_placements import ARGUED, DECIDED, decide, pilot  # noqa: F401 (the fixture)

D = _dt.date
PLACED = D(2026, 6, 2)
OPENED = D(2026, 11, 20)


def _placed(sessions, users, pseudonym="C1"):
    decide(sessions, users, pseudonym, "fits")
    with transaction(sessions) as session:
        place(
            session, get_candidate(session, pseudonym), "huis-b", PLACED, by=users["coordinator"],
            on=PLACED,
        )  # fmt: skip


def _rate_again(session, users, pseudonym, ratings_of):
    candidate = get_candidate(session, pseudonym)
    for rater, ratings in committee_ratings(ratings_of).items():
        user = users[rater if rater != "R3" else "chair"]
        save_ratings(session, candidate, user, ratings)
        submit_ratings(session, candidate, user)


def _review(sessions, users, category, end_reason="", pseudonym="C1", ratings_of="C3"):
    with transaction(sessions) as session:
        start_review(session, get_candidate(session, pseudonym), by=users["coordinator"], on=OPENED)
    with transaction(sessions) as session:
        _rate_again(session, users, pseudonym, ratings_of)
    with transaction(sessions) as session:
        review = current_review(session, get_candidate(session, pseudonym))
        decision = DecisionInput(category, **ARGUED, decided_on=OPENED)
        assessment = decide_review(
            session, review, decision, [users["R1"], users["R2"]], end_reason=end_reason,
            by=users["chair"], houses=core_houses(session),
        )  # fmt: skip
        return assessment.revision, assessment.report_html


def test_a_review_keeps_the_earlier_ratings_and_opens_a_blind_round(sessions, pilot):  # noqa: F811
    _placed(sessions, pilot)
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C1")
        before = session.scalar(
            select(func.count()).select_from(Rating).where(Rating.candidate_id == candidate.id)
        )
        with pytest.raises(ReadOnlyError):  # decided: the ratings are closed
            save_ratings(session, candidate, pilot["R1"], {"er_self_harm": 1})
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C1")
        review = start_review(session, candidate, by=pilot["chair"], on=OPENED)
        assert review.previous.decided_on == DECIDED
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C1")
        kept = session.scalars(select(PastRating).where(PastRating.candidate_id == candidate.id))
        kept = list(kept)
        assert len(kept) == before > 0
        assert all(k.submitted_at is not None for k in kept)
        live = session.scalar(
            select(func.count()).select_from(Rating).where(Rating.candidate_id == candidate.id)
        )
        submitted = session.scalar(
            select(func.count())
            .select_from(RatingSubmission)
            .where(RatingSubmission.candidate_id == candidate.id)
        )
        assert (live, submitted) == (0, 0)
        assert own_ratings(session, candidate, pilot["R1"]) == {}  # an empty form: blind again
        save_ratings(session, candidate, pilot["R1"], {"er_self_harm": 1})  # open again
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc()))
        assert "review.open" in list(actions)[:3]


def test_a_review_that_continues_the_placement_is_the_next_revision_with_the_change_section(
    sessions,
    pilot,  # noqa: F811
):
    _placed(sessions, pilot)
    revision, html = _review(sessions, pilot, "fits", ratings_of="C3")
    assert revision == 2
    assert "Verandering sinds de vorige beoordeling" in html
    assert f"Vergeleken met de beoordeling van {formatting.day(DECIDED, 'nl')}" in html
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C1")
        rows = timeline(session, candidate)
        assert [(r.purpose, r.decided_on, r.decision) for r in rows] == [
            ("admission", DECIDED, "fits"),
            ("review", OPENED, "fits"),
        ]
        assert rows[0].total is not None and rows[1].total is not None
        assert current_review(session, candidate) is None
        placement = session.scalar(select(Placement).where(Placement.candidate_id == candidate.id))
        assert placement.ended_on is None  # continues
        assert carried_out(session, rows[1].assessment)  # not offered for a new placement
        entries = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert entries.count("assessment.finalise") == 2
        assert "assessment.correct" not in entries


def test_a_review_that_ends_the_placement_ends_it_on_the_decision_day_with_its_reason(
    sessions,
    pilot,  # noqa: F811
):
    _placed(sessions, pilot)
    _review(sessions, pilot, "refer", end_reason="heavier_care")
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C1")
        placement = session.scalar(select(Placement).where(Placement.candidate_id == candidate.id))
        assert (placement.ended_on, placement.end_reason) == (OPENED, "heavier_care")


def test_a_review_decision_refuses_a_missing_or_needless_end_reason_before_writing(
    sessions,
    pilot,  # noqa: F811
):
    _placed(sessions, pilot)
    with transaction(sessions) as session:
        start_review(session, get_candidate(session, "C1"), by=pilot["coordinator"], on=OPENED)
        _rate_again(session, pilot, "C1", "C1")
    for category, reason, message in (
        ("refer", "", "the decision 'refer' ends the placement; choose the reason"),
        ("refer", "moved", "'end_reason' must be one of the end reasons; got 'moved'"),
        ("fits", "back_home", "the decision 'fits' continues the placement; leave the reason"),
    ):
        with transaction(sessions) as session:
            review = current_review(session, get_candidate(session, "C1"))
            with pytest.raises(InputError, match=message):
                decide_review(
                    session, review, DecisionInput(category, **ARGUED, decided_on=OPENED),
                    [pilot["R1"], pilot["R2"]], end_reason=reason, by=pilot["chair"],
                )  # fmt: skip
            assert current_review(session, get_candidate(session, "C1")) is not None


def test_start_review_refuses_with_its_reason(sessions, pilot):  # noqa: F811
    decide(sessions, pilot, "C3", "fits")
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C3")
        with pytest.raises(InputError, match="'C3' lives in no house now"):
            start_review(session, candidate, by=pilot["coordinator"], on=OPENED)
        with pytest.raises(NotAllowedError, match="this user is rater"):
            start_review(session, candidate, by=pilot["R1"], on=OPENED)
    _placed(sessions, pilot)
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C1")
        with pytest.raises(
            InputError, match=r"'opened_on' must lie from the decision under review"
        ):
            start_review(session, candidate, by=pilot["coordinator"], on=D(2026, 5, 1))
        start_review(session, candidate, by=pilot["coordinator"], on=OPENED)
        with pytest.raises(InputError, match="a review of 'C1' is open already"):
            start_review(session, candidate, by=pilot["coordinator"], on=OPENED)


def test_reviews_due_from_four_weeks_before_the_review_date(sessions, pilot):  # noqa: F811
    _placed(sessions, pilot)  # decided 2026-06-01, review every 6 months: 2026-12-01
    with transaction(sessions) as session:
        assert reviews_due(session, on=D(2026, 11, 2)) == []  # 29 days before
        (due,) = reviews_due(session, on=D(2026, 11, 3))  # 28 days before
        assert (due.pseudonym, due.review_date, due.overdue, due.open) == (
            "C1", D(2026, 12, 1), False, False,
        )  # fmt: skip
        (late,) = reviews_due(session, on=D(2026, 12, 2))
        assert late.overdue
    _review(sessions, pilot, "fits")  # decided 2026-11-20: the next review 2027-05-20
    with transaction(sessions) as session:
        assert reviews_due(session, on=D(2026, 12, 2)) == []


def test_a_resident_under_review_is_judged_against_the_group_without_themselves(
    sessions,
    pilot,  # noqa: F811
):
    _placed(sessions, pilot)  # huis-b is full now, with C1 in it
    _review(sessions, pilot, "fits", ratings_of="C1")  # rated as at admission
    with transaction(sessions) as session:
        first, again = timeline(session, get_candidate(session, "C1"))
        assert again.advice == first.advice  # not 'not this group' for the place C1 fills
        assert (
            again.assessment.advice["houses_checked"] == first.assessment.advice["houses_checked"]
        )


def test_a_persons_export_has_the_earlier_ratings_and_an_erasure_takes_the_review_along(
    sessions,
    pilot,  # noqa: F811
):
    import io
    import json
    import zipfile

    from weegtool.store.erasure import erase_person
    from weegtool.store.models import Candidate, Review
    from weegtool.store.person import person_export
    from weegtool.store.users import add_user

    from .store_factories import PASSWORD

    _placed(sessions, pilot)
    _review(sessions, pilot, "fits")
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C1")
        kept = session.scalar(
            select(func.count())
            .select_from(PastRating)
            .where(PastRating.candidate_id == candidate.id)
        )
        data = person_export(session, "C1", by=pilot["coordinator"])
        given = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("gegevens.json"))
        assert len(given["earlier_ratings"]) == kept > 0
        assert {r["for_decision_version"] for r in given["earlier_ratings"]} == {1}
        admin = add_user(session, "beheerder", "admin", PASSWORD)
    with transaction(sessions) as session:
        erase_person(
            session, "C1", reason="verzoek", requested_by=session.merge(pilot["coordinator"]),
            confirmed_by=session.merge(admin),
        )  # fmt: skip
    with transaction(sessions) as session:
        for table in (Candidate, Review, PastRating):
            assert session.scalar(select(func.count()).select_from(table).where(
                table.id > 0)) == (3 if table is Candidate else 0)  # fmt: skip


def test_the_intake_counts_keep_the_admission_decision_after_a_review(sessions, pilot):  # noqa: F811
    from weegtool.store import coordinator_history
    from weegtool.store.aggregates import cohort_counts
    from weegtool.store.reviews import admission_decisions

    _placed(sessions, pilot)
    _review(sessions, pilot, "refer", end_reason="heavier_care")
    with transaction(sessions) as session:
        assert [(p, a.revision, a.category) for p, a in admission_decisions(session)] == [
            ("C1", 1, "fits")
        ]
        (decision,) = coordinator_history(session).decisions
        assert decision.decided_on == DECIDED
        counts = cohort_counts(session, "direction")
        assert "refer" not in counts.columns and counts["fits"].sum() == 1


def test_the_researchers_ratings_stay_the_admissions_after_a_review(sessions, pilot):  # noqa: F811
    """After a review the live ratings are the review's; the research export joins ratings to the
    admission decision and its outcome, so it must keep the admission's (it silently switched to the
    review's ratings: noticed when the reviews reached main)."""
    from weegtool.store import submitted_ratings_wide

    _placed(sessions, pilot)
    with transaction(sessions) as session:
        before = submitted_ratings_wide(session)
    _review(sessions, pilot, "fits", ratings_of="C3")  # the review is rated like C3, not C1
    with transaction(sessions) as session:
        after = submitted_ratings_wide(session)
    c1 = {key: values for key, values in before.items() if key[0] == "C1"}
    assert c1 and {key: after[key] for key in c1} == c1
    assert list(after) == list(before)  # the same rows in the same order
