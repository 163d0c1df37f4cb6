"""Users and their passwords (argon2id; never stored or logged in the clear).

Guessing is slowed per account: after :data:`MAX_FAILED_LOGINS` wrong
passwords in a row the account is locked for :data:`LOCK_MINUTES` minutes,
during which even the right password is refused; a successful login, or an
administrator's password reset, clears the count.
"""

from __future__ import annotations

import datetime as _dt
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from ..errors import InputError, NotAllowedError, ThrottledError
from . import audit
from .lookup import one_by
from .messages import say, strength_warning
from .models import ROLES, User, as_utc, utcnow
from .ratings import RATING_ROLES

__all__ = [
    "hash_password",
    "verify_password",
    "one_time_password",
    "add_user",
    "get_user",
    "users",
    "user_names",
    "committee_members",
    "authenticate",
    "set_password",
    "change_password",
    "reset_password",
    "set_active",
    "end_sessions",
    "MIN_PASSWORD_LENGTH",
    "MIN_PASSWORD_STRENGTH",
    "MAX_FAILED_LOGINS",
    "LOCK_MINUTES",
]

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_STRENGTH = (
    3  # zxcvbn's score, 0 to 4: 3 is "safely unguessable", about 10^8 guesses or more
)
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """A random password to hand over once; the user sets their own at first login."""
    return secrets.token_urlsafe(15)


def _check_password(password: str, *known: str) -> None:
    """Refuse a password shorter than 12 characters or one zxcvbn scores below 3 (``known``: the user's name,
    which makes a password containing it weaker); the reason is zxcvbn's, in the messages' language.

    zxcvbn (Wheeler 2016, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security) estimates
    the guesses an attacker needs from common passwords, words, names, keyboard patterns, repeats,
    sequences and dates, rather than counting character classes.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(say("password.short", min=MIN_PASSWORD_LENGTH, n=len(password)))
    # zxcvbn's own guidance: only the first 100 characters count (its matching is quadratic in length)
    found = zxcvbn(password[:100], user_inputs=[k for k in known if k])
    if found["score"] < MIN_PASSWORD_STRENGTH:
        warning = found["feedback"]["warning"]
        reason = strength_warning(warning) if warning else say("password.weak_reason")
        raise InputError(
            say("password.weak", score=found["score"], min=MIN_PASSWORD_STRENGTH, reason=reason)
        )


def add_user(
    session: Session,
    name: str,
    role: str,
    password: str,
    *,
    behavioural_scientist: bool = False,
    registration: str | None = None,
    by: User | None = None,
) -> User:
    """A new user who must change ``password`` at first login.

    A behavioural scientist needs their registration (SKJ or BIG number): a
    decision's scientist is checked by it.
    """
    name = name.strip()
    problems = []
    if not name:
        problems.append(say("name.blank"))
    elif len(name) > 120:
        problems.append(say("name.length", n=len(name)))
    if len((registration or "").strip()) > 40:
        problems.append(say("registration.length", n=len((registration or "").strip())))
    if role not in ROLES:
        problems.append(say("role.choice", choices=", ".join(ROLES), got=role))
    if behavioural_scientist and not (registration or "").strip():
        problems.append(say("registration.needed"))
    if name and session.scalar(select(User.id).where(User.name == name)) is not None:
        problems.append(say("name.taken", name=name))
    if problems:
        raise InputError.collect("user", problems)
    _check_password(password, name)
    user = User(
        name=name,
        role=role,
        password_hash=hash_password(password),
        must_change_password=True,
        behavioural_scientist=behavioural_scientist,
        registration=(registration or "").strip() or None,
    )
    session.add(user)
    audit.record(session, by, "user.add", user)
    return user


def get_user(session: Session, name: str) -> User:
    user: User = one_by(session, User.name, name, "user named")
    return user


def users(session: Session) -> list[User]:
    """Every user, active or not, by name (ignoring case, so both databases give the same order)."""
    return list(session.scalars(select(User).order_by(func.lower(User.name), User.name)))


def user_names(session: Session, ids: Iterable[int] | None = None) -> dict[int, str]:
    """Each user's name by their id: of the users with ``ids`` (those that exist), or of every user."""
    query = select(User.id, User.name)
    if ids is not None:
        query = query.where(User.id.in_(set(ids)))
    return {user_id: name for user_id, name in session.execute(query)}


