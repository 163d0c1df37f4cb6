"""The database tables, as SQLAlchemy 2 typed models.

Every table that holds clinical content (candidates, ratings, assessments,
residents, notes) is keyed by pseudonyms, never by names; the audit log holds ids and
action names only. Choices are text with a CHECK constraint rather than native
enums, so a migration that adds a choice is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..coordinator import REFERRER_TYPE_IDS
from ..errors import ReadOnlyError
from ..outcomes import END_REASON_IDS

__all__ = [
    "Base",
    "ROLES",
    "DIRECTIONS",
    "ACTIONS",
    "User",
    "Instrument",
    "Candidate",
    "Rating",
    "RatingSubmission",
    "Assessment",
    "Signature",
    "House",
    "Resident",
    "Note",
    "CommitteeSeat",
    "AuditEntry",
    "Erasure",
    "ERASURE_GROUNDS",
    "Placement",
    "WaitingEntry",
    "Review",
    "PastRating",
    "REFERRER_TYPE_IDS",
    "END_REASON_IDS",
    "utcnow",
    "as_utc",
]

ROLES = ("admin", "coordinator", "chair", "rater", "researcher")
DIRECTIONS = ("long_term", "cannot_live_home", "temporary_back_home", "crisis")
# What an audit entry may say happened: a fixed list, so free text (and with it clinical content) cannot get in.
ACTIONS = (
    "user.add",
    "instrument.add",
    "instrument.in_force",
    "referral.register",
    "referral.update",
    "ratings.save",
    "ratings.submit",
    "assessment.finalise",
    "assessment.correct",
    "house.save",
    "note.add",
    "user.login",
    "user.login_failed",
    "user.reset",
    "user.active",
    "user.password",
    "house.delete",
    # reading health data is logged too (NEN 7513): who opened which report, ratings and notes, or exported
    "ratings.read",
    "report.read",
    "export.reports",
    "export.decisions",
    "export.research",
    # safekeeping: a person's data handed to them (AVG art. 15), a person's file erased (on request or when due)
    "export.person",
    "person.erase",
    # after the decision (issue 14)
    "placement.start",
    "placement.end",
    "waiting.add",
    "waiting.remove",
    "export.overview",
    # a correction opened on a decided referral, members assigned to a referral's committee
    "referral.correction",
    "committee.assign",
    # over time (issue 15): a placed resident's review opened
    "review.open",
)

# Constraint names fixed by convention: migrations can then name what they change, on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def as_utc(moment: _dt.datetime) -> _dt.datetime:
    """``moment`` as an aware UTC time: SQLite gives back the stored UTC time without its zone, PostgreSQL in the
    connection's zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=_dt.UTC)
    return moment.astimezone(_dt.UTC)


def _one_of(column: str, choices: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in choices)})"


def _pseudonym_key(context: Any) -> str:
    return str(context.get_current_parameters()["pseudonym"]).lower()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        _dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class User(Base):
    """A committee member, coordinator, researcher or administrator."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    behavioural_scientist: Mapped[bool] = mapped_column(Boolean, default=False)
    registration: Mapped[str | None] = mapped_column(String(40))  # SKJ or BIG number
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)
    failed_logins: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0"
    )  # in a row; a login resets
    locked_until: Mapped[_dt.datetime | None] = mapped_column()
    # Part of every session's fingerprint: raising it (log-out) ends all of the user's sessions.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"User({self.id}, {self.role})"


class Instrument(Base):
    """A criteria file as it was loaded: its text and the sha256 of its content."""

    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    in_force: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)


class Candidate(Base):
    """A referral: the candidate under a pseudonym, attached to the instrument version in force."""

    __tablename__ = "candidates"
    __table_args__ = (
        CheckConstraint(_one_of("direction", DIRECTIONS), name="direction"),
        CheckConstraint("age IS NULL OR (age >= 0 AND age <= 120)", name="age"),
        CheckConstraint(
            f"referrer_type IS NULL OR {_one_of('referrer_type', REFERRER_TYPE_IDS)}",
            name="referrer_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    # The pseudonym in lower case: unique, so 'k00001' and 'K00001' (one file name on Windows and macOS) cannot
    # both be registered. Pseudonyms are ASCII, where lower() is casefold().
    pseudonym_key: Mapped[str] = mapped_column(
        String(40), unique=True, index=True, default=_pseudonym_key, server_default=""
    )
    age: Mapped[int | None] = mapped_column(Integer)
    referrer: Mapped[str] = mapped_column(String(200), default="")
    direction: Mapped[str | None] = mapped_column(String(30))
    consent: Mapped[bool | None] = mapped_column(Boolean)
    flags: Mapped[list[str]] = mapped_column(default=list)
    instrument_sha256: Mapped[str] = mapped_column(ForeignKey("instruments.sha256"))
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    # A decided referral's fields are read-only until the chair opens a correction; the next revision closes it.
    correction_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # the meeting that discusses it (the agenda)
    meeting_on: Mapped[_dt.date | None] = mapped_column()

    # The municipality is checked against the configured list (14 Twente municipalities by default) by the store.
    municipality: Mapped[str | None] = mapped_column(String(60))
    referrer_type: Mapped[str | None] = mapped_column(String(30))

    instrument: Mapped[Instrument] = relationship()

    # SQLAlchemy adds "AND row_version = <read>" to every UPDATE and raises StaleDataError when no row matched.
    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 (SQLAlchemy reads it as declared)


class Rating(Base):
    """One rater's rating of one item for one candidate (value None: rated 'not known')."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint(
            "candidate_id", "rater_id", "item", name="uq_ratings_candidate_rater_item"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item: Mapped[str] = mapped_column(String(80))
    value: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    critical: Mapped[str] = mapped_column(
        Text, default=""
    )  # the reason the rater marks the item critical
    saved_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)


