"""A demo database: synthetic referrals, some rated by demo committee members, and the example houses.

For trying the web app without real data. Nothing is loaded into a database
that already holds candidates, so a real database is never mixed with demo data.

With enough rated candidates (:data:`HISTORY`), the demo also has a past
year: referrals spread over it from several municipalities, decisions,
placements that ended for each end reason, two young people living in the
houses now, and a waiting list with a candidate with suicide risk who fits
no house until a resident of huis-b leaves. One resident was reviewed (rated
again, blind, with lower risk ratings) before leaving, so their page shows a
timeline; the resident of huis-a decided 200 days ago is due for review.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..coordinator import REFERRER_TYPE_IDS
from ..demo import EXAMPLE_HOUSES
from ..errors import InputError, StoreError
from ..instrument import Instrument
from ..io import load_houses
from ..research.synthetic import synthetic_cohort
from .assessments import DecisionInput, finalise
from .houses import core_houses, save_house
from .instruments import instrument_in_force, load
from .models import Candidate, House, User
from .placements import end_placement, place, remove_from_waiting_list
from .ratings import save_ratings, score_candidate, submit_ratings
from .referrals import register_referral
from .reviews import decide_review, start_review
from .users import add_user, one_time_password

__all__ = ["load_demo", "DEMO_USERS", "HISTORY", "Step"]

# name, role, behavioural scientist's registration; the cohort's raters B1, B2, B3 are these users in this order.
DEMO_USERS = (
    ("demo-beoordelaar-1", "rater", None),
    ("demo-beoordelaar-2", "rater", None),
    ("demo-voorzitter", "chair", "SKJ-DEMO-0001"),
    (
        "demo-coordinator",
        "coordinator",
        None,
    ),  # records placements and departures, reports per municipality
)
N_COMMITTEE = 3  # the first three demo users rate; the coordinator does not


# Where the demo's referrals come from: mostly the two big cities, so the overview of a year shows numbers.
MUNICIPALITY_CYCLE = (
    "Enschede", "Hengelo", "Enschede", "Almelo", "Enschede", "Hengelo", "Enschede", "Borne",
    "Hengelo", "Enschede", "Oldenzaal", "Enschede", "Hengelo", "Almelo", "Enschede", "Losser",
)  # fmt: skip


@dataclass(frozen=True)
class Step:
    """What happens to one rated demo candidate, in days before the day of the demo.

    ``decision`` is a category id (None: the advice is followed); ``house`` and
    ``start`` a placement, ``end`` and ``reason`` its end; ``off`` the day a
    waiting candidate is taken off the list. ``flags`` replace the synthetic
    ones, so the story does not hang on the random cohort.
    """

    registered: int
    decided: int
    decision: str | None = None
    house: str | None = None
    start: int | None = None
    end: int | None = None
    reason: str | None = None
    off: int | None = None
    flags: tuple[str, ...] = ()
    review: int | None = (
        None  # the day of a review (opened and decided), continuing with ``review_decision``
    )
    review_decision: str = "fits"


# Days before the demo's day. huis-b has one free place, huis-a two: the placements take turns in them.
HISTORY: tuple[Step, ...] = (
    Step(380, 368, "fits", "huis-b", start=360, end=250, reason="back_home"),
    Step(375, 362, "fits", "huis-a", start=355, end=260, reason="foster_family"),
    Step(
        320, 306, "fits_with_conditions", "huis-a", start=300, end=100, reason="other", review=120
    ),  # reviewed after six months: rated again, the placement continued
    Step(260, 246, "fits", "huis-b", start=240, end=200, reason="breakdown"),
    Step(265, 255, "fits", "huis-a", start=250, end=160, reason="heavier_care"),
    Step(205, 195, "fits", "huis-b", start=190, end=175, reason="crisis"),
    Step(185, 175, "fits", "huis-b", start=170, end=95, reason="independent_living"),
    Step(120, 100, "fits", "huis-b", start=90),  # lives in huis-b now and fills it
    Step(
        215, 200, "fits_not_this_group", "huis-a", start=150
    ),  # waited 50 days, lives in huis-a now
    Step(
        60, 40, "fits_not_this_group", flags=("suicide_risk",)
    ),  # waits: B-101 in huis-a, huis-b full
    Step(310, 300, "fits_not_this_group", off=210),  # taken off the list (went elsewhere)
    Step(330, 315),
    Step(270, 255),
    Step(200, 185),
    Step(150, 130),
    Step(90, 70),
    Step(35, 20),
)


def load_demo(
    session: Session,
    *,
    n_candidates: int = 30,
    n_rated: int = 24,
    n_raters: int = 3,
    seed: int = 20261123,
    on: _dt.date | None = None,
) -> dict[str, str]:
    """Fill an empty database with a seeded demo; returns each demo user's one-time password by name.

    The demo committee (:data:`DEMO_USERS`) gets one-time passwords, changed at
    first login. ``n_candidates`` synthetic referrals are registered with the
    instrument in force; the first ``n_rated`` are rated and submitted by the
    first ``n_raters`` demo users, the rest wait for ratings. The example houses
    are stored when there are no houses yet. Every referral gets a municipality
    and a referrer type; with at least ``len(HISTORY)`` rated candidates and all
    three raters, the first rated ones live through :data:`HISTORY` (decided by the
    demo committee, placed, leaving, waiting) up to ``on`` (today by default). All in
    the caller's transaction.

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
    coordinator = members[3]  # registers the referrals and keeps the houses
    cohort = synthetic_cohort(instrument, n_candidates, n_raters, seed=seed)
    raters = {f"B{n + 1}": member for n, member in enumerate(members[:n_raters])}
    today = on or _dt.date.today()
    story = HISTORY if n_rated >= len(HISTORY) and n_raters == N_COMMITTEE else ()
    rated = []
    records: dict[int, list[dict[Hashable, Any]]] = {}
    for n, fields in enumerate(cohort.candidates.to_dict("records")):
        step = story[n] if n < len(story) else None
        referral = _referral(fields) | _origin(n)
        if step is not None:  # the story's own fields: in the houses' age range, consenting
            referral |= {"age": 15, "consent": True, "flags": list(step.flags)}
        candidate = register_referral(session, fields["candidate_id"], by=coordinator, **referral)
        days_ago = step.registered if step else 360 - (n * 360) // n_candidates
        candidate.registered_at = _noon(today - _dt.timedelta(days=days_ago))
        if n < n_rated:
            rows = cohort.ratings[cohort.ratings["candidate_id"] == fields["candidate_id"]]
            for record in rows.to_dict("records"):
                _rate(session, candidate, raters[record["rater_id"]], record, instrument.item_ids)
            records[candidate.id] = [
                {**r, "rater": raters[r["rater_id"]]} for r in rows.to_dict("records")
            ]
            rated.append(candidate)
    if session.scalar(select(House.id).limit(1)) is None:
        for house in load_houses(EXAMPLE_HOUSES, instrument):
            save_house(session, house, by=coordinator)
    _live_through(session, list(zip(rated, story)), members, instrument, today, records)
    return passwords


