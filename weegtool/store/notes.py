"""The committee's discussion notes on a candidate: written and read by committee members only.

A note is clinical content: the audit log records that a note was added, by
whom and to which candidate's notes (the note's id), never its text.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import InputError, NotAllowedError
from . import audit
from .messages import say
from .models import Candidate, Note, User
from .ratings import MAX_TEXT, RATING_ROLES

__all__ = ["add_note", "notes"]


def add_note(session: Session, candidate: Candidate, text: str, *, by: User) -> Note:
    """A note by ``by`` (a committee member) in the discussion of ``candidate``; ``text`` is stored stripped."""
    if by.role not in RATING_ROLES:
        raise NotAllowedError(
            f"Only a {' or '.join(RATING_ROLES)} writes discussion notes; this user is {by.role}."
        )
    text = text.strip()
    if not text:
        raise InputError(say("note.blank"))
    if len(text) > MAX_TEXT:
        raise InputError(say("note.length", max=MAX_TEXT, n=len(text)))
    note = Note(candidate_id=candidate.id, author_id=by.id, text=text)
    session.add(note)
    audit.record(session, by, "note.add", note)
    return note


def notes(session: Session, candidate: Candidate, viewer: User) -> list[Note]:
    """The discussion notes of ``candidate``, oldest first, with their authors loaded; committee members only."""
    if viewer.role not in RATING_ROLES:
        raise NotAllowedError(
            f"Only a {' or '.join(RATING_ROLES)} reads discussion notes; "
            f"this user is {viewer.role}."
        )
    query = (
        select(Note)
        .where(Note.candidate_id == candidate.id)
        .options(selectinload(Note.author))
        .order_by(Note.created_at, Note.id)
    )
    return list(session.scalars(query))