class RatingSubmission(Base):
    """A rater's ratings of a candidate handed in: from then on they are fixed and the others' become visible.

    One row per rater and candidate, not a flag per rating: submitting is one act over the whole form.
    """

    __tablename__ = "rating_submissions"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    submitted_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """A finalised committee decision with the advice and report it was made on; never changed afterwards.

    A correction is a new revision pointing to the one it corrects; the old one stays as it was.
    """

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("candidate_id", "revision", name="uq_assessments_candidate_revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    revision: Mapped[int] = mapped_column(Integer)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    instrument_sha256: Mapped[str] = mapped_column(ForeignKey("instruments.sha256"))
    advice: Mapped[dict[str, Any]] = mapped_column()
    category: Mapped[str] = mapped_column(String(60))
    follows_advice: Mapped[bool] = mapped_column(Boolean)
    justification: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list[str]] = mapped_column(default=list)
    dissent: Mapped[str] = mapped_column(Text, default="")
    overridden_flags: Mapped[list[str]] = mapped_column(default=list)
    decided_on: Mapped[_dt.date] = mapped_column()
    report_html: Mapped[str] = mapped_column(Text)
    report_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    finalised_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    finalised_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)
    # What the decision rests on (the referral's fields and the submitted ratings), and what a correction changed
    # of it; the decision form's one-time token, so the same form sent twice is recognised as one decision.
    basis: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    changes: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    signatures: Mapped[list[Signature]] = relationship(
        back_populates="assessment", order_by="Signature.id"
    )
    previous: Mapped[Assessment | None] = relationship(remote_side=[id])


class Signature(Base):
    """A committee member's signature under an assessment, with their role and registration at that moment."""

    __tablename__ = "signatures"
    __table_args__ = (
        UniqueConstraint("assessment_id", "user_id", name="uq_signatures_assessment_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    registration: Mapped[str | None] = mapped_column(String(40))
    behavioural_scientist: Mapped[bool] = mapped_column(Boolean)
    signed_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="signatures")


class House(Base):
    """A house of the pilot: capacity, professionals on duty and its own age range."""

    __tablename__ = "houses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    capacity: Mapped[int] = mapped_column(Integer)
    staff_on_duty: Mapped[int | None] = mapped_column(Integer)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)

    residents: Mapped[list[Resident]] = relationship(
        back_populates="house", cascade="all, delete-orphan", order_by="Resident.id"
    )


