"""The store's workflow on both databases: users, referrals, blind rating, scoring, finalising, audit.

The committee example (``tests/data/committee.csv``, candidate C2: three
raters, a suicide-risk flag, one disputed item) is saved rater by rater and
must score exactly as the same table read from the CSV does.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd
import pytest
from sqlalchemy import select, text

import weegtool
from weegtool.advice import DecisionError, Override
from weegtool.errors import (
    ConflictError,
    InputError,
    NotAllowedError,
    NotFoundError,
    RatingsError,
    ReadOnlyError,
)
from weegtool.ratings import DIRECTIONS
from weegtool.store import (
    CandidateRow,
    DecisionInput,
    DecisionRow,
    ItemRating,
    add_instrument,
    add_note,
    audit_entries,
    authenticate,
    core_houses,
    correct,
    decision_rows,
    delete_house,
    finalise,
    get_candidate,
    hash_password,
    houses,
    instrument_in_force,
    is_submitted,
    latest_assessment,
    latest_audit_entries,
    list_instruments,
    live_scores,
    models,
    notes,
    overview,
    own_ratings,
    rated_candidate_ids,
    ratings_frame,
    register_referral,
    revisions,
    row_counts,
    save_house,
    save_ratings,
    score_candidate,
    submissions,
    submit_ratings,
    submitted_candidate_ids,
    submitted_ratings_wide,
    transaction,
    update_referral,
    verify_password,
    visible_ratings,
)

from .conftest import EXAMPLE, TWENTE
from .store_factories import COMMITTEE, PASSWORD, committee_ratings, make_user

ON = _dt.date(2026, 11, 23)
HOUSES = TWENTE.parent.parent / "examples" / "houses.yaml"
# C2 has a soft flag (suicide_risk): following the advice needs a justification citing items too.
ARGUED = {
    "justification": "Suïciderisico besproken: veiligheidsplan met de jeugdige.",
    "items": ("er_self_harm",),
}


@pytest.fixture
def committee(sessions):
    """Users: a coordinator, raters R1..R3 (R1 a behavioural scientist), a chair, a researcher."""
    with transaction(sessions) as session:
        users = {
            "coordinator": make_user(session, "coordinator", "coordinator"),
            "R1": make_user(session, "R1", "rater", scientist=True),
            "R2": make_user(session, "R2"),
            "R3": make_user(session, "R3"),
            "chair": make_user(session, "chair", "chair"),
            "researcher": make_user(session, "researcher", "researcher"),
        }
    return users


@pytest.fixture
def referral(sessions, committee):
    """Candidate 'C2' registered with the committee example's fields."""
    with transaction(sessions) as session:
        candidate = register_referral(
            session,
            "C2",
            by=committee["coordinator"],
            age=16,
            referrer="Gemeente Hengelo",
            direction="long_term",
            consent=True,
            flags=["suicide_risk"],
        )
    return candidate


def rate_all(sessions, committee, submit=True):
    for rater, ratings in committee_ratings("C2").items():
        with transaction(sessions) as session:
            candidate = get_candidate(session, "C2")
            save_ratings(session, candidate, committee[rater], ratings)
            if submit:
                submit_ratings(session, candidate, committee[rater])


# --- users ----------------------------------------------------------------------------------------------------


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies_only_itself():
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)


def test_authenticate_takes_the_right_password_only(sessions, committee):
    with transaction(sessions) as session:
        assert authenticate(session, "R2", PASSWORD).id == committee["R2"].id
        assert authenticate(session, "R2", "wrong password!!") is None
        assert authenticate(session, "nobody", PASSWORD) is None
        assert session.scalar(
            select(models.User.must_change_password).where(models.User.name == "R2")
        )


@pytest.mark.parametrize(
    "name, role, password, scientist, message",
    [
        ("", "rater", PASSWORD, False, "'name' must not be blank"),
        (
            "X",
            "boss",
            PASSWORD,
            False,
            "'role' must be one of admin, coordinator, chair, rater, researcher; got 'boss'",
        ),
        ("X", "chair", PASSWORD, True, "a behavioural scientist needs a 'registration'"),
        ("X", "rater", "short", False, "at least 12 characters; got 5"),
        ("R2", "rater", PASSWORD, False, "a user named 'R2' already exists"),
    ],
)
def test_add_user_refuses_bad_values(sessions, committee, name, role, password, scientist, message):
    from weegtool.store import add_user

    with pytest.raises(InputError, match=message), transaction(sessions) as session:
        add_user(session, name, role, password, behavioural_scientist=scientist)


# --- referrals ------------------------------------------------------------------------------------------------


