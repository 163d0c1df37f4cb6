"""Decisions that hold (issue 12), on both databases: closed ratings, read-only decided referrals,
corrections that say what changed, conflicts instead of silent overwrites, one decision per form,
pseudonyms unique regardless of case, and the committee per referral with its agenda.

Races run in threads lined up by a barrier (see :func:`tests.test_store_concurrency.run_together`):
exactly one decision is stored, the other chair gets :class:`DecisionConflict`, never a database error.
"""

from __future__ import annotations

import datetime as _dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from weegtool.errors import InputError, NotAllowedError, ReadOnlyError
from weegtool.store import (
    DecisionConflict,
    DecisionInput,
    agenda,
    assign_committee,
    attach_pdf,
    basis_changes,
    committee_of,
    correct,
    finalise,
    get_candidate,
    latest_assessment,
    models,
    open_correction,
    register_referral,
    revisions,
    save_ratings,
    submit_ratings,
    transaction,
    update_referral,
)
from weegtool.store.assessments import changes_between

from . import test_store
from .store_factories import committee_ratings, make_user
from .test_store import ARGUED, ON, advice_of, rate_all
from .test_store_concurrency import run_together

# The store tests' fixtures: the committee (coordinator, R1..R3, chair, researcher) and referral C2.
committee = test_store.committee
referral = test_store.referral


def decide(sessions, committee, *, reason=None, based_on=None, token=None, category=None, **kw):
    """Finalise (``reason`` None) or correct C2 as the chair with R1 and R2 signing; the assessment's revision."""
    category = category or advice_of(sessions).category
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        signers = [committee["R1"], committee["R2"]]
        decision = DecisionInput(category, None, **ARGUED, decided_on=ON)
        if reason is None:
            made = finalise(
                session, candidate, decision, signers, by=committee["chair"], form_token=token
            )
        else:
            made = correct(
                session,
                candidate,
                decision,
                signers,
                reason=reason,
                by=committee["chair"],
                based_on=based_on,
                form_token=token,
            )
        return made.revision


def count_assessments(sessions) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(models.Assessment))


# --- ratings close, fields are read-only, a correction says what changed -----------------------------------


def test_ratings_close_at_the_decision_for_saving_and_submitting(sessions, committee, referral):
    ratings = committee_ratings("C2")
    for rater in ("R1", "R2"):
        with transaction(sessions) as session:
            save_ratings(session, get_candidate(session, "C2"), committee[rater], ratings[rater])
            submit_ratings(session, get_candidate(session, "C2"), committee[rater])
    with transaction(sessions) as session:
        save_ratings(session, get_candidate(session, "C2"), committee["R3"], ratings["R3"])
    decide(sessions, committee)
    for act in (
        lambda s: save_ratings(s, get_candidate(s, "C2"), committee["R3"], ratings["R3"][:1]),
        lambda s: submit_ratings(s, get_candidate(s, "C2"), committee["R3"]),
    ):
        with pytest.raises(ReadOnlyError, match="ratings are closed"), transaction(sessions) as s:
            act(s)
    with transaction(sessions) as session:
        assert (
            basis_changes(
                session,
                get_candidate(session, "C2"),
                latest_assessment(session, get_candidate(session, "C2")),
            )
            == []
        )