def _origin(n: int) -> dict[str, Any]:
    return {
        "municipality": MUNICIPALITY_CYCLE[n % len(MUNICIPALITY_CYCLE)],
        "referrer_type": REFERRER_TYPE_IDS[n % len(REFERRER_TYPE_IDS)],
    }


def _noon(day: _dt.date) -> _dt.datetime:
    return _dt.datetime.combine(day, _dt.time(12), tzinfo=_dt.UTC)


def _live_through(
    session: Session,
    story: Sequence[tuple[Candidate, Step]],
    members: Sequence[User],
    instrument: Instrument,
    today: _dt.date,
    records: Mapping[int, Sequence[Mapping[Hashable, Any]]],
) -> None:
    """Decide, place, end and take off the list as each :class:`Step` says, in the order of the days."""
    chair, coordinator = members[2], members[3]
    ago = lambda days: today - _dt.timedelta(days=days)  # noqa: E731
    item = instrument.item_ids[0]
    for candidate, step in sorted(story, key=lambda pair: -pair[1].decided):
        houses = core_houses(session)
        day = ago(step.decided)
        category = (
            step.decision
            or score_candidate(session, candidate, houses=houses, on=day).advice.category
        )
        decision = DecisionInput(
            category=category,
            justification="Demo: het besluit van de demonstratie.",
            items=(item,),
            decided_on=day,
        )
        finalise(session, candidate, decision, members[:N_COMMITTEE], by=chair, houses=houses)
    # Each placement in the order of its start; each end before the next start it makes room for.
    events = sorted(
        [(step.start, 0, c, step) for c, step in story if step.start is not None]
        + [(step.end, 1, c, step) for c, step in story if step.end is not None]
        + [(step.off, 2, c, step) for c, step in story if step.off is not None]
        + [(step.review, 3, c, step) for c, step in story if step.review is not None],
        key=lambda e: (-e[0], e[1]),
    )
    placed = {}
    for days, kind, candidate, step in events:
        if kind == 0 and step.house is not None:
            placed[candidate.id] = place(
                session, candidate, step.house, ago(days), by=coordinator, on=today
            )
        elif kind == 1 and step.reason is not None:
            end_placement(
                session, placed[candidate.id], ago(days), step.reason, by=coordinator, on=today
            )
        elif kind == 2:
            remove_from_waiting_list(session, candidate, ago(days), by=coordinator, on=today)
        elif kind == 3:
            _review(session, candidate, step, members, instrument, ago(days), records[candidate.id])
        session.flush()


def _review(
    session: Session,
    candidate: Candidate,
    step: Step,
    members: Sequence[User],
    instrument: Instrument,
    day: _dt.date,
    records: Sequence[Mapping[Hashable, Any]],
) -> None:
    """A review on ``day``: each rater rates again, one anchor better on every item, and the chair decides."""
    chair, coordinator = members[2], members[3]
    review = start_review(session, candidate, by=coordinator, on=day)
    for record in records:
        better = {**record}
        for item_id in instrument.item_ids:
            if not pd.isna(record[item_id]):
                better[item_id] = _one_better(instrument, item_id, int(record[item_id]))
        _rate(session, candidate, record["rater"], better, instrument.item_ids)
    decision = DecisionInput(
        category=step.review_decision,
        justification="Demo: de evaluatie na zes maanden.",
        items=(instrument.item_ids[0],),
        decided_on=day,
    )
    decide_review(
        session, review, decision, members[:N_COMMITTEE], by=chair, houses=core_houses(session)
    )


def _one_better(instrument: Instrument, item_id: str, value: int) -> int:
    """The next anchor toward less need of care: lower on a risk item, higher on a protective one."""
    item = instrument.item(item_id)
    levels = sorted(item.anchors)
    at = levels.index(value) + (-1 if item.direction == "risk" else 1)
    return levels[min(max(at, 0), len(levels) - 1)]


def _check_sizes(n_candidates: int, n_rated: int, n_raters: int) -> None:
    problems = []
    if n_candidates < 1:
        problems.append(f"'n_candidates' must be at least 1; got {n_candidates}.")
    if not 0 <= n_rated <= n_candidates:
        problems.append(
            f"'n_rated' must be from 0 to n_candidates ({n_candidates}); got {n_rated}."
        )
    if not 1 <= n_raters <= N_COMMITTEE:
        problems.append(
            f"'n_raters' must be from 1 to {N_COMMITTEE} (the demo users); got {n_raters}."
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