def test_a_referral_is_attached_to_the_instrument_in_force(sessions, referral):
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        assert (
            candidate.instrument_sha256
            == instrument_in_force(session).sha256
            == weegtool.load_instrument(TWENTE).sha256
        )
        assert (candidate.age, candidate.flags, candidate.row_version) == (16, ["suicide_risk"], 1)


def test_list_instruments_lists_every_version_the_most_recently_added_first(sessions):
    with transaction(sessions) as session:
        add_instrument(session, EXAMPLE.read_text(encoding="utf-8"))
    with transaction(sessions) as session:
        rows = list_instruments(session)
    assert [(row.sha256, row.in_force) for row in rows] == [
        (weegtool.load_instrument(EXAMPLE).sha256, False),
        (weegtool.load_instrument(TWENTE).sha256, True),
    ]


def test_a_referral_with_bad_fields_is_refused_with_every_problem(sessions, committee):
    with pytest.raises(InputError) as caught, transaction(sessions) as session:
        register_referral(
            session,
            " ",
            by=committee["coordinator"],
            age=200,
            direction="far away",
            flags=["suicide_risk", "flying"],
        )
    assert len(caught.value.problems) == 4
    assert "'flags' must be flags of the instrument" in str(caught.value) and "got flying" in str(
        caught.value
    )


def test_the_store_knows_the_cores_directions():
    assert models.DIRECTIONS == DIRECTIONS


def test_an_update_on_a_stale_version_is_a_conflict_not_an_overwrite(sessions, committee, referral):
    with transaction(sessions) as first:
        update_referral(first, get_candidate(first, "C2"), 1, by=committee["coordinator"], age=17)
    with (
        pytest.raises(ConflictError, match="changed by someone else"),
        transaction(sessions) as second,
    ):
        update_referral(
            second, get_candidate(second, "C2"), 1, by=committee["coordinator"], consent=False
        )
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        assert (candidate.age, candidate.consent, candidate.row_version) == (17, True, 2)


# On SQLite writers take turns (every write transaction begins IMMEDIATE), so this race happens on PostgreSQL only.
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_change_committed_while_another_is_being_made_is_a_conflict(
    sessions, committee, referral
):
    with pytest.raises(ConflictError), transaction(sessions) as slow:
        candidate = get_candidate(slow, "C2")  # read at version 1
        with transaction(sessions) as fast:
            update_referral(
                fast, get_candidate(fast, "C2"), 1, by=committee["coordinator"], referrer="Enschede"
            )
        update_referral(slow, candidate, 1, by=committee["coordinator"], referrer="Almelo")
    with transaction(sessions) as session:
        assert get_candidate(session, "C2").referrer == "Enschede"


def test_only_referral_fields_can_be_updated(sessions, committee, referral):
    with pytest.raises(InputError, match="got instrument_sha256"), transaction(sessions) as session:
        update_referral(
            session,
            get_candidate(session, "C2"),
            1,
            by=committee["coordinator"],
            instrument_sha256="x",
        )


# --- ratings --------------------------------------------------------------------------------------------------


def test_saving_an_item_again_replaces_it(sessions, committee, referral):
    for value in (1, 2, None):
        with transaction(sessions) as session:
            save_ratings(
                session, get_candidate(session, "C2"), committee["R2"], {"er_intensity": value}
            )
    with transaction(sessions) as session:
        rows = session.scalars(select(models.Rating)).all()
        assert [(r.item, r.value) for r in rows] == [("er_intensity", None)]


def test_ratings_off_the_instrument_are_refused_with_every_problem(sessions, committee, referral):
    with pytest.raises(RatingsError) as caught, transaction(sessions) as session:
        save_ratings(
            session,
            get_candidate(session, "C2"),
            committee["R2"],
            [
                ItemRating("er_intensity", 9),
                ItemRating("no_such_item", 1),
                ItemRating("er_recovery", 1),
                ItemRating("er_recovery", 2),
            ],
        )
    assert caught.value.problems == (
        "item 'er_intensity' must be rated 0, 1, 2, 3, 4 or not known; got 9.",
        "item 'no_such_item' is not in " + weegtool.load_instrument(TWENTE).label + ".",
        "item 'er_recovery' is given more than once.",
    )


def test_a_late_submit_after_the_decision_is_refused(sessions, committee, referral):
    # issue 12: a member who had saved but not submitted could still submit after the decision
    decided_and_corrected(sessions, committee, ON)
    with pytest.raises(ReadOnlyError, match="its ratings are closed"), transaction(sessions) as s:
        submit_ratings(s, get_candidate(s, "C2"), committee["chair"])