def test_a_decided_referral_is_read_only_until_a_correction_is_opened_which_names_the_change(
    sessions, committee, referral
):
    rate_all(sessions, committee)
    decide(sessions, committee)
    with (
        pytest.raises(ReadOnlyError, match="read-only until the chair opens a correction"),
        transaction(sessions) as session,
    ):
        candidate = get_candidate(session, "C2")
        update_referral(
            session, candidate, candidate.row_version, by=committee["coordinator"],
            flags=["suicide_risk", "needs_secured_setting"],
        )  # fmt: skip
    with pytest.raises(NotAllowedError, match="chair"), transaction(sessions) as session:
        open_correction(session, get_candidate(session, "C2"), by=committee["coordinator"])
    with transaction(sessions) as session:
        open_correction(session, get_candidate(session, "C2"), by=committee["chair"])
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        update_referral(
            session, candidate, candidate.row_version, by=committee["coordinator"], age=17
        )
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        assert basis_changes(session, candidate, latest_assessment(session, candidate)) == [
            "age: 16 → 17"
        ]
    assert decide(sessions, committee, reason="Leeftijd was verkeerd.", based_on=1) == 2
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        second = latest_assessment(session, candidate)
        assert (second.changes, candidate.correction_open) == (["age: 16 → 17"], False)
        assert second.basis["fields"]["age"] == 17 and set(second.basis["ratings"]) == {
            "R1", "R2", "R3"
        }  # fmt: skip
    with pytest.raises(ReadOnlyError, match="read-only"), transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        update_referral(
            session, candidate, candidate.row_version, by=committee["coordinator"], age=18
        )


def test_a_correction_cannot_be_opened_before_a_decision(sessions, committee, referral):
    with pytest.raises(InputError, match="no decision yet"), transaction(sessions) as session:
        open_correction(session, get_candidate(session, "C2"), by=committee["chair"])


# --- conflicts and repeated forms ----------------------------------------------------------------------------


def test_a_correction_made_on_an_old_revision_is_a_conflict_naming_the_newest(
    sessions, committee, referral
):
    rate_all(sessions, committee)
    decide(sessions, committee)
    assert decide(sessions, committee, reason="Eerste correctie.", based_on=1) == 2
    with pytest.raises(DecisionConflict, match="revision 1, the newest is 2") as refused:
        decide(sessions, committee, reason="Tweede, op versie 1.", based_on=1)
    assert refused.value.revision == 2 and count_assessments(sessions) == 2


def test_finalising_a_decided_candidate_is_a_conflict_and_still_read_only(
    sessions, committee, referral
):
    rate_all(sessions, committee)
    decide(sessions, committee)
    with pytest.raises(ReadOnlyError, match="a correction") as refused:
        decide(sessions, committee)
    assert isinstance(refused.value, DecisionConflict) and refused.value.revision == 1


def test_the_same_form_sent_twice_is_one_decision(sessions, committee, referral):
    rate_all(sessions, committee)
    assert decide(sessions, committee, token="form-1") == 1
    assert decide(sessions, committee, token="form-1") == 1
    assert decide(sessions, committee, reason="Correctie.", based_on=1, token="form-2") == 2
    assert decide(sessions, committee, reason="Correctie.", based_on=1, token="form-2") == 2
    assert count_assessments(sessions) == 2


@pytest.mark.parametrize("kind", ["finalise", "correct"])
def test_two_chairs_deciding_at_once_store_one_and_the_other_gets_a_conflict(
    sessions, committee, referral, kind
):
    rate_all(sessions, committee)
    with transaction(sessions) as session:
        committee["chair2"] = make_user(session, "chair2", "chair")
    if kind == "correct":
        decide(sessions, committee)
    category = advice_of(sessions).category
    outcomes: list[object] = []

    def chair(barrier, name):
        barrier.wait(timeout=30)  # SQLite: whoever begins first writes, the other waits its turn
        with transaction(sessions) as session:
            candidate = get_candidate(session, "C2")
            decision = DecisionInput(category, None, **ARGUED, decided_on=ON)
            signers = [committee["R1"], committee["R2"] if name == "chair" else committee["R3"]]
            try:
                if kind == "finalise":
                    finalise(session, candidate, decision, signers, by=committee[name])
                else:
                    correct(session, candidate, decision, signers, reason=f"door {name}",
                            by=committee[name], based_on=1)  # fmt: skip
            except DecisionConflict as conflict:
                outcomes.append(conflict.revision)
                return
        outcomes.append("stored")

    assert run_together(chair, [("chair",), ("chair2",)]) == []
    expected = 1 if kind == "finalise" else 2
    assert sorted(outcomes, key=str) == sorted([expected, "stored"], key=str)
    assert count_assessments(sessions) == expected