def committee_members(session: Session) -> list[User]:
    """The active users who may rate and sign (raters and chairs), by name."""
    query = select(User).where(User.role.in_(RATING_ROLES), User.active.is_(True))
    return list(session.scalars(query.order_by(User.name)))


def authenticate(
    session: Session, name: str, password: str, now: _dt.datetime | None = None
) -> User | None:
    """The active user with this name and password, or None; an outdated hash is renewed on the way.

    A wrong password counts toward the lock and returns None, so the caller
    commits the count (the failure that reaches the limit too); a right one
    resets it.

    Raises
    ------
    ThrottledError
        While the account is locked, whatever the password; ``.until`` says when the lock ends.
    """
    now = as_utc(now) if now is not None else utcnow()
    # A row lock: parallel guesses at one account take turns, so none escapes the count (PostgreSQL: FOR NO KEY
    # UPDATE, which leaves rows that refer to the user, such as ratings and audit entries, free to be written).
    user = session.scalar(
        select(User)
        .where(User.name == name, User.active.is_(True))
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if user is None:
        _hasher.hash(
            password
        )  # the same work as a real check, so timing does not tell which names exist
        return None
    right = verify_password(
        user.password_hash, password
    )  # checked when locked too: the same timing
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        until = as_utc(user.locked_until)
        raise ThrottledError(
            f"login: this account is locked until {until:%Y-%m-%d %H:%M} UTC after "
            f"{MAX_FAILED_LOGINS} failed logins in a row; try again then, or ask an admin "
            "to reset the password.",
            until,
        )
    if not right:
        # The count goes on after a lock has ended: one more wrong password locks the account again.
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + _dt.timedelta(minutes=LOCK_MINUTES)
        audit.record(session, None, "user.login_failed", user)
        return None
    user.failed_logins, user.locked_until = 0, None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, user, "user.login", user)
    return user


def set_password(user: User, password: str) -> None:
    """The user's own new password (the one-time password stops working).

    Raises
    ------
    InputError
        When it is shorter than 12 characters or easy to guess (zxcvbn's score below 3), with the reason.
    """
    _check_password(password, user.name)
    user.password_hash = hash_password(password)
    user.must_change_password = False


def change_password(session: Session, user: User, old: str, new: str) -> None:
    """The user's own new password ``new``, given their current one ``old``."""
    if not verify_password(user.password_hash, old):
        raise InputError(say("password.current"))
    if new == old:
        raise InputError(say("password.same"))
    set_password(user, new)
    audit.record(session, user, "user.password", user)


def reset_password(session: Session, user: User, *, by: User) -> str:
    """A new one-time password for ``user`` (returned, to hand over once), with any lock lifted; admins only."""
    _check_admin(by, "resets passwords")
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    audit.record(session, by, "user.reset", user)
    return password


def set_active(session: Session, user: User, active: bool, *, by: User) -> None:
    """Let ``user`` log in again (``active``) or no more; admins only, and one admin always stays active."""
    _check_admin(by, "activates and deactivates users")
    if user.active == active:
        return
    if not active and user.role == "admin":
        # Locking the active admins' rows makes two admins who deactivate each other at once take turns.
        admins = session.scalars(
            select(User.id)
            .where(User.role == "admin", User.active.is_(True))
            .with_for_update(key_share=True)
        ).all()
        if set(admins) <= {user.id}:
            raise InputError(say("admin.last", name=user.name))
    user.active = active
    audit.record(session, by, "user.active", user)


def _check_admin(by: User, what: str) -> None:
    if by.role != "admin":
        raise NotAllowedError(f"Only an admin {what}; this user is {by.role}.")


def end_sessions(user: User) -> None:
    """End every session of ``user`` (all browsers): their session fingerprint changes."""
    user.session_version += 1