def test_a_critical_mark_needs_its_reason_and_nee_is_no_mark(sessions, committee, referral):
    # found by review: "ja" was stored as the reason, and the candidate then could not be scored
    with pytest.raises(RatingsError) as caught, transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        save_ratings(
            session, candidate, committee["R2"], [ItemRating("er_intensity", 3, critical="ja")]
        )
    assert caught.value.problems == (
        "item 'er_intensity': give the reason the item is critical, not only that it is; got 'ja'.",
    )
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        save_ratings(
            session, candidate, committee["R2"], [ItemRating("er_intensity", 3, critical="nee")]
        )
        advice = score_candidate(session, candidate, rater=committee["R2"], on=ON).advice
    assert advice.critical == ()


@pytest.mark.parametrize("role", ["coordinator", "researcher"])
def test_only_committee_members_rate(sessions, committee, referral, role):
    with pytest.raises(NotAllowedError), transaction(sessions) as session:
        save_ratings(session, get_candidate(session, "C2"), committee[role], {"er_intensity": 1})


def test_blind_rating_a_rater_sees_the_others_only_after_submitting(sessions, committee, referral):
    rate_all(sessions, committee, submit=False)

    def seen_by(name):
        with transaction(sessions) as session:
            return {
                (r.rater_id, r.item)
                for r in visible_ratings(session, get_candidate(session, "C2"), committee[name])
            }

    def raters(name):
        return {rater for rater, _ in seen_by(name)}

    assert raters("R1") == {committee["R1"].id}
    assert raters("researcher") == set()
    with transaction(sessions) as session:
        submit_ratings(session, get_candidate(session, "C2"), committee["R1"])
    assert raters("R1") == {committee["R1"].id}  # the others have not submitted yet
    assert raters("R2") == {committee["R2"].id}
    with transaction(sessions) as session:
        submit_ratings(session, get_candidate(session, "C2"), committee["R2"])
    assert (
        raters("R1")
        == raters("R2")
        == raters("researcher")
        == {committee["R1"].id, committee["R2"].id}
    )
    assert raters("R3") == {committee["R3"].id}
    with pytest.raises(NotAllowedError), transaction(sessions) as session:
        visible_ratings(session, get_candidate(session, "C2"), committee["coordinator"])


def test_submitted_ratings_are_fixed(sessions, committee, referral):
    rate_all(sessions, committee)
    with (
        pytest.raises(ReadOnlyError, match="submitted and are fixed"),
        transaction(sessions) as session,
    ):
        save_ratings(session, get_candidate(session, "C2"), committee["R1"], {"er_intensity": 0})
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        assert is_submitted(session, candidate, committee["R1"])
        assert (
            submit_ratings(session, candidate, committee["R1"]).rater_id == committee["R1"].id
        )  # again: no-op


def test_own_ratings_are_the_raters_saved_ratings_of_the_candidate_by_item(
    sessions, committee, referral
):
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        other = register_referral(session, "C9", by=committee["coordinator"])
        save_ratings(
            session,
            candidate,
            committee["R1"],
            [ItemRating("er_intensity", 3, note="Schreeuwt"), ItemRating("er_recovery", None)],
        )
        save_ratings(session, candidate, committee["R2"], {"er_intensity": 1})
        save_ratings(session, other, committee["R1"], {"er_self_harm": 2})
    with transaction(sessions) as session:
        mine = own_ratings(session, get_candidate(session, "C2"), committee["R1"])
        assert {item: (r.value, r.note) for item, r in mine.items()} == {
            "er_intensity": (3, "Schreeuwt"),
            "er_recovery": (None, ""),
        }
        assert own_ratings(session, get_candidate(session, "C2"), committee["R3"]) == {}


def test_the_candidates_a_rater_rated_and_submitted_are_told_apart(sessions, committee, referral):
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        other = register_referral(session, "C9", by=committee["coordinator"])
        register_referral(session, "C10", by=committee["coordinator"])
        save_ratings(session, candidate, committee["R1"], {"er_intensity": 3, "er_recovery": 2})
        save_ratings(session, other, committee["R1"], {"er_intensity": 1})
        submit_ratings(session, candidate, committee["R1"])
        submit_ratings(session, other, committee["R2"])  # an empty form: submitted, not rated
        ids = {"C2": candidate.id, "C9": other.id}
    with transaction(sessions) as session:
        assert rated_candidate_ids(session, committee["R1"]) == {ids["C2"], ids["C9"]}
        assert submitted_candidate_ids(session, committee["R1"]) == {ids["C2"]}
        assert rated_candidate_ids(session, committee["R2"]) == set()
        assert submitted_candidate_ids(session, committee["R2"]) == {ids["C9"]}
        assert rated_candidate_ids(session, committee["R3"]) == set()