def test_a_pdf_rendered_after_the_commit_is_attached_once(sessions, committee, referral):
    rate_all(sessions, committee)
    decide(sessions, committee)
    with transaction(sessions) as session:
        assessment_id = latest_assessment(session, get_candidate(session, "C2")).id
        assert attach_pdf(session, assessment_id, b"%PDF-1 first") is True
    with transaction(sessions) as session:
        assert attach_pdf(session, assessment_id, b"%PDF-1 second") is False
    with transaction(sessions) as session:
        assert revisions(session, get_candidate(session, "C2"))[0].report_pdf == b"%PDF-1 first"


# --- pseudonyms ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pseudonym, message",
    [
        ("c2", "'C2' is already registered (pseudonyms differing only in case are one)"),
        ("NEW", "must not be 'NEW': the web app's addresses use that word"),
    ],
)
def test_a_pseudonym_is_refused_when_taken_regardless_of_case_or_a_route_word(
    sessions, committee, referral, pseudonym, message
):
    with pytest.raises(InputError, match=re.escape(message)), transaction(sessions) as session:
        register_referral(session, pseudonym, by=committee["coordinator"])


def test_the_database_refuses_a_pseudonym_differing_only_in_case(sessions, committee, referral):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), transaction(sessions) as session:
        session.add(models.Candidate(pseudonym="c2", instrument_sha256=referral.instrument_sha256))


# --- the committee per referral ------------------------------------------------------------------------------


def test_an_assigned_committee_rates_and_others_are_refused(sessions, committee, referral):
    meeting = _dt.date(2026, 12, 3)
    with transaction(sessions) as session:
        members = assign_committee(
            session, get_candidate(session, "C2"), [committee["R1"], committee["chair"]],
            by=committee["coordinator"], meeting_on=meeting,
        )  # fmt: skip
        assert [m.name for m in members] == ["R1", "chair"]
    ratings = committee_ratings("C2")
    with (
        pytest.raises(NotAllowedError, match="own committee"),
        transaction(sessions) as session,
    ):
        save_ratings(session, get_candidate(session, "C2"), committee["R2"], ratings["R2"])
    with (
        pytest.raises(NotAllowedError, match="own committee"),
        transaction(sessions) as session,
    ):
        submit_ratings(session, get_candidate(session, "C2"), committee["R2"])
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        save_ratings(session, candidate, committee["R1"], ratings["R1"])
        submit_ratings(session, candidate, committee["R1"])
        assign_committee(session, candidate, [committee["R2"]], by=committee["chair"])
        assert [m.name for m in committee_of(session, candidate)] == ["R1", "R2", "chair"]
        save_ratings(session, candidate, committee["R2"], ratings["R2"])  # added later: may rate
        register_referral(session, "C9", by=committee["coordinator"])
        assert len(committee_of(session, get_candidate(session, "C9"))) == 4  # none assigned: all
        get_candidate(session, "C9").meeting_on = meeting
        rows = agenda(session, meeting)
    # C9 has no assigned committee: every active member rates it, so the agenda counts all four
    # (it read 'beoordelen loopt' for ever when it counted 0 seats; found by the new-user trial)
    assert [(r.pseudonym, r.committee, r.assigned, r.submitted, r.revision) for r in rows] == [
        ("C2", 3, True, 1, None),
        ("C9", 4, False, 0, None),
    ]


@pytest.mark.parametrize("role", ["rater", "researcher"])
def test_only_the_coordinator_or_a_chair_assigns_and_only_members_sit(
    sessions, committee, referral, role
):
    by = committee["R2"] if role == "rater" else committee["researcher"]
    with pytest.raises(NotAllowedError, match="assigns a committee"), transaction(sessions) as s:
        assign_committee(s, get_candidate(s, "C2"), [committee["R1"]], by=by)
    with pytest.raises(InputError, match="not researcher"), transaction(sessions) as s:
        assign_committee(
            s, get_candidate(s, "C2"), [committee["researcher"]], by=committee["coordinator"]
        )


