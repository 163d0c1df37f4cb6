"""The demo database on both databases: a seeded synthetic cohort, partly rated, loaded only into an empty store."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

import weegtool
from weegtool.errors import InputError
from weegtool.research.synthetic import synthetic_cohort
from weegtool.store import (
    authenticate,
    core_houses,
    get_user,
    load_demo,
    models,
    overview,
    register_referral,
    save_house,
    transaction,
)

from .conftest import TWENTE
from .store_factories import make_user

NAMES = ["demo-beoordelaar-1", "demo-beoordelaar-2", "demo-voorzitter", "demo-coordinator"]
TABLES = (
    models.User,
    models.Candidate,
    models.Rating,
    models.RatingSubmission,
    models.House,
    models.Resident,
    models.AuditEntry,
)


def counts(sessions) -> dict[str, int]:
    with transaction(sessions) as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in TABLES
        }


@pytest.fixture
def demo(sessions):
    with transaction(sessions) as session:
        return load_demo(session, n_candidates=6, n_rated=4, seed=7)


def test_the_demo_committee_logs_in_with_one_time_passwords(sessions, demo):
    assert list(demo) == NAMES
    with transaction(sessions) as session:
        for name, password in demo.items():
            assert authenticate(session, name, password).must_change_password
        chair = get_user(session, "demo-voorzitter")
        assert (chair.role, chair.behavioural_scientist, chair.registration) == (
            "chair",
            True,
            "SKJ-DEMO-0001",
        )
        assert [get_user(session, n).role for n in NAMES[:2]] == ["rater", "rater"]
        assert get_user(session, "demo-coordinator").role == "coordinator"


def test_the_demo_referrals_are_the_synthetic_cohort(sessions, demo):
    cohort = synthetic_cohort(weegtool.load_instrument(TWENTE), 6, 3, seed=7)
    with transaction(sessions) as session:
        rows = sorted(overview(session), key=lambda row: row.pseudonym)
        sha256 = session.scalar(
            select(models.Instrument.sha256).where(models.Instrument.in_force.is_(True))
        )
    expected = cohort.candidates
    assert [row.pseudonym for row in rows] == list(expected["candidate_id"])
    assert [(row.age, row.direction, row.consent, row.flags) for row in rows] == [
        (int(c.age), c.direction, c.consent == "ja", tuple(f for f in c.flags.split(";") if f))
        for c in expected.itertuples()
    ]
    assert [row.n_submitted for row in rows] == [3, 3, 3, 3, 0, 0]
    assert {row.instrument_sha256 for row in rows} == {sha256}


def test_the_rated_candidates_carry_the_cohorts_ratings_by_the_demo_users(sessions, demo):
    cohort = synthetic_cohort(weegtool.load_instrument(TWENTE), 6, 3, seed=7)
    raters = dict(zip(["B1", "B2", "B3"], NAMES))
    expected = {
        (row["candidate_id"], raters[row["rater_id"]], item): None
        if pd.isna(row[item])
        else int(row[item])
        for row in cohort.ratings.to_dict("records")
        if row["candidate_id"] <= "K00004"
        for item in weegtool.load_instrument(TWENTE).item_ids
    }
    with transaction(sessions) as session:
        stored = {
            (c, u, r.item): r.value
            for r, c, u in session.execute(
                select(models.Rating, models.Candidate.pseudonym, models.User.name)
                .join(models.Candidate, models.Candidate.id == models.Rating.candidate_id)
                .join(models.User, models.User.id == models.Rating.rater_id)
            )
        }
    assert stored == expected


def test_the_demo_stores_the_example_houses(sessions, demo):
    instrument = weegtool.load_instrument(TWENTE)
    with transaction(sessions) as session:
        assert core_houses(session) == tuple(
            sorted(
                weegtool.load_houses(TWENTE.parent.parent / "examples" / "houses.yaml", instrument),
                key=lambda h: h.id,
            )
        )


def test_a_database_with_candidates_gets_no_demo(sessions, demo):
    before = counts(sessions)
    with transaction(sessions) as session:
        assert load_demo(session) == {}
    assert counts(sessions) == before


def test_a_real_referral_alone_keeps_the_demo_out(sessions):
    with transaction(sessions) as session:
        register_referral(
            session, "K-echt", by=make_user(session, "coordinator", "coordinator"), age=15
        )
    before = counts(sessions)
    with transaction(sessions) as session:
        assert load_demo(session) == {}
    assert counts(sessions) == before


def test_houses_already_kept_are_left_as_they_are(sessions):
    own = weegtool.House(id="eigen-huis", capacity=3, staff_on_duty=1)
    with transaction(sessions) as session:
        save_house(session, own, by=make_user(session, "coordinator", "coordinator"))
    with transaction(sessions) as session:
        assert load_demo(session, n_candidates=2, n_rated=1)
        assert core_houses(session) == (own,)


def test_bad_sizes_are_refused_with_every_problem_and_nothing_written(sessions):
    before = counts(sessions)
    with pytest.raises(InputError) as caught, transaction(sessions) as session:
        load_demo(session, n_candidates=0, n_rated=1, n_raters=4)
    assert caught.value.problems == (
        "'n_candidates' must be at least 1; got 0.",
        "'n_rated' must be from 0 to n_candidates (0); got 1.",
        "'n_raters' must be from 1 to 3 (the demo users); got 4.",
    )
    assert counts(sessions) == before


def test_a_failure_halfway_leaves_nothing_behind(sessions):
    with transaction(sessions) as session:
        make_user(session, "demo-voorzitter", "chair")  # taken: the demo cannot add its chair
    before = counts(sessions)
    with (
        pytest.raises(InputError, match="a user named 'demo-voorzitter' already exists"),
        transaction(sessions) as session,
    ):
        load_demo(session)
    assert counts(sessions) == before


def test_the_demo_lives_through_a_year_after_the_decision(sessions):
    import datetime as _dt

    from weegtool.outcomes import END_REASON_IDS
    from weegtool.store import end_placement, house_fits, placements, waiting_list

    on = _dt.date(2026, 11, 29)
    with transaction(sessions) as session:
        load_demo(session, on=on)
    with transaction(sessions) as session:
        every = placements(session)
        assert sorted(p.end_reason for p in every if p.end_reason) == sorted(END_REASON_IDS)
        living = {p.candidate.pseudonym: p.house.code for p in every if p.ended_on is None}
        assert living == {"K00008": "huis-b", "K00009": "huis-a"}
        (waiting,) = waiting_list(session)
        assert (waiting.pseudonym, waiting.since) == ("K00010", on - _dt.timedelta(days=40))
        assert not any(f.fits for f in house_fits(session)["K00010"])
        assert {c.municipality for c in session.scalars(select(models.Candidate))} >= {
            "Enschede",
            "Hengelo",
            "Almelo",
        }
        coordinator = get_user(session, "demo-coordinator")
        leaving = next(p for p in every if p.candidate.pseudonym == "K00008")
        end_placement(session, leaving, on, "breakdown", by=coordinator, on=on)
    with transaction(sessions) as session:
        fits = {f.house: f.fits for f in house_fits(session)["K00010"]}
        assert fits == {
            "huis-a": False,
            "huis-b": True,
        }  # huis-a still holds B-101 with suicide risk


def test_the_demo_has_a_reviewed_resident_with_a_timeline_and_a_review_due(sessions):
    import datetime as _dt

    from weegtool.store import get_candidate
    from weegtool.store.reviews import reviews_due, timeline

    on = _dt.date(2026, 11, 29)
    with transaction(sessions) as session:
        load_demo(session, on=on)
    with transaction(sessions) as session:
        rows = timeline(session, get_candidate(session, "K00003"))
        assert [(r.purpose, r.decided_on) for r in rows] == [
            ("admission", on - _dt.timedelta(days=306)),
            ("review", on - _dt.timedelta(days=120)),
        ]
        # rated one anchor better on every item: the total fell (lower is less need of care)
        assert rows[1].total < rows[0].total
        assert "Verandering sinds de vorige beoordeling" in rows[1].assessment.report_html
        (due,) = reviews_due(session, on=on)  # decided 200 days ago: the review date passed
        assert (due.pseudonym, due.overdue, due.open) == ("K00009", True, False)
        assert due.review_date == _dt.date(2026, 11, 13)  # decided 2026-05-13, six months on
