"""Users and their passwords (argon2id; never stored or logged in the clear)."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError, NotFoundError
from . import audit
from .models import ROLES, User

__all__ = ["hash_password", "verify_password", "one_time_password", "add_user", "get_user", "authenticate",
           "set_password", "MIN_PASSWORD_LENGTH"]

MIN_PASSWORD_LENGTH = 12
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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"A password must have at least {MIN_PASSWORD_LENGTH} characters; "
                         f"got {len(password)}.")


def add_user(session: Session, name: str, role: str, password: str, *, behavioural_scientist: bool = False,
             registration: str | None = None, by: User | None = None) -> User:
    """A new user who must change ``password`` at first login.

    A behavioural scientist needs their registration (SKJ or BIG number): a
    decision's scientist is checked by it.
    """
    name = name.strip()
    problems = []
    if not name:
        problems.append("'name' must not be blank.")
    if role not in ROLES:
        problems.append(f"'role' must be one of {', '.join(ROLES)}; got {role!r}.")
    if behavioural_scientist and not (registration or "").strip():
        problems.append("a behavioural scientist needs a 'registration' (SKJ or BIG number).")
    if name and session.scalar(select(User.id).where(User.name == name)) is not None:
        problems.append(f"a user named {name!r} already exists.")
    if problems:
        raise InputError.collect("user", problems)
    _check_password(password)
    user = User(name=name, role=role, password_hash=hash_password(password), must_change_password=True,
                behavioural_scientist=behavioural_scientist, registration=(registration or "").strip() or None)
    session.add(user)
    audit.record(session, by, "user.add", user)
    return user


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFoundError(f"no user named {name!r}.")
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, or None; an outdated hash is renewed on the way."""
    user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if user is None:
        _hasher.hash(password)     # the same work as a real check, so timing does not tell which names exist
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(user: User, password: str) -> None:
    """The user's own new password (the one-time password stops working)."""
    _check_password(password)
    user.password_hash = hash_password(password)
    user.must_change_password = False