def test_stored_ratings_score_as_the_same_table_read_from_a_file(sessions, committee, referral):
    rate_all(sessions, committee)
    expected = weegtool.advise(weegtool.score(TWENTE, COMMITTEE), on=ON).get("C2")
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        weegtool.read_ratings(ratings_frame(session, candidate), weegtool.load_instrument(TWENTE))
        got = score_candidate(session, candidate, on=ON).advice
    assert (got.total, got.category, got.domains, got.contributions) == (
        expected.total,
        expected.category,
        expected.domains,
        expected.contributions,
    )
    assert [d.item for d in got.disputed] == [d.item for d in expected.disputed]


def test_a_rater_scores_their_own_ratings_as_they_go_and_nothing_is_scored_before(
    sessions, committee, referral
):
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        with pytest.raises(InputError, match="no submitted ratings"):
            score_candidate(session, candidate)
        save_ratings(session, candidate, committee["R2"], committee_ratings("C2")["R2"])
        mine = score_candidate(session, candidate, rater=committee["R2"], on=ON).advice
        live = live_scores(session, candidate, committee["R2"])
        assert live_scores(session, candidate, committee["R1"]) is None
    assert mine.total is not None and mine.ratings["er_frequency"] == 3
    # the live scores come from the kernel, not through the advice: the same numbers
    assert live is not None and (live.total, live.domains) == (mine.total, dict(mine.domains))
    assert live.rated == sum(v is not None for v in mine.ratings.values())


# --- decisions ------------------------------------------------------------------------------------------------


def advice_of(sessions):
    with transaction(sessions) as session:
        return score_candidate(session, get_candidate(session, "C2"), on=ON).advice


def test_finalise_stores_the_decision_the_report_and_its_instrument_hash(
    sessions, committee, referral
):
    rate_all(sessions, committee)
    advice = advice_of(sessions)
    with transaction(sessions) as session:
        assessment = finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput(advice.category, True, **ARGUED, decided_on=ON),
            [committee["R1"], committee["R2"]],
            by=committee["chair"],
        )
    sha256 = weegtool.load_instrument(TWENTE).sha256
    assert (assessment.revision, assessment.instrument_sha256, assessment.category) == (
        1,
        sha256,
        advice.category,
    )
    assert sha256[:12] in assessment.report_html and "C2" in assessment.report_html
    assert [(s.name, s.behavioural_scientist, s.registration) for s in assessment.signatures] == [
        ("R1", True, "SKJ-100200"),
        ("R2", False, None),
    ]
    assert assessment.advice["total"] == advice.total


@pytest.mark.parametrize(
    "deviate, signers, message",
    [
        (False, ["R2"], "at least two committee members"),
        (False, ["R2", "R3"], "behavioural scientist"),
        (True, ["R1", "R2"], "justification"),
    ],
)
def test_an_incomplete_decision_is_refused(
    sessions, committee, referral, deviate, signers, message
):
    rate_all(sessions, committee)
    advice = advice_of(sessions)
    category = "refer" if deviate else advice.category
    with pytest.raises(DecisionError, match=message), transaction(sessions) as session:
        finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput(category, not deviate, **({} if deviate else ARGUED), decided_on=ON),
            [committee[s] for s in signers],
            by=committee["chair"],
        )
    with transaction(sessions) as session:
        assert latest_assessment(session, get_candidate(session, "C2")) is None


def test_only_the_chair_finalises(sessions, committee, referral):
    rate_all(sessions, committee)
    with pytest.raises(NotAllowedError, match="chair"), transaction(sessions) as session:
        finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput("fits", True, decided_on=ON),
            [committee["R1"], committee["R2"]],
            by=committee["R1"],
        )


