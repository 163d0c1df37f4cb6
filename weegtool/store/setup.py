"""Setting up a site in one call: the schema, the default instrument, a first administrator, the demo cohort."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from .db import database_url, init, make_engine, session_factory, transaction
from .models import User
from .users import add_user, one_time_password

__all__ = ["SetUp", "set_up", "ADMIN_PASSWORD_VARIABLE"]

ADMIN_PASSWORD_VARIABLE = "WEEGTOOL_ADMIN_PASSWORD"


@dataclass(frozen=True)
class SetUp:
    """What :func:`set_up` did; passwords are one-time passwords, to be changed at first login."""

    instrument_added: bool
    admin: str | None = None  # the administrator made now (None: there already was one)
    admin_password: str | None = (
        None  # their one-time password when it was made here (not from the environment)
    )
    demo_users: Mapping[str, str] = field(default_factory=dict)


def set_up(
    url: str | None = None,
    *,
    admin: str | None = None,
    demo: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> SetUp:
    """Migrate, put the default instrument in force, add ``admin`` when no active administrator exists,
    and load the demo cohort when ``demo`` and the database has no candidates. Safe to run again.

    The administrator's password comes from ``WEEGTOOL_ADMIN_PASSWORD`` or is a random one-time password;
    either way it must be changed at first login.
    """
    url = url or database_url(environ)
    added = init(url)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            made, password = None, None
            has_admin = session.scalar(
                select(User.id).where(User.role == "admin", User.active.is_(True)).limit(1)
            )
            if admin and has_admin is None:
                given = environ.get(ADMIN_PASSWORD_VARIABLE)
                add_user(session, admin, "admin", given or (password := one_time_password()))
                made = admin
            demo_users: Mapping[str, str] = {}
            if demo:
                from .demo import load_demo

                demo_users = load_demo(session)
        return SetUp(added, made, password, demo_users)
    finally:
        engine.dispose()
