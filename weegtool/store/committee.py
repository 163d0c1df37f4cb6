"""The committee of one referral: the members assigned to rate and decide it, and the meeting's agenda.

A referral without assigned members is rated by every active committee member (as before
committees per referral existed). Once members are assigned, they are its committee: only
they rate it, "not yet submitted" and the sign-off list are theirs, and a member may be added
later (never silently removed: their submitted ratings stay what the decision rests on).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError, NotAllowedError
from . import audit
from .messages import say
from .models import Candidate, CommitteeSeat, User
from .ratings import RATING_ROLES
from .users import committee_members

__all__ = [
    "assign_committee",
    "committee_of",
    "is_seated",
    "refuse_outsider",
    "outside_candidate_ids",
    "seated_ids",
    "AgendaRow",
    "agenda",
    "Progress",
    "progress",
]


def assign_committee(
    session: Session,
    candidate: Candidate,
    members: Sequence[User],
    *,
    by: User,
    meeting_on: _dt.date | None = None,
) -> list[User]:
    """Seat ``members`` on ``candidate``'s committee (those seated already stay) and set its meeting date.

    Returns the committee as it is now, by name.

    Raises
    ------
    NotAllowedError
        When ``by`` is not the coordinator or a chair.
    InputError
        When a member is not an active rater or chair.
    """
    if by.role not in ("coordinator", "chair"):
        raise NotAllowedError(
            f"The coordinator or a chair assigns a committee; this user is {by.role}."
        )
    outsiders = [m.name for m in members if m.role not in RATING_ROLES or not m.active]
    if outsiders:
        raise InputError(say("committee.member", names=", ".join(sorted(outsiders))))
    seated = seated_ids(session, candidate)
    for member in {m.id: m for m in members}.values():
        if member.id not in seated:
            session.add(CommitteeSeat(candidate_id=candidate.id, user_id=member.id, added_by=by.id))
    if meeting_on is not None:
        candidate.meeting_on = meeting_on
    audit.record(session, by, "committee.assign", candidate)
    return committee_of(session, candidate)


def _seats(session: Session, candidate: Candidate) -> list[CommitteeSeat]:
    return list(
        session.scalars(select(CommitteeSeat).where(CommitteeSeat.candidate_id == candidate.id))
    )


def committee_of(session: Session, candidate: Candidate) -> list[User]:
    """The active members of ``candidate``'s committee by name: those assigned, or every member when none is."""
    query = (
        select(User)
        .join(CommitteeSeat, CommitteeSeat.user_id == User.id)
        .where(CommitteeSeat.candidate_id == candidate.id, User.active.is_(True))
        .order_by(User.name)
    )
    assigned = list(session.scalars(query))
    if assigned or _seats(session, candidate):
        return assigned
    return committee_members(session)


def seated_ids(session: Session, candidate: Candidate) -> set[int]:
    """The ids of the users assigned to ``candidate``'s committee (empty: none assigned)."""
    return {seat.user_id for seat in _seats(session, candidate)}


def is_seated(session: Session, candidate: Candidate, user: User) -> bool:
    """Whether ``user`` belongs to ``candidate``'s committee (anyone who rates, while none is assigned)."""
    if session.get(CommitteeSeat, (candidate.id, user.id)) is not None:
        return True
    return user.role in RATING_ROLES and not _seats(session, candidate)


def refuse_outsider(session: Session, candidate: Candidate, user: User) -> None:
    """Raise :class:`NotAllowedError` when ``candidate`` has an assigned committee without ``user``."""
    if not is_seated(session, candidate, user):
        raise NotAllowedError(say("committee.outside", pseudonym=candidate.pseudonym))


def outside_candidate_ids(session: Session, user: User) -> set[int]:
    """The ids of the candidates with an assigned committee that ``user`` is not on."""
    with_seats = select(CommitteeSeat.candidate_id).distinct()
    own = select(CommitteeSeat.candidate_id).where(CommitteeSeat.user_id == user.id)
    return set(session.scalars(with_seats.where(CommitteeSeat.candidate_id.not_in(own))))


@dataclass(frozen=True)
class AgendaRow:
    """A referral on a meeting's agenda and where it stands."""

    pseudonym: str
    committee: int  # the members who rate it: those assigned, or every active member when none is
    assigned: bool  # whether members were assigned
    submitted: int
    revision: int | None  # the newest decision's revision; None: not decided
    category: str | None
    correction_open: bool


@dataclass(frozen=True)
class Progress:
    """Who of a referral's committee has submitted: the one rule behind "n van m ingediend", the
    agenda's "klaar voor besluit" and the co-signers (a submission by someone not, or no longer, on
    the committee does not count)."""

    members: list[User]  # the committee: those seated, or every active member when none is
    took_part: list[User]  # of them, those who submitted
    assigned: bool

    @property
    def waiting(self) -> list[User]:
        return [m for m in self.members if m not in self.took_part]

    @property
    def complete(self) -> bool:
        return bool(self.members) and not self.waiting


def progress(session: Session, candidate: Candidate) -> Progress:
    """Where ``candidate``'s committee stands (see :class:`Progress`)."""
    from .overview import submissions  # overview reads the committee module's neighbours

    members = committee_of(session, candidate)
    submitted = {name for name, _ in submissions(session, candidate)}
    took_part = [m for m in members if m.name in submitted]
    return Progress(members, took_part, bool(_seats(session, candidate)))


def agenda(session: Session, on: _dt.date) -> list[AgendaRow]:
    """The referrals to be discussed on ``on``, in the order they were registered, each with its state."""
    from .assessments import latest_assessment  # assessments reads the committee through ratings

    query = (
        select(Candidate)
        .where(Candidate.meeting_on == on)
        .order_by(Candidate.registered_at, Candidate.id)
    )
    rows = []
    for candidate in session.scalars(query):
        state = progress(session, candidate)
        newest = latest_assessment(session, candidate)
        rows.append(
            AgendaRow(
                candidate.pseudonym,
                len(state.members),
                state.assigned,
                len(state.took_part),
                newest.revision if newest else None,
                newest.category if newest else None,
                candidate.correction_open,
            )
        )
    return rows