def test_a_finalised_assessment_is_read_only_and_a_correction_is_a_new_revision(
    sessions, committee, referral
):
    rate_all(sessions, committee)
    advice = advice_of(sessions)
    members = [committee["R1"], committee["R2"]]
    with transaction(sessions) as session:
        finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput(advice.category, True, **ARGUED, decided_on=ON),
            members,
            by=committee["chair"],
        )
    with pytest.raises(ReadOnlyError, match="never changed"), transaction(sessions) as session:
        latest_assessment(session, get_candidate(session, "C2")).category = "refer"
    with pytest.raises(ReadOnlyError, match="a correction"), transaction(sessions) as session:
        finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput(advice.category, True, **ARGUED, decided_on=ON),
            members,
            by=committee["chair"],
        )
    with pytest.raises(InputError, match="reason"), transaction(sessions) as session:
        correct(
            session,
            get_candidate(session, "C2"),
            DecisionInput(advice.category, True),
            members,
            reason=" ",
            by=committee["chair"],
        )
    deviation = DecisionInput(
        "refer",
        False,
        justification="Needs a secured setting after all.",
        items=("er_self_harm",),
        dissent="R2 would place.",
        decided_on=ON,
    )
    with transaction(sessions) as session:
        correct(
            session,
            get_candidate(session, "C2"),
            deviation,
            members,
            reason="New incident report.",
            by=committee["chair"],
        )
    with (
        pytest.raises(ReadOnlyError, match="finalised assessment is never"),
        transaction(sessions) as session,
    ):
        session.delete(revisions(session, get_candidate(session, "C2"))[0])
    with transaction(sessions) as session:
        first, second = revisions(session, get_candidate(session, "C2"))
    assert (first.revision, first.category, first.previous_id) == (1, advice.category, None)
    assert (second.revision, second.category, second.previous_id) == (2, "refer", first.id)
    assert (
        second.correction_reason == "New incident report."
        and "Needs a secured setting" in second.report_html
    )


def test_a_soft_flag_needs_a_justification_citing_items_even_when_following_the_advice(
    sessions, committee, referral
):
    rate_all(sessions, committee)
    advice = advice_of(sessions)
    members = [committee["R1"], committee["R2"]]
    with pytest.raises(DecisionError) as caught, transaction(sessions) as session:
        finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput(advice.category, True, justification="Besproken.", decided_on=ON),
            members,
            by=committee["chair"],
        )
    assert caught.value.problems == (
        "the decision: a soft flag needs a written justification citing the items it "
        "rests on; flagged: Suicide risk.",
    )
    with transaction(sessions) as session:
        assert latest_assessment(session, get_candidate(session, "C2")) is None
        assessment = finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput(advice.category, True, **ARGUED, decided_on=ON),
            members,
            by=committee["chair"],
        )
    assert (assessment.justification, assessment.items) == (
        ARGUED["justification"],
        ["er_self_harm"],
    )


@pytest.fixture
def hard_flagged(sessions, committee):
    """Candidate 'H1': the committee example's C1 (a light case) with the hard flag needs_secured_setting, rated."""
    with transaction(sessions) as session:
        candidate = register_referral(
            session,
            "H1",
            by=committee["coordinator"],
            age=14,
            direction="temporary_back_home",
            consent=True,
            flags=["needs_secured_setting"],
        )
        for rater, ratings in committee_ratings("C1").items():
            save_ratings(session, candidate, committee[rater], ratings)
            submit_ratings(session, candidate, committee[rater])
    frame = pd.read_csv(COMMITTEE, dtype=str, keep_default_na=False).query("candidate_id == 'C1'")
    return weegtool.score(TWENTE, frame.assign(candidate_id="H1", flags="needs_secured_setting"))


OVERRIDE = {
    "justification": "Geen beveiligde setting nodig: incident was eenmalig.",
    "items": ("ic_risk_behaviour",),
    "overridden_flags": ("needs_secured_setting",),
}


def test_an_overridden_hard_flag_is_overridden_in_the_stored_advice_and_report(
    sessions, committee, hard_flagged
):
    with transaction(sessions) as session:
        assert (
            score_candidate(session, get_candidate(session, "H1"), on=ON).advice.category == "refer"
        )
    override = Override(
        "needs_secured_setting", OVERRIDE["justification"], ("R1", "R2"), OVERRIDE["items"]
    )
    expected = weegtool.advise(hard_flagged, on=ON, overrides={"H1": [override]})[0]
    assert expected.category == "lighter_care"
    with transaction(sessions) as session:
        assessment = finalise(
            session,
            get_candidate(session, "H1"),
            DecisionInput(expected.category, True, **OVERRIDE, decided_on=ON),
            [committee["R1"], committee["R2"]],
            by=committee["chair"],
        )
    assert assessment.advice == expected.to_dict()
    assert assessment.advice["flags"] == [
        {
            "id": "needs_secured_setting",
            "severity": "hard",
            "overridden": True,
            "justification": OVERRIDE["justification"],
        }
    ]
    assert (assessment.follows_advice, assessment.overridden_flags) == (
        True,
        ["needs_secured_setting"],
    )
    assert OVERRIDE["justification"] in assessment.report_html


