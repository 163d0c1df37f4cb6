"""A demo database: synthetic referrals, some rated by demo committee members, and the example houses.

For trying the web app without real data. Nothing is loaded into a database
that already holds candidates, so a real database is never mixed with demo data.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..demo import EXAMPLE_HOUSES
from ..errors import InputError, StoreError
from ..io import load_houses
from ..research.synthetic import synthetic_cohort
from .houses import save_house
from .instruments import instrument_in_force, load
from .models import Candidate, House, User
from .ratings import save_ratings, submit_ratings
from .referrals import register_referral
from .users import add_user, one_time_password

__all__ = ["load_demo", "DEMO_USERS"]

# name, role, behavioural scientist's registration; the cohort's raters B1, B2, B3 are these users in this order.
DEMO_USERS = (
    ("demo-beoordelaar-1", "rater", None),
    ("demo-beoordelaar-2", "rater", None),
    ("demo-voorzitter", "chair", "SKJ-DEMO-0001"),
)


def load_demo(
    session: Session,
    *,
    n_candidates: int = 12,
    n_rated: int = 8,
    n_raters: int = 3,
    seed: int = 20261123,
) -> dict[str, str]:
    """Fill an empty database with a seeded demo; returns each demo user's one-time password by name.

    The demo committee (:data:`DEMO_USERS`) gets one-time passwords, changed at
    first login. ``n_candidates`` synthetic referrals are registered with the
    instrument in force; the first ``n_rated`` are rated and submitted by the
    first ``n_raters`` demo users, the rest wait for ratings. The example houses
    are stored when there are no houses yet. All in the caller's transaction.

    Returns ``{}`` and changes nothing when the database holds candidates already.
    """
    _check_sizes(n_candidates, n_rated, n_raters)
    if session.scalar(select(Candidate.id).limit(1)) is not None:
        return {}
    row = instrument_in_force(session)
    if row is None:
        raise StoreError(
            "No instrument is in force; run 'weegtool db init' or put one in force first."
        )
    instrument = load(row)
    passwords = {name: one_time_password() for name, _, _ in DEMO_USERS}
    members = [
        add_user(
            session,
            name,
            role,
            passwords[name],
            behavioural_scientist=registration is not None,
            registration=registration,
        )
        for name, role, registration in DEMO_USERS
    ]
    chair = members[-1]  # registers the referrals and keeps the houses: the demo has no coordinator
    cohort = synthetic_cohort(instrument, n_candidates, n_raters, seed=seed)
    raters = {f"B{n + 1}": member for n, member in enumerate(members[:n_raters])}
    for n, fields in enumerate(cohort.candidates.to_dict("records")):
        candidate = register_referral(
            session, fields["candidate_id"], by=chair, **_referral(fields)
        )
        if n < n_rated:
            rows = cohort.ratings[cohort.ratings["candidate_id"] == fields["candidate_id"]]
            for record in rows.to_dict("records"):
                _rate(session, candidate, raters[record["rater_id"]], record, instrument.item_ids)
    if session.scalar(select(House.id).limit(1)) is None:
        for house in load_houses(EXAMPLE_HOUSES, instrument):
            save_house(session, house, by=chair)
    return passwords


def _check_sizes(n_candidates: int, n_rated: int, n_raters: int) -> None:
    problems = []
    if n_candidates < 1:
        problems.append(f"'n_candidates' must be at least 1; got {n_candidates}.")
    if not 0 <= n_rated <= n_candidates:
        problems.append(
            f"'n_rated' must be from 0 to n_candidates ({n_candidates}); got {n_rated}."
        )
    if not 1 <= n_raters <= len(DEMO_USERS):
        problems.append(
            f"'n_raters' must be from 1 to {len(DEMO_USERS)} (the demo users); got {n_raters}."
        )
    if problems:
        raise InputError.collect("demo", problems)


def _referral(fields: Mapping[Hashable, Any]) -> dict[str, Any]:
    """A synthetic candidate's fields as :func:`register_referral` takes them (plain Python values)."""
    return {
        "age": int(fields["age"]),
        "direction": str(fields["direction"]),
        "consent": fields["consent"] == "ja",
        "flags": [f for f in str(fields["flags"]).split(";") if f],
    }


def _rate(
    session: Session,
    candidate: Candidate,
    rater: User,
    record: Mapping[Hashable, Any],
    items: tuple[str, ...],
) -> None:
    values = {item: None if pd.isna(record[item]) else int(record[item]) for item in items}
    save_ratings(session, candidate, rater, values)
    submit_ratings(session, candidate, rater)