# --- invariants ----------------------------------------------------------------------------------------------

levels = st.none() | st.integers(0, 4)
fields = st.fixed_dictionaries(
    {
        "age": st.none() | st.integers(0, 27),
        "referrer": st.sampled_from(["", "wijkteam", "GI"]),
        "direction": st.none() | st.sampled_from(["long_term", "crisis"]),
        "consent": st.none() | st.booleans(),
        "flags": st.lists(st.sampled_from(["suicide_risk", "addiction"]), unique=True),
    }
)
ratings = st.dictionaries(
    st.sampled_from(["R1", "R2", "R3"]),
    st.dictionaries(st.sampled_from(["er_intensity", "cp_avoidance", "ic_planning"]), levels),
)


@given(st.fixed_dictionaries({"fields": fields, "ratings": ratings}),
       st.fixed_dictionaries({"fields": fields, "ratings": ratings}))  # fmt: skip
def test_a_correction_names_exactly_the_fields_and_raters_that_changed(before, after):
    said = changes_between(before, after)
    differing = {k for k in before["fields"] if before["fields"][k] != after["fields"][k]}
    raters = {
        r
        for r in set(before["ratings"]) | set(after["ratings"])
        if before["ratings"].get(r, {}) != after["ratings"].get(r, {})
        and any(
            before["ratings"].get(r, {}).get(i) != after["ratings"].get(r, {}).get(i)
            for i in set(before["ratings"].get(r, {})) | set(after["ratings"].get(r, {}))
        )
    }
    assert {s.split(":")[0] for s in said if not s.startswith("ratings of ")} == differing
    assert {
        s.removeprefix("ratings of ").split(":")[0] for s in said if s.startswith("ratings of ")
    } == raters
    assert changes_between(before, before) == [] and changes_between({}, after) == []


@given(st.lists(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,5}", fullmatch=True), unique=True))
def test_the_migration_finds_every_group_of_pseudonyms_differing_only_in_case(pseudonyms):
    import importlib.util
    from pathlib import Path

    import weegtool.store.migrations as migrations

    path = Path(migrations.__file__).parent / "versions" / "0007_decisions_hold.py"
    spec = importlib.util.spec_from_file_location("migration_0007", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    groups = module.colliding(pseudonyms)
    assert sorted(p for group in groups for p in group) == sorted(
        p for p in pseudonyms if sum(q.lower() == p.lower() for q in pseudonyms) > 1
    )
    assert all(len({p.lower() for p in group}) == 1 and len(group) > 1 for group in groups)


def test_a_revision_written_meanwhile_is_caught_by_the_database_and_the_rest_stays_usable(
    sessions, committee, referral, monkeypatch
):
    """The last line of defence: a chair whose check ran before the other's commit (as on PostgreSQL, where
    both write at once) still gets the conflict, from the unique revision, and their transaction goes on."""
    from weegtool.store import assessments

    rate_all(sessions, committee)
    decide(sessions, committee)
    category = advice_of(sessions).category
    monkeypatch.setattr(assessments, "latest_assessment", lambda session, candidate: None)
    with transaction(sessions) as session:
        candidate = get_candidate(session, "C2")
        with pytest.raises(DecisionConflict, match="at the same moment") as raced:
            finalise(
                session, candidate, DecisionInput(category, None, **ARGUED, decided_on=ON),
                [committee["R1"], committee["R2"]], by=committee["chair"],
            )  # fmt: skip
        assert raced.value.revision == 1
        assert get_candidate(session, "C2").pseudonym == "C2"  # the savepoint kept the transaction
    assert count_assessments(sessions) == 1