def test_follows_advice_is_judged_against_the_advice_with_the_override(
    sessions, committee, hard_flagged
):
    with pytest.raises(DecisionError) as caught, transaction(sessions) as session:
        finalise(
            session,
            get_candidate(session, "H1"),
            DecisionInput("refer", True, **OVERRIDE, decided_on=ON),
            [committee["R1"], committee["R2"]],
            by=committee["chair"],
        )
    assert caught.value.problems == (
        "the decision: it is marked as following the advice, but the advice is "
        "'Consider lighter care' and the decision 'Not suitable: refer'.",
    )


@pytest.mark.parametrize(
    "changes, signers, problems",
    [
        (
            {"justification": "", "items": ()},
            ["R1", "R2"],
            [
                "the decision: overriding a hard flag needs a justification citing items, and two signatures."
            ],
        ),
        (
            {"items": ()},
            ["R1", "R2"],
            [
                "the decision: overriding a hard flag needs a justification citing items, and two signatures."
            ],
        ),
        (
            {},
            ["R1"],
            [
                "the decision: needs at least two committee members; got 1.",
                "the decision: overriding a hard flag needs a justification citing items, and two signatures.",
            ],
        ),
    ],
)
def test_an_override_without_justification_or_two_signatures_is_refused_and_nothing_is_written(
    sessions, committee, hard_flagged, changes, signers, problems
):
    # Without an acceptable override the advice stays 'refer', which this decision follows.
    with pytest.raises(DecisionError) as caught, transaction(sessions) as session:
        finalise(
            session,
            get_candidate(session, "H1"),
            DecisionInput("refer", True, **{**OVERRIDE, **changes}, decided_on=ON),
            [committee[s] for s in signers],
            by=committee["chair"],
        )
    assert list(caught.value.problems) == problems
    with transaction(sessions) as session:
        assert latest_assessment(session, get_candidate(session, "H1")) is None
        assert session.scalars(select(models.Assessment)).all() == []
        assert [
            e.action for e in audit_entries(session) if e.action.startswith("assessment.")
        ] == []


# --- discussion notes -----------------------------------------------------------------------------------------


def test_committee_members_add_notes_and_read_them_oldest_first(sessions, committee, referral):
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        first = add_note(
            session, candidate, "  Eerst het netwerk in kaart brengen.\n", by=committee["R1"]
        )
        add_note(session, candidate, "Eens; school erbij betrekken.", by=committee["chair"])
    assert first.text == "Eerst het netwerk in kaart brengen."
    with transaction(sessions) as session:
        shown = notes(session, get_candidate(session, "C2"), committee["R3"])
    assert [(n.author.name, n.text) for n in shown] == [
        ("R1", "Eerst het netwerk in kaart brengen."),
        ("chair", "Eens; school erbij betrekken."),
    ]


@pytest.mark.parametrize(
    "role, message",
    [
        ("coordinator", "Only a rater or chair writes discussion notes; this user is coordinator."),
        ("researcher", "Only a rater or chair writes discussion notes; this user is researcher."),
    ],
)
def test_only_committee_members_write_notes(sessions, committee, referral, role, message):
    with pytest.raises(NotAllowedError) as caught, transaction(sessions) as session:
        add_note(session, get_candidate(session, "C2"), "Een notitie.", by=committee[role])
    assert str(caught.value) == message


@pytest.mark.parametrize("role", ["coordinator", "researcher"])
def test_only_committee_members_read_notes(sessions, committee, referral, role):
    with pytest.raises(NotAllowedError) as caught, transaction(sessions) as session:
        notes(session, get_candidate(session, "C2"), committee[role])
    assert (
        str(caught.value) == f"Only a rater or chair reads discussion notes; this user is {role}."
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (" \n\t", "note: 'text' must not be blank."),
        ("x" * 5001, "note: 'text' must have at most 5000 characters; got 5001."),
    ],
)
def test_a_blank_or_too_long_note_is_refused_and_nothing_is_written(
    sessions, committee, referral, text, message
):
    with pytest.raises(InputError) as caught, transaction(sessions) as session:
        add_note(session, get_candidate(session, "C2"), text, by=committee["R1"])
    assert str(caught.value) == message
    with transaction(sessions) as session:
        assert session.scalars(select(models.Note)).all() == []
        longest = add_note(
            session, get_candidate(session, "C2"), " " * 10 + "x" * 5000, by=committee["R1"]
        )
    assert longest.text == "x" * 5000  # the limit counts the stripped text