class Resident(Base):
    """A current resident, pseudonymised: only what the composition rules need."""

    __tablename__ = "residents"
    __table_args__ = (
        UniqueConstraint("house_id", "pseudonym", name="uq_residents_house_pseudonym"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    pseudonym: Mapped[str] = mapped_column(String(40))
    age: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(default=list)
    main_problem: Mapped[str | None] = mapped_column(String(80))

    house: Mapped[House] = relationship(back_populates="residents")


class Note(Base):
    """A committee member's note in the discussion of a candidate: clinical content, so never in the audit log."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class CommitteeSeat(Base):
    """A member assigned to rate and decide one referral: the committee of that referral."""

    __tablename__ = "committee_seats"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to which object, and when. Ids and action names only: never clinical content."""

    __tablename__ = "audit_log"
    __table_args__ = (CheckConstraint(_one_of("action", ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[_dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # The hash chain (see store.audit): the previous entry's hash, and the sha256 of that and this entry's fields.
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


ERASURE_GROUNDS = ("request", "retention")


class Erasure(Base):
    """A person's file erased: when, on which grounds, why and by whom; never who (the candidate id only).

    ``candidate_id`` is the number the erased candidate had, not a foreign key: the row it named is gone.
    """

    __tablename__ = "erasures"
    __table_args__ = (CheckConstraint(_one_of("grounds", ERASURE_GROUNDS), name="grounds"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[_dt.datetime] = mapped_column(default=utcnow)
    candidate_id: Mapped[int] = mapped_column(Integer)
    grounds: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Placement(Base):
    """A decided candidate living in a house from ``started_on``; ``ended_on`` and its reason when they left.

    The house is kept as a reference that a closing house sets to NULL (its past placements stay).
    """

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint(
            f"end_reason IS NULL OR {_one_of('end_reason', END_REASON_IDS)}", name="end_reason"
        ),
        CheckConstraint("(ended_on IS NULL) = (end_reason IS NULL)", name="end_with_reason"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    house_id: Mapped[int | None] = mapped_column(ForeignKey("houses.id", ondelete="SET NULL"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    started_on: Mapped[_dt.date] = mapped_column()
    ended_on: Mapped[_dt.date | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(30))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    house: Mapped[House | None] = relationship()
    assessment: Mapped[Assessment] = relationship()


class WaitingEntry(Base):
    """A candidate put on the waiting list by hand, or taken off it (``until``).

    A decision 'fits, but not this group now' puts a candidate on the list by
    itself (see :mod:`weegtool.store.placements`); a row here is needed only to
    put another decided candidate on it, or to take one off without a placement.
    """

    __tablename__ = "waiting_list"
    __table_args__ = (CheckConstraint("until IS NULL OR until >= since", name="until_after_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    since: Mapped[_dt.date] = mapped_column()
    until: Mapped[_dt.date | None] = mapped_column()
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)

    candidate: Mapped[Candidate] = relationship()


class Review(Base):
    """A placed resident's review: a new, blind assessment of the same pseudonym (``purpose`` review).

    Opened for an ongoing ``placement`` on ``opened_on``; ``previous_id`` is the decision under
    review (the newest at opening), ``assessment_id`` the review's own decision once the chair has
    made it (None while the review is open). See :mod:`weegtool.store.reviews`.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id", ondelete="CASCADE"))
    previous_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    opened_on: Mapped[_dt.date] = mapped_column()
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[_dt.datetime] = mapped_column(default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    placement: Mapped[Placement] = relationship()
    previous: Mapped[Assessment] = relationship(foreign_keys=[previous_id])
    assessment: Mapped[Assessment | None] = relationship(foreign_keys=[assessment_id])


class PastRating(Base):
    """A rating of an earlier round, kept when a review opens a new blind round for the same candidate.

    ``assessment_id`` is the decision these ratings were scored for; ``submitted_at`` when the rater
    handed them in. The live :class:`Rating` rows of the candidate are then free for the review.
    """

    __tablename__ = "past_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item: Mapped[str] = mapped_column(String(80))
    value: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    critical: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[_dt.datetime] = mapped_column()
    submitted_at: Mapped[_dt.datetime | None] = mapped_column()


@event.listens_for(Assessment, "before_update")
@event.listens_for(Signature, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: Assessment | Signature) -> None:
    raise ReadOnlyError(
        f"A finalised assessment is never changed ({target.__tablename__} {target.id}); "
        "a correction makes a new revision."
    )


@event.listens_for(Assessment, "before_delete")
@event.listens_for(Signature, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: Assessment | Signature) -> None:
    raise ReadOnlyError(
        f"A finalised assessment is never deleted ({target.__tablename__} {target.id})."
    )
