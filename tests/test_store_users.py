"""Accounts on both databases: logins throttled per account, passwords reset and changed, users (de)activated."""

from __future__ import annotations

import datetime as _dt

import pytest
from sqlalchemy import select

from weegtool.errors import InputError, NotAllowedError, ThrottledError
from weegtool.store import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    audit_entries,
    authenticate,
    change_password,
    committee_members,
    get_user,
    models,
    reset_password,
    set_active,
    transaction,
    user_names,
    users,
    verify_password,
)

from .store_factories import PASSWORD, make_user

T0 = _dt.datetime(2026, 11, 23, 9, 0, tzinfo=_dt.UTC)
WRONG = "not the password at all"
LOCKED = (
    "login: this account is locked until 2026-11-23 09:19 UTC after 5 failed logins in a row; try again then, "
    "or ask an admin to reset the password."
)


@pytest.fixture
def people(sessions):
    """An admin and a rater R1."""
    with transaction(sessions) as session:
        return {"admin": make_user(session, "admin", "admin"), "R1": make_user(session, "R1")}


def login(sessions, name, password, minute):
    """Log in at ``minute`` minutes past T0 in a transaction of its own; the user's id or None."""
    with transaction(sessions) as session:
        user = authenticate(session, name, password, now=T0 + _dt.timedelta(minutes=minute))
        return user.id if user else None


def fail(sessions, name, times, minute):
    assert [login(sessions, name, WRONG, minute) for _ in range(times)] == [None] * times


def counters(sessions, name):
    with transaction(sessions) as session:
        user = get_user(session, name)
        return user.failed_logins, user.locked_until and models.as_utc(user.locked_until)


# --- throttling -------------------------------------------------------------------------------------------------


def test_the_limits_are_five_failures_and_fifteen_minutes():
    assert (MAX_FAILED_LOGINS, LOCK_MINUTES) == (5, 15)


def test_five_failures_in_a_row_lock_the_account_even_for_the_right_password(sessions, people):
    fail(sessions, "R1", 4, minute=0)
    assert counters(sessions, "R1") == (4, None)
    fail(sessions, "R1", 1, minute=4)
    until = T0 + _dt.timedelta(minutes=4 + LOCK_MINUTES)
    assert counters(sessions, "R1") == (5, until)
    refusals = []
    for password in (PASSWORD, WRONG):
        with pytest.raises(ThrottledError) as caught:
            login(sessions, "R1", password, minute=18)
        refusals.append(caught.value)
    right, wrong = refusals
    assert str(right) == str(wrong) == LOCKED  # the same words: nothing tells whether it was right
    assert right.until == until and right.until.utcoffset() == _dt.timedelta(0)
    assert isinstance(right, NotAllowedError)
    assert counters(sessions, "R1") == (5, until)  # refused attempts while locked change nothing
    assert login(sessions, "R1", PASSWORD, minute=19) == people["R1"].id
    assert counters(sessions, "R1") == (0, None)


def test_a_success_resets_the_count(sessions, people):
    fail(sessions, "R1", 4, minute=0)
    assert login(sessions, "R1", PASSWORD, minute=1) == people["R1"].id
    fail(sessions, "R1", 4, minute=2)
    assert login(sessions, "R1", PASSWORD, minute=3) == people["R1"].id


def test_after_a_lock_one_more_failure_locks_again(sessions, people):
    fail(sessions, "R1", 5, minute=0)
    fail(sessions, "R1", 1, minute=20)
    assert counters(sessions, "R1") == (6, T0 + _dt.timedelta(minutes=20 + LOCK_MINUTES))
    with pytest.raises(ThrottledError):
        login(sessions, "R1", PASSWORD, minute=21)


def test_one_account_locked_leaves_the_others_alone(sessions, people):
    fail(sessions, "R1", 5, minute=0)
    assert login(sessions, "admin", PASSWORD, minute=1) == people["admin"].id


def test_logins_are_audited_by_user_id_and_unknown_names_not_at_all(sessions, people):
    assert login(sessions, "nobody", PASSWORD, minute=0) is None
    assert login(sessions, "nobody", WRONG, minute=0) is None
    fail(sessions, "R1", 1, minute=0)
    login(sessions, "R1", PASSWORD, minute=1)
    r1 = people["R1"].id
    with transaction(sessions) as session:
        logins = [
            (e.action, e.user_id, e.object_type, e.object_id)
            for e in audit_entries(session)
            if e.action.startswith("user.login")
        ]
    assert logins == [("user.login_failed", None, "users", r1), ("user.login", r1, "users", r1)]


def test_an_inactive_user_does_not_log_in(sessions, people):
    with transaction(sessions) as session:
        set_active(session, get_user(session, "R1"), False, by=people["admin"])
    assert login(sessions, "R1", PASSWORD, minute=0) is None


# --- account management -----------------------------------------------------------------------------------------


def test_reset_password_hands_out_a_new_one_time_password_and_lifts_the_lock(sessions, people):
    fail(sessions, "R1", 5, minute=0)
    with transaction(sessions) as session:
        password = reset_password(session, get_user(session, "R1"), by=people["admin"])
    assert counters(sessions, "R1") == (0, None)
    assert login(sessions, "R1", PASSWORD, minute=1) is None
    assert login(sessions, "R1", password, minute=1) == people["R1"].id
    with transaction(sessions) as session:
        assert get_user(session, "R1").must_change_password
        assert [
            (e.action, e.user_id)
            for e in audit_entries(session, "users", people["R1"].id)
            if e.action == "user.reset"
        ] == [("user.reset", people["admin"].id)]
    assert len(password) >= 12


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda s, u, by: reset_password(s, u, by=by),
            "Only an admin resets passwords; this user is rater.",
        ),
        (
            lambda s, u, by: set_active(s, u, False, by=by),
            "Only an admin activates and deactivates users; this user is rater.",
        ),
    ],
)
def test_only_an_admin_manages_accounts(sessions, people, call, message):
    with transaction(sessions) as session:
        other = make_user(session, "R2")
    with pytest.raises(NotAllowedError) as caught, transaction(sessions) as session:
        call(session, session.get(models.User, other.id), people["R1"])
    assert str(caught.value) == message
    with transaction(sessions) as session:
        user = get_user(session, "R2")
        assert user.active and verify_password(user.password_hash, PASSWORD)