def test_the_audit_log_records_a_note_by_its_id_never_its_text(sessions, committee, referral):
    with transaction(sessions) as session:
        note = add_note(
            session,
            get_candidate(session, "C2"),
            "Vertrouwelijk: vader in detentie.",
            by=committee["R2"],
        )
    with transaction(sessions) as session:
        entry = audit_entries(session, "notes", note.id)
        dump = " ".join(
            " ".join(map(str, row)) for row in session.execute(text("SELECT * FROM audit_log"))
        )
    assert [(e.action, e.user_id) for e in entry] == [("note.add", committee["R2"].id)]
    assert "Vertrouwelijk" not in dump and "detentie" not in dump


# --- overview pages -------------------------------------------------------------------------------------------


def decided_and_corrected(sessions, committee, corrected_on):
    """C2 rated by all and decided as advised, then corrected to 'refer' on ``corrected_on``; C7
    registered without ratings. Returns the advice."""
    rate_all(sessions, committee)
    advice = advice_of(sessions)
    members = [committee["R1"], committee["R2"]]
    with transaction(sessions) as session:
        register_referral(session, "C7", by=committee["coordinator"], age=19)
        finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput(advice.category, True, **ARGUED, decided_on=ON),
            members,
            by=committee["chair"],
        )
        correct(
            session,
            get_candidate(session, "C2"),
            DecisionInput("refer", False, **ARGUED, decided_on=corrected_on),
            members,
            reason="Nieuwe informatie.",
            by=committee["chair"],
        )
    return advice


def test_the_overview_lists_candidates_newest_first_with_submissions_and_latest_assessment(
    sessions, committee, referral
):
    decided_and_corrected(sessions, committee, ON)
    with transaction(sessions) as session:
        rows = overview(session)
        c2, c7 = get_candidate(session, "C2"), get_candidate(session, "C7")
    sha256 = weegtool.load_instrument(TWENTE).sha256
    assert [row.pseudonym for row in rows] == ["C7", "C2"]
    assert rows[0] == CandidateRow(
        c7.id, "C7", 19, None, None, (), rows[0].registered_at, sha256, 0, None, None
    )
    assert rows[1] == CandidateRow(
        c2.id,
        "C2",
        16,
        "long_term",
        True,
        ("suicide_risk",),
        rows[1].registered_at,
        sha256,
        3,
        "refer",
        2,
    )
    assert all(row.registered_at.utcoffset() == _dt.timedelta(0) for row in rows)
    assert rows[1].registered_at <= rows[0].registered_at <= _dt.datetime.now(_dt.UTC)


def test_submissions_name_the_raters_who_submitted_in_order(sessions, committee, referral):
    rate_all(sessions, committee, submit=False)
    for name in ("R3", "R1"):
        with transaction(sessions) as session:
            submit_ratings(session, get_candidate(session, "C2"), committee[name])
    with transaction(sessions) as session:
        shown = submissions(session, get_candidate(session, "C2"))
    assert [name for name, _ in shown] == ["R3", "R1"]
    assert all(at.utcoffset() == _dt.timedelta(0) for _, at in shown) and shown[0][1] <= shown[1][1]


# --- the researcher's exports ---------------------------------------------------------------------------------


def test_decision_rows_are_every_revision_with_the_candidates_fields_and_row_counts_count_them(
    sessions, committee, referral
):
    advice = decided_and_corrected(sessions, committee, ON + _dt.timedelta(days=7))
    with transaction(sessions) as session:
        rows = decision_rows(session)
        counts = row_counts(session)
    sha256 = weegtool.load_instrument(TWENTE).sha256
    assert [(row.advice["category"], row.advice["total"]) for row in rows] == [
        (advice.category, advice.total)
    ] * 2
    fields = ("C2", 16, "long_term")
    assert rows == [
        DecisionRow(*fields, 1, advice.category, True, rows[0].advice, sha256, ON),
        DecisionRow(*fields, 2, "refer", False, rows[1].advice, sha256, ON + _dt.timedelta(days=7)),
    ]
    assert counts == {"candidates": 2, "submissions": 3, "assessments": 2}


def test_submitted_ratings_wide_holds_each_submitted_raters_values_by_candidate_and_rater(
    sessions, committee, referral
):
    rate_all(sessions, committee, submit=False)
    with transaction(sessions) as session:
        c2 = get_candidate(session, "C2")
        c7 = register_referral(session, "C7", by=committee["coordinator"], age=19)
        save_ratings(session, c7, committee["R2"], {"er_intensity": 2, "er_recovery": None})
        submit_ratings(session, c7, committee["R2"])
        submit_ratings(session, c2, committee["R3"])
        submit_ratings(session, c2, committee["R1"])
    with transaction(sessions) as session:
        wide = submitted_ratings_wide(session)
    given = {rater: {r.item: r.value for r in rs} for rater, rs in committee_ratings("C2").items()}
    # R2's ratings of C2 are saved but not submitted: left out
    assert list(wide) == [("C2", "R1"), ("C2", "R3"), ("C7", "R2")]
    assert wide[("C2", "R1")] == given["R1"] and wide[("C2", "R3")] == given["R3"]
    assert list(wide[("C2", "R1")]) == sorted(given["R1"])
    assert wide[("C7", "R2")] == {"er_intensity": 2, "er_recovery": None}