def test_set_active_switches_a_user_off_and_on_with_an_audit_entry(sessions, people):
    for active in (False, True):
        with transaction(sessions) as session:
            set_active(session, get_user(session, "R1"), active, by=people["admin"])
        with transaction(sessions) as session:
            assert get_user(session, "R1").active is active
    with transaction(sessions) as session:
        assert [e.action for e in audit_entries(session, "users", people["R1"].id)] == [
            "user.add",
            "user.active",
            "user.active",
        ]


def test_the_last_active_admin_stays_active(sessions, people):
    message = (
        "user 'admin': the last active admin must stay active; got a deactivation. "
        "Make another admin first."
    )
    with pytest.raises(InputError) as caught, transaction(sessions) as session:
        set_active(session, get_user(session, "admin"), False, by=people["admin"])
    assert str(caught.value) == message
    with transaction(sessions) as session:
        second = make_user(session, "admin2", "admin")
        set_active(session, get_user(session, "admin"), False, by=second)
    with pytest.raises(InputError, match="the last active admin"), transaction(sessions) as session:
        set_active(session, get_user(session, "admin2"), False, by=second)
    with transaction(sessions) as session:
        assert [(u.name, u.active) for u in users(session) if u.role == "admin"] == [
            ("admin", False),
            ("admin2", True),
        ]


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            WRONG,
            "a brand new password",
            "password: the current password must match; got a different one.",
        ),
        (
            PASSWORD,
            PASSWORD,
            "password: the new password must differ from the current one; got the same.",
        ),
        (PASSWORD, "short", "A password must have at least 12 characters; got 5."),
        (
            PASSWORD,
            "aaaaaaaaaaaa",
            "'new': this password is too easy to guess (strength 0 of 4, at least 3 needed; zxcvbn): "
            'Repeats like "aaa" are easy to guess.',
        ),
        (
            PASSWORD,
            "Password1234",
            "'new': this password is too easy to guess (strength 1 of 4, at least 3 needed; zxcvbn): "
            "This is similar to a commonly used password.",
        ),
    ],
)
def test_change_password_refuses_and_keeps_the_old_one(sessions, people, old, new, message):
    with pytest.raises(InputError) as caught, transaction(sessions) as session:
        change_password(session, get_user(session, "R1"), old, new)
    assert str(caught.value) == message
    with transaction(sessions) as session:
        user = get_user(session, "R1")
        assert verify_password(user.password_hash, PASSWORD) and user.must_change_password
        assert "user.password" not in [e.action for e in audit_entries(session)]


def test_change_password_sets_the_users_own(sessions, people):
    with transaction(sessions) as session:
        change_password(session, get_user(session, "R1"), PASSWORD, "a brand new password")
    assert login(sessions, "R1", PASSWORD, minute=0) is None
    assert login(sessions, "R1", "a brand new password", minute=0) == people["R1"].id
    with transaction(sessions) as session:
        assert not get_user(session, "R1").must_change_password
        assert [
            (e.action, e.user_id)
            for e in audit_entries(session, "users", people["R1"].id)
            if e.action == "user.password"
        ] == [("user.password", people["R1"].id)]


def test_users_lists_everyone_by_name_whatever_the_case(sessions, people):
    with transaction(sessions) as session:
        make_user(session, "Bea", "coordinator")
        make_user(session, "Aad", "researcher")
        set_active(session, get_user(session, "Aad"), False, by=people["admin"])
    with transaction(sessions) as session:
        assert [u.name for u in users(session)] == ["Aad", "admin", "Bea", "R1"]
        assert session.scalar(select(models.User.active).where(models.User.name == "Aad")) is False


def test_user_names_maps_ids_to_names_of_everyone_or_of_the_ids_asked(sessions, people):
    admin, rater = people["admin"].id, people["R1"].id
    with transaction(sessions) as session:
        assert user_names(session) == {admin: "admin", rater: "R1"}
        assert user_names(session, [rater, rater + admin + 1000]) == {rater: "R1"}
        assert user_names(session, set()) == {}


def test_committee_members_are_the_active_raters_and_chairs_by_name(sessions, people):
    with transaction(sessions) as session:
        make_user(session, "Chair", "chair")
        make_user(session, "R2")
        make_user(session, "Coordinator", "coordinator")
        make_user(session, "Researcher", "researcher")
        set_active(session, get_user(session, "R2"), False, by=people["admin"])
    with transaction(sessions) as session:
        assert [(u.name, u.role) for u in committee_members(session)] == [
            ("Chair", "chair"),
            ("R1", "rater"),
        ]


def test_a_weak_password_is_refused_with_zxcvbns_reason_in_dutch(sessions, people):
    from weegtool.store import messages

    token = messages.use("nl")
    try:
        with pytest.raises(InputError) as caught, transaction(sessions) as session:
            change_password(session, get_user(session, "R1"), PASSWORD, "Password1234")
    finally:
        messages.restore(token)
    assert str(caught.value) == (
        "'new': dit wachtwoord is te makkelijk te raden (sterkte 1 van 4, minstens 3 nodig; zxcvbn): "
        "Dit lijkt op een veelgebruikt wachtwoord."
    )