# --- houses and the audit log ---------------------------------------------------------------------------------


def test_houses_come_back_as_the_core_reads_them(sessions, committee):
    examples = weegtool.load_houses(HOUSES, weegtool.load_instrument(TWENTE))
    with transaction(sessions) as session:
        for house in examples:
            save_house(session, house, by=committee["coordinator"])
    with transaction(sessions) as session:
        save_house(
            session, examples[0], by=committee["coordinator"]
        )  # saved again: replaced, not doubled
        assert core_houses(session) == tuple(sorted(examples, key=lambda h: h.id))


def test_the_audit_log_says_who_did_what_without_clinical_content(sessions, committee, referral):
    rate_all(sessions, committee)
    advice = advice_of(sessions)
    with transaction(sessions) as session:
        update_referral(
            session,
            get_candidate(session, "C2"),
            1,
            by=committee["coordinator"],
            referrer="Huisarts Oldenzaal",
        )
        finalise(
            session,
            get_candidate(session, "C2"),
            DecisionInput(
                advice.category,
                True,
                **ARGUED,
                dissent="Twijfel over zelfbeschadiging",
                decided_on=ON,
            ),
            [committee["R1"], committee["R2"]],
            by=committee["chair"],
        )
    with transaction(sessions) as session:
        log = audit_entries(session)
        dump = " ".join(
            " ".join(map(str, row)) for row in session.execute(text("SELECT * FROM audit_log"))
        )
    assert [e.action for e in log if e.object_type == "candidates"] == [
        "referral.register",
        *["ratings.save", "ratings.submit"] * 3,
        "referral.update",
    ]
    assert log[-1].action == "assessment.finalise" and log[-1].user_id == committee["chair"].id
    for secret in (
        "C2",
        "Gemeente Hengelo",
        "Huisarts",
        "suicide_risk",
        "Gooit met spullen",
        "Twijfel",
    ):
        assert secret not in dump


def test_latest_audit_entries_are_the_newest_first_up_to_the_limit(sessions, committee):
    with transaction(sessions) as session:
        log = audit_entries(session)
        newest = latest_audit_entries(session, 2)
        everything = latest_audit_entries(session, 1000)
    assert [(e.action, e.user_id, e.object_id) for e in newest] == [
        ("user.add", None, committee["researcher"].id),
        ("user.add", None, committee["chair"].id),
    ]
    assert [e.id for e in everything] == [e.id for e in reversed(log)]


def test_houses_come_with_their_residents_loaded(sessions, committee):
    with transaction(sessions) as session:
        for house in weegtool.load_houses(HOUSES, weegtool.load_instrument(TWENTE)):
            save_house(session, house, by=committee["coordinator"])
        rows = houses(session)
    # Read after the session closed: the residents were loaded with the houses.
    assert [(row.code, [r.pseudonym for r in row.residents]) for row in rows] == [
        ("huis-a", ["B-101", "B-102"]),
        ("huis-b", ["B-201", "B-202", "B-203"]),
    ]


def test_delete_house_removes_it_with_its_residents(sessions, committee):
    with transaction(sessions) as session:
        for house in weegtool.load_houses(HOUSES, weegtool.load_instrument(TWENTE)):
            save_house(session, house, by=committee["coordinator"])
    with transaction(sessions) as session:
        house_id = session.scalar(select(models.House.id).where(models.House.code == "huis-a"))
        delete_house(session, "huis-a", by=committee["coordinator"])
    with transaction(sessions) as session:
        assert [h.id for h in core_houses(session)] == ["huis-b"]
        assert sorted(session.scalars(select(models.Resident.pseudonym))) == [
            "B-201",
            "B-202",
            "B-203",
        ]
        assert [(e.action, e.user_id) for e in audit_entries(session, "houses", house_id)] == [
            ("house.save", committee["coordinator"].id),
            ("house.delete", committee["coordinator"].id),
        ]
    with pytest.raises(NotFoundError) as caught, transaction(sessions) as session:
        delete_house(session, "huis-a", by=committee["coordinator"])
    assert str(caught.value) == "no house 'huis-a'."
